/**
 * The LinkedIn client and the task poller against the sandbox over real HTTP, without Temporal: what each
 * call sends and how each answer is read. The resync-level counterparts are in linkedin-answers.test.ts.
 */
import { buildDemoJobs, DEMO_APPLICATION } from '../../src/ats/demo-data';
import { LinkedInClient, MAX_TASK_QUERY_BYTES, taskQuery, taskQueryChunks } from '../../src/linkedin/client';
import { jobElement, type JobPostingElement } from '../../src/linkedin/elements';
import { LinkedInApiError } from '../../src/linkedin/linkedin-api-error';
import { LinkedInContractError } from '../../src/linkedin/linkedin-contract-error';
import { LinkedInUnreachableError } from '../../src/linkedin/linkedin-unreachable-error';
import { TaskPoller } from '../../src/linkedin/task-poller';
import { TokenCache } from '../../src/linkedin/token-cache';
import { registerDemoApplications } from '../../tools/sandbox/demo-sandbox';
import { startLinkedInSandbox, type LinkedInSandbox } from '../../tools/sandbox/linkedin-sandbox';

let sandbox: LinkedInSandbox;

beforeAll(async () => {
  sandbox = await startLinkedInSandbox({ taskCompletionMs: 0 });
  registerDemoApplications(sandbox);
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.reset();
  sandbox.seedExistingJobs(
    DEMO_APPLICATION.urn,
    buildDemoJobs().map((job) => job.externalJobPostingId),
  );
});

function client(requestTimeoutMs = 10_000): LinkedInClient {
  return new LinkedInClient({ apiUrl: sandbox.apiUrl, tokenUrl: sandbox.tokenUrl, requestTimeoutMs });
}

function elements(ids: readonly string[]): JobPostingElement[] {
  const now = Date.now();
  return buildDemoJobs({ now })
    .filter((job) => job.developerApplicationUrn === DEMO_APPLICATION.urn)
    .filter((job) => ids.includes(job.externalJobPostingId))
    .map((job) => {
      const mapped = jobElement(job, DEMO_APPLICATION, 'UPDATE', now);
      if (!('element' in mapped)) throw new Error(mapped.problem);
      return mapped.element;
    });
}

const callsTo = (endpoint: string) => sandbox.calls().filter((call) => call.endpoint === endpoint);

async function token(linkedin = client()): Promise<string> {
  return (await linkedin.fetchToken(DEMO_APPLICATION.clientId, DEMO_APPLICATION.clientSecret)).accessToken;
}

describe('LinkedInClient', () => {
  test("reads a token, posts a batch_create and reads its tasks in LinkedIn's shapes", async () => {
    const linkedin = client();
    const sentAt = Date.now();
    const issued = await linkedin.fetchToken(DEMO_APPLICATION.clientId, DEMO_APPLICATION.clientSecret);
    // The sandbox writes expires_in as LinkedIn's sample does, "1800", a string.
    expect(issued.expiresAt).toBeGreaterThanOrEqual(sentAt + 1_800_000);
    expect(issued.expiresAt).toBeLessThanOrEqual(Date.now() + 1_800_000);

    const results = await linkedin.postJobs(issued.accessToken, elements(['job-1234', 'job-2345']));
    expect(results).toEqual([
      { ok: true, taskUrn: expect.stringMatching(/^urn:li:simpleJobPostingTask:/) as unknown },
      { ok: true, taskUrn: expect.stringMatching(/^urn:li:simpleJobPostingTask:/) as unknown },
    ]);
    expect(callsTo('simpleJobPostings')).toEqual([
      expect.objectContaining({ restliMethod: 'batch_create', status: 200 }),
    ]);

    const urns = results.map((result) => (result.ok ? result.taskUrn : ''));
    const tasks = await linkedin.getTasks(issued.accessToken, urns);
    expect([...tasks.values()].map((task) => [task.externalJobPostingId, task.status])).toEqual([
      ['job-1234', 'SUCCEEDED'],
      ['job-2345', 'SUCCEEDED'],
    ]);
  });

  test("an element LinkedIn refuses comes back as that element's status and message; the rest is accepted", async () => {
    sandbox.faults.rejectElement('job-2345', { status: 422, message: 'ERROR :: /title :: too long' });
    const results = await client().postJobs(await token(), elements(['job-1234', 'job-2345']));
    expect(results.map((result) => (result.ok ? 'accepted' : `${result.status} ${result.message}`))).toEqual([
      'accepted',
      '422 ERROR :: /title :: too long',
    ]);
  });

  test('never retries by itself: a 500 is one call and one failure', async () => {
    const accessToken = await token();
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status: 500 });
    await expect(client().postJobs(accessToken, elements(['job-1234']))).rejects.toMatchObject({
      status: 500,
    });
    expect(callsTo('simpleJobPostings')).toHaveLength(1);
  });

  test("a 429 is thrown with LinkedIn's Retry-After, in seconds from the API or as an HTTP date from the token endpoint", async () => {
    const accessToken = await token();
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status: 429, retryAfterSeconds: 7 });
    await expect(client().postJobs(accessToken, elements(['job-1234']))).rejects.toMatchObject({
      status: 429,
      retryAfterMs: 7_000,
    });

    // An HTTP date has whole seconds: the wait is what is left of the two minutes, less under a second.
    const until = new Date(Date.now() + 120_000);
    sandbox.faults.enqueue({
      endpoint: 'token',
      status: 429,
      headers: { 'Retry-After': until.toUTCString() },
    });
    const throttled = await client()
      .fetchToken(DEMO_APPLICATION.clientId, DEMO_APPLICATION.clientSecret)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(throttled).toBeInstanceOf(LinkedInApiError);
    const { status, retryAfterMs } = throttled as LinkedInApiError;
    expect(status).toBe(429);
    expect(retryAfterMs).toBeGreaterThan(110_000);
    expect(retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  test('a call that gets no answer fails within its request timeout as LinkedIn unreachable', async () => {
    const accessToken = await token();
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', hang: true });
    const startedAt = Date.now();
    await expect(client(300).postJobs(accessToken, elements(['job-1234']))).rejects.toThrow(
      LinkedInUnreachableError,
    );
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  test('an answer outside the documented shape is a contract failure, not a result', async () => {
    const accessToken = await token();
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', malformed: true });
    await expect(client().postJobs(accessToken, elements(['job-1234']))).rejects.toThrow(
      LinkedInContractError,
    );
  });
});

describe('taskQueryChunks', () => {
  test("splits task urns, in order, into as few queries as LinkedIn's 4 KB query string holds", () => {
    const urns = Array.from(
      { length: 200 },
      (_, i) => `urn:li:simpleJobPostingTask:${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
    );
    const chunks = taskQueryChunks(urns);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(urns);
    chunks.forEach((chunk, index) => {
      expect(taskQuery(chunk).length).toBeLessThanOrEqual(MAX_TASK_QUERY_BYTES);
      // As few as fit: the next urn would have taken this query over the limit.
      const next = chunks[index + 1]?.[0];
      if (next !== undefined) {
        expect(taskQuery([...chunk, next]).length).toBeGreaterThan(MAX_TASK_QUERY_BYTES);
      }
    });
  });

  test('task urns that fit in one query stay in one', () => {
    const urns = ['urn:li:simpleJobPostingTask:1', 'urn:li:simpleJobPostingTask:2'];
    expect(taskQueryChunks(urns)).toEqual([urns]);
    expect(taskQueryChunks([])).toEqual([]);
  });
});

describe('TaskPoller', () => {
  function poller(linkedin = client()) {
    return new TaskPoller({
      linkedin,
      tokens: new TokenCache({ client: linkedin }),
      intervalMs: 20,
      maxIntervalMs: 100,
    });
  }

  async function postedTasks(ids: readonly string[]): Promise<string[]> {
    const results = await client().postJobs(await token(), elements(ids));
    return results.map((result) => (result.ok ? result.taskUrn : ''));
  }

  test('follows the tasks of several batches in shared polls until every one ended', async () => {
    const first = await postedTasks(['job-1234', 'job-2345']);
    const second = await postedTasks(['job-3456']);
    const follower = poller();
    const options = { until: Date.now() + 10_000, signal: new AbortController().signal };
    const [a, b] = await Promise.all([
      follower.follow(DEMO_APPLICATION, first, options),
      follower.follow(DEMO_APPLICATION, second, options),
    ]);
    expect([...a.values(), ...b.values()].map((task) => task.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    // Both followers' tasks went out in the same query.
    expect(callsTo('simpleJobPostingTasks')[0]?.query.split('&')).toHaveLength(3);
  });

  test("follows more tasks than one query holds in several, each within LinkedIn's 4 KB, until every one ended", async () => {
    const ids = buildDemoJobs()
      .filter((job) => job.developerApplicationUrn === DEMO_APPLICATION.urn && job.status === 'OPEN')
      .slice(0, 100)
      .map((job) => job.externalJobPostingId);
    const urns = await postedTasks(ids);
    expect(taskQuery(urns).length).toBeGreaterThan(MAX_TASK_QUERY_BYTES);
    const states = await poller().follow(DEMO_APPLICATION, urns, {
      until: Date.now() + 10_000,
      signal: new AbortController().signal,
    });
    expect(urns.map((urn) => states.get(urn)?.status)).toEqual(urns.map(() => 'SUCCEEDED'));
    const polls = callsTo('simpleJobPostingTasks');
    expect(polls.length).toBeGreaterThan(1);
    for (const poll of polls) {
      expect(poll.status).toBe(200);
      expect(poll.query.length).toBeLessThanOrEqual(MAX_TASK_QUERY_BYTES);
    }
  });

  test('a 401 on a poll renews the token once and goes on', async () => {
    const urns = await postedTasks(['job-1234']);
    const linkedin = client();
    const follower = poller(linkedin);
    // LinkedIn answers the first poll 401, "the token used in the request has expired".
    const tokensBefore = callsTo('token').length;
    sandbox.faults.enqueue({ endpoint: 'simpleJobPostingTasks', status: 401, serviceErrorCode: 65602 });
    const states = await follower.follow(DEMO_APPLICATION, urns, {
      until: Date.now() + 10_000,
      signal: new AbortController().signal,
    });
    expect([...states.values()].map((task) => task.status)).toEqual(['SUCCEEDED']);
    expect(callsTo('token').length - tokensBefore).toBe(2);
    expect(callsTo('simpleJobPostingTasks').map((call) => call.status)).toEqual([401, 200]);
  });

  test('tasks still running when the follow-up window ends come back IN_PROGRESS', async () => {
    sandbox.faults.taskOutcome('job-2345', 'STUCK');
    const urns = await postedTasks(['job-1234', 'job-2345']);
    const states = await poller().follow(DEMO_APPLICATION, urns, {
      until: Date.now() + 300,
      signal: new AbortController().signal,
    });
    expect(urns.map((urn) => states.get(urn)?.status)).toEqual(['SUCCEEDED', 'IN_PROGRESS']);
  });
});
