import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { JobResult, ResyncInput, ResyncResult, ResyncTotals } from '../contract';
import { FailureType, NON_RETRYABLE_FAILURES } from '../failures';
import { RESYNC_OUTCOME, type ResyncOutcome } from '../search-attributes';

/** LinkedIn takes at most 100 jobs per call. */
const BATCH_SIZE = 100;
/** Open job ids read from the ATS per listing call, for syncAllOpenJobs. */
const LIST_PAGE_SIZE = 1_000;

export interface ResyncProgress {
  total: number | null;
  sent: number;
  rejected: number;
  notInAts: number;
  pending: number | null;
}

export const progressQuery = defineQuery<ResyncProgress>('progress');

const { listOpenJobIds, postBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
  },
});

/**
 * Re-posts every requested job to LinkedIn with UPDATE, in batches of at most 100 sent one after another,
 * racing a timer set at receipt + deadline. The history holds ids and outcomes only.
 */
export async function resyncJobs(input: ResyncInput): Promise<ResyncResult> {
  const urn = input.developerApplicationUrn;
  const deadlineAt = input.receivedAt + input.deadlineMs;
  const results = new Map<string, JobResult>();
  let total: number | null = input.syncAllOpenJobs ? null : input.externalJobPostingIds.length;
  /** Ids known to be requested but not sent yet: what the deadline would leave behind. */
  let unsent: string[] = [];
  let listingDone = !input.syncAllOpenJobs;

  setHandler(progressQuery, () => {
    const counts = totalsOf(results, total);
    return {
      total,
      sent: counts.sent,
      rejected: counts.rejected,
      notInAts: counts.notInAts,
      pending: total === null ? null : total - results.size,
    };
  });

  async function post(batch: string[], batchNumber: number): Promise<void> {
    let outcome: JobResult[];
    try {
      const output = await postBatch.executeWithOptions(
        {
          startToCloseTimeout: '1 minute',
          summary: `batch ${batchNumber}: ${batch.length} jobs from ${batch[0]}`,
        },
        [{ developerApplicationUrn: urn, externalJobPostingIds: batch }],
      );
      outcome = output.results;
    } catch (error) {
      // A permanent failure of this batch is recorded per job; the other batches still go.
      if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
      const reason = error.cause instanceof Error ? error.cause.message : error.message;
      outcome = batch.map((id) => ({ externalJobPostingId: id, fate: 'REJECTED', reason }));
    }
    for (const result of outcome) results.set(result.externalJobPostingId, result);
    unsent = unsent.filter((id) => !results.has(id));
  }

  async function work(): Promise<void> {
    let batchNumber = 0;
    if (!input.syncAllOpenJobs) {
      unsent = [...input.externalJobPostingIds];
      for (const batch of chunks(input.externalJobPostingIds, BATCH_SIZE)) await post(batch, ++batchNumber);
      return;
    }
    let after: string | undefined;
    for (;;) {
      const page = await listOpenJobIds({ developerApplicationUrn: urn, after, limit: LIST_PAGE_SIZE });
      unsent = [...page];
      for (const batch of chunks(page, BATCH_SIZE)) await post(batch, ++batchNumber);
      if (page.length < LIST_PAGE_SIZE) break;
      after = page[page.length - 1];
    }
    listingDone = true;
    total = results.size;
  }

  const workScope = new CancellationScope();
  const timerScope = new CancellationScope();
  const finished = workScope.run(work).then(() => 'finished' as const);
  const timedOut = timerScope
    .run(() => sleep(Math.max(0, deadlineAt - Date.now())))
    .then(() => 'deadline' as const);
  const first = await Promise.race([finished, timedOut]);

  if (first === 'deadline') {
    workScope.cancel();
    await finished.catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
    const missed = unsent.filter((id) => !results.has(id));
    for (const id of missed) results.set(id, { externalJobPostingId: id, fate: 'MISSED_DEADLINE' });
    setOutcome('DEADLINE_EXCEEDED');
    const remainder = listingDone ? '' : ' (and the open jobs not listed yet)';
    throw ApplicationFailure.create({
      type: FailureType.ResyncDeadlineExceeded,
      nonRetryable: true,
      message: `deadline of ${Math.round(input.deadlineMs / 1000)}s passed with ${missed.length} jobs not sent${remainder}: ${missed.slice(0, 20).join(', ')}${missed.length > 20 ? ', …' : ''}`,
      details: [
        {
          notSent: missed,
          listingComplete: listingDone,
          result: resultOf(urn, results, total, 'DEADLINE_EXCEEDED'),
        },
      ],
    });
  }
  timerScope.cancel();
  const totals = totalsOf(results, total);
  const outcome: ResyncOutcome = totals.rejected + totals.notInAts === 0 ? 'SUCCEEDED' : 'PARTIAL';
  setOutcome(outcome);
  return resultOf(urn, results, total, outcome);
}

function setOutcome(outcome: ResyncOutcome): void {
  upsertSearchAttributes([{ key: RESYNC_OUTCOME, value: outcome }]);
}

function totalsOf(results: Map<string, JobResult>, total: number | null): ResyncTotals {
  const totals: ResyncTotals = {
    requested: total ?? results.size,
    sent: 0,
    rejected: 0,
    notInAts: 0,
    missedDeadline: 0,
  };
  for (const result of results.values()) {
    if (result.fate === 'REJECTED') totals.rejected++;
    else if (result.fate === 'NOT_IN_ATS') totals.notInAts++;
    else if (result.fate === 'MISSED_DEADLINE') totals.missedDeadline++;
    else totals.sent++;
  }
  return totals;
}

function resultOf(
  developerApplicationUrn: string,
  results: Map<string, JobResult>,
  total: number | null,
  outcome: ResyncOutcome,
): ResyncResult {
  return { developerApplicationUrn, outcome, totals: totalsOf(results, total), jobs: [...results.values()] };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
