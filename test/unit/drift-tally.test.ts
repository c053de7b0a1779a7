import type { CheckDriftPageOutput } from '../../src/activities';
import type { StatusProblem } from '../../src/drift-contract';
import { DriftTally } from '../../src/workflows/drift-tally';

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
