import type { MetricCounter, MetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { JobFate, RESYNC_OUTCOMES, type JobResult, type ResyncOutcome } from '../contract';
import { DRIFT_KINDS, type DriftKind } from '../contract/drift';
import { largeResyncTaskQueue } from '../contract/names';
import {
  LINKEDIN_ANSWER_STATUSES,
  LINKEDIN_CALLS,
  type LinkedInAnswerStatus,
  type LinkedInCall,
} from '../linkedin/answer-metrics';

/** The operations `resync_jobs_sent_total` counts: every fate but the two counted apart. */
export const SENT_OPERATIONS = JobFate.options.filter((fate) => fate !== 'REJECTED' && fate !== 'NOT_IN_ATS');

/**
 * The resync's and the drift check's own metrics on the worker's /metrics, beside the SDK's. They go
 * through the Temporal runtime's meter (the SDK's Prometheus exporter serves them), with labels of their
 * own in the SDK's convention (snake_case: `task_queue`, `application`), never the activity meter's
 * camelCase tags. Counters Prometheus has never seen cannot show an increase, so each is set to zero for
 * every known label value as soon as the worker starts (`know`): an alert on it tells "none" from "not
 * scraped", and the first miss counts.
 */
export class WorkerMetrics {
  private counters: Map<string, MetricCounter> | undefined;

  /** `meter` is read at first use: the runtime is installed (with its exporter) before that. */
  constructor(private readonly meter: () => MetricMeter) {}

  private counter(name: string, unit: string, help: string): MetricCounter {
    this.counters ??= new Map();
    let counter = this.counters.get(name);
    if (counter === undefined) {
      counter = this.meter().createCounter(name, unit, help);
      this.counters.set(name, counter);
    }
    return counter;
  }

  private get completed() {
    return this.counter('resyncs_completed', 'resyncs', 'Resyncs that ended, by outcome');
  }
  private get deadlinesMissed() {
    return this.counter(
      'resync_deadlines_missed',
      'resyncs',
      'Resyncs whose deadline passed before every job was sent',
    );
  }
  private get sent() {
    return this.counter('resync_jobs_sent', 'jobs', 'Jobs LinkedIn accepted for processing, by operation');
  }
  private get rejected() {
    return this.counter('resync_jobs_rejected', 'jobs', 'Jobs LinkedIn or the ATS data refused');
  }
  private get notInAts() {
    return this.counter('resync_jobs_not_in_ats', 'jobs', 'Requested jobs the ATS does not hold');
  }
  private get driftCheckedJobs() {
    return this.counter(
      'drift_checked_jobs',
      'jobs',
      'Jobs whose LinkedIn status a drift check compared with the ATS',
    );
  }
  private get driftRepaired() {
    return this.counter(
      'drift_repaired_jobs',
      'jobs',
      'Drifted jobs a drift check sent again, by kind of drift',
    );
  }
  private get driftDisagreements() {
    return this.counter(
      'drift_comparison_disagreements',
      'checks',
      "Drift checks that found most of an application's listed jobs CHANGED and repaired none of them",
    );
  }
  private get linkedInAnswers() {
    return this.counter(
      'linkedin_responses',
      'responses',
      "LinkedIn's answers to the worker's calls, by call and status class (unreachable: no answer)",
    );
  }

  /**
   * Zeroes every counter for the known label values: the applications the ATS holds, on the resync task
   * queues `taskQueue` and `<taskQueue>-large`; LinkedIn's calls and status classes. Called at start and
   * whenever the applications are listed again (a new one gets its series before its first resync).
   */
  know(taskQueue: string, applications: readonly string[]): void {
    for (const call of LINKEDIN_CALLS) {
      for (const status of LINKEDIN_ANSWER_STATUSES) this.linkedInAnswers.add(0, { call, status });
    }
    for (const queue of [taskQueue, largeResyncTaskQueue(taskQueue)]) {
      for (const application of applications) {
        const labels = { task_queue: queue, application };
        for (const outcome of RESYNC_OUTCOMES) this.completed.add(0, { ...labels, outcome });
        this.deadlinesMissed.add(0, labels);
        for (const operation of SENT_OPERATIONS) this.sent.add(0, { ...labels, operation });
        this.rejected.add(0, labels);
        this.notInAts.add(0, labels);
        this.driftCheckedJobs.add(0, labels);
        for (const kind of DRIFT_KINDS) this.driftRepaired.add(0, { ...labels, kind });
        this.driftDisagreements.add(0, labels);
      }
    }
  }

  /** `listApplicationUrns` of `store`, zeroing the counters of the applications it lists (`know`). */
  knowing(taskQueue: string, store: { listApplicationUrns(): Promise<string[]> }): () => Promise<string[]> {
    return async () => {
      const urns = await store.listApplicationUrns();
      this.know(taskQueue, urns);
      return urns;
    };
  }

  resyncEnded(taskQueue: string, application: string, outcome: ResyncOutcome): void {
    const labels = { task_queue: taskQueue, application };
    this.completed.add(1, { ...labels, outcome });
    if (outcome === 'DEADLINE_EXCEEDED') this.deadlinesMissed.add(1, labels);
  }

  /**
   * One `add` for each fate the results hold, not one a job: each is a call into the runtime's native
   * meter with its labels, and a 500-job resync made 500 of them (a twentieth of the worker's main thread
   * in the storm, docs/benchmarks.md).
   */
  jobsAnswered(taskQueue: string, application: string, results: readonly JobResult[]): void {
    const byFate = new Map<JobFate, number>();
    for (const { fate } of results) byFate.set(fate, (byFate.get(fate) ?? 0) + 1);
    const labels = { task_queue: taskQueue, application };
    for (const [fate, jobs] of byFate) {
      if (fate === 'REJECTED') this.rejected.add(jobs, labels);
      else if (fate === 'NOT_IN_ATS') this.notInAts.add(jobs, labels);
      else this.sent.add(jobs, { ...labels, operation: fate });
    }
  }

  driftChecked(
    taskQueue: string,
    application: string,
    check: { checked: number; repaired: Record<DriftKind, number>; comparisonDisagrees?: boolean },
  ): void {
    const labels = { task_queue: taskQueue, application };
    this.driftCheckedJobs.add(check.checked, labels);
    for (const kind of DRIFT_KINDS) {
      if (check.repaired[kind] > 0) this.driftRepaired.add(check.repaired[kind], { ...labels, kind });
    }
    if (check.comparisonDisagrees) this.driftDisagreements.add(1, labels);
  }

  readonly linkedInAnswered = (call: LinkedInCall, status: LinkedInAnswerStatus): void => {
    this.linkedInAnswers.add(1, { call, status });
  };
}

let runtimeMetrics: WorkerMetrics | undefined;

/** The process's one WorkerMetrics, on the Temporal runtime's meter (its Prometheus exporter serves it). */
export function runtimeWorkerMetrics(): WorkerMetrics {
  runtimeMetrics ??= new WorkerMetrics(() => Runtime.instance().metricMeter);
  return runtimeMetrics;
}
