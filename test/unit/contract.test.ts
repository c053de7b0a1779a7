import { describeNotificationError, JobResyncNotification, summaryOf } from '../../src/contract';
import { workflowIdFor } from '../../src/api/workflow-id';
import { JobStatusChangeNotification } from '../../src/linkedin/job-posting-status';

const base = { developerApplicationUrn: 'urn:li:developerApplication:12345', type: 'RESYNC_JOBS' } as const;

function errorOf(value: unknown): string {
  const parsed = JobResyncNotification.safeParse(value);
  if (parsed.success) throw new Error('expected a parse failure');
  return describeNotificationError(parsed.error);
}

test("LinkedIn's two samples parse", () => {
  expect(JobResyncNotification.safeParse({ ...base, syncAllOpenJobs: true }).success).toBe(true);
  expect(
    JobResyncNotification.safeParse({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['job-1234'] })
      .success,
  ).toBe(true);
});

test('unknown extra fields are tolerated', () => {
  expect(JobResyncNotification.safeParse({ ...base, syncAllOpenJobs: true, newField: 1 }).success).toBe(true);
});

test.each([
  ['an array', [], 'the notification must be a JSON object'],
  ['a string', 'x', 'the notification must be a JSON object'],
  ['a missing urn', { type: 'RESYNC_JOBS', syncAllOpenJobs: true }, 'developerApplicationUrn is required'],
  [
    'a numeric urn',
    { ...base, developerApplicationUrn: 12345, syncAllOpenJobs: true },
    'developerApplicationUrn must be a string',
  ],
  [
    'a malformed urn',
    { ...base, developerApplicationUrn: 'urn:li:organization:1', syncAllOpenJobs: true },
    'developerApplicationUrn must look like urn:li:developerApplication:{numeric id}',
  ],
  [
    'a missing type',
    { developerApplicationUrn: base.developerApplicationUrn, syncAllOpenJobs: true },
    'type is required',
  ],
  [
    'another event type',
    { ...base, type: 'JOB_POSTING_STATUS', syncAllOpenJobs: true },
    'type "JOB_POSTING_STATUS" is not supported; only RESYNC_JOBS is handled here',
  ],
  ['a missing syncAllOpenJobs', { ...base }, 'syncAllOpenJobs is required'],
  ['a string syncAllOpenJobs', { ...base, syncAllOpenJobs: 'false' }, 'syncAllOpenJobs must be a boolean'],
  [
    'syncAllOpenJobs false without ids',
    { ...base, syncAllOpenJobs: false },
    'externalJobPostingIds must list at least one job when syncAllOpenJobs is false',
  ],
  [
    'syncAllOpenJobs false with an empty list',
    { ...base, syncAllOpenJobs: false, externalJobPostingIds: [] },
    'externalJobPostingIds must list at least one job when syncAllOpenJobs is false',
  ],
  [
    'ids that are neither a list nor a string',
    { ...base, syncAllOpenJobs: false, externalJobPostingIds: 7 },
    'externalJobPostingIds must be an array of strings',
  ],
  [
    'syncAllOpenJobs false with null ids',
    { ...base, syncAllOpenJobs: false, externalJobPostingIds: null },
    'externalJobPostingIds must list at least one job when syncAllOpenJobs is false',
  ],
  [
    'syncAllOpenJobs false with an empty string',
    { ...base, syncAllOpenJobs: false, externalJobPostingIds: '' },
    'externalJobPostingIds[0] must not be empty',
  ],
  [
    'an empty id',
    { ...base, syncAllOpenJobs: false, externalJobPostingIds: ['job-1', ''] },
    'externalJobPostingIds[1] must not be empty',
  ],
  [
    'a numeric id',
    { ...base, syncAllOpenJobs: false, externalJobPostingIds: [7] },
    'externalJobPostingIds[0] must be a string',
  ],
  [
    "an id over 200 characters, LinkedIn's limit",
    { ...base, syncAllOpenJobs: false, externalJobPostingIds: ['job-1', 'j'.repeat(201)] },
    'externalJobPostingIds[1] is longer than 200 characters (201)',
  ],
  [
    'a single id of a megabyte',
    { ...base, syncAllOpenJobs: false, externalJobPostingIds: 'j'.repeat(1_000_000) },
    'externalJobPostingIds[0] is longer than 200 characters (1000000)',
  ],
  [
    'a urn over 200 characters: said once, not also as malformed',
    {
      ...base,
      developerApplicationUrn: `urn:li:developerApplication:${'1'.repeat(200)}`,
      syncAllOpenJobs: true,
    },
    'developerApplicationUrn is longer than 200 characters (228)',
  ],
])('%s is refused with a message naming the problem', (_case, value, message) => {
  expect(errorOf(value)).toBe(message);
});

describe('notifications that are odd but understood are accepted, as LinkedIn would mean them', () => {
  test.each([
    ['null ids under syncAllOpenJobs', { ...base, syncAllOpenJobs: true, externalJobPostingIds: null }],
    [
      'ids of any length and content under syncAllOpenJobs',
      { ...base, syncAllOpenJobs: true, externalJobPostingIds: ['x'.repeat(500), '', 7] },
    ],
    [
      'a string of ids under syncAllOpenJobs',
      { ...base, syncAllOpenJobs: true, externalJobPostingIds: 'job-1' },
    ],
  ])('%s: a sync-all listing no ids', (_case, value) => {
    expect(JobResyncNotification.parse(value)).toEqual({ ...base, syncAllOpenJobs: true });
  });

  test('an id of 200 characters (the longest LinkedIn allows) the ATS does not hold beside a known one: both kept, the ATS answers for each', () => {
    const long = 'j'.repeat(200);
    expect(
      JobResyncNotification.parse({
        ...base,
        syncAllOpenJobs: false,
        externalJobPostingIds: ['job-1234', long],
      }),
    ).toEqual({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['job-1234', long] });
  });

  test('a single string instead of a list is a list of that one id', () => {
    expect(
      JobResyncNotification.parse({ ...base, syncAllOpenJobs: false, externalJobPostingIds: 'job-1234' }),
    ).toEqual({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['job-1234'] });
  });

  test('equivalent deliveries get one workflow id: repeats, a string for a list, ids beside a sync-all', () => {
    const parsed = (value: unknown) => workflowIdFor(JobResyncNotification.parse(value));
    const one = parsed({ ...base, syncAllOpenJobs: false, externalJobPostingIds: 'job-1234' });
    expect(parsed({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['job-1234', 'job-1234'] })).toBe(
      one,
    );
    expect(parsed({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['job-1234'] })).toBe(one);
    const all = parsed({ ...base, syncAllOpenJobs: true });
    expect(parsed({ ...base, syncAllOpenJobs: true, externalJobPostingIds: null })).toBe(all);
    expect(parsed({ ...base, syncAllOpenJobs: true, externalJobPostingIds: ['z'.repeat(300)] })).toBe(all);
  });
});

test('the workflow id names the application and scope and ignores id order and repeats', () => {
  const one = workflowIdFor({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['b', 'a', 'a'] });
  const two = workflowIdFor({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['a', 'b'] });
  expect(one).toBe(two);
  expect(one).toMatch(/^resync-app-12345-2-jobs-[0-9a-f]{16}$/);
});

test('the workflow id differs when the request differs', () => {
  const ids = new Set([
    workflowIdFor({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['a'] }),
    workflowIdFor({ ...base, syncAllOpenJobs: false, externalJobPostingIds: ['b'] }),
    workflowIdFor({ ...base, syncAllOpenJobs: true }),
    workflowIdFor({
      ...base,
      developerApplicationUrn: 'urn:li:developerApplication:67890',
      syncAllOpenJobs: true,
    }),
  ]);
  expect(ids.size).toBe(4);
});

test('a sync-all ignores listed ids in its workflow id', () => {
  expect(workflowIdFor({ ...base, syncAllOpenJobs: true, externalJobPostingIds: ['a'] })).toBe(
    workflowIdFor({ ...base, syncAllOpenJobs: true }),
  );
  expect(workflowIdFor({ ...base, syncAllOpenJobs: true })).toMatch(
    /^resync-app-12345-all-open-jobs-[0-9a-f]{16}$/,
  );
});

test('the summary says what the resync does', () => {
  expect(
    summaryOf({
      developerApplicationUrn: base.developerApplicationUrn,
      syncAllOpenJobs: false,
      externalJobPostingIds: ['a', 'b', 'c'],
    }),
  ).toBe('Resync 3 jobs for urn:li:developerApplication:12345');
  expect(
    summaryOf({
      developerApplicationUrn: base.developerApplicationUrn,
      syncAllOpenJobs: true,
      externalJobPostingIds: [],
    }),
  ).toBe('Resync all open jobs for urn:li:developerApplication:12345');
});

describe("a Job Status Change notification's ids are at most 200 characters", () => {
  const status = {
    developerApplicationUrn: base.developerApplicationUrn,
    type: 'JOB_POSTING_STATUS',
  } as const;
  const errorsOf = (value: unknown) => {
    const parsed = JobStatusChangeNotification.safeParse(value);
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  };

  test('an externalJobPostingId of 200 characters is read', () => {
    const id = 'j'.repeat(200);
    expect(JobStatusChangeNotification.parse({ ...status, externalJobPostingId: id })).toMatchObject({
      externalJobPostingId: id,
    });
  });

  test.each([
    [
      'an externalJobPostingId of 201 characters',
      { ...status, externalJobPostingId: 'j'.repeat(201) },
      ['externalJobPostingId is longer than 200 characters (201)'],
    ],
    [
      'an externalJobPostingId of a megabyte',
      { ...status, externalJobPostingId: 'a.'.repeat(500_000) },
      ['externalJobPostingId is longer than 200 characters (1000000)'],
    ],
    [
      'a developerApplicationUrn of 229 characters',
      {
        ...status,
        developerApplicationUrn: `urn:li:developerApplication:${'1'.repeat(201)}`,
        externalJobPostingId: 'j',
      },
      ['developerApplicationUrn is longer than 200 characters (229)'],
    ],
    [
      'an empty externalJobPostingId',
      { ...status, externalJobPostingId: '' },
      ['externalJobPostingId must not be empty'],
    ],
    ['a missing externalJobPostingId', status, ['externalJobPostingId is required']],
    [
      'a numeric developerApplicationUrn',
      { ...status, developerApplicationUrn: 1, externalJobPostingId: 'j' },
      ['developerApplicationUrn is required'],
    ],
  ])('%s is refused with a message naming the problem', (_case, value, messages) => {
    expect(errorsOf(value)).toEqual(messages);
  });
});
