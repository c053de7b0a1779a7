import { JobSource, type ListOpenJobIds } from '../../src/workflows/job-source';

const ids = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `job-${String(from + i).padStart(4, '0')}`);

/** A listing over `open`, recording each call's `after`. */
function lister(open: string[]): { list: ListOpenJobIds; calls: Array<string | undefined> } {
  const calls: Array<string | undefined> = [];
  return {
    calls,
    list: (after, limit) => {
      calls.push(after);
      const page = open.filter((id) => after === undefined || id > after).slice(0, limit);
      return Promise.resolve({ ids: page, more: page.length >= limit });
    },
  };
}

const noListing: ListOpenJobIds = () => Promise.reject(new Error('named ids are never listed'));

describe('JobSource', () => {
  test('named ids go in batches of the batch size, then the source is exhausted', async () => {
    const request = { syncAllOpenJobs: false, externalJobPostingIds: ids(5) };
    const source = new JobSource(request, JobSource.fresh(false), 2, 10);
    const batches: string[][] = [];
    for (let batch = await source.next(noListing); batch; batch = await source.next(noListing)) {
      batches.push(batch);
      source.advance(batch);
    }
    expect(batches).toEqual([ids(2), ids(2, 2), ids(1, 4)]);
    expect(source.exhausted()).toBe(true);
    expect(source.allListed()).toBe(true);
  });

  test('a sync-all lists a page at a time, after the last id sent, until a short page', async () => {
    const { list, calls } = lister(ids(5));
    const source = new JobSource(
      { syncAllOpenJobs: true, externalJobPostingIds: [] },
      JobSource.fresh(true),
      2,
      3,
    );
    const sent: string[] = [];
    for (let batch = await source.next(list); batch; batch = await source.next(list)) {
      expect(source.exhausted()).toBe(false);
      sent.push(...batch);
      source.advance(batch);
    }
    expect(sent).toEqual(ids(5));
    expect(calls).toEqual([undefined, 'job-0002']);
    expect(source.exhausted()).toBe(true);
  });

  test('what is known and not sent is what a missed deadline names', async () => {
    const named = new JobSource(
      { syncAllOpenJobs: false, externalJobPostingIds: ids(3) },
      JobSource.fresh(false),
      2,
      10,
    );
    named.advance((await named.next(noListing)) ?? []);
    expect(named.remaining()).toEqual(['job-0002']);
    expect(named.unlisted()).toBeUndefined();

    const all = new JobSource(
      { syncAllOpenJobs: true, externalJobPostingIds: [] },
      JobSource.fresh(true),
      2,
      3,
    );
    const { list } = lister(ids(10));
    all.advance((await all.next(list)) ?? []);
    expect(all.remaining()).toEqual(['job-0002']);
    // The listing has not ended: the jobs after the last one listed were never read.
    expect(all.unlisted()).toEqual({ after: 'job-0002' });
  });

  test('a sync-all carried to the next run lists again what was listed but not sent', async () => {
    const { list } = lister(ids(10));
    const source = new JobSource(
      { syncAllOpenJobs: true, externalJobPostingIds: [] },
      JobSource.fresh(true),
      2,
      4,
    );
    source.advance((await source.next(list)) ?? []);
    const next = new JobSource({ syncAllOpenJobs: true, externalJobPostingIds: [] }, source.carry(), 2, 4);
    expect(await next.next(list)).toEqual(['job-0002', 'job-0003']);
  });
});
