/**
 * What a resync asks of Temporal, each call with its options in one place: the activities it schedules
 * (with their timeouts and retry policy), the followers it starts, how it continues as new. A change here
 * changes what the workflow commands: it goes behind `patched()` (README, Development).
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  deprecatePatch,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  TimeoutFailure,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities } from '../activities';
import type { JobResult, ResyncInput, ResyncOutcome, ResyncResult } from '../contract';
import { DEVELOPER_APPLICATION_URN } from '../contract/names';
import { followerWorkflowId, type FollowerOf } from '../contract/workflow-ids';
import {
  answeredInFailure,
  answeredInHeartbeat,
  expandBatch,
  expandJob,
  type RunAnswered,
} from '../contract/posted-batch';
import { FailureType, NON_RETRYABLE_FAILURES } from '../failures';
import type { DeadlineMissInput } from './deadline-failure';
import { followResyncTasks, type FollowResyncTasksInput } from './follow-resync-tasks';
import type { ListOpenJobIds } from './job-source';

/**
 * Changes to what this workflow commands, each behind its patch (docs/development.md, the patch lifecycle).
 * Every one of these shipped as `patched()` in release 3c3d431 or before and is deprecated now: the old
 * branches are gone, and the next release removes the calls (CHANGELOG.md).
 */
export const PATCH = {
  /** A delivery during the last awaits, or after the deadline, is looked at again and starts a new round. */
  lateDelivery: 'late-delivery-rechecked',
  /** Followers carry the execution's first run id; reports of another execution are dropped. */
  ownReports: 'reports-bound-to-execution',
  /** No posting without time left; the ATS read after a missed deadline is bounded. */
  deadlineBounds: 'deadline-bounds',
  /** CREATEs are de-duplicated and the ids CREATEd are carried across continue-as-new. */
  createOnce: 'create-each-job-once',
  /** Jobs queued for CREATE while a CREATE call is out stay queued for the next one (none is dropped). */
  lateCreates: 'create-queue-keeps-late-reports',
  /** UPDATE batches go in runs, several per postBatches activity, sync-all pages are listed larger. */
  postRuns: 'post-runs-of-batches',
  /** A resync cancelled by request ends CANCELLED, not as a missed deadline. */
  cancelIsNoDeadline: 'cancel-is-no-deadline',
  /** A run of batches is timed out by Temporal a moment after the deadline, once its activity reported. */
  runReportGrace: 'run-times-out-after-its-report',
  /** A run of batches takes the rest of the workflow run (≤ 100), and goes right behind the first batch. */
  fullRuns: 'runs-fill-a-workflow-run',
  /** The batches of a run are followed together, up to FOLLOWER_BATCHES a follower, not one follower each. */
  followRuns: 'runs-followed-together',
  /**
   * Runs are recorded (and followed) each as it reports, their jobs by id, all of a workflow run's runs
   * queued at once; a run's failure keeps what LinkedIn answered before it. Listing pages, runs, follower
   * groups and carried ids are cut in bytes by the planner (run-plan.ts), so every payload stays within
   * the budget whatever the ids' length; a run's activity ends at its answers' budget.
   */
  runsByIds: 'runs-recorded-by-ids',
} as const;

/** The deprecated patches of a resync's first workflow task, in the order `patched()` was called there. */
export function deprecatePatches(): void {
  for (const id of [
    PATCH.lateDelivery,
    PATCH.ownReports,
    PATCH.deadlineBounds,
    PATCH.createOnce,
    PATCH.lateCreates,
    PATCH.postRuns,
    PATCH.runReportGrace,
    PATCH.fullRuns,
    PATCH.followRuns,
  ])
    deprecatePatch(id);
}

/** The signature of `resyncJobs`, which continues as new. */
type ResyncWorkflow = (input: ResyncInput) => Promise<ResyncResult>;

const MAX_POST_ATTEMPT_MS = 2 * 60_000;
/**
 * How long after the deadline Temporal times a run of batches out. The activity abandons its call at the
 * deadline itself and reports the batches answered before it; a timeout at the deadline exactly raced that
 * report and, on a loaded machine, won it, leaving only the last heartbeat. Less than the workflow's wait
 * for the run's report (RUN_SETTLE_MS), so the run always ends within that wait.
 */
export const RUN_REPORT_GRACE_MS = 3_000;
/** After a missed deadline the ATS is read for the jobs never listed, for at most this long. */
const MAX_REMAINING_READ_MS = 5 * 60_000;

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES, FailureType.ResyncDeadlineExceeded],
};

const ats = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
  retry,
});
const posting = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry,
});

/** Pages of at most `limit` ids (histories of the release before). */
export function listOpenJobIds(developerApplicationUrn: string): ListOpenJobIds {
  return async (after, limit) => {
    const ids = await ats.listOpenJobIds({ developerApplicationUrn, after, limit });
    return { ids, more: ids.length >= limit };
  };
}

/** PATCH.runsByIds: pages of at most `limit` ids and the payload budget's bytes. */
export function listOpenJobPage(developerApplicationUrn: string): ListOpenJobIds {
  return (after, limit) => ats.listOpenJobPage({ developerApplicationUrn, after, limit });
}

export interface BatchToPost {
  developerApplicationUrn: string;
  ids: string[];
  operation: 'UPDATE' | 'CREATE';
  batchNumber: number;
  /** Epoch ms: no LinkedIn call starts after it, and no retry outlives it. */
  deadlineAt: number;
}

/** The postBatch activity; its attempts and retries never outlive the deadline. */
async function postBatch(batch: BatchToPost): Promise<JobResult[]> {
  const { ids, operation, batchNumber } = batch;
  const left = batch.deadlineAt - Date.now();
  const output = await posting.postBatch.executeWithOptions(
    {
      summary: `batch ${batchNumber}: ${operation} ${ids.length} job${ids.length === 1 ? '' : 's'} from ${ids[0]}`,
      startToCloseTimeout: Math.min(MAX_POST_ATTEMPT_MS, left),
      scheduleToCloseTimeout: left,
      heartbeatTimeout: '10 seconds',
      retry,
    },
    [
      {
        developerApplicationUrn: batch.developerApplicationUrn,
        externalJobPostingIds: ids,
        operation,
        notAfter: batch.deadlineAt,
      },
    ],
  );
  return output.results;
}

export interface RunToPost {
  developerApplicationUrn: string;
  /** Batches of ≤ 100 ids, UPDATE, in the order they go. */
  batches: string[][];
  /** The number of the run's first batch. */
  firstBatchNumber: number;
  /** Epoch ms: no LinkedIn call starts after it, and no retry outlives it. */
  deadlineAt: number;
  /** How long after the deadline Temporal times the run out. */
  reportGraceMs: number;
  /** PATCH.runsByIds: the bytes the run's answers may take (see `postBatches`). */
  maxResultBytes?: number;
}

export interface BatchAnswer {
  results: JobResult[];
  failed: boolean;
}

/** What a run of batches came to, once its activity reported. */
export interface RunAnswers {
  /** The batches answered in whole, from the run's first, in order. */
  answers: BatchAnswer[];
  /** Of the batch that was going when the run failed: the jobs answered, by id. */
  partial: JobResult[];
  /** The deadline (or Temporal giving up, which is the deadline) ended the run. */
  outOfTime: boolean;
  /** Jobs that may have reached LinkedIn unanswered. */
  outcomeUnknown: string[];
  /** Jobs of the run never sent. */
  notSent: string[];
  /** Batches the run left to the next (its answers reached their byte budget), in order. */
  leftOver: string[][];
}

/**
 * What LinkedIn answered for each job of each batch of a run (one postBatches activity). Its attempts and
 * retries never outlive the deadline (and the report grace); a stuck attempt is caught by its heartbeat.
 * However the run ends, what was answered stays answered (from the failure's details, or the last
 * heartbeat when Temporal timed it out). A refusal for good (`byIds`: one that is not Temporal giving up)
 * rejects the jobs not answered; anything else is the deadline: the call out is of unknown outcome, the
 * rest not sent. Without `byIds` (histories of the release before), the earlier reading.
 */
export async function answersToRun(run: RunToPost, byIds: boolean): Promise<RunAnswers> {
  const { batches, firstBatchNumber: first } = run;
  const left = run.deadlineAt - Date.now();
  const jobs = batches.reduce((sum, ids) => sum + ids.length, 0);
  const last = first + batches.length - 1;
  try {
    const output = await posting.postBatches.executeWithOptions(
      {
        summary: `${last > first ? `batches ${first}–${last}` : `batch ${first}`}: UPDATE ${jobs} job${jobs === 1 ? '' : 's'} from ${batches[0]?.[0]}`,
        startToCloseTimeout: Math.min(MAX_POST_ATTEMPT_MS * batches.length, left + run.reportGraceMs),
        scheduleToCloseTimeout: left + run.reportGraceMs,
        heartbeatTimeout: '10 seconds',
        retry,
      },
      [
        {
          developerApplicationUrn: run.developerApplicationUrn,
          batches,
          notAfter: run.deadlineAt,
          ...(run.maxResultBytes === undefined ? {} : { maxResultBytes: run.maxResultBytes }),
        },
      ],
    );
    // Within its byte budget, a run may end before its last batches: they go in the next run.
    const sent = run.maxResultBytes === undefined ? batches.length : output.batches.length;
    const answers = batches
      .slice(0, sent)
      .map((ids, index) =>
        expandBatch(ids, output.batches[index] ?? { failed: 'LinkedIn gave no answer for it' }),
      );
    const leftOver = batches.slice(sent);
    return { answers, partial: [], outOfTime: false, outcomeUnknown: [], notSent: [], leftOver };
  } catch (error) {
    if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
    return byIds ? runFailure(batches, error, run.deadlineAt) : earlierRunFailure(batches, error, run);
  }
}

/** Whether Temporal stopped a posting activity for the deadline, or for a retry that would come after it. */
function outOfTimeOrGaveUp(error: ActivityFailure, deadlineAt: number): boolean {
  if (outOfTime(error, deadlineAt)) return true;
  const cause = error.cause;
  const refusedForGood =
    error.retryState === RetryState.NON_RETRYABLE_FAILURE ||
    (cause instanceof ApplicationFailure && cause.nonRetryable);
  return !refusedForGood;
}

function runFailure(batches: string[][], error: ActivityFailure, deadlineAt: number): RunAnswers {
  const cause = error.cause;
  const said: RunAnswered =
    cause instanceof TimeoutFailure
      ? answeredInHeartbeat(cause.lastHeartbeatDetails)
      : answeredInFailure(cause instanceof ApplicationFailure ? (cause.details ?? undefined) : undefined);
  const answered = said.answered.slice(0, batches.length);
  const answers = answered.map((posted, index) => expandBatch(batches[index] ?? [], posted));
  const going = batches[answered.length] ?? [];
  const partial = going.flatMap((id) => {
    const job = said.partial.get(id);
    return job === undefined ? [] : [expandJob(id, job)];
  });
  const unanswered = going.filter((id) => !said.partial.has(id));
  const after = batches.slice(answered.length + 1).flat();
  if (!outOfTimeOrGaveUp(error, deadlineAt)) {
    const reason = error.cause?.message ?? error.message;
    const rejected = [...unanswered, ...after].map((id): JobResult => ({
      externalJobPostingId: id,
      fate: 'REJECTED',
      reason,
    }));
    return {
      answers,
      partial: [...partial, ...rejected],
      outOfTime: false,
      outcomeUnknown: [],
      notSent: [],
      leftOver: [],
    };
  }
  // Timed out by Temporal, its last heartbeat may lag: any batch after the answered ones may have gone.
  const timedOut = cause instanceof TimeoutFailure;
  return {
    answers,
    partial,
    outOfTime: true,
    outcomeUnknown: timedOut ? [...unanswered, ...after] : said.callOut ? unanswered : [],
    notSent: timedOut ? [] : said.callOut ? after : [...unanswered, ...after],
    leftOver: [],
  };
}

/** A run's failure as release 3c3d431 read it (its histories replay with it). */
function earlierRunFailure(batches: string[][], error: ActivityFailure, run: RunToPost): RunAnswers {
  if (outOfTime(error, run.deadlineAt)) {
    const cause = error.cause;
    const reported = cause instanceof ApplicationFailure && cause.type === FailureType.ResyncDeadlineExceeded;
    const answered = (
      reported
        ? answeredInFailure(cause.details ?? undefined)
        : answeredInHeartbeat(cause instanceof TimeoutFailure ? cause.lastHeartbeatDetails : undefined)
    ).answered.slice(0, batches.length);
    const unanswered = batches.slice(answered.length);
    return {
      answers: answered.map((posted, index) => expandBatch(batches[index] ?? [], posted)),
      partial: [],
      outOfTime: true,
      outcomeUnknown: reported ? (unanswered[0] ?? []) : unanswered.flat(),
      notSent: reported ? unanswered.slice(1).flat() : [],
      leftOver: [],
    };
  }
  const reason = error.cause?.message ?? error.message;
  return {
    answers: batches.map((ids) => expandBatch(ids, { failed: reason })),
    partial: [],
    outOfTime: false,
    outcomeUnknown: [],
    notSent: [],
    leftOver: [],
  };
}

function outOfTime(error: ActivityFailure, deadlineAt: number): boolean {
  const cause = error.cause;
  return (
    Date.now() >= deadlineAt ||
    cause instanceof TimeoutFailure ||
    (cause instanceof ApplicationFailure && cause.type === FailureType.ResyncDeadlineExceeded)
  );
}

/**
 * Why a posting activity failed for good; rethrows a cancellation; out of time, waits for the deadline
 * timer, which decides what happens.
 */
async function permanentFailure(
  error: unknown,
  deadlineAt: number,
  deadlinePassed: () => boolean,
  byIds: boolean,
): Promise<{ reason: string } | 'out of time'> {
  if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
  if (byIds ? outOfTimeOrGaveUp(error, deadlineAt) : outOfTime(error, deadlineAt)) {
    await condition(deadlinePassed);
    return 'out of time';
  }
  return { reason: error.cause?.message ?? error.message };
}

/**
 * What LinkedIn answered for each job of a batch. A permanent failure of the batch is recorded per job
 * (the other batches still go); out of time, it waits for the deadline timer, which decides what happens.
 */
export async function answersTo(
  batch: BatchToPost,
  deadlinePassed: () => boolean,
  byIds: boolean,
): Promise<{ results: JobResult[]; failed: boolean } | 'out of time'> {
  try {
    return { results: await postBatch(batch), failed: false };
  } catch (error) {
    const failure = await permanentFailure(error, batch.deadlineAt, deadlinePassed, byIds);
    if (failure === 'out of time') return failure;
    const { reason } = failure;
    const results = batch.ids.map((id): JobResult => ({
      externalJobPostingId: id,
      fate: 'REJECTED',
      reason,
    }));
    return { results, failed: true };
  }
}

/**
 * Starts a batch's follower. The start is not cancellable: following sent jobs is no LinkedIn call the
 * deadline forbids.
 */
export function startFollower(
  follower: Omit<FollowerOf, 'resyncWorkflowId'> & { lastBatchNumber?: number },
  input: FollowResyncTasksInput,
): Promise<unknown> {
  const { batchNumber, operation, lastBatchNumber = batchNumber, ...named } = follower;
  const batches =
    lastBatchNumber > batchNumber ? `batches ${batchNumber}–${lastBatchNumber}` : `batch ${batchNumber}`;
  return CancellationScope.nonCancellable(() =>
    startChild(followResyncTasks, {
      workflowId: followerWorkflowId({
        ...named,
        batchNumber,
        operation,
        resyncWorkflowId: input.parentWorkflowId,
      }),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Follow LinkedIn's tasks of ${batches} (${input.tasks.length} ${operation})`,
      typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: input.developerApplicationUrn }],
      args: [input],
    }),
  );
}

/**
 * After a missed deadline, the open jobs never listed (reading the ATS is no LinkedIn call). Bounded: an
 * ATS outage must not keep the run from ending; it ends naming the jobs it knows of.
 */
export async function readUnlisted(
  developerApplicationUrn: string,
  after: string | undefined,
  deadlineMs: number,
): Promise<DeadlineMissInput['unlisted']> {
  const args = { developerApplicationUrn, after, sampleSize: 1_000 };
  const bound = Math.min(MAX_REMAINING_READ_MS, Math.max(10_000, deadlineMs));
  const options = {
    startToCloseTimeout: Math.min(60_000, bound),
    scheduleToCloseTimeout: bound,
    heartbeatTimeout: '30 seconds',
    retry,
  };
  return ats.remainingOpenJobs.executeWithOptions(options, [args]).catch((error: unknown) => {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('open jobs never listed could not be read', { error: error.cause?.message ?? '' });
    return 'unread' as const;
  });
}

/**
 * Resyncs by outcome, for the worker's /metrics. Counted by an activity, not by workflow code: a workflow
 * task that is retried (a follower's completion arriving as the resync completes) would count twice.
 */
export async function countResync(developerApplicationUrn: string, outcome: ResyncOutcome): Promise<void> {
  await CancellationScope.nonCancellable(() => ats.recordOutcome({ developerApplicationUrn, outcome })).catch(
    (error: unknown) => log.warn('outcome not counted', { error: String(error) }),
  );
}

/** The next run of this resync, with what it carries once every handler has finished. */
export async function continueRun(next: () => ResyncInput): Promise<never> {
  await condition(allHandlersFinished);
  return continueAsNew<ResyncWorkflow>(next());
}

/**
 * A new round: LinkedIn asked again after this round was sent (or missed its deadline), so everything is
 * sent again, with the deadline counted from the new receipt. The new round has no outcome yet, whatever
 * this one's was.
 */
export async function startNewRound(input: ResyncInput, receivedAt: number): Promise<never> {
  await condition(allHandlersFinished);
  log.info('notification received again after sending; starting a new round', { receivedAt });
  const next: ResyncInput = {
    developerApplicationUrn: input.developerApplicationUrn,
    syncAllOpenJobs: input.syncAllOpenJobs,
    externalJobPostingIds: input.externalJobPostingIds,
    receivedAt,
    deadlineMs: input.deadlineMs,
    followUpWindowMs: input.followUpWindowMs,
    ...(input.batchesPerRun === undefined ? {} : { batchesPerRun: input.batchesPerRun }),
    round: (input.round ?? 0) + 1,
  };
  return makeContinueAsNewFunc<ResyncWorkflow>({
    typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: input.developerApplicationUrn }],
  })(next);
}
