/** The resync's signals and query: what the API, the CLI and the workflow share to speak to a resync. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PostedBatch } from './posted-batch';
import type { ResyncProgress, TaskReport } from './resync';

export type { ResyncProgress } from './resync';

export const progressQuery = defineQuery<ResyncProgress>('progress');
export const tasksReportedSignal = defineSignal<[TaskReport]>('tasksReported');

/** Every delivery of a notification reaches its resync (signal-with-start), with its receipt time. */
export const notificationReceivedSignal = defineSignal<[{ receivedAt: number }]>('notificationReceived');

/**
 * A run's batches answered so far, sent by its postBatches activity while the run goes on, so their
 * followers start at once rather than when the run reports (contract of `AnswerSignals`).
 */
export interface BatchesAnswered {
  /** The number of the run's first batch: which run. */
  run: number;
  /** The index, within the run, of the first batch here. */
  from: number;
  batches: PostedBatch[];
}
export const batchesAnsweredSignal = defineSignal<[BatchesAnswered]>('batchesAnswered');

/** How a run's activity groups what it signals: the workflow's follower groups, and a wait bound. */
export interface AnswerSignalling {
  run: number;
  /** Batches a signal carries at most (a follower's group). */
  maxBatches: number;
  /** Bytes a signal carries at most. */
  maxBytes: number;
  /** How long answered batches wait for more before they are signalled. */
  maxWaitMs: number;
}
