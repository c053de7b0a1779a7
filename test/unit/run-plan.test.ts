import { fitting, jsonBytes, PAYLOAD_BUDGET_BYTES } from '../../src/contract/payload-budget';
import {
  BATCH_SIZE,
  FOLLOWER_BATCHES,
  followerGroups,
  MAX_BATCHES_PER_WORKFLOW_RUN,
  pageIds,
  planRun,
  planRuns,
  RESULT_BYTES_PER_JOB,
  tasksBytes,
} from '../../src/workflows/run-plan';

const ids = (n: number, length = 10) =>
  Array.from({ length: n }, (_, i) => `${'j'.repeat(length - 7)}${String(i).padStart(7, '0')}`);
const bytesOf = (list: readonly string[]) => JSON.stringify(list).length;

describe('the payload budget', () => {
  test('jsonBytes counts a string as Temporal carries it in a JSON array: UTF-8, quotes, escapes, a separator', () => {
    for (const text of ['', 'job-1', 'é', '€', 'a"b', 'tab\there', '😀']) {
      expect(jsonBytes(text)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(text)) + 1);
    }
    expect(jsonBytes('job-1')).toBe(Buffer.byteLength('"job-1",'));
  });

  test('fitting keeps the ids that fit in the budget, and one at least', () => {
    const long = ids(5_000, 200);
    const kept = fitting(long, PAYLOAD_BUDGET_BYTES);
    expect(bytesOf(kept)).toBeLessThanOrEqual(PAYLOAD_BUDGET_BYTES);
    expect(bytesOf(long.slice(0, kept.length + 1))).toBeGreaterThan(PAYLOAD_BUDGET_BYTES);
    expect(fitting(['x'.repeat(300_000)], PAYLOAD_BUDGET_BYTES)).toHaveLength(1);
  });
});

describe('planRun', () => {
  test('short ids: whole batches, as many as the expected result of the run fits in the budget', () => {
    const run = planRun(ids(20_000), MAX_BATCHES_PER_WORKFLOW_RUN);
    const jobs = run.flat().length;
    expect(run.every((batch) => batch.length === BATCH_SIZE)).toBe(true);
    expect(jobs * RESULT_BYTES_PER_JOB).toBeLessThanOrEqual(PAYLOAD_BUDGET_BYTES);
    expect((jobs + BATCH_SIZE) * RESULT_BYTES_PER_JOB).toBeGreaterThan(PAYLOAD_BUDGET_BYTES);
  });

  test('ids of 200 characters: as many whole batches as the run input fits in the budget', () => {
    const run = planRun(ids(20_000, 200), MAX_BATCHES_PER_WORKFLOW_RUN);
    expect(bytesOf(run.flat())).toBeLessThanOrEqual(PAYLOAD_BUDGET_BYTES);
    expect(run.every((batch) => batch.length === BATCH_SIZE)).toBe(true);
    expect(bytesOf(ids(run.flat().length + BATCH_SIZE, 200))).toBeGreaterThan(PAYLOAD_BUDGET_BYTES);
  });

  test('no more batches than the workflow run has left, one at least, and the tail when the ids end', () => {
    expect(planRun(ids(1_000), 3)).toHaveLength(3);
    expect(planRun(ids(1_000), 0)).toHaveLength(1);
    expect(planRun(ids(250), 10).map((batch) => batch.length)).toEqual([100, 100, 50]);
  });

  test('every size follows from the batch size: batches of 50 cut runs and pages of 50', () => {
    expect(planRun(ids(120), 10, 50).map((batch) => batch.length)).toEqual([50, 50, 20]);
    const runs = planRuns(ids(10_000), MAX_BATCHES_PER_WORKFLOW_RUN, true, 50);
    expect(runs[0]).toEqual([ids(50)]);
    expect(runs.flat().every((batch) => batch.length === 50)).toBe(true);
    expect(runs.flat()).toHaveLength(MAX_BATCHES_PER_WORKFLOW_RUN);
  });

  test('a listing page asks for a workflow run of batches and one id more', () => {
    expect(pageIds()).toBe(MAX_BATCHES_PER_WORKFLOW_RUN * BATCH_SIZE + 1);
    expect(pageIds(50)).toBe(MAX_BATCHES_PER_WORKFLOW_RUN * 50 + 1);
  });
});

describe('planRuns', () => {
  test("a workflow run's batches: the resync's first batch alone, then runs as planRun cuts them", () => {
    const runs = planRuns(ids(10_001), MAX_BATCHES_PER_WORKFLOW_RUN, true);
    expect(runs[0]).toEqual([ids(100)]);
    expect(runs.flat()).toHaveLength(MAX_BATCHES_PER_WORKFLOW_RUN);
    expect(runs.flat(2)).toEqual(ids(10_000));
    for (const run of runs.slice(1))
      expect(run.flat().length * RESULT_BYTES_PER_JOB).toBeLessThanOrEqual(PAYLOAD_BUDGET_BYTES);
  });

  test('later workflow runs have no batch alone, and the ids that end within them go in full', () => {
    const runs = planRuns(ids(250), MAX_BATCHES_PER_WORKFLOW_RUN, false);
    expect(runs.map((run) => run.map((batch) => batch.length))).toEqual([[100, 100, 50]]);
    expect(planRuns(ids(50), 10, true)).toEqual([[ids(50)]]);
    expect(planRuns(ids(1_000), 3, true).flat()).toHaveLength(3);
  });
});

describe('followerGroups', () => {
  test('groups of FOLLOWER_BATCHES batches while their tasks are small', () => {
    const small = tasksBytes(ids(100).map((id) => [`urn:li:simpleJobPostingTask:${id}`, id]));
    expect(followerGroups(Array.from({ length: 60 }, () => small))).toEqual([
      FOLLOWER_BATCHES,
      FOLLOWER_BATCHES,
      10,
    ]);
  });

  test('fewer batches a group when their tasks would pass the budget; a batch is never split', () => {
    const long = tasksBytes(ids(100, 200).map((id) => [`urn:li:simpleJobPostingTask:${id.slice(-7)}`, id]));
    const groups = followerGroups(Array.from({ length: 40 }, () => long));
    expect(groups.reduce((sum, size) => sum + size, 0)).toBe(40);
    for (const size of groups) expect(size * long).toBeLessThanOrEqual(PAYLOAD_BUDGET_BYTES);
    expect((groups[0] ?? 0) + 1).toBeGreaterThan(PAYLOAD_BUDGET_BYTES / long);
    expect(followerGroups([PAYLOAD_BUDGET_BYTES * 2, 10])).toEqual([1, 1]);
  });
});
