/**
 * The sizes of a resync's workflow run, in one place and in bytes: how a listing page, a run of batches and
 * a follower's group are cut, and when the workflow run continues as new. Pure: tested without Temporal
 * (test/unit/run-plan.test.ts). Every size follows from the batch (LinkedIn's 100 jobs a call), the
 * batches a workflow run sends, and the payload budget (src/contract/payload-budget.ts).
 */
import { MAX_JOBS_PER_CALL } from '../contract/names';
import { fitting, jsonBytes, PAYLOAD_BUDGET_BYTES } from '../contract/payload-budget';

/**
 * Jobs a call, and so a batch: LinkedIn's limit. The one constant to change for another batch size; a
 * resync reads it once (resync.ts), behind a patch when it changes: histories cut by the old size replay.
 */
export const BATCH_SIZE = MAX_JOBS_PER_CALL;
/** Batches a workflow run sends before it continues as new: its history stays far below Temporal's limits. */
export const MAX_BATCHES_PER_WORKFLOW_RUN = 100;
/** Ids a listing page asks for: a workflow run's batches and one more, to tell whether the listing ends. */
export function pageIds(batchSize = BATCH_SIZE): number {
  return MAX_BATCHES_PER_WORKFLOW_RUN * batchSize + 1;
}
/**
 * What one job usually takes in a run's result and heartbeat: its task urn, ~65 bytes measured, and a
 * margin. Runs are planned with it; a run whose answers are larger (long rejection messages) is ended early
 * by its activity at the budget, and the batches it left go as a run of their own.
 */
export const RESULT_BYTES_PER_JOB = 80;
/** Batches a follower follows at most, fewer when their tasks' bytes would pass the budget. */
export const FOLLOWER_BATCHES = 25;
/**
 * The task bytes (`tasksBytes`) a resync's last workflow run follows itself (PATCH.followInResync) rather
 * than by follower children: the follow-up activities' inputs and answers stay in its history, so a small
 * share of the budget (about 900 jobs' tasks); the rest is followed by children, as before.
 */
export const FOLLOW_IN_RESYNC_BYTES = 64 * 1024;
/**
 * Of the ids listed and not sent, what a continue-as-new carries at most; the rest is listed again. Beside
 * the job details (MAX_JOB_DETAILS_BYTES) and the ids CREATEd (MAX_CREATED_CHARS), the carry stays far
 * below the SDK's 512 KB warning.
 */
export const CARRIED_IDS_BYTES = 96 * 1024;

/** `ids` in batches of `batchSize`. */
export function batchesOf(ids: readonly string[], batchSize = BATCH_SIZE): string[][] {
  const batches: string[][] = [];
  for (let at = 0; at < ids.length; at += batchSize) batches.push(ids.slice(at, at + batchSize));
  return batches;
}

/**
 * The next run: whole batches from the start of `pending`, at most `maxBatches`, as many as keep the run's
 * input (its ids) and its expected result within the budget; never less than one batch.
 */
export function planRun(pending: readonly string[], maxBatches: number, batchSize = BATCH_SIZE): string[][] {
  const byInput = fitting(pending, PAYLOAD_BUDGET_BYTES).length;
  const byResult = Math.floor(PAYLOAD_BUDGET_BYTES / RESULT_BYTES_PER_JOB);
  const jobs = Math.min(byInput, byResult, Math.max(1, maxBatches) * batchSize);
  // Whole batches, unless the pending ids end within the run.
  const whole = jobs >= pending.length ? pending.length : Math.max(batchSize, jobs - (jobs % batchSize));
  return batchesOf(pending.slice(0, whole), batchSize);
}

/**
 * The runs of the batches a workflow run sends next, all queued at once in the application's lane: the
 * resync's first batch alone when `firstAlone` (before PATCH.firstBatchInRun), then runs as `planRun` cuts them,
 * at most `maxBatches` batches in all, one at least.
 */
export function planRuns(
  pending: readonly string[],
  maxBatches: number,
  firstAlone: boolean,
  batchSize = BATCH_SIZE,
): string[][][] {
  const runs: string[][][] = [];
  let at = 0;
  let left = Math.max(1, maxBatches);
  if (firstAlone && pending.length > 0) {
    runs.push(batchesOf(pending.slice(0, batchSize), batchSize));
    at = Math.min(batchSize, pending.length);
    left--;
  }
  while (at < pending.length && left > 0) {
    const run = planRun(pending.slice(at), left, batchSize);
    runs.push(run);
    at += run.reduce((sum, batch) => sum + batch.length, 0);
    left -= run.length;
  }
  return runs;
}

/**
 * How a run's answered batches are followed: consecutive groups of at most FOLLOWER_BATCHES batches whose
 * tasks (`taskBytes`, per batch) stay within the budget; a batch is never split. The group sizes, in order.
 */
export function followerGroups(taskBytes: readonly number[]): number[] {
  const groups: number[] = [];
  let size = 0;
  let bytes = 2;
  for (const batch of taskBytes) {
    if (size > 0 && (size === FOLLOWER_BATCHES || bytes + batch > PAYLOAD_BUDGET_BYTES)) {
      groups.push(size);
      size = 0;
      bytes = 2;
    }
    size++;
    bytes += batch;
  }
  if (size > 0) groups.push(size);
  return groups;
}

/** The bytes of a follower's tasks, [task urn, job id] pairs, as its input carries them. */
export function tasksBytes(tasks: ReadonlyArray<readonly [string, string]>): number {
  return tasks.reduce((sum, [taskUrn, id]) => sum + jsonBytes(taskUrn) + jsonBytes(id) + 2, 0);
}
