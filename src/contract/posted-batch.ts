/**
 * What the postBatches activity returns for each batch it sent, compact so that a result of many batches
 * stays far below Temporal's payload limits: the ids are the batch's own (the workflow passed them), and a
 * job UPDATEd with its task pending, the common case, is only its task urn. Free of zod: workflow code
 * expands it.
 */
import type { JobResult } from './resync';

/** Per id of the batch, in order: the task urn of a job UPDATEd and awaiting its task, or its result. */
export type PostedJob = string | Omit<JobResult, 'externalJobPostingId'>;

/**
 * One batch: what LinkedIn answered for each job, or why the whole batch could not be sent (and the
 * failure's type, as an activity failure would have named it).
 */
export type PostedBatch = { jobs: PostedJob[] } | { failed: string; failureType?: string | undefined };

/** The details of a postBatches failure at the deadline: the batches answered before it, in order. */
export interface RunAnsweredDetails {
  answered: PostedBatch[];
}

/** The batches a failure at the deadline says were answered (none when it says nothing). */
export function answeredBeforeDeadline(details: readonly unknown[] | undefined): PostedBatch[] {
  const first = details?.[0];
  if (typeof first !== 'object' || first === null || !('answered' in first)) return [];
  const answered: unknown = first.answered;
  return Array.isArray(answered) ? (answered as PostedBatch[]) : [];
}

/**
 * The batches a run's last heartbeat says were answered (its `done`), for a run Temporal timed out before
 * the activity could report: none when the heartbeat says nothing.
 */
export function answeredInHeartbeat(lastHeartbeatDetails: unknown): PostedBatch[] {
  if (typeof lastHeartbeatDetails !== 'object' || lastHeartbeatDetails === null) return [];
  if (!('done' in lastHeartbeatDetails)) return [];
  const done: unknown = lastHeartbeatDetails.done;
  return Array.isArray(done) ? (done as PostedBatch[]) : [];
}

export function compactJob(result: JobResult): PostedJob {
  const rest: Omit<JobResult, 'externalJobPostingId'> & { externalJobPostingId?: string } = { ...result };
  delete rest.externalJobPostingId;
  const plain = rest.fate === 'UPDATED' && rest.confirmation === 'PENDING' && rest.reason === undefined;
  return plain && rest.taskUrn !== undefined ? rest.taskUrn : rest;
}

/** The batch's results as the ledger records them; `failed`: the whole batch was refused for good. */
export function expandBatch(
  ids: readonly string[],
  posted: PostedBatch,
): { results: JobResult[]; failed: boolean } {
  if ('failed' in posted) {
    const reason = posted.failed;
    return {
      results: ids.map((id) => ({ externalJobPostingId: id, fate: 'REJECTED', reason })),
      failed: true,
    };
  }
  const results = ids.map((id, index): JobResult => {
    const job = posted.jobs[index];
    if (job === undefined)
      return { externalJobPostingId: id, fate: 'REJECTED', reason: 'LinkedIn gave no answer for it' };
    if (typeof job === 'string')
      return { externalJobPostingId: id, fate: 'UPDATED', confirmation: 'PENDING', taskUrn: job };
    return { externalJobPostingId: id, ...job };
  });
  return { results, failed: false };
}
