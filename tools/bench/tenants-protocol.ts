/** The messages between the tenants benchmark (parent) and its worker process (tenants-worker.ts), over IPC. */
import type { DeveloperApplication } from '../../src/ats/job-store';

export interface TenantsWorkerSetup {
  kind: 'setup';
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  workflowBundlePath: string;
  linkedin: { apiUrl: string; tokenUrl: string };
  /** Serve `<taskQueue>-large` too (the bench's `--large-resync-jobs` above 0). */
  serveLargeResyncs: boolean;
  /** Where the worker's Prometheus endpoint listens (slot use is scraped from it). */
  metricsPort: number;
  /** Put in the worker's ATS store (in-memory PGlite), each with this many synthetic open jobs. */
  applications: Array<{ application: DeveloperApplication; jobs: number }>;
}

/** Start measuring the worker's event loop and CPU; answered `phaseStarted`. */
export interface PhaseStart {
  kind: 'phaseStart';
}

/** Stop measuring; answered `phase`. */
export interface PhaseEnd {
  kind: 'phaseEnd';
}

/** The worker's CPU time so far; answered `cpu`. */
export interface CpuRequest {
  kind: 'cpu';
}

/** Stop the workers and exit. */
export interface Finish {
  kind: 'finish';
}

export type ToTenantsWorker = TenantsWorkerSetup | PhaseStart | PhaseEnd | CpuRequest | Finish;

export interface Seeded {
  kind: 'seeded';
  /** Each application's open job ids in the store, in id order (LinkedIn's side must hold them). */
  ids: Record<string, string[]>;
}

export interface Ready {
  kind: 'ready';
}

export interface PhaseStarted {
  kind: 'phaseStarted';
  /** Epoch ms the measuring started. */
  at: number;
}

export interface PhaseFigures {
  kind: 'phase';
  /** The worker process's CPU time (user + system) and the wall time since `phaseStart`, in ms. */
  cpuMs: number;
  elapsedMs: number;
  /** How late the worker's event loop ran timers (10 ms resolution), in ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** [epoch ms, ms late] of each 100 ms tick late by 50 ms or more. */
  stalls: Array<[number, number]>;
}

export interface CpuFigure {
  kind: 'cpu';
  /** user + system, in ms, since the process started. */
  cpuMs: number;
}

export interface TenantsWorkerError {
  kind: 'error';
  message: string;
}

export type FromTenantsWorker = Seeded | Ready | PhaseStarted | PhaseFigures | CpuFigure | TenantsWorkerError;
