/**
 * How a resync posts to LinkedIn through its activities: a run of UPDATE batches (postBatches) or one batch
 * (postBatch, for CREATE), with their timeouts and retries bound to the deadline, and how their answers,
 * failures included, are read. A change here changes what the workflow commands: it goes behind
 * `patched()` (docs/development.md, the patch lifecycle).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities } from '../activities';
import type { JobResult } from '../contract';
import {
  answeredInFailure,
  answeredInHeartbeat,
  expandBatch,
  expandJob,
  type RunAnswered,
} from '../contract/posted-batch';
import { FailureType } from '../failures';
import type { AnswerSignalling } from '../contract/signals';
import { RETRY as retry } from './retry';

const MAX_POST_ATTEMPT_MS = 2 * 60_000;
/**
 * How long after the deadline Temporal times a run of batches out. The activity abandons its call at the
 * deadline itself and reports the batches answered before it; a timeout at the deadline exactly raced that
 * report and, on a loaded machine, won it, leaving only the last heartbeat. Less than the workflow's wait
 * for the run's report (RUN_SETTLE_MS), so the run always ends within that wait.
 */
export const RUN_REPORT_GRACE_MS = 3_000;

const posting = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry,
});

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
  /** The bytes the run's answers may take (see `postBatches`): the run ends early at them. */
  maxResultBytes: number;
  /** UPDATE, or CREATE (PATCH.createsAsRuns) for jobs LinkedIn lacks. */
  operation: 'UPDATE' | 'CREATE';
  /** PATCH.answersSignalled: the activity signals batches answered as the run goes. */
  signalAnswers?: AnswerSignalling;
}

export interface BatchAnswer {
  results: JobResult[];
  failed: boolean;
}

/** What a run of batches came to, once its activity reported. */
export interface RunAnswers {
  /** The batches answered in whole, in order, from the run's batch `answeredFrom`. */
  answers: BatchAnswer[];
  /** The index in the run of the first batch of `answers`: the ones before were signalled. */
  answeredFrom: number;
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
 * heartbeat when Temporal timed it out). A refusal for good (one that is not Temporal giving up) rejects
 * the jobs not answered; anything else is the deadline: the call out is of unknown outcome, the rest not
 * sent.
 */
export async function answersToRun(run: RunToPost): Promise<RunAnswers> {
  const { batches, firstBatchNumber: first } = run;
  const left = run.deadlineAt - Date.now();
  const jobs = batches.reduce((sum, ids) => sum + ids.length, 0);
  const last = first + batches.length - 1;
  try {
    // CREATE runs have an activity type of their own (see createActivities).
    const activity = run.operation === 'CREATE' ? posting.postCreates : posting.postBatches;
    const output = await activity.executeWithOptions(
      {
        summary: `${last > first ? `batches ${first}–${last}` : `batch ${first}`}: ${run.operation} ${jobs} job${jobs === 1 ? '' : 's'} from ${batches[0]?.[0]}`,
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
          maxResultBytes: run.maxResultBytes,
          ...(run.signalAnswers ? { signalAnswers: run.signalAnswers } : {}),
          ...(run.operation === 'CREATE' ? { operation: run.operation } : {}),
        },
      ],
    );
    // Within its byte budget, a run may end before its last batches: they go in the next run.
    const answeredFrom = output.signalled ?? 0;
    const sent = answeredFrom + output.batches.length;
    const answers = batches
      .slice(answeredFrom, sent)
      .map((ids, index) =>
        expandBatch(ids, output.batches[index] ?? { failed: 'LinkedIn gave no answer for it' }),
      );
    const leftOver = batches.slice(sent);
    const none = { partial: [], outOfTime: false, outcomeUnknown: [], notSent: [] };
    return { answers, answeredFrom, ...none, leftOver };
  } catch (error) {
    if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
    return runFailure(batches, error, run.deadlineAt);
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
      answeredFrom: 0,
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
    answeredFrom: 0,
    partial,
    outOfTime: true,
    outcomeUnknown: timedOut ? [...unanswered, ...after] : said.callOut ? unanswered : [],
    notSent: timedOut ? [] : said.callOut ? after : [...unanswered, ...after],
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
): Promise<{ reason: string } | 'out of time'> {
  if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
  if (outOfTimeOrGaveUp(error, deadlineAt)) {
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
): Promise<{ results: JobResult[]; failed: boolean } | 'out of time'> {
  try {
    return { results: await postBatch(batch), failed: false };
  } catch (error) {
    const failure = await permanentFailure(error, batch.deadlineAt, deadlinePassed);
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
