import { z } from 'zod';
import { atLeast } from '../support/timing';
import { startLinkedInSandbox } from '../../tools/sandbox/linkedin-sandbox';
import type { LinkedInSandbox, LinkedInSandboxOptions } from '../../tools/sandbox/linkedin-sandbox';
import { until } from '../support/eventually';

const CHILD = {
  developerApplicationUrn: 'urn:li:developerApplication:12345',
  clientId: 'child-client',
  clientSecret: 'child-secret',
  kind: 'child',
} as const;
const OTHER_CHILD = {
  developerApplicationUrn: 'urn:li:developerApplication:67890',
  clientId: 'other-client',
  clientSecret: 'other-secret',
  kind: 'child',
} as const;
const PARENT = {
  developerApplicationUrn: 'urn:li:developerApplication:1',
  clientId: 'parent-client',
  clientSecret: 'parent-secret',
  kind: 'parent',
} as const;

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const DESCRIPTION =
  '<p>We are hiring a <b>backend engineer</b> to build integrations.</p>' +
  '<ul><li>TypeScript</li><li>Temporal</li><li>PostgreSQL</li></ul>';

const ElementResults = z.object({
  elements: z.array(
    z.object({
      id: z.string().optional(),
      status: z.number(),
      location: z.string().optional(),
      error: z.object({ message: z.string(), status: z.number() }).optional(),
    }),
  ),
});
const TaskResults = z.object({
  results: z.record(
    z.string(),
    z.object({
      id: z.string(),
      status: z.string(),
      externalJobPostingId: z.string(),
      jobPosting: z.string().optional(),
      errorMessage: z.string().optional(),
    }),
  ),
  statuses: z.record(z.string(), z.unknown()),
  errors: z.record(z.string(), z.object({ status: z.number(), message: z.string() })),
});

// Jest types its asymmetric matchers as `any`; holding them as `unknown` keeps the lint's any-checks useful.
const anyString: unknown = expect.any(String);
const anyNumber: unknown = expect.any(Number);
const stringMatching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
const stringContaining = (text: string): unknown => expect.stringContaining(text);
const objectContaining = (shape: Record<string, unknown>): unknown => expect.objectContaining(shape);

/** A clock the test moves by hand, so task completion and token expiry need no waiting. */
class ManualClock {
  constructor(private current: number) {}
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const open: LinkedInSandbox[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
});

async function start(options: LinkedInSandboxOptions = {}): Promise<LinkedInSandbox> {
  const sandbox = await startLinkedInSandbox(options);
  open.push(sandbox);
  for (const application of [CHILD, OTHER_CHILD, PARENT]) sandbox.registerApplication(application);
  return sandbox;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

function requestToken(sandbox: LinkedInSandbox, form: Record<string, string>): Promise<Answer> {
  return fetch(sandbox.tokenUrl, { method: 'POST', body: new URLSearchParams(form) }).then(answer);
}

async function tokenFor(
  sandbox: LinkedInSandbox,
  application: { clientId: string; clientSecret: string },
): Promise<string> {
  const { status, body } = await requestToken(sandbox, {
    grant_type: 'client_credentials',
    client_id: application.clientId,
    client_secret: application.clientSecret,
  });
  expect(status).toBe(200);
  return z.object({ access_token: z.string() }).parse(body).access_token;
}

function postJobs(
  sandbox: LinkedInSandbox,
  token: string | null,
  body: unknown,
  headers: Record<string, string> = { 'X-Restli-Method': 'batch_create' },
  path = '/v2/simpleJobPostings',
): Promise<Answer> {
  return fetch(`${sandbox.apiUrl}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then(answer);
}

function getTasks(sandbox: LinkedInSandbox, token: string, ids: readonly string[]): Promise<Answer> {
  const query = ids.map((id) => `ids=${encodeURIComponent(id)}`).join('&');
  return fetch(`${sandbox.apiUrl}/v2/simpleJobPostingTasks?${query}`, {
    headers: { Authorization: `Bearer ${token}` },
  }).then(answer);
}

function job(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalJobPostingId: id,
    jobPostingOperationType: 'CREATE',
    title: 'Backend Engineer',
    description: DESCRIPTION,
    companyApplyUrl: `https://careers.example.com/jobs/${id}`,
    listedAt: START - 86_400_000,
    location: 'Berlin, Germany',
    integrationContext: 'urn:li:organization:2414183',
    workplaceTypes: ['Hybrid'],
    employmentStatus: 'FULL_TIME',
    experienceLevel: 'MID_SENIOR_LEVEL',
    listingType: 'BASIC',
    ...overrides,
  };
}

function withoutField(element: Record<string, unknown>, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(element).filter(([key]) => key !== field));
}

function results(body: unknown): z.infer<typeof ElementResults>['elements'] {
  return ElementResults.parse(body).elements;
}

function taskIdsOf(body: unknown): string[] {
  return results(body).map((result) => {
    expect(result.status).toBe(202);
    return z.string().parse(result.id);
  });
}

async function taskState(sandbox: LinkedInSandbox, token: string, taskId: string) {
  const { status, body } = await getTasks(sandbox, token, [taskId]);
  expect(status).toBe(200);
  const task = TaskResults.parse(body).results[taskId];
  if (task === undefined) throw new Error(`task ${taskId} missing from ${JSON.stringify(body)}`);
  return task;
}

/** Posts one batch and returns its task ids; every element must be accepted. */
async function postAccepted(sandbox: LinkedInSandbox, token: string, elements: unknown[]): Promise<string[]> {
  const { status, body } = await postJobs(sandbox, token, { elements });
  expect(status).toBe(200);
  return taskIdsOf(body);
}

describe('token endpoint', () => {
  test('issues an opaque bearer token that lives for the configured number of seconds', async () => {
    const sandbox = await start({ tokenTtlSeconds: 600 });
    const { status, body } = await requestToken(sandbox, {
      grant_type: 'client_credentials',
      client_id: CHILD.clientId,
      client_secret: CHILD.clientSecret,
    });
    expect(status).toBe(200);
    // As LinkedIn's own sample writes it: "expires_in": "1800", a string.
    expect(body).toEqual({ access_token: anyString, expires_in: '600' });
    const second = await tokenFor(sandbox, CHILD);
    expect(second).not.toEqual(z.object({ access_token: z.string() }).parse(body).access_token);
  });

  test('writes expires_in as a number when asked to', async () => {
    const sandbox = await start({ tokenTtlSeconds: 600, tokenExpiresInAs: 'number' });
    const { body } = await requestToken(sandbox, {
      grant_type: 'client_credentials',
      client_id: CHILD.clientId,
      client_secret: CHILD.clientSecret,
    });
    expect(body).toEqual({ access_token: anyString, expires_in: 600 });
  });

  test('answers 401 invalid_client to an unknown client id and to a wrong secret', async () => {
    const sandbox = await start();
    for (const form of [
      { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' },
      { grant_type: 'client_credentials', client_id: CHILD.clientId, client_secret: 'wrong' },
    ]) {
      const { status, body } = await requestToken(sandbox, form);
      expect(status).toBe(401);
      expect(body).toEqual({ error: 'invalid_client', error_description: anyString });
    }
  });

  test('answers 400 unsupported_grant_type to any grant other than client_credentials', async () => {
    const sandbox = await start();
    const { status, body } = await requestToken(sandbox, {
      grant_type: 'authorization_code',
      client_id: CHILD.clientId,
      client_secret: CHILD.clientSecret,
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'unsupported_grant_type' });
  });

  test('answers 400 invalid_request when the credentials are not form-encoded', async () => {
    const sandbox = await start();
    const response = await fetch(sandbox.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: CHILD.clientId }),
    }).then(answer);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request' });
  });
});

describe('authentication of job calls', () => {
  test('answers 401 with serviceErrorCode 65600 to a missing or unknown bearer token', async () => {
    const sandbox = await start();
    for (const token of [null, 'not-a-token-linkedin-issued']) {
      const { status, body } = await postJobs(sandbox, token, { elements: [job('job-1')] });
      expect(status).toBe(401);
      expect(body).toEqual({ message: 'Invalid access token', serviceErrorCode: 65600, status: 401 });
    }
    const tasks = await getTasks(sandbox, 'not-a-token-linkedin-issued', ['urn:li:simpleJobPostingTask:1']);
    expect(tasks.status).toBe(401);
    expect(tasks.body).toMatchObject({ serviceErrorCode: 65600 });
  });

  test('answers 401 with serviceErrorCode 65602 once the token has outlived its expires_in', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, tokenTtlSeconds: 60 });
    const token = await tokenFor(sandbox, CHILD);
    clock.advance(59_999);
    expect((await postJobs(sandbox, token, { elements: [job('job-1')] })).status).toBe(200);
    clock.advance(1);
    const { status, body } = await postJobs(sandbox, token, { elements: [job('job-2')] });
    expect(status).toBe(401);
    expect(body).toEqual({
      message: 'The token used in the request has expired',
      serviceErrorCode: 65602,
      status: 401,
    });
    expect((await getTasks(sandbox, token, ['urn:li:simpleJobPostingTask:1'])).status).toBe(401);
  });

  test("answers 403 to a parent application's token on postings and on task status", async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, PARENT);
    const posting = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(posting.status).toBe(403);
    expect(posting.body).toMatchObject({ status: 403, serviceErrorCode: anyNumber });
    const tasks = await getTasks(sandbox, token, ['urn:li:simpleJobPostingTask:1']);
    expect(tasks.status).toBe(403);
  });
});

describe('batch_create on simpleJobPostings', () => {
  test('answers 403 when X-Restli-Method is missing or not batch_create, whatever its letter case', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const missing = await postJobs(sandbox, token, { elements: [job('job-1')] }, {});
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ message: anyString, serviceErrorCode: 100, status: 403 });
    const wrong = await postJobs(
      sandbox,
      token,
      { elements: [job('job-1')] },
      { 'X-Restli-Method': 'create' },
    );
    expect(wrong.status).toBe(403);
    const upper = await postJobs(
      sandbox,
      token,
      { elements: [job('job-1')] },
      { 'X-Restli-Method': 'BATCH_CREATE' },
    );
    expect(upper.status).toBe(200);
  });

  test('answers 400 to a body that is not JSON or has no elements array', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    for (const body of ['{"elements": [', JSON.stringify({ jobs: [job('job-1')] }), '{"elements":{}}']) {
      const response = await postJobs(sandbox, token, body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: 400, serviceErrorCode: anyNumber });
    }
  });

  test('answers 400 to more than 100 elements and accepts exactly 100', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const jobs = Array.from({ length: 101 }, (_, i) => job(`job-${i}`));
    const tooMany = await postJobs(sandbox, token, { elements: jobs });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ message: stringContaining('100'), status: 400 });
    const hundred = await postJobs(sandbox, token, { elements: jobs.slice(0, 100) });
    expect(hundred.status).toBe(200);
    expect(results(hundred.body)).toHaveLength(100);
  });

  test('answers 400 when the same externalJobPostingId appears twice in one call', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const { status, body } = await postJobs(sandbox, token, {
      elements: [job('job-1'), job('job-2'), job('job-1')],
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ message: stringContaining('job-1'), status: 400 });
    expect(sandbox.postedElements()).toEqual([]);
  });

  test('answers 400 when one call mixes operation types', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const { status, body } = await postJobs(sandbox, token, {
      elements: [job('job-1'), job('job-2', { jobPostingOperationType: 'UPDATE' })],
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ message: stringContaining('jobPostingOperationType'), status: 400 });
  });

  test('returns a 202 task for each valid element and a 422 for an invalid one, in order, inside one 200', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const { status, body } = await postJobs(sandbox, token, {
      elements: [job('job-1'), withoutField(job('job-2'), 'title'), job('job-3')],
    });
    expect(status).toBe(200);
    const [first, second, third] = results(body);
    expect(first).toEqual({
      id: stringMatching(/^urn:li:simpleJobPostingTask:[0-9a-f-]{36}$/),
      status: 202,
      location: `/simpleJobPostingTasks/${encodeURIComponent(z.string().parse(first?.id))}`,
    });
    expect(second).toEqual({
      status: 422,
      error: {
        message: 'ERROR :: /title :: field is required but not found and has no default value\n',
        status: 422,
      },
    });
    expect(third).toMatchObject({ status: 202 });
    expect(first?.id).not.toEqual(third?.id);
  });

  test('requires a LinkedIn-Version header on the versioned /rest path', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const path = '/rest/simpleJobPostings';
    const withoutVersion = await postJobs(sandbox, token, { elements: [job('job-1')] }, undefined, path);
    expect(withoutVersion.status).toBe(400);
    const versioned = await postJobs(
      sandbox,
      token,
      { elements: [job('job-1')] },
      { 'X-Restli-Method': 'batch_create', 'LinkedIn-Version': '202501' },
      path,
    );
    expect(versioned.status).toBe(200);
    expect(results(versioned.body)[0]).toMatchObject({ status: 202 });
    const taskUrl = `${sandbox.apiUrl}/rest/simpleJobPostingTasks?ids=${encodeURIComponent(z.string().parse(results(versioned.body)[0]?.id))}`;
    const auth = { Authorization: `Bearer ${token}` };
    expect((await fetch(taskUrl, { headers: auth })).status).toBe(400);
    expect((await fetch(taskUrl, { headers: { ...auth, 'LinkedIn-Version': '202501' } })).status).toBe(200);
  });

  const ruleCases: [string, Record<string, unknown>, string][] = [
    [
      'a missing externalJobPostingId',
      withoutField(job('x'), 'externalJobPostingId'),
      '/externalJobPostingId',
    ],
    ['an externalJobPostingId over 75 characters', job('j'.repeat(76)), '/externalJobPostingId'],
    [
      'an unknown operation type',
      job('job-1', { jobPostingOperationType: 'CREATED' }),
      '/jobPostingOperationType',
    ],
    ['a title over 200 characters', job('job-1', { title: 't'.repeat(201) }), '/title'],
    ['a description under 100 characters', job('job-1', { description: 'Too short.' }), '/description'],
    [
      'a description over 25,000 characters',
      job('job-1', { description: 'd'.repeat(25_001) }),
      '/description',
    ],
    ['a missing description', withoutField(job('job-1'), 'description'), '/description'],
    ['a missing companyApplyUrl', withoutField(job('job-1'), 'companyApplyUrl'), '/companyApplyUrl'],
    ['a missing listedAt', withoutField(job('job-1'), 'listedAt'), '/listedAt'],
    ['a listedAt that is not an integer', job('job-1', { listedAt: '2026-01-14' }), '/listedAt'],
    ['a missing location', withoutField(job('job-1'), 'location'), '/location'],
    ['an empty location', job('job-1', { location: ' ' }), '/location'],
    [
      'a malformed integrationContext',
      job('job-1', { integrationContext: 'urn:li:company:1' }),
      '/integrationContext',
    ],
    ['two workplaceTypes', job('job-1', { workplaceTypes: ['Remote', 'Hybrid'] }), '/workplaceTypes'],
    ['an unknown workplaceType', job('job-1', { workplaceTypes: ['Office'] }), '/workplaceTypes/0'],
    ['an unknown employmentStatus', job('job-1', { employmentStatus: 'FULLTIME' }), '/employmentStatus'],
    ['an unknown experienceLevel', job('job-1', { experienceLevel: 'SENIOR' }), '/experienceLevel'],
    ['an unknown listingType', job('job-1', { listingType: 'FREE' }), '/listingType'],
    ['more than 3 categories', job('job-1', { categories: ['a', 'b', 'c', 'd'] }), '/categories'],
  ];

  test.each(ruleCases)('rejects an element with %s as a 422 naming the field', async (_, element, field) => {
    const sandbox = await start({ now: () => START });
    const token = await tokenFor(sandbox, CHILD);
    const { status, body } = await postJobs(sandbox, token, { elements: [element, job('valid-job')] });
    expect(status).toBe(200);
    const [rejected, accepted] = results(body);
    expect(rejected).toMatchObject({ status: 422, error: { status: 422 } });
    expect(rejected?.error?.message).toMatch(new RegExp(`^ERROR :: ${field} :: `));
    expect(accepted).toMatchObject({ status: 202 });
  });

  test.each(['title', 'description', 'companyApplyUrl', 'listedAt', 'location'])(
    'rejects a CLOSE without a %s as a 422 naming the field: CLOSE re-posts the whole job',
    async (field) => {
      const sandbox = await start({ now: () => START });
      sandbox.seedExistingJobs(CHILD.developerApplicationUrn, ['job-1', 'job-2']);
      const token = await tokenFor(sandbox, CHILD);
      const close = { jobPostingOperationType: 'CLOSE' };
      const { status, body } = await postJobs(sandbox, token, {
        elements: [withoutField(job('job-1', close), field), job('job-2', close)],
      });
      expect(status).toBe(200);
      const [rejected, accepted] = results(body);
      expect(rejected).toEqual({
        status: 422,
        error: {
          message: `ERROR :: /${field} :: field is required but not found and has no default value\n`,
          status: 422,
        },
      });
      expect(accepted).toMatchObject({ status: 202 });
    },
  );

  test.each([
    ['is not a URL', 'careers page'],
    ['is not http(s)', 'ftp://x.example'],
  ])(
    'refuses the whole call with a 400 naming the job when a companyApplyUrl %s',
    async (_case, companyApplyUrl) => {
      const sandbox = await start({ now: () => START });
      const token = await tokenFor(sandbox, CHILD);
      const { status, body } = await postJobs(sandbox, token, {
        elements: [job('job-good'), job('job-bad', { companyApplyUrl })],
      });
      expect(status).toBe(400);
      expect(body).toEqual({
        message: stringMatching(
          /^Invalid company apply url for job with externalPartnerId job-bad, taskUrn urn:li:simpleJobPostingTask:[0-9a-f-]{36}$/,
        ),
        serviceErrorCode: 0,
        status: 400,
      });
      expect(sandbox.postedElements()).toEqual([]);
    },
  );

  test('refuses the whole call with a 400 when an element names no company', async () => {
    const sandbox = await start({ now: () => START });
    const token = await tokenFor(sandbox, CHILD);
    const { status, body } = await postJobs(sandbox, token, {
      elements: [job('job-good'), withoutField(job('job-bad'), 'integrationContext')],
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({
      message: 'Either context or company or companyPageUrl or companyName must be provided',
      status: 400,
    });
  });

  test('rejects a listedAt given in epoch seconds with a message that says so', async () => {
    const sandbox = await start({ now: () => START });
    const token = await tokenFor(sandbox, CHILD);
    const seconds = Math.floor((START - 86_400_000) / 1000);
    const { body } = await postJobs(sandbox, token, { elements: [job('job-1', { listedAt: seconds })] });
    expect(results(body)[0]?.error?.message).toBe(
      `ERROR :: /listedAt :: ${seconds} looks like epoch seconds; listedAt must be epoch milliseconds (UTC)\n`,
    );
  });

  test('rejects a listedAt in the future and accepts one equal to now', async () => {
    const sandbox = await start({ now: () => START });
    const token = await tokenFor(sandbox, CHILD);
    const { body } = await postJobs(sandbox, token, {
      elements: [job('job-1', { listedAt: START + 1 }), job('job-2', { listedAt: START })],
    });
    const [future, present] = results(body);
    expect(future?.error?.message).toMatch(/^ERROR :: \/listedAt :: .*in the future/);
    expect(present).toMatchObject({ status: 202 });
  });

  test('accepts a companyName in place of integrationContext and leaves optional fields out', async () => {
    const sandbox = await start({ now: () => START });
    const token = await tokenFor(sandbox, CHILD);
    const minimal = {
      externalJobPostingId: 'job-1',
      jobPostingOperationType: 'CREATE',
      title: 'Backend Engineer',
      description: DESCRIPTION,
      companyApplyUrl: 'http://careers.example.com/1',
      listedAt: START - 1000,
      location: '10115, DE',
      companyName: 'Example GmbH',
    };
    expect(await postAccepted(sandbox, token, [minimal])).toHaveLength(1);
  });

  test('lists every broken rule of an element in its message, one line each', async () => {
    const sandbox = await start({ now: () => START });
    const token = await tokenFor(sandbox, CHILD);
    const { body } = await postJobs(sandbox, token, {
      elements: [job('job-1', { title: '', listedAt: 1_700_000_000, location: null })],
    });
    const lines = z.string().parse(results(body)[0]?.error?.message).trimEnd().split('\n');
    expect(lines.map((line) => line.split(' :: ')[1])).toEqual(['/title', '/listedAt', '/location']);
  });
});

describe('task status and the jobs LinkedIn holds', () => {
  test('a task stays IN_PROGRESS until taskCompletionMs have passed, then SUCCEEDED with its job posting', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 5000 });
    const token = await tokenFor(sandbox, CHILD);
    const [taskId = ''] = await postAccepted(sandbox, token, [job('job-1')]);

    clock.advance(4999);
    expect(await taskState(sandbox, token, taskId)).toEqual({
      id: taskId,
      status: 'IN_PROGRESS',
      externalJobPostingId: 'job-1',
    });
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-1')).toBeUndefined();

    clock.advance(1);
    const done = await taskState(sandbox, token, taskId);
    expect(done).toEqual({
      id: taskId,
      status: 'SUCCEEDED',
      externalJobPostingId: 'job-1',
      jobPosting: stringMatching(/^urn:li:jobPosting:\d+$/),
    });
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-1')).toEqual({
      state: 'OPEN',
      jobPostingUrn: done.jobPosting,
    });
  });

  test('completes tasks on the real clock when polled within a bound', async () => {
    const sandbox = await start({ taskCompletionMs: 20 });
    const token = await tokenFor(sandbox, CHILD);
    const [taskId = ''] = await postAccepted(sandbox, token, [job('job-1', { listedAt: Date.now() - 1000 })]);
    let status = 'IN_PROGRESS';
    await until(
      async () => {
        status = (await taskState(sandbox, token, taskId)).status;
        return status !== 'IN_PROGRESS';
      },
      'the task ended',
      5000,
    );
    expect(status).toBe('SUCCEEDED');
  });

  test('an UPDATE of a job LinkedIn does not hold ends FAILED, while one it holds SUCCEEDS', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    sandbox.seedExistingJobs(CHILD.developerApplicationUrn, ['job-held']);
    const token = await tokenFor(sandbox, CHILD);
    const update = { jobPostingOperationType: 'UPDATE' };
    const [missingTask = '', heldTask = ''] = await postAccepted(sandbox, token, [
      job('job-missing', update),
      job('job-held', update),
    ]);
    clock.advance(10);
    const missing = await taskState(sandbox, token, missingTask);
    expect(missing.status).toBe('FAILED');
    expect(missing.errorMessage).toMatch(/^Operation type UPDATE is not allowed for a non-existing job/);
    expect(missing.jobPosting).toBeUndefined();
    expect(await taskState(sandbox, token, heldTask)).toMatchObject({
      status: 'SUCCEEDED',
      jobPosting: sandbox.heldJob(CHILD.developerApplicationUrn, 'job-held')?.jobPostingUrn,
    });
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-missing')).toBeUndefined();
  });

  test('a CREATE makes the job held, so a later UPDATE of it succeeds on the same job posting', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    const token = await tokenFor(sandbox, CHILD);
    const [createTask = ''] = await postAccepted(sandbox, token, [job('job-1')]);
    clock.advance(10);
    const created = await taskState(sandbox, token, createTask);
    const [updateTask = ''] = await postAccepted(sandbox, token, [
      job('job-1', { jobPostingOperationType: 'UPDATE', title: 'Senior Backend Engineer' }),
    ]);
    clock.advance(10);
    expect(await taskState(sandbox, token, updateTask)).toMatchObject({
      status: 'SUCCEEDED',
      jobPosting: created.jobPosting,
    });
  });

  test('closing an open job succeeds and a second CLOSE of it gets a whole-call 409', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    sandbox.seedExistingJobs(CHILD.developerApplicationUrn, ['job-1', 'job-2']);
    const token = await tokenFor(sandbox, CHILD);
    const close = job('job-1', { jobPostingOperationType: 'CLOSE' });
    const [closeTask = ''] = await postAccepted(sandbox, token, [close]);

    // Already refused while the first CLOSE is still in progress (that task will close it), and the
    // whole call is refused: job-2, open, is not closed by it.
    const early = await postJobs(sandbox, token, {
      elements: [job('job-2', { jobPostingOperationType: 'CLOSE' }), close],
    });
    expect(early).toMatchObject({
      status: 409,
      body: { message: 'Cannot close job which is already closed or does not exist', status: 409 },
    });

    clock.advance(10);
    expect(await taskState(sandbox, token, closeTask)).toMatchObject({ status: 'SUCCEEDED' });
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-1')?.state).toBe('CLOSED');
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-2')?.state).toBe('OPEN');
    const again = await postJobs(sandbox, token, { elements: [close] });
    expect(again).toMatchObject({ status: 409, body: { serviceErrorCode: 0, status: 409 } });
    expect(sandbox.postedElements().map((posted) => [posted.externalJobPostingId, posted.status])).toEqual([
      ['job-1', 202],
    ]);
  });

  test('a CLOSE of a job LinkedIn never held gets a whole-call 409', async () => {
    const sandbox = await start({ now: () => START });
    const token = await tokenFor(sandbox, CHILD);
    const { status, body } = await postJobs(sandbox, token, {
      elements: [job('job-unknown', { jobPostingOperationType: 'CLOSE' })],
    });
    expect(status).toBe(409);
    expect(body).toEqual({
      message: 'Cannot close job which is already closed or does not exist',
      serviceErrorCode: 0,
      status: 409,
    });
  });

  test('a CREATE of a job LinkedIn holds ends FAILED as a duplicate creation request, and the job stays as it was', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    sandbox.seedExistingJobs(CHILD.developerApplicationUrn, ['job-held']);
    const held = sandbox.heldJob(CHILD.developerApplicationUrn, 'job-held');
    const token = await tokenFor(sandbox, CHILD);
    const [first = '', second = ''] = await postAccepted(sandbox, token, [job('job-held'), job('job-new')]);
    // The second CREATE of job-new comes while the first is still in progress: it ends a duplicate too.
    const [third = ''] = await postAccepted(sandbox, token, [job('job-new')]);
    clock.advance(10);

    const duplicate = await taskState(sandbox, token, first);
    expect(duplicate.status).toBe('FAILED');
    expect(duplicate.errorMessage).toBe(
      'Job processing failed due to a client-side error. Please check payload and integration setup. ' +
        'Error details: Trying to create a job with same partnerIdentifier already exists. It is duplicate ' +
        'creation request for a basic job or a non-draft premium job. Dropping the duplicate job posting ' +
        `creation request. LinkedIn job id: ${held?.jobPostingUrn.replace('urn:li:jobPosting:', '')}, ` +
        'externalJobPostingId: job-held',
    );
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-held')).toEqual(held);
    expect(await taskState(sandbox, token, second)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await taskState(sandbox, token, third)).toMatchObject({
      status: 'FAILED',
      errorMessage: stringContaining('same partnerIdentifier already exists'),
    });
  });

  test("reports unknown task ids and another application's tasks under errors with 404", async () => {
    const sandbox = await start({ taskCompletionMs: 0 });
    const token = await tokenFor(sandbox, CHILD);
    const otherToken = await tokenFor(sandbox, OTHER_CHILD);
    const [mine = ''] = await postAccepted(sandbox, token, [job('job-1', { listedAt: Date.now() - 1000 })]);
    const unknown = 'urn:li:simpleJobPostingTask:00000000-0000-0000-0000-000000000000';

    const { status, body } = await getTasks(sandbox, otherToken, [mine, unknown]);
    expect(status).toBe(200);
    expect(body).toEqual({
      results: {},
      statuses: {},
      errors: {
        [mine]: { status: 404, message: anyString },
        [unknown]: { status: 404, message: anyString },
      },
    });
    const own = TaskResults.parse((await getTasks(sandbox, token, [mine, unknown])).body);
    expect(Object.keys(own.results)).toEqual([mine]);
    expect(Object.keys(own.errors)).toEqual([unknown]);
  });

  test('answers 400 to task ids that are not task urns', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    expect((await getTasks(sandbox, token, ['job-1'])).status).toBe(400);
    expect((await getTasks(sandbox, token, [])).status).toBe(400);
  });

  test('answers 414 when the task query string is over 4096 bytes', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const ids = Array.from(
      { length: 60 },
      (_, i) => `urn:li:simpleJobPostingTask:${String(i).padStart(36, '0')}`,
    );
    const { status, body } = await getTasks(sandbox, token, ids);
    expect(status).toBe(414);
    expect(body).toMatchObject({ status: 414 });
    expect((await getTasks(sandbox, token, ids.slice(0, 40))).status).toBe(200);
  });
});

describe('fault knobs', () => {
  test('a queued fault answers its status, Retry-After and serviceErrorCode for `times` calls, then normally', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.enqueue({
      endpoint: 'simpleJobPostings',
      times: 2,
      status: 429,
      retryAfterSeconds: 7,
      serviceErrorCode: 101,
    });
    for (let i = 0; i < 2; i++) {
      const throttled = await postJobs(sandbox, token, { elements: [job(`job-${i}`)] });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
      expect(throttled.body).toEqual({ message: anyString, serviceErrorCode: 101, status: 429 });
    }
    expect((await postJobs(sandbox, token, { elements: [job('job-3')] })).status).toBe(200);
    expect(sandbox.postedElements().map((e) => e.externalJobPostingId)).toEqual(['job-3']);
  });

  test('queued faults apply per endpoint in the order they were queued', async () => {
    const sandbox = await start();
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status: 503 });
    sandbox.faults.enqueue({ endpoint: 'token', status: 500 });
    sandbox.faults.enqueue({ endpoint: 'token', status: 504, body: { message: 'upstream timeout' } });
    const form = {
      grant_type: 'client_credentials',
      client_id: CHILD.clientId,
      client_secret: CHILD.clientSecret,
    };
    expect((await requestToken(sandbox, form)).status).toBe(500);
    expect(await requestToken(sandbox, form)).toMatchObject({
      status: 504,
      body: { message: 'upstream timeout' },
    });
    const token = await tokenFor(sandbox, CHILD);
    expect((await postJobs(sandbox, token, { elements: [job('job-1')] })).status).toBe(503);
  });

  test('a latency fault delays the answer and then answers normally', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', latencyMs: 500 });
    const started = performance.now();
    const { status, body } = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(atLeast(500));
    expect(status).toBe(200);
    expect(results(body)[0]).toMatchObject({ status: 202 });
  });

  test('a hung call never answers, and close() still returns and drops it', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', hang: true });
    const pending = postJobs(sandbox, token, { elements: [job('job-1')] });
    const outcome = pending.then(
      () => 'answered',
      () => 'dropped',
    );
    await until(
      () => sandbox.calls().some((c) => c.endpoint === 'simpleJobPostings'),
      'the hung call arrived',
      5000,
    );
    expect(sandbox.calls().at(-1)).toMatchObject({ endpoint: 'simpleJobPostings', status: 0 });
    await sandbox.close();
    expect(await outcome).toBe('dropped');
  });

  test('a malformed fault answers 200 with a body outside the documented shape on every endpoint', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.enqueue({ endpoint: 'token', malformed: true });
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', malformed: true });
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostingTasks', malformed: true });

    const tokenAnswer = await requestToken(sandbox, {
      grant_type: 'client_credentials',
      client_id: CHILD.clientId,
      client_secret: CHILD.clientSecret,
    });
    expect(tokenAnswer.status).toBe(200);
    expect(
      z.object({ access_token: z.string(), expires_in: z.number() }).safeParse(tokenAnswer.body).success,
    ).toBe(false);
    const posting = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(posting.status).toBe(200);
    expect(ElementResults.safeParse(posting.body).success).toBe(false);
    const tasks = await getTasks(sandbox, token, ['urn:li:simpleJobPostingTask:1']);
    expect(tasks.status).toBe(200);
    expect(TaskResults.safeParse(tasks.body).success).toBe(false);
  });

  test('setLatency delays every call of the endpoint until reset', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.setLatency('simpleJobPostingTasks', 600);
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      expect((await getTasks(sandbox, token, ['urn:li:simpleJobPostingTask:1'])).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(atLeast(600));
    }
    sandbox.reset();
    const started = performance.now();
    await getTasks(sandbox, token, ['urn:li:simpleJobPostingTask:1']);
    expect(performance.now() - started).toBeLessThan(atLeast(600));
  });

  test('rejectElement gives that element the chosen error while the others are accepted', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.rejectElement('job-2', { message: 'ERROR :: /location :: location not recognised' });
    sandbox.faults.rejectElement('job-3', { status: 400, message: 'Bad job' });
    const { status, body } = await postJobs(sandbox, token, {
      elements: [job('job-1'), job('job-2'), job('job-3')],
    });
    expect(status).toBe(200);
    expect(results(body)).toEqual([
      objectContaining({ status: 202 }),
      { status: 422, error: { status: 422, message: 'ERROR :: /location :: location not recognised' } },
      { status: 400, error: { status: 400, message: 'Bad job' } },
    ]);
  });

  test('rejectElement limited to an operation and a number of times refuses only those, then accepts', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.rejectElement('job-1', {
      status: 500,
      message: 'Internal error',
      operation: 'CREATE',
      times: 1,
    });
    const update = await postJobs(sandbox, token, {
      elements: [job('job-1', { jobPostingOperationType: 'UPDATE' })],
    });
    expect(results(update.body)).toEqual([objectContaining({ status: 202 })]);
    const first = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(results(first.body)).toEqual([{ status: 500, error: { status: 500, message: 'Internal error' } }]);
    const second = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(results(second.body)).toEqual([objectContaining({ status: 202 })]);
  });

  test.each([{ fault: 'disconnectAfterApply' }, { fault: 'hangAfterApply' }] as const)(
    '$fault applies the call (jobs accepted, tasks created) and the client never gets the answer',
    async ({ fault }) => {
      const clock = new ManualClock(START);
      const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
      const token = await tokenFor(sandbox, CHILD);
      sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', [fault]: true });
      const outcome = postJobs(sandbox, token, { elements: [job('job-1')] }).then(
        () => 'answered',
        () => 'dropped',
      );
      await until(() => sandbox.postedElements().length > 0, 'the call was applied', 5000);
      expect(sandbox.postedElements()).toEqual([
        objectContaining({ externalJobPostingId: 'job-1', status: 202 }),
      ]);
      clock.advance(20);
      expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-1')?.state).toBe('OPEN');
      expect(sandbox.calls().at(-1)).toMatchObject({ endpoint: 'simpleJobPostings', status: 0 });
      await sandbox.close();
      expect(await outcome).toBe('dropped');
    },
  );

  test('rejectElement with an operation refuses only elements of that operation', async () => {
    const sandbox = await start({ now: () => START });
    sandbox.seedExistingJobs(CHILD.developerApplicationUrn, ['job-1']);
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.rejectElement('job-1', { status: 400, message: 'no CREATE', operation: 'CREATE' });
    const update = await postJobs(sandbox, token, {
      elements: [job('job-1', { jobPostingOperationType: 'UPDATE' })],
    });
    expect(results(update.body)).toEqual([objectContaining({ status: 202 })]);
    const create = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(results(create.body)).toEqual([{ status: 400, error: { status: 400, message: 'no CREATE' } }]);
  });

  test('taskOutcome makes tasks end FAILED with the message, stay IN_PROGRESS, or end PROCESSED', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.taskOutcome('job-failed', 'FAILED', 'Job was dropped: Invalid Field: /city');
    sandbox.faults.taskOutcome('job-stuck', 'STUCK');
    sandbox.faults.taskOutcome('job-processed', 'PROCESSED');
    sandbox.faults.taskOutcome('job-invalid', 'PROCESSED', 'Invalid Field: /city');
    const [failed = '', stuck = '', processed = '', normal = '', invalid = ''] = await postAccepted(
      sandbox,
      token,
      [job('job-failed'), job('job-stuck'), job('job-processed'), job('job-normal'), job('job-invalid')],
    );
    clock.advance(20 * 60_000);
    expect(await taskState(sandbox, token, failed)).toMatchObject({
      status: 'FAILED',
      errorMessage: 'Job was dropped: Invalid Field: /city',
    });
    expect(await taskState(sandbox, token, stuck)).toMatchObject({ status: 'IN_PROGRESS' });
    const processedState = await taskState(sandbox, token, processed);
    expect(processedState.status).toBe('PROCESSED');
    expect(processedState.errorMessage).toBeUndefined();
    // "processed by LinkedIn but also failed payload validation": PROCESSED with an errorMessage.
    expect(await taskState(sandbox, token, invalid)).toMatchObject({
      status: 'PROCESSED',
      errorMessage: 'Invalid Field: /city',
    });
    expect(await taskState(sandbox, token, normal)).toMatchObject({ status: 'SUCCEEDED' });
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-failed')).toBeUndefined();
  });

  test('statusesAsStrings writes element statuses as numeric strings, as the OpenAPI file types them', async () => {
    const sandbox = await start({ now: () => START });
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.statusesAsStrings(true);
    const { status, body } = await postJobs(sandbox, token, {
      elements: [job('job-1'), withoutField(job('job-2'), 'title')],
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      elements: [
        { id: anyString, status: '202', location: anyString },
        { status: '422', error: { message: anyString, status: '422' } },
      ],
    });
    sandbox.faults.statusesAsStrings(false);
    expect(results((await postJobs(sandbox, token, { elements: [job('job-3')] })).body)[0]?.status).toBe(202);
  });

  test('reportRunningTasksAs makes running tasks report an undocumented status until they end', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.reportRunningTasksAs('QUEUED');
    const [taskId = ''] = await postAccepted(sandbox, token, [job('job-1')]);
    expect(await taskState(sandbox, token, taskId)).toMatchObject({ status: 'QUEUED' });
    clock.advance(10);
    expect(await taskState(sandbox, token, taskId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  test('expireAllTokens makes every issued token answer 65602 while new tokens work', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.expireAllTokens();
    const expired = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ serviceErrorCode: 65602 });
    const fresh = await tokenFor(sandbox, CHILD);
    expect((await postJobs(sandbox, fresh, { elements: [job('job-1')] })).status).toBe(200);
  });

  test('revokeAllTokens makes every issued token answer 65600 (invalid) while new tokens work', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.revokeAllTokens();
    const revoked = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ serviceErrorCode: 65600 });
    const fresh = await tokenFor(sandbox, CHILD);
    expect((await postJobs(sandbox, fresh, { elements: [job('job-1')] })).status).toBe(200);
  });

  test('failAtRandom fails calls of the named endpoints when chance falls under the rate, with the failure chance picks', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    // Each failing call draws twice: whether it fails, then which failure (429, 500, 503, 504, hang, elements).
    const draws = [0.1, 0, 0.1, 0.5, 0.9];
    sandbox.faults.failAtRandom({
      rate: 0.3,
      endpoints: ['simpleJobPostings'],
      retryAfterSeconds: 7,
      random: () => draws.shift() ?? 0.9,
    });
    const throttled = await postJobs(sandbox, token, { elements: [job('job-1')] });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect((await postJobs(sandbox, token, { elements: [job('job-1')] })).status).toBe(504);
    expect((await postJobs(sandbox, token, { elements: [job('job-1')] })).status).toBe(200);
    sandbox.faults.failAtRandom({ rate: 1, endpoints: ['simpleJobPostings'], random: () => 0 });
    // The token endpoint is not named: it answers (tokenFor expects a 200) while every posting fails.
    await tokenFor(sandbox, CHILD);
    expect((await postJobs(sandbox, token, { elements: [job('job-2')] })).status).toBe(429);
    sandbox.faults.failAtRandom(undefined);
    expect((await postJobs(sandbox, token, { elements: [job('job-2')] })).status).toBe(200);
  });

  test('a fault with elementShare answers 200 and fails that share of its elements inside it', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', elementShare: 1, elementStatus: 503 });
    const failed = await postJobs(sandbox, token, { elements: [job('job-1'), job('job-2')] });
    expect(failed.status).toBe(200);
    expect(results(failed.body).map((element) => element.status)).toEqual([503, 503]);
    const next = await postJobs(sandbox, token, { elements: [job('job-1'), job('job-2')] });
    expect(results(next.body).map((element) => element.status)).toEqual([202, 202]);
  });

  test('clear() removes queued faults, latencies and element and task rules', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    const token = await tokenFor(sandbox, CHILD);
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status: 500 });
    sandbox.faults.setLatency('simpleJobPostings', 10_000);
    sandbox.faults.rejectElement('job-1', { message: 'no' });
    sandbox.faults.taskOutcome('job-1', 'STUCK');
    sandbox.faults.statusesAsStrings(true);
    sandbox.faults.reportRunningTasksAs('QUEUED');
    sandbox.faults.clear();
    const started = performance.now();
    const [taskId = ''] = await postAccepted(sandbox, token, [job('job-1')]);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await taskState(sandbox, token, taskId)).toMatchObject({ status: 'IN_PROGRESS' });
    clock.advance(10);
    expect(await taskState(sandbox, token, taskId)).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('the record of calls', () => {
  test('records every call, rejected ones included, in arrival order', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    await postJobs(sandbox, null, { elements: [job('job-1')] });
    await postJobs(sandbox, token, { elements: [job('job-1')] });
    await getTasks(sandbox, token, ['urn:li:simpleJobPostingTask:1']);
    const missing = await fetch(`${sandbox.url}/v2/jobPostings`).then(answer);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 404, message: anyString });

    const calls = sandbox.calls();
    expect(calls.map((c) => [c.seq, c.endpoint, c.status])).toEqual([
      [1, 'token', 200],
      [2, 'simpleJobPostings', 401],
      [3, 'simpleJobPostings', 200],
      [4, 'simpleJobPostingTasks', 200],
      [5, 'other', 404],
    ]);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/oauth/v2/accessToken' });
    expect(calls[0]?.developerApplicationUrn).toBe(CHILD.developerApplicationUrn);
    expect(calls[1]).toMatchObject({ developerApplicationUrn: null, elements: [job('job-1')] });
    expect(calls[2]).toMatchObject({
      method: 'POST',
      path: '/v2/simpleJobPostings',
      developerApplicationUrn: CHILD.developerApplicationUrn,
      restliMethod: 'batch_create',
      elements: [job('job-1')],
      responseBody: { elements: [objectContaining({ status: 202 })] },
    });
    expect(calls[3]).toMatchObject({ method: 'GET', query: 'ids=urn%3Ali%3AsimpleJobPostingTask%3A1' });
    for (const call of calls) expect(call.endedAt).toBeGreaterThanOrEqual(call.startedAt);
  });

  test('/_sandbox/posting-calls lists posting calls without their bodies, by application and from a time', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const otherToken = await tokenFor(sandbox, OTHER_CHILD);
    await postJobs(sandbox, token, { elements: [job('job-1')] });
    await getTasks(sandbox, token, ['urn:li:simpleJobPostingTask:1']);
    await postJobs(sandbox, null, { elements: [job('job-2')] });
    await postJobs(sandbox, otherToken, { elements: [job('job-3')] });
    const postings = sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
    const read = async (query: string) =>
      (await fetch(`${sandbox.url}/_sandbox/posting-calls${query}`).then(answer)).body;

    const compact = postings.map(({ developerApplicationUrn, status, startedAt, endedAt }) => ({
      developerApplicationUrn,
      status,
      startedAt,
      endedAt,
    }));
    expect(await read('')).toEqual({ calls: compact });
    expect(compact.map((call) => [call.developerApplicationUrn, call.status])).toEqual([
      [CHILD.developerApplicationUrn, 200],
      [null, 401],
      [OTHER_CHILD.developerApplicationUrn, 200],
    ]);
    expect(await read(`?application=${encodeURIComponent(CHILD.developerApplicationUrn)}`)).toEqual({
      calls: [compact[0]],
    });
    const last = postings[2]?.startedAt ?? 0;
    expect(await read(`?since=${last + 1}`)).toEqual({ calls: [] });
    expect(await read(`?since=${last}`)).toEqual({ calls: compact.filter((call) => call.startedAt >= last) });
  });

  test('postedElements lists the elements of accepted calls with their operation and result, per application', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const otherToken = await tokenFor(sandbox, OTHER_CHILD);
    await postJobs(sandbox, token, { elements: [job('job-1'), job('job-2', { title: '' })] });
    await postJobs(sandbox, token, { elements: [job('job-3'), job('job-3')] });
    await postJobs(sandbox, otherToken, {
      elements: [job('job-9', { jobPostingOperationType: 'UPDATE' })],
    });

    expect(
      sandbox
        .postedElements(CHILD.developerApplicationUrn)
        .map((e) => [e.externalJobPostingId, e.operation, e.status, e.callSeq]),
    ).toEqual([
      ['job-1', 'CREATE', 202, 3],
      ['job-2', 'CREATE', 422, 3],
    ]);
    expect(sandbox.postedElements(OTHER_CHILD.developerApplicationUrn)).toEqual([
      {
        callSeq: 5,
        developerApplicationUrn: OTHER_CHILD.developerApplicationUrn,
        operation: 'UPDATE',
        externalJobPostingId: 'job-9',
        status: 202,
        element: job('job-9', { jobPostingOperationType: 'UPDATE' }),
      },
    ]);
    expect(sandbox.postedElements()).toHaveLength(3);
  });

  test('maxConcurrentPostings sees two posts that overlap and one when they go one after another', async () => {
    const sandbox = await start();
    const token = await tokenFor(sandbox, CHILD);
    const otherToken = await tokenFor(sandbox, OTHER_CHILD);
    // Long enough that two posts started together are sure to overlap.
    sandbox.faults.setLatency('simpleJobPostings', 250);

    await postJobs(sandbox, token, { elements: [job('job-1')] });
    await postJobs(sandbox, token, { elements: [job('job-2')] });
    expect(sandbox.maxConcurrentPostings(CHILD.developerApplicationUrn)).toBe(1);

    await Promise.all([
      postJobs(sandbox, otherToken, { elements: [job('job-3')] }),
      postJobs(sandbox, otherToken, { elements: [job('job-4')] }),
    ]);
    expect(sandbox.maxConcurrentPostings(OTHER_CHILD.developerApplicationUrn)).toBe(2);
    expect(sandbox.maxConcurrentPostings(CHILD.developerApplicationUrn)).toBe(1);
    expect(sandbox.maxConcurrentPostings('urn:li:developerApplication:0')).toBe(0);
  });

  test('reset clears the record, held jobs and tasks but keeps applications and their tokens', async () => {
    const sandbox = await start({ taskCompletionMs: 0 });
    sandbox.seedExistingJobs(CHILD.developerApplicationUrn, ['job-1']);
    const token = await tokenFor(sandbox, CHILD);
    const [taskId = ''] = await postAccepted(sandbox, token, [job('job-2', { listedAt: Date.now() - 1000 })]);

    sandbox.reset();
    expect(sandbox.calls()).toEqual([]);
    expect(sandbox.postedElements()).toEqual([]);
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-1')).toBeUndefined();
    const { body } = await getTasks(sandbox, token, [taskId]);
    expect(TaskResults.parse(body).errors[taskId]).toMatchObject({ status: 404 });
    await tokenFor(sandbox, CHILD);
  });
});

describe('admin HTTP under /_sandbox/', () => {
  async function admin(sandbox: LinkedInSandbox, path: string, body?: unknown): Promise<Answer> {
    return fetch(`${sandbox.url}/_sandbox/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then(answer);
  }

  test('registers applications, seeds jobs, sets faults and reads the record without being recorded', async () => {
    const clock = new ManualClock(START);
    const sandbox = await startLinkedInSandbox({ now: clock.now, taskCompletionMs: 10 });
    open.push(sandbox);

    expect((await admin(sandbox, 'applications', CHILD)).status).toBe(200);
    const seeded = await admin(sandbox, 'jobs', {
      developerApplicationUrn: CHILD.developerApplicationUrn,
      externalJobPostingIds: ['job-1'],
    });
    expect(seeded.status).toBe(200);
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-1')).toMatchObject({ state: 'OPEN' });

    const token = await tokenFor(sandbox, CHILD);
    expect((await admin(sandbox, 'faults', { endpoint: 'simpleJobPostings', status: 502 })).status).toBe(200);
    expect((await postJobs(sandbox, token, { elements: [job('job-1')] })).status).toBe(502);
    expect(
      (await admin(sandbox, 'faults', { rejectElement: { externalJobPostingId: 'job-2', message: 'no' } }))
        .status,
    ).toBe(200);
    await postJobs(sandbox, token, {
      elements: [
        job('job-1', { jobPostingOperationType: 'UPDATE' }),
        job('job-2', { jobPostingOperationType: 'UPDATE' }),
      ],
    });

    const calls = await admin(sandbox, 'calls');
    expect(calls.status).toBe(200);
    const recorded = z
      .object({ calls: z.array(z.object({ endpoint: z.string(), status: z.number() })) })
      .parse(calls.body);
    expect(recorded.calls.map((c) => [c.endpoint, c.status])).toEqual([
      ['token', 200],
      ['simpleJobPostings', 502],
      ['simpleJobPostings', 200],
    ]);
    const elements = await admin(
      sandbox,
      `elements?application=${encodeURIComponent(CHILD.developerApplicationUrn)}`,
    );
    expect(elements.body).toMatchObject({
      elements: [
        { externalJobPostingId: 'job-1', operation: 'UPDATE', status: 202 },
        { externalJobPostingId: 'job-2', operation: 'UPDATE', status: 422 },
      ],
    });
    clock.advance(10);
    const jobs = await admin(
      sandbox,
      `jobs?application=${encodeURIComponent(CHILD.developerApplicationUrn)}`,
    );
    expect(jobs.body).toEqual({
      jobs: [{ externalJobPostingId: 'job-1', state: 'OPEN', jobPostingUrn: anyString }],
    });

    expect((await admin(sandbox, 'faults', { clear: true })).status).toBe(200);
    expect((await admin(sandbox, 'reset', {})).status).toBe(200);
    expect(sandbox.calls()).toEqual([]);
    expect(sandbox.heldJob(CHILD.developerApplicationUrn, 'job-1')).toBeUndefined();
    await tokenFor(sandbox, CHILD);
  });

  test('drives the other fault knobs over HTTP', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    const token = await tokenFor(sandbox, CHILD);
    await admin(sandbox, 'faults', {
      taskOutcome: { externalJobPostingId: 'job-1', outcome: 'FAILED', message: 'boom' },
    });
    const [taskId = ''] = await postAccepted(sandbox, token, [job('job-1')]);
    clock.advance(10);
    expect(await taskState(sandbox, token, taskId)).toMatchObject({ status: 'FAILED', errorMessage: 'boom' });

    await admin(sandbox, 'faults', { setLatency: { endpoint: 'token', ms: 500 } });
    const started = performance.now();
    await tokenFor(sandbox, CHILD);
    expect(performance.now() - started).toBeGreaterThanOrEqual(atLeast(500));

    await admin(sandbox, 'faults', { statusesAsStrings: true });
    await admin(sandbox, 'faults', { reportRunningTasksAs: 'QUEUED' });
    const posted = await postJobs(sandbox, token, { elements: [job('job-4')] });
    expect(posted.body).toMatchObject({ elements: [{ status: '202' }] });
    const [{ id: queued = '' } = {}] = z
      .object({ elements: z.array(z.object({ id: z.string() })) })
      .parse(posted.body).elements;
    expect(await taskState(sandbox, token, queued)).toMatchObject({ status: 'QUEUED' });
    await admin(sandbox, 'faults', { reportRunningTasksAs: null });
    expect(await taskState(sandbox, token, queued)).toMatchObject({ status: 'IN_PROGRESS' });

    await admin(sandbox, 'faults', { expireAllTokens: true });
    expect((await postJobs(sandbox, token, { elements: [job('job-2')] })).body).toMatchObject({
      serviceErrorCode: 65602,
    });
  });

  test('answers 400 to an admin body it does not understand and 404 to an unknown admin route', async () => {
    const sandbox = await start();
    const bad = await admin(sandbox, 'faults', { endpoint: 'nowhere', status: 500 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ message: anyString });
    expect((await admin(sandbox, 'applications', { clientId: 'x' })).status).toBe(400);
    expect((await admin(sandbox, 'nothing-here')).status).toBe(404);
    expect(sandbox.calls()).toEqual([]);
  });
});

describe('jobPostingStatus shows what LinkedIn applied, in the form showInfoAs sets', () => {
  const StatusInfo = z.object({
    results: z.record(
      z.string(),
      z.object({
        rawLocation: z.string().optional(),
        jobPostingInfo: z.object({ listedAt: z.number().optional(), location: z.string().optional() }),
      }),
    ),
  });

  test('as sent, until a form is set over POST /_sandbox/drift for some jobs or all; undefined puts it back', async () => {
    const clock = new ManualClock(START);
    const sandbox = await start({ now: clock.now, taskCompletionMs: 10 });
    const token = await tokenFor(sandbox, CHILD);
    await postAccepted(sandbox, token, [
      job('job-1', { location: 'Austin, TX' }),
      job('job-2', { location: 'Lyon, FR' }),
      job('job-3', { location: 'Nowhere' }),
    ]);
    clock.advance(10);
    const shown = async () => {
      const response = await fetch(`${sandbox.apiUrl}/v2/jobPostingStatus?ids=job-1&ids=job-2&ids=job-3`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const { results: byId } = StatusInfo.parse(await response.json());
      return ['job-1', 'job-2', 'job-3'].map((id) => [
        byId[id]?.jobPostingInfo.location,
        byId[id]?.rawLocation,
        (byId[id]?.jobPostingInfo.listedAt ?? 0) - (START - 86_400_000),
      ]);
    };
    await until(async () => (await shown())[0]?.[0] === 'Austin, TX', 'LinkedIn applied the CREATEs');

    const drift = (body: unknown) =>
      fetch(`${sandbox.url}/_sandbox/drift`, { method: 'POST', body: JSON.stringify(body) });
    expect(
      (
        await drift({
          showInfoAs: {
            developerApplicationUrn: CHILD.developerApplicationUrn,
            externalJobPostingIds: ['job-1'],
            location: 'EXPANDED',
          },
        })
      ).status,
    ).toBe(200);
    sandbox.drift.showInfoAs(CHILD.developerApplicationUrn, { listedAtShiftMs: 3_600_000 });
    expect(await shown()).toEqual([
      ['Austin, Texas, United States', 'Austin, Texas, United States', 3_600_000],
      ['Lyon, FR', 'Lyon, FR', 3_600_000],
      ['Nowhere', 'Nowhere', 3_600_000],
    ]);
    sandbox.drift.showInfoAs(CHILD.developerApplicationUrn, { location: 'EXPANDED' });
    expect((await shown()).map(([location]) => location)).toEqual([
      'Austin, Texas, United States (area)',
      'Lyon, France',
      'Nowhere (area)',
    ]);
    expect(
      (await drift({ showInfoAs: { developerApplicationUrn: CHILD.developerApplicationUrn } })).status,
    ).toBe(200);
    expect(await shown()).toEqual([
      ['Austin, TX', 'Austin, TX', 0],
      ['Lyon, FR', 'Lyon, FR', 0],
      ['Nowhere', 'Nowhere', 0],
    ]);
  });
});
