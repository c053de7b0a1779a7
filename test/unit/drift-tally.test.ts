import type { CheckDriftPageOutput } from '../../src/activities';
import type { StatusProblem } from '../../src/contract/drift';
import { linkedInShows, sameDifference } from '../../src/drift/activities/drift-kinds';
import { DEFAULT_MAX_REPAIRS, DriftTally, MIN_DISAGREEING_JOBS } from '../../src/drift/workflow/drift-tally';

const page = (change: Partial<CheckDriftPageOutput>): CheckDriftPageOutput => ({
  checked: 0,
  lastId: undefined,
  inSync: 0,
  undecided: 0,
  drifted: [],
  problems: [],
  ...change,
});
const problem = (id: string): StatusProblem => ({
  externalJobPostingId: id,
  field: 'listingStatus',
  errorType: 'CUSTOMER_ERROR',
  errorCode: 1,
  message: 'bad',
});

test('a job that drifts on two pages is counted once, with the kind its first page saw', () => {
  const tally = new DriftTally();
  tally.addPage(
    page({ checked: 3, inSync: 1, undecided: 1, drifted: [{ externalJobPostingId: 'b', kind: 'CHANGED' }] }),
  );
  tally.addPage(
    page({
      checked: 2,
      drifted: [
        { externalJobPostingId: 'b', kind: 'NOT_LISTED' },
        { externalJobPostingId: 'a', kind: 'NOT_LISTED' },
      ],
    }),
  );
  expect(tally.driftedIds()).toEqual(['a', 'b']);
  expect(tally.progress()).toEqual({ checked: 5, drifted: 2, repairing: 0, repaired: 0, done: false });
  expect(tally.result('urn:app', [], '')).toMatchObject({
    checked: 5,
    inSync: 1,
    undecided: 1,
    drifted: { NOT_LISTED: 1, CLOSED_BUT_LISTED: 0, CHANGED: 1 },
  });
});

test('problems are all counted but at most 100 listed', () => {
  const tally = new DriftTally();
  const problems = Array.from({ length: 70 }, (_, i) => problem(`job-${i}`));
  tally.addPage(page({ problems }));
  tally.addPage(page({ problems }));
  const result = tally.result('urn:app', [], '');
  expect(result.problemCount).toBe(140);
  expect(result.problems).toHaveLength(100);
});

test('a repair counts its failed ids as not repaired and the others by kind, and the summary says so', () => {
  const tally = new DriftTally();
  tally.addPage(
    page({
      checked: 1,
      drifted: [
        { externalJobPostingId: 'a', kind: 'NOT_LISTED' },
        { externalJobPostingId: 'b', kind: 'CLOSED_BUT_LISTED' },
      ],
    }),
  );
  tally.repairStarted(['a', 'b']);
  tally.repairEnded(['a', 'b', 'unknown'], new Set(['b']));
  expect(tally.progress()).toMatchObject({ repairing: 2, repaired: 1 });
  expect(tally.repaired).toEqual({ NOT_LISTED: 1, CLOSED_BUT_LISTED: 0, CHANGED: 0 });
  expect(tally.notRepaired).toBe(1);
  expect(tally.summary()).toBe('Drift check of 1 job: 1 repaired, 1 not repaired');
});

test('the summary leaves out "not repaired" when every repair went through', () => {
  const tally = new DriftTally();
  tally.addPage(page({ checked: 280 }));
  expect(tally.summary()).toBe('Drift check of 280 jobs: 0 repaired');
});

describe('what a check repairs', () => {
  const drifted = (kinds: Record<string, 'NOT_LISTED' | 'CLOSED_BUT_LISTED' | 'CHANGED'>) =>
    Object.entries(kinds).map(([externalJobPostingId, kind]) => ({ externalJobPostingId, kind }));

  test('the other kinds before CHANGED, each in id order, at most maxRepairs; the rest left for the next check', () => {
    const tally = new DriftTally();
    tally.addPage(
      page({
        checked: 6,
        listed: 6,
        drifted: drifted({
          a: 'CHANGED',
          b: 'NOT_LISTED',
          c: 'CHANGED',
          d: 'CLOSED_BUT_LISTED',
          e: 'NOT_LISTED',
        }),
      }),
    );
    expect(tally.planRepairs(3)).toEqual(['b', 'd', 'e']);
    expect(tally.leftForNextCheck).toBe(2);
    expect(tally.comparisonDisagrees).toBe(false);
    expect(tally.summary()).toBe('Drift check of 6 jobs: 0 repaired, 2 left for the next check');
    expect(new DriftTally().planRepairs(DEFAULT_MAX_REPAIRS)).toEqual([]);
    expect(DEFAULT_MAX_REPAIRS).toBe(1_000);
  });

  test('most listed jobs differing, and at least MIN_DISAGREEING_JOBS: no CHANGED job is repaired', () => {
    const changed = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({
        externalJobPostingId: `c-${String(from + i).padStart(3, '0')}`,
        kind: 'CHANGED' as const,
      }));
    const tally = new DriftTally();
    tally.addPage(
      page({
        checked: 25,
        listed: 20,
        drifted: [...changed(11), { externalJobPostingId: 'missing', kind: 'NOT_LISTED' }],
      }),
    );
    expect(tally.planRepairs(1_000)).toEqual(['missing']);
    expect(tally.comparisonDisagrees).toBe(true);
    expect(tally.leftForNextCheck).toBe(0);
    expect(tally.result('urn:app', [], '')).toMatchObject({ listed: 20, comparisonDisagrees: true });
    expect(tally.summary()).toBe(
      'Drift check of 25 jobs: 0 repaired; the comparison disagrees with LinkedIn on 11 of 20 listed jobs, none of them re-posted',
    );

    // Half is not most; fewer than the minimum is no alarm, however many of the listed jobs they are.
    const half = new DriftTally();
    half.addPage(page({ listed: 20, drifted: changed(10) }));
    expect(half.planRepairs(1_000)).toHaveLength(10);
    expect(half.comparisonDisagrees).toBe(false);
    const few = new DriftTally();
    few.addPage(page({ listed: MIN_DISAGREEING_JOBS - 1, drifted: changed(MIN_DISAGREEING_JOBS - 1) }));
    expect(few.planRepairs(1_000)).toHaveLength(MIN_DISAGREEING_JOBS - 1);
    expect(few.comparisonDisagrees).toBe(false);
  });

  test('jobs LinkedIn shows as after their repair count as differing, are listed up to 100, and are not repaired', () => {
    const tally = new DriftTally();
    const shown = Array.from({ length: 60 }, (_, i) => ({
      externalJobPostingId: `s-${i}`,
      message: `LinkedIn shows location "X ${i}" for "Y"`,
    }));
    tally.addPage(page({ checked: 100, listed: 100, linkedInShowsCount: 60, linkedInShows: shown }));
    tally.addPage(page({ checked: 60, listed: 60, linkedInShowsCount: 60, linkedInShows: shown }));
    expect(tally.planRepairs(1_000)).toEqual([]);
    expect(tally.differing).toBe(120);
    expect(tally.comparisonDisagrees).toBe(true);
    expect(tally.driftCount).toBe(0);
    const result = tally.result('urn:app', [], '');
    expect(result.linkedInShowsCount).toBe(120);
    expect(result.linkedInShows).toHaveLength(100);
  });

  test('a page of a check begun before `listed` counts its in-sync and CHANGED jobs as listed', () => {
    const tally = new DriftTally();
    tally.addPage({
      checked: 5,
      lastId: undefined,
      inSync: 3,
      undecided: 0,
      drifted: drifted({ a: 'CHANGED', b: 'NOT_LISTED' }),
      problems: [],
    });
    expect(tally.listed).toBe(4);
  });

  test('the CHANGED jobs a repair re-posted are kept for the next check; failed ones and other kinds are not', () => {
    const tally = new DriftTally();
    tally.addPage(page({ listed: 3, drifted: drifted({ a: 'CHANGED', b: 'CHANGED', c: 'NOT_LISTED' }) }));
    const ids = tally.planRepairs(10);
    tally.repairEnded(ids, new Set(['b']));
    expect(tally.changedRepairedIds()).toEqual(['a']);
  });
});

describe('LinkedIn shows …', () => {
  const difference = {
    externalJobPostingId: 'job-1',
    atsListedAt: Date.UTC(2026, 0, 1),
    atsLocation: 'Austin, TX',
    shownListedAt: Date.UTC(2026, 0, 1),
    shownLocation: 'Austin, Texas, United States',
  };

  test('says what LinkedIn shows for what the ATS holds', () => {
    expect(linkedInShows(difference)).toEqual({
      externalJobPostingId: 'job-1',
      message: 'LinkedIn shows location "Austin, Texas, United States" for "Austin, TX"',
    });
    expect(
      linkedInShows({ ...difference, shownLocation: null, shownListedAt: Date.UTC(2026, 0, 1, 1) }).message,
    ).toBe('LinkedIn shows listedAt 2026-01-01T01:00:00.000Z for 2026-01-01T00:00:00.000Z');
    expect(linkedInShows({ ...difference, shownListedAt: Date.UTC(2026, 0, 2) }).message).toBe(
      'LinkedIn shows location "Austin, Texas, United States" for "Austin, TX" and listedAt 2026-01-02T00:00:00.000Z for 2026-01-01T00:00:00.000Z',
    );
  });

  test('the same difference is the same ATS values shown the same way', () => {
    expect(sameDifference(difference, { ...difference })).toBe(true);
    expect(sameDifference(difference, { ...difference, atsLocation: 'Dallas, TX' })).toBe(false);
    expect(sameDifference(difference, { ...difference, atsListedAt: 1 })).toBe(false);
    expect(sameDifference(difference, { ...difference, shownLocation: 'Austin, Texas' })).toBe(false);
    expect(sameDifference(difference, { ...difference, shownListedAt: null })).toBe(false);
  });
});
