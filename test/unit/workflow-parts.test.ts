import type { JobResult } from '../../src/contract';
import { MAX_JOB_DETAILS } from '../../src/contract';
import { CreatedJobs, MAX_CREATED_CHARS } from '../../src/workflows/created-jobs';
import { JobDetails, MAX_JOB_DETAILS_BYTES } from '../../src/workflows/job-details';

/** The resync workflow's plain parts, without Temporal: what it remembers and how much it shows. */

const updated = (id: string, confirmation: JobResult['confirmation'] = 'CONFIRMED'): JobResult => ({
  externalJobPostingId: id,
  fate: 'UPDATED',
  confirmation,
});
const rejected = (id: string): JobResult => ({ externalJobPostingId: id, fate: 'REJECTED', reason: 'no' });
const fated = (fate: JobResult['fate']): JobResult => ({ externalJobPostingId: 'x', fate });
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, k) => `${prefix}-${k}`);

describe('the ids remembered as CREATEd', () => {
  test('an id is known once added, and adding it again changes nothing', () => {
    const jobs = new CreatedJobs(['job-1']);
    expect(jobs.has('job-1')).toBe(true);
    expect(jobs.has('job-2')).toBe(false);
    jobs.add('job-2');
    jobs.add('job-1');
    expect(jobs.list()).toEqual(['job-1', 'job-2']);
  });

  test('exactly at the bound nothing is forgotten; one character more forgets the oldest', () => {
    const half = 'a'.repeat(MAX_CREATED_CHARS / 2);
    const other = 'b'.repeat(MAX_CREATED_CHARS / 2);
    const jobs = new CreatedJobs([half, other]);
    expect(jobs.list()).toEqual([half, other]);
    jobs.add('c');
    expect(jobs.list()).toEqual([other, 'c']);
    // The characters of what was forgotten no longer count.
    jobs.add('d'.repeat(MAX_CREATED_CHARS / 2 - 1));
    expect(jobs.list()).toEqual([other, 'c', 'd'.repeat(MAX_CREATED_CHARS / 2 - 1)]);
  });

  test('a repeated id does not count its characters twice', () => {
    const long = 'x'.repeat(MAX_CREATED_CHARS / 2);
    const jobs = new CreatedJobs([long, long]);
    jobs.add('y'.repeat(MAX_CREATED_CHARS / 2));
    expect(jobs.list()).toHaveLength(2);
  });
});

describe('per-job details', () => {
  test('keep every job up to the cap, in the order first seen, and count none left out', () => {
    const details = new JobDetails([], 0);
    for (const id of ids('job', MAX_JOB_DETAILS)) details.set(updated(id));
    expect(details.list()).toHaveLength(MAX_JOB_DETAILS);
    expect(details.omitted).toBe(0);
    expect(details.list()[0]?.externalJobPostingId).toBe('job-0');
  });

  test('with ids of 200 characters the bytes bound them first, and a failure still pushes out a success', () => {
    const long = (id: string) => `${id}-${'x'.repeat(199 - id.length)}`;
    const details = new JobDetails([], 0);
    for (const id of ids('job', MAX_JOB_DETAILS)) details.set(updated(long(id)));
    const kept = details.list();
    expect(kept.length).toBeLessThan(MAX_JOB_DETAILS);
    expect(JSON.stringify(kept).length).toBeLessThanOrEqual(MAX_JOB_DETAILS_BYTES);
    expect(details.omitted).toBe(MAX_JOB_DETAILS - kept.length);
    details.set(rejected(long('late')));
    expect(details.get(long('late'))?.fate).toBe('REJECTED');
    expect(JSON.stringify(details.list()).length).toBeLessThanOrEqual(MAX_JOB_DETAILS_BYTES);
  });

  test('past the cap a plain success is left out and counted', () => {
    const details = new JobDetails(
      ids('job', MAX_JOB_DETAILS).map((id) => updated(id)),
      0,
    );
    details.set(updated('late'));
    expect(details.get('late')).toBeUndefined();
    expect(details.list()).toHaveLength(MAX_JOB_DETAILS);
    expect(details.omitted).toBe(1);
  });

  test('past the cap an exception pushes out the oldest plain success', () => {
    const details = new JobDetails(
      [rejected('bad-0'), ...ids('job', MAX_JOB_DETAILS - 1).map((id) => updated(id))],
      3,
    );
    details.set(rejected('bad-1'));
    expect(details.get('bad-1')).toEqual(rejected('bad-1'));
    expect(details.get('bad-0')).toEqual(rejected('bad-0'));
    expect(details.get('job-0')).toBeUndefined();
    expect(details.get('job-1')).toBeDefined();
    expect(details.list()).toHaveLength(MAX_JOB_DETAILS);
    expect(details.omitted).toBe(4);
  });

  test.each([
    ['rejected', rejected('x')],
    ['not in the ATS', fated('NOT_IN_ATS')],
    ['missed the deadline', fated('MISSED_DEADLINE')],
    ['outcome unknown', fated('OUTCOME_UNKNOWN')],
    ['sent but unconfirmed', updated('x', 'UNCONFIRMED')],
  ])('a job %s counts as an exception', (_case, result) => {
    const details = new JobDetails(
      ids('job', MAX_JOB_DETAILS).map((id) => updated(id, 'PENDING')),
      0,
    );
    details.set(result);
    expect(details.get('x')).toEqual(result);
    expect(details.omitted).toBe(1);
  });

  test.each([
    ['UPDATED', 'CONFIRMED'],
    ['CREATED', 'PENDING'],
    ['CLOSED', undefined],
  ] as const)('a %s job (%s) is a plain success, left out past the cap', (fate, confirmation) => {
    const details = new JobDetails(
      ids('job', MAX_JOB_DETAILS).map((id) => updated(id)),
      0,
    );
    details.set({ externalJobPostingId: 'x', fate, ...(confirmation ? { confirmation } : {}) });
    expect(details.get('x')).toBeUndefined();
  });

  test('past the cap with nothing but exceptions, another exception is left out', () => {
    const details = new JobDetails(ids('bad', MAX_JOB_DETAILS).map(rejected), 0);
    details.set(rejected('x'));
    expect(details.get('x')).toBeUndefined();
    expect(details.get('bad-0')).toBeDefined();
    expect(details.omitted).toBe(1);
  });

  test('a listed job is updated in place, past the cap too, without counting it left out', () => {
    const details = new JobDetails(
      ids('job', MAX_JOB_DETAILS).map((id) => updated(id, 'PENDING')),
      0,
    );
    details.set(rejected('job-5'));
    details.patch('job-6', { confirmation: 'CONFIRMED' });
    expect(details.get('job-5')).toEqual(rejected('job-5'));
    expect(details.get('job-6')).toEqual(updated('job-6', 'CONFIRMED'));
    expect(details.list()[5]?.externalJobPostingId).toBe('job-5');
    expect(details.omitted).toBe(0);
  });

  test('a job no longer listed is not brought back by a patch', () => {
    const details = new JobDetails([], 0);
    details.patch('gone', { confirmation: 'CONFIRMED' });
    expect(details.get('gone')).toBeUndefined();
    expect(details.list()).toEqual([]);
  });
});
