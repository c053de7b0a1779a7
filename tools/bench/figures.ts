/** What the benchmark measures for one size: the shape of its JSON report. */
import type { ResyncResult } from '../../src/contract';
import type { MemorySnapshot, WorkerReport } from './bench-protocol';

export interface RunHistory {
  runId: string;
  events: number;
  /** The history encoded as Temporal's History protobuf. */
  bytes: number;
  /** What the server reports for the run (DescribeWorkflowExecution), as a cross-check. */
  serverHistoryBytes: number | null;
  childrenStarted: number;
}

export interface BatchCycle {
  /** From one postBatch being scheduled to the next. */
  cycleMs: number | null;
  /** postBatch: scheduled until a worker picked it up, and picked up until completed. */
  postScheduleToStartMs: number | null;
  postStartToCloseMs: number | null;
  /** From startChild to the server's ChildWorkflowExecutionStarted. */
  childStartMs: number | null;
  /** Workflow tasks: scheduled until picked up, picked up until completed; how many per batch. */
  workflowTaskScheduleToStartMs: number | null;
  workflowTaskStartToCloseMs: number | null;
  workflowTasksPerBatch: number | null;
}

export interface SizeResult {
  jobs: number;
  /** The sandbox's answer time for each posting call. */
  latencyMs: number;
  /** LinkedIn's sequential floor (posting calls × latency) and the time to the last UPDATE over it. */
  floor?: { floorMs: number; ratio: number | null };
  ok: boolean;
  /** Where the resync did not end as a healthy resync of N jobs would. */
  problems: string[];
  error?: string;
  workflowId: string;
  taskQueue: string;
  timing?: {
    seedMs: number;
    /** From the workflow start (receivedAt) to the answer of the first / last UPDATE call on LinkedIn's side. */
    toFirstUpdateMs: number | null;
    toLastUpdateMs: number | null;
    toCompletionMs: number;
    /** From the resync's completion until every follow-up workflow had closed. */
    followUpsClosedAfterMs: number;
    jobsPerSecondToLastUpdate: number | null;
  };
  linkedin?: {
    postingCalls: number;
    updateCalls: number;
    otherOperationCalls: number;
    failedPostingCalls: number;
    maxElementsPerCall: number;
    elementsPosted: number;
    distinctJobsPosted: number;
    maxConcurrentPostings: number;
    /** How long LinkedIn's side took to answer a posting call, and the gap from one answer to the next call. */
    medianCallMs: number | null;
    medianGapMs: number | null;
    p95GapMs: number | null;
    /** The twelve longest gaps, longest first (continue-as-new and the pauses between runs show here). */
    longestGapsMs: number[];
    /** All gaps from one answer to the next call, summed: the time the calls were not at LinkedIn. */
    gapsTotalMs: number;
    taskStatusCalls: number;
    tokenCalls: number;
  };
  workflow?: {
    outcome: string;
    totals: ResyncResult['totals'];
    continuedAsNew: number;
    runs: RunHistory[];
    totalEvents: number;
    totalBytes: number;
    largestRunEvents: number;
    largestRunBytes: number;
    /** The largest activity result in the chain (protobuf payload bytes): postBatches' per-batch results. */
    largestActivityResultBytes: number;
    eventsPer1kJobs: number;
    bytesPer1kJobs: number;
    /** Where a batch's time goes, from the chain's event times (medians over every batch). */
    batchCycle: BatchCycle;
    /** The first run's events until its second posting activity started, in ms from the workflow's start. */
    startup: Array<{ event: string; ms: number }>;
    /** The first continue-as-new, from the last posting activity's completion to the next run's first. */
    continueAsNew: Array<{ event: string; ms: number }>;
    /** Over the whole chain: what the history is made of. */
    byEventType: Record<string, { events: number; bytes: number }>;
  };
  followUps?: {
    children: number;
    completed: number;
    totalEvents: number;
    totalBytes: number;
    largestEvents: number;
    largestBytes: number;
    eventsPer1kJobs: number;
    bytesPer1kJobs: number;
  };
  /** CPU time during the resync (start until every follow-up closed): the machine has few cores. */
  cpu?: {
    temporalServerMs: number | null;
    /** This process: the LinkedIn sandbox and the Temporal client. */
    benchProcessMs: number;
  };
  worker?: {
    seedPeakRss: number;
    atStart: MemorySnapshot;
    storeOpened: MemorySnapshot;
    afterSeed: MemorySnapshot;
    idle: MemorySnapshot;
    /** false: the kernel's peak could not be reset, so resyncPeakRss includes seeding. */
    peakReset: boolean;
    resyncPeakRss: number;
    sampledMax: MemorySnapshot;
    samples: number;
    cpuMs: number;
    eventLoopDelayMs: WorkerReport['eventLoopDelayMs'];
    final: MemorySnapshot;
  };
}
