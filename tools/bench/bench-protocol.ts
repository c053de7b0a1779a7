/** The messages between the benchmark (parent) and its worker process (bench-worker.ts), over IPC. */
import type { DeveloperApplication } from '../../src/ats/job-store';

export interface WorkerSetup {
  kind: 'setup';
  /** An empty temporary directory for the PGlite store; the parent deletes it afterwards. */
  dataDir: string;
  application: DeveloperApplication;
  jobCount: number;
  /** An application of a few jobs whose resync warms the worker up before the measured one. */
  warmUp: { application: DeveloperApplication; jobCount: number };
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  workflowBundlePath: string;
  linkedin: { apiUrl: string; tokenUrl: string };
  /** How often the worker samples its own memory. */
  sampleEveryMs: number;
}

/** The warm-up resync is done: the worker starts measuring and answers with `ready`. */
export interface WorkerMeasure {
  kind: 'measure';
}

/** Asks the worker for its figures; it answers with `report`, then stops and exits. */
export interface WorkerFinish {
  kind: 'finish';
}

export type ToWorker = WorkerSetup | WorkerMeasure | WorkerFinish;

/** Memory in bytes. */
export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
}

export interface WorkerSeeded {
  kind: 'seeded';
  /** The open job ids now in the ATS, in id order (the sandbox must hold them so UPDATEs succeed). */
  ids: string[];
  /** The warm-up application's open job ids. */
  warmUpIds: string[];
  seedMs: number;
  /** VmHWM at the end of seeding: process start, PGlite and the insert. */
  seedPeakRss: number;
  /** Before the store is opened (SDK runtime installed), after a full GC. */
  atStart: MemorySnapshot;
  /** With the PGlite store open and empty, after a full GC: the in-process database's share. */
  storeOpened: MemorySnapshot;
  /** After seeding, before the workers exist, after a full GC: the store's share of `idle`. */
  afterSeed: MemorySnapshot;
}

/** The workers poll: the parent runs the warm-up resync, then sends `measure`. */
export interface WorkerPolling {
  kind: 'polling';
}

export interface WorkerReady {
  kind: 'ready';
  /** After seeding, with the workers polling and nothing to do, after a full GC (rss: VmRSS at the reset). */
  idle: MemorySnapshot;
  /** Whether the kernel's peak-RSS counter could be reset here (so `resyncPeakRss` excludes seeding). */
  peakReset: boolean;
}

export interface WorkerReport {
  kind: 'report';
  /** VmHWM from /proc/self/status: the kernel's peak RSS since the reset at `ready`. */
  resyncPeakRss: number;
  /** Maxima of process.memoryUsage() sampled since `ready`. */
  sampledMax: MemorySnapshot;
  samples: number;
  /** CPU time spent since `ready`, user + system, in ms. */
  cpuMs: number;
  /** How late the worker's event loop ran timers since `ready` (10 ms resolution). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  final: MemorySnapshot;
}

export interface WorkerError {
  kind: 'error';
  message: string;
}

export type FromWorker = WorkerSeeded | WorkerPolling | WorkerReady | WorkerReport | WorkerError;
