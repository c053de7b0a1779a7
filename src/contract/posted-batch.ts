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

/**
 * The details of every postBatches failure: the batches answered before it, in order, what LinkedIn answered
 * of the batch that was going (by id), and whether a call of it was out unanswered when it failed (its jobs
 * may have reached LinkedIn).
 */
export interface RunAnsweredDetails {
  answered: PostedBatch[];
  partial?: Array<[string, PostedJob]>;
  callOut?: boolean;
}

/** What a run's failure (its details) or its last heartbeat (`done`, `current`) says was answered. */
export interface RunAnswered {
  answered: PostedBatch[];
  /** Of the batch that was going: each job LinkedIn (or the ATS) answered for, by id. */
  partial: Map<string, PostedJob>;
  /** A call of that batch was out unanswered (always, when read from a heartbeat: it cannot tell). */
  callOut: boolean;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** What a postBatches failure's details say was answered (nothing when they say nothing). */
export function answeredInFailure(details: readonly unknown[] | undefined): RunAnswered {
  const first = record(details?.[0]);
  const answered = Array.isArray(first?.answered) ? (first.answered as PostedBatch[]) : [];
  const partial = new Map(Array.isArray(first?.partial) ? (first.partial as Array<[string, PostedJob]>) : []);
  return { answered, partial, callOut: first?.callOut === true };
}

/**
 * What a run's last heartbeat says was answered (`done`, and the `answered` of `current`), for a run
 * Temporal timed out before the activity could report: nothing when the heartbeat says nothing.
 */
export function answeredInHeartbeat(lastHeartbeatDetails: unknown): RunAnswered {
  const beat = record(lastHeartbeatDetails);
  const answered = Array.isArray(beat?.done) ? (beat.done as PostedBatch[]) : [];
  const current = record(beat?.current);
  const jobs = Array.isArray(current?.answered) ? (current.answered as JobResult[]) : [];
  const partial = new Map(
    jobs.map((job): [string, PostedJob] => [job.externalJobPostingId, compactJob(job)]),
  );
  return { answered, partial, callOut: true };
}

export function compactJob(result: JobResult): PostedJob {
  const rest: Omit<JobResult, 'externalJobPostingId'> & { externalJobPostingId?: string } = { ...result };
  delete rest.externalJobPostingId;
  const plain = rest.fate === 'UPDATED' && rest.confirmation === 'PENDING' && rest.reason === undefined;
  return plain && rest.taskUrn !== undefined ? rest.taskUrn : rest;
}

/** A job of a batch answered in part, as the ledger records it. */
export function expandJob(id: string, job: PostedJob): JobResult {
  if (typeof job === 'string')
    return { externalJobPostingId: id, fate: 'UPDATED', confirmation: 'PENDING', taskUrn: job };
  return { externalJobPostingId: id, ...job };
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
    return expandJob(id, job);
  });
  return { results, failed: false };
}
