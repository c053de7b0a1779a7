import type { JobResult } from '../../src/contract';
import { answeredInFailure, compactJob, expandBatch } from '../../src/contract/posted-batch';
import { JobSource, type ListOpenJobIds } from '../../src/workflows/job-source';

/** Runs of at most `most` batches of 2, as a planner would cut them for these sources of batch size 2. */
const inBatches = (most: number) => (pending: readonly string[]) => {
  const batches: string[][] = [];
  for (let at = 0; at < pending.length && batches.length < most; at += 2)
    batches.push(pending.slice(at, at + 2));
  return batches;
};

const ids = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `job-${String(from + i).padStart(4, '0')}`);

describe('a batch result in a run, compact', () => {
  const results: JobResult[] = [
    { externalJobPostingId: 'job-1', fate: 'UPDATED', confirmation: 'PENDING', taskUrn: 'urn:li:task:1' },
    { externalJobPostingId: 'job-2', fate: 'CLOSED', confirmation: 'PENDING', taskUrn: 'urn:li:task:2' },
    { externalJobPostingId: 'job-3', fate: 'REJECTED', reason: 'LinkedIn rejected the job (400): bad' },
    { externalJobPostingId: 'job-4', fate: 'NOT_IN_ATS', reason: 'the ATS holds no job with this id' },
    { externalJobPostingId: 'job-5', fate: 'UPDATED', confirmation: 'CONFIRMED' },
  ];

  test('a job UPDATEd awaiting its task is its task urn alone; any other keeps its fields but the id', () => {
    expect(results.map(compactJob)).toEqual([
      'urn:li:task:1',
      { fate: 'CLOSED', confirmation: 'PENDING', taskUrn: 'urn:li:task:2' },
      { fate: 'REJECTED', reason: 'LinkedIn rejected the job (400): bad' },
      { fate: 'NOT_IN_ATS', reason: 'the ATS holds no job with this id' },
      { fate: 'UPDATED', confirmation: 'CONFIRMED' },
    ]);
  });

  test('expanded with the batch ids, it gives the results back as postBatch returns them', () => {
    const batch = results.map((result) => result.externalJobPostingId);
    expect(expandBatch(batch, { jobs: results.map(compactJob) })).toEqual({ results, failed: false });
  });

  test('a job the result leaves out is REJECTED, and a batch refused for good rejects each job with why', () => {
    expect(expandBatch(['job-1', 'job-2'], { jobs: ['urn:li:task:1'] }).results[1]).toEqual({
      externalJobPostingId: 'job-2',
      fate: 'REJECTED',
      reason: 'LinkedIn gave no answer for it',
    });
    expect(expandBatch(['job-1', 'job-2'], { failed: 'the ATS does not know it' })).toEqual({
      results: [
        { externalJobPostingId: 'job-1', fate: 'REJECTED', reason: 'the ATS does not know it' },
        { externalJobPostingId: 'job-2', fate: 'REJECTED', reason: 'the ATS does not know it' },
      ],
      failed: true,
    });
  });

  test("a run failure's details give the batches answered before it and the part of the next answered, and nothing when they say nothing", () => {
    const answered = [{ jobs: ['urn:li:task:1'] }];
    expect(answeredInFailure([{ answered }]).answered).toEqual(answered);
    expect(answeredInFailure(undefined)).toEqual({ answered: [], partial: new Map(), callOut: false });
    expect(answeredInFailure([{ answered: 'no' }]).answered).toEqual([]);
    expect(answeredInFailure(['text']).answered).toEqual([]);
    const partial: Array<[string, string]> = [['a', 'urn:li:simpleJobPostingTask:1']];
    expect(answeredInFailure([{ answered, partial, callOut: true }])).toEqual({
      answered,
      partial: new Map(partial),
      callOut: true,
    });
  });
});

/** The ATS's listing of `open` (ids in order), recording where each call started. */
function listing(open: readonly string[]): { list: ListOpenJobIds; calls: Array<string | undefined> } {
  const calls: Array<string | undefined> = [];
  const list: ListOpenJobIds = (after, limit) => {
    calls.push(after);
    const page = open.filter((id) => after === undefined || id > after).slice(0, limit);
    return Promise.resolve({ ids: page, more: page.length >= limit });
  };
  return { list, calls };
}

describe('JobSource runs', () => {
  test('named ids go in runs of at most the given number of batches', async () => {
    const source = new JobSource(
      { syncAllOpenJobs: false, externalJobPostingIds: ids(7) },
      JobSource.fresh(false),
      2,
      10,
    );
    const noListing: ListOpenJobIds = () => Promise.reject(new Error('named ids are never listed'));
    const first = await source.nextRun(noListing, inBatches(2));
    expect(first).toEqual([ids(2), ids(2, 2)]);
    for (const batch of first ?? []) source.advance(batch);
    const second = await source.nextRun(noListing, inBatches(5));
    expect(second).toEqual([ids(2, 4), ids(1, 6)]);
    for (const batch of second ?? []) source.advance(batch);
    expect(await source.nextRun(noListing, inBatches(5))).toBeUndefined();
    expect(source.exhausted()).toBe(true);
  });

  test('a sync-all run takes what one page listed, and the next run lists after its last id sent', async () => {
    const { list, calls } = listing(ids(7));
    const source = new JobSource(
      { syncAllOpenJobs: true, externalJobPostingIds: [] },
      JobSource.fresh(true),
      2,
      5,
    );
    const first = await source.nextRun(list, inBatches(10));
    expect(first).toEqual([ids(2), ids(2, 2), ids(1, 4)]);
    for (const batch of first ?? []) source.advance(batch);
    const second = await source.nextRun(list, inBatches(10));
    expect(second).toEqual([ids(2, 5)]);
    for (const batch of second ?? []) source.advance(batch);
    expect(await source.nextRun(list, inBatches(10))).toBeUndefined();
    expect(calls).toEqual([undefined, 'job-0004']);
    expect(source.exhausted()).toBe(true);
  });

  test('the page after a run is read while the run is sent, and the next run takes it without listing again', async () => {
    const { list, calls } = listing(ids(9));
    const source = new JobSource(
      { syncAllOpenJobs: true, externalJobPostingIds: [] },
      JobSource.fresh(true),
      2,
      4,
    );
    const first = await source.nextRun(list, inBatches(10));
    source.listAhead(list);
    expect(calls).toEqual([undefined, 'job-0003']);
    for (const batch of first ?? []) source.advance(batch);
    expect(await source.nextRun(list, inBatches(10))).toEqual([ids(2, 4), ids(2, 6)]);
    expect(calls).toEqual([undefined, 'job-0003']);
  });
  test('at continue-as-new the ids listed and the page read ahead go to the next run, which sends them without listing', async () => {
    const { list, calls } = listing(ids(11));
    const request = { syncAllOpenJobs: true, externalJobPostingIds: [] };
    const source = new JobSource(request, JobSource.fresh(true), 2, 4);
    const first = await source.nextRun(list, inBatches(1));
    source.listAhead(list);
    source.advance(first?.[0] ?? []);
    const carry = await source.carryListed(Infinity);
    expect(carry).toEqual({ nextIndex: 0, after: 'job-0001', listingDone: false, listed: ids(6, 2) });

    const next = new JobSource(request, carry, 2, 4);
    const batches: string[][] = [];
    for (
      let run = await next.nextRun(list, inBatches(10));
      run;
      run = await next.nextRun(list, inBatches(10))
    ) {
      for (const batch of run) next.advance(batch);
      batches.push(...run);
    }
    expect(batches.flat()).toEqual(ids(9, 2));
    // Listed once each: the first page, the page read ahead, then the last (short) page after it.
    expect(calls).toEqual([undefined, 'job-0003', 'job-0007']);
    expect(next.exhausted()).toBe(true);
  });

  test('a page read ahead that is the last one carries the end of the listing', async () => {
    const { list } = listing(ids(5));
    const source = new JobSource(
      { syncAllOpenJobs: true, externalJobPostingIds: [] },
      JobSource.fresh(true),
      2,
      4,
    );
    await source.nextRun(list, inBatches(1));
    source.listAhead(list);
    const carry = await source.carryListed(Infinity);
    expect(carry).toMatchObject({ listingDone: true, listed: ids(5) });
  });
});
