import type {
  JobResult,
  Operation,
  ResyncCarry,
  ResyncOutcome,
  ResyncProgress,
  ResyncResult,
  ResyncTotals,
  TaskReport,
} from '../contract';
import { CreatedJobs } from './created-jobs';
import { JobDetails } from './job-details';

function emptyTotals(requested: number): ResyncTotals {
  return {
    requested,
    sent: 0,
    updated: 0,
    created: 0,
    closed: 0,
    confirmed: 0,
    unconfirmed: 0,
    rejected: 0,
    notInAts: 0,
    missedDeadline: 0,
  };
}

const FATE_COUNTER = {
  UPDATED: 'updated',
  CREATED: 'created',
  CLOSED: 'closed',
  REJECTED: 'rejected',
  NOT_IN_ATS: 'notInAts',
  MISSED_DEADLINE: 'missedDeadline',
  OUTCOME_UNKNOWN: 'outcomeUnknown',
} as const;

const OPERATION_COUNTER = { UPDATE: 'updated', CREATE: 'created', CLOSE: 'closed' } as const;

/** [task urn, externalJobPostingId] of a batch's accepted jobs, by operation, in the order followers start. */
export type TasksToFollow = Array<[Operation, Array<[string, string]>]>;

/** What a deadline missed leaves in the ledger (see `deadlineMiss`). */
export interface MissedJobs {
  notSent: readonly string[];
  notSentCount: number;
  abandoned: readonly string[];
  /** Of `notSent`, the jobs the ledger counted missed already (`Ledger.missedAfterDeadline`). */
  missedEarlier: readonly string[];
  requestedDelta: number;
}

export type LedgerCarry = Pick<
  ResyncCarry,
  'totals' | 'jobs' | 'jobsLeftOut' | 'createQueue' | 'awaitingReports' | 'created'
>;

/**
 * What a resync has done so far: the totals, the per-job details, the jobs waiting to be CREATEd, the jobs
 * CREATEd (never twice) and how many followers have yet to report. Plain state, no Temporal: the workflow
 * feeds it batch results and follower reports, and reads its progress and result.
 */
export class Ledger {
  readonly totals: ResyncTotals;
  private readonly details: JobDetails;
  private readonly created: CreatedJobs;
  /** Jobs LinkedIn turned out not to have, to be sent with CREATE. */
  private queue: string[];
  /** Followers started and not yet heard from (their last report). */
  awaitingReports: number;
  /**
   * Jobs a report said LinkedIn lacks once the deadline had passed (counted missed, never CREATEd). Not
   * carried: after the deadline a run ends, it does not continue as new.
   */
  readonly lateMissed: string[] = [];

  constructor(carry: LedgerCarry) {
    this.totals = carry.totals;
    this.details = new JobDetails(carry.jobs, carry.jobsLeftOut);
    this.created = new CreatedJobs(carry.created ?? []);
    this.queue = carry.createQueue;
    this.awaitingReports = carry.awaitingReports;
  }

  /** The ledger of a resync's first run, of `requested` jobs (0 for a sync-all, which counts as it lists). */
  static fresh(requested: number): LedgerCarry {
    return { totals: emptyTotals(requested), jobs: [], jobsLeftOut: 0, createQueue: [], awaitingReports: 0 };
  }

  get createQueue(): readonly string[] {
    return this.queue;
  }

  /**
   * Up to `size` queued jobs to CREATE, each once and none CREATEd before, and how many queue entries they
   * came from; those stay queued until `dropCreateBatch(taken)`.
   */
  nextCreateBatch(size: number): { batch: string[]; taken: number } {
    const queued = this.queue.slice(0, size);
    const batch = [...new Set(queued)].filter((id) => !this.created.has(id));
    return { batch, taken: queued.length };
  }

  /** Drops the entries a CREATE call took; entries queued while it was out stay for the next call. */
  dropCreateBatch(taken: number): void {
    this.queue = this.queue.slice(taken);
  }

  /**
   * Records the answers to one batch and returns the tasks to follow. A CREATE batch that failed as a
   * whole may still have reached LinkedIn: its jobs count as CREATEd, never sent with CREATE again.
   */
  recordBatch(results: readonly JobResult[], operation: 'UPDATE' | 'CREATE', failed: boolean): TasksToFollow {
    if (operation === 'CREATE') {
      for (const result of results) {
        if (failed || result.fate === 'CREATED') this.created.add(result.externalJobPostingId);
      }
    }
    const toFollow: Record<Operation, Array<[string, string]>> = { UPDATE: [], CREATE: [], CLOSE: [] };
    for (const result of results) {
      this.count(result);
      this.details.set(result);
      if (result.taskUrn) toFollow[operationOf(result)].push([result.taskUrn, result.externalJobPostingId]);
    }
    return (['UPDATE', 'CREATE', 'CLOSE'] as const)
      .filter((op) => toFollow[op].length > 0)
      .map((op) => [op, toFollow[op]]);
  }

  /** A follower's report; jobs LinkedIn lacks are queued for CREATE, or missed once the deadline passed. */
  applyReport(report: TaskReport, deadlinePassed: boolean, warn: (jobId: string) => void): void {
    // An early report (jobs to CREATE) comes before the follower's last one.
    if (!report.partial) this.awaitingReports--;
    for (const id of report.confirmed) {
      this.totals.confirmed++;
      this.details.patch(id, { confirmation: 'CONFIRMED' });
    }
    for (const id of report.unconfirmed) {
      this.totals.unconfirmed++;
      this.details.patch(id, { confirmation: 'UNCONFIRMED' });
    }
    for (const { externalJobPostingId, reason } of report.failed) {
      this.totals[OPERATION_COUNTER[report.operation]]--;
      this.totals.rejected++;
      this.details.set({
        externalJobPostingId,
        fate: 'REJECTED',
        reason: `LinkedIn's task failed: ${reason}`,
      });
    }
    for (const id of report.needsCreate) {
      if (this.created.has(id) || this.queue.includes(id)) warn(id);
      else this.needsCreate(id, deadlinePassed);
    }
  }

  /** A follower that could not be started: its jobs were sent, and nobody will see LinkedIn confirm them. */
  followerLost(tasks: ReadonlyArray<[string, string]>): void {
    this.awaitingReports--;
    this.totals.unconfirmed += tasks.length;
    for (const [, id] of tasks) this.details.patch(id, { confirmation: 'UNCONFIRMED' });
  }

  /** Followers that never reported: their jobs were sent, but nobody saw LinkedIn confirm them. */
  settleUnreported(): void {
    if (this.awaitingReports <= 0) return;
    for (const job of this.details.list()) {
      if (job.confirmation === 'PENDING')
        this.details.patch(job.externalJobPostingId, { confirmation: 'UNCONFIRMED' });
    }
    const { updated, created, closed, confirmed } = this.totals;
    this.totals.unconfirmed = updated + created + closed - confirmed;
  }

  missDeadline(missed: MissedJobs): void {
    const earlier = new Set(missed.missedEarlier);
    this.totals.requested += missed.requestedDelta;
    this.totals.missedDeadline += missed.notSentCount - earlier.size;
    this.totals.outcomeUnknown = (this.totals.outcomeUnknown ?? 0) + missed.abandoned.length;
    for (const id of missed.notSent) {
      if (earlier.has(id)) continue;
      this.details.set({
        externalJobPostingId: id,
        fate: 'MISSED_DEADLINE',
        reason: 'not sent before the deadline',
      });
    }
    for (const id of missed.abandoned) {
      this.details.set({
        externalJobPostingId: id,
        fate: 'OUTCOME_UNKNOWN',
        reason: 'sent in a call the deadline abandoned unanswered: LinkedIn may have received it',
      });
    }
  }

  /** `known`: every job to send is listed (false while a sync-all is still listing). */
  progress(known: boolean): ResyncProgress {
    const t = this.totals;
    const sent = t.updated + t.created + t.closed;
    const settled = sent + t.rejected + t.notInAts + t.missedDeadline + (t.outcomeUnknown ?? 0);
    return {
      total: known ? t.requested : null,
      sent,
      confirmed: t.confirmed,
      rejected: t.rejected,
      notInAts: t.notInAts,
      pending: known ? t.requested - settled : null,
      awaitingConfirmation: this.awaitingReports,
    };
  }

  outcome(): ResyncOutcome {
    const t = this.totals;
    return t.rejected + t.notInAts + t.missedDeadline === 0 ? 'SUCCEEDED' : 'PARTIAL';
  }

  result(developerApplicationUrn: string, outcome: ResyncOutcome, continuedAsNew: number): ResyncResult {
    const t = this.totals;
    return {
      developerApplicationUrn,
      outcome,
      totals: { ...t, sent: t.updated + t.created + t.closed, outcomeUnknown: t.outcomeUnknown ?? 0 },
      jobs: this.details.list(),
      jobsLeftOut: this.details.omitted,
      continuedAsNew,
    };
  }

  /** The ledger as the next run rebuilds it. */
  carry(): LedgerCarry {
    return {
      totals: this.totals,
      jobs: this.details.list(),
      jobsLeftOut: this.details.omitted,
      createQueue: this.queue,
      awaitingReports: this.awaitingReports,
      created: this.created.list(),
    };
  }

  private count(result: JobResult): void {
    const counter = FATE_COUNTER[result.fate];
    this.totals[counter] = (this.totals[counter] ?? 0) + 1;
    // Confirmed by LinkedIn's answer itself (a CLOSE refused 409, a CREATE refused as a duplicate).
    if (result.confirmation === 'CONFIRMED') this.totals.confirmed++;
  }

  private needsCreate(id: string, deadlinePassed: boolean): void {
    this.totals.updated--;
    if (!deadlinePassed) {
      this.queue.push(id);
      return;
    }
    this.totals.missedDeadline++;
    this.lateMissed.push(id);
    this.details.set({
      externalJobPostingId: id,
      fate: 'MISSED_DEADLINE',
      reason: 'LinkedIn does not have this job and the deadline passed before it could be created',
    });
  }
}

function operationOf(result: JobResult): Operation {
  return result.fate === 'CLOSED' ? 'CLOSE' : result.fate === 'CREATED' ? 'CREATE' : 'UPDATE';
}
