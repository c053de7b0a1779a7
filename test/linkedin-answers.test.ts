/**
 * How the service maps each kind of answer LinkedIn gives, on the full stack: a signed notification to the
 * webhook, the resync workflow on the Temporal dev server, and the LinkedIn sandbox over HTTP. Every test
 * checks what LinkedIn saw and what the resync reported per job.
 */
import { schedulesCreate } from './support/creates';
import type { WorkflowHandle } from '@temporalio/client';
import { atLeast } from './support/timing';
import { DEFAULT_THROTTLE_DELAY_MS } from '../src/activities/activity-failures';
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../src/ats/demo-data';
import type { JobResult, ResyncResult } from '../src/contract';
import type { RecordedCall } from '../tools/sandbox/linkedin-sandbox';
import type { resyncJobs } from '../src/workflows';
import { CUSTOMER_LIKE_LINKEDIN, useEnvironment, type TestEnvironment } from './support/environment';
import { eventually } from './support/eventually';
import { fates, notification } from './support/notifications';

const DEMO = DEMO_APPLICATION.urn;
const TASK_URN = /^urn:li:simpleJobPostingTask:/;

function handleOf(env: TestEnvironment, body: string): WorkflowHandle<typeof resyncJobs> {
  const workflowId = env.workflowIdOf(body);
  return env.client.workflow.getHandle<typeof resyncJobs>(workflowId);
}

/** Delivers the notification as LinkedIn does and waits for the resync's result. */
async function resync(env: TestEnvironment, ids: readonly string[], urn = DEMO): Promise<ResyncResult> {
  const body = notification(ids, urn);
  const response = await env.notify(body);
  expect(response.status).toBe(200);
  return handleOf(env, body).result();
}

function jobOf(result: ResyncResult, id: string): JobResult {
  const job = result.jobs.find((candidate) => candidate.externalJobPostingId === id);
  if (!job) throw new Error(`the result lists no ${id}: ${JSON.stringify(result.jobs)}`);
  return job;
}

function callsTo(env: TestEnvironment, endpoint: RecordedCall['endpoint']): RecordedCall[] {
  return env.sandbox.calls().filter((call) => call.endpoint === endpoint);
}

function postedIds(call: RecordedCall | undefined): unknown[] {
  return (call?.elements ?? []).map((element) =>
    typeof element === 'object' && element !== null
      ? (element as Record<string, unknown>).externalJobPostingId
      : undefined,
  );
}

/**
 * The types of the failures the resync of `ids` recorded, in order: an activity's failure, or a batch a
 * run of batches (postBatches) reports refused for good, the run going on.
 */
async function activityFailureTypes(env: TestEnvironment, ids: readonly string[]): Promise<unknown[]> {
  const history = await handleOf(env, notification(ids)).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const failure = event.activityTaskFailedEventAttributes?.failure;
    if (failure) return [failure.applicationFailureInfo?.type];
    const data = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
    const text = data ? Buffer.from(data).toString('utf8') : '';
    if (!text.startsWith('{')) return [];
    const result = JSON.parse(text) as { batches?: unknown };
    if (!Array.isArray(result.batches)) return [];
    return result.batches.flatMap((batch: { failed?: string; failureType?: string }) =>
      batch.failed === undefined ? [] : [batch.failureType],
    );
  });
}

/** For each activity of the resync of `ids` that succeeded on a retry: its attempt and the failure before. */
async function retriedFailureTypes(env: TestEnvironment, ids: readonly string[]): Promise<unknown[]> {
  const history = await handleOf(env, notification(ids)).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const started = event.activityTaskStartedEventAttributes;
    return started?.lastFailure ? [[started.attempt, started.lastFailure.applicationFailureInfo?.type]] : [];
  });
}

/** Milliseconds from the end of one call's answer to the start of the next call. */
function gapsBetween(calls: readonly RecordedCall[]): number[] {
  return calls.slice(1).map((call, index) => call.startedAt - (calls[index]?.endedAt ?? Infinity));
}

describe('answers of simpleJobPostings', () => {
  const env = useEnvironment();

  test('a 429 with Retry-After is retried after Retry-After and never sooner, and the jobs are updated', async () => {
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', retryAfterSeconds: 2 });

    const result = await resync(env(), ['job-1003', 'job-1017']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([429, 200]);
    const [gap] = gapsBetween(postings);
    expect(gap).toBeGreaterThanOrEqual(atLeast(2_000));
    // Retry-After was honoured, not the fallback for a 429 without one.
    expect(gap).toBeLessThan(DEFAULT_THROTTLE_DELAY_MS);
    expect(postedIds(postings[1])).toEqual(['job-1003', 'job-1017']);
    expect(fates(result.jobs)).toEqual({ 'job-1003': 'UPDATED/CONFIRMED', 'job-1017': 'UPDATED/CONFIRMED' });
    expect(result.outcome).toBe('SUCCEEDED');
  });

  test('500, 503 and 504 are retried with growing backoff until the call succeeds, and the jobs are updated', async () => {
    for (const status of [500, 503, 504])
      env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status });

    const result = await resync(env(), ['job-1005', 'job-1026', 'job-1047']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([500, 503, 504, 200]);
    const [first = 0, second = 0, third = 0] = gapsBetween(postings);
    // The retry policy starts at 1 s and doubles: each gap is at least its nominal interval.
    expect(first).toBeGreaterThanOrEqual(atLeast(1_000));
    expect(second).toBeGreaterThanOrEqual(atLeast(2_000));
    expect(third).toBeGreaterThanOrEqual(atLeast(4_000));
    for (const call of postings) expect(postedIds(call)).toEqual(['job-1005', 'job-1026', 'job-1047']);
    expect(
      env()
        .sandbox.postedElements(DEMO)
        .map((e) => [e.externalJobPostingId, e.operation, e.status]),
    ).toEqual([
      ['job-1005', 'UPDATE', 202],
      ['job-1026', 'UPDATE', 202],
      ['job-1047', 'UPDATE', 202],
    ]);
    expect(fates(result.jobs)).toEqual({
      'job-1005': 'UPDATED/CONFIRMED',
      'job-1026': 'UPDATED/CONFIRMED',
      'job-1047': 'UPDATED/CONFIRMED',
    });
    expect(result.totals).toMatchObject({ requested: 3, sent: 3, updated: 3, confirmed: 3, rejected: 0 });
  });

  test.each([
    {
      code: 65602,
      meaning: 'expired',
      warmUp: ['job-1061', 'job-1106'],
      ids: ['job-1063', 'job-1107'],
      refuse: (e: TestEnvironment) => e.sandbox.faults.expireAllTokens(),
    },
    {
      code: 65600,
      meaning: 'invalid',
      warmUp: ['job-1062', 'job-1108'],
      ids: ['job-1064', 'job-1109'],
      refuse: (e: TestEnvironment) =>
        e.sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status: 401, serviceErrorCode: 65600 }),
    },
  ])(
    'a 401 with serviceErrorCode $code (token $meaning) fetches exactly one fresh token, and the call is retried and succeeds',
    async ({ code, warmUp, ids, refuse }) => {
      // A first resync leaves a token in the worker's cache.
      await resync(env(), warmUp);
      env().sandbox.reset();
      env().seedSandboxWithDemoJobs();
      refuse(env());

      const result = await resync(env(), ids);

      const calls = env()
        .sandbox.calls()
        .filter((call) => call.endpoint !== 'simpleJobPostingTasks');
      expect(calls.map((call) => [call.endpoint, call.status])).toEqual([
        ['simpleJobPostings', 401],
        ['token', 200],
        ['simpleJobPostings', 200],
      ]);
      expect(calls[0]?.responseBody).toMatchObject({ serviceErrorCode: code, status: 401 });
      expect(postedIds(calls[2])).toEqual(ids);
      // Task status is asked with the fresh token: no 401 there.
      const polls = callsTo(env(), 'simpleJobPostingTasks');
      expect(polls.length).toBeGreaterThan(0);
      for (const poll of polls) expect(poll.status).toBe(200);
      expect(fates(result.jobs)).toEqual(Object.fromEntries(ids.map((id) => [id, 'UPDATED/CONFIRMED'])));
    },
  );

  test.each([
    {
      status: 403,
      message: 'Not enough permissions to access: simpleJobPostings.BATCH_CREATE',
      ids: ['job-1008', 'job-1029'],
    },
    { status: 404, message: 'No resource found for simpleJobPostings', ids: ['job-1009', 'job-1031'] },
  ])(
    "a whole-call $status is not retried and every job of the batch is rejected with LinkedIn's message",
    async ({ status, message, ids }) => {
      env().sandbox.faults.enqueue({
        endpoint: 'simpleJobPostings',
        status,
        body: { message, serviceErrorCode: 100, status },
      });

      const result = await resync(env(), ids);

      const postings = callsTo(env(), 'simpleJobPostings');
      expect(postings.map((call) => call.status)).toEqual([status]);
      expect(postedIds(postings[0])).toEqual(ids);
      expect(callsTo(env(), 'simpleJobPostingTasks')).toEqual([]);
      for (const id of ids) {
        const job = jobOf(result, id);
        expect(job.fate).toBe('REJECTED');
        expect(job.reason).toContain(message);
        expect(job.reason).toContain(String(status));
      }
      expect(result.totals).toMatchObject({ requested: 2, sent: 0, rejected: 2 });
      expect(result.outcome).toBe('PARTIAL');
    },
  );

  test("an element refused inside the 200 rejects that job with LinkedIn's message while the others are updated, in one call", async () => {
    const message = 'ERROR :: /title :: title contains words LinkedIn does not allow\n';
    env().sandbox.faults.rejectElement('job-1071', { message });

    const result = await resync(env(), ['job-1070', 'job-1071', 'job-1072']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([200]);
    expect(
      env()
        .sandbox.postedElements(DEMO)
        .map((e) => [e.externalJobPostingId, e.status]),
    ).toEqual([
      ['job-1070', 202],
      ['job-1071', 422],
      ['job-1072', 202],
    ]);
    expect(fates(result.jobs)).toEqual({
      'job-1070': 'UPDATED/CONFIRMED',
      'job-1071': 'REJECTED',
      'job-1072': 'UPDATED/CONFIRMED',
    });
    expect(jobOf(result, 'job-1071').reason).toContain(message.trim());
    expect(jobOf(result, 'job-1071').reason).toContain('422');
    expect(result.totals).toMatchObject({ sent: 2, updated: 2, rejected: 1, confirmed: 2 });
    expect(result.outcome).toBe('PARTIAL');
  });

  test('element statuses written as numeric strings, as the OpenAPI file types them, are read like numbers', async () => {
    env().sandbox.faults.statusesAsStrings(true);
    env().sandbox.faults.rejectElement('job-1094', { message: 'ERROR :: /title :: not allowed\n' });

    const result = await resync(env(), ['job-1093', 'job-1094']);

    const [posting] = callsTo(env(), 'simpleJobPostings');
    expect(posting?.responseBody).toMatchObject({ elements: [{ status: '202' }, { status: '422' }] });
    expect(fates(result.jobs)).toEqual({ 'job-1093': 'UPDATED/CONFIRMED', 'job-1094': 'REJECTED' });
    expect(jobOf(result, 'job-1094').reason).toContain('(422): ERROR :: /title :: not allowed');
  });

  test("a whole-call 400 naming one job rejects that job with LinkedIn's message and sends the others again", async () => {
    const message =
      'Invalid company apply url for job with externalPartnerId job-1096, taskUrn urn:li:simpleJobPostingTask:4f1c';
    env().sandbox.faults.enqueue({
      endpoint: 'simpleJobPostings',
      status: 400,
      body: { message, serviceErrorCode: 0, status: 400 },
    });

    const result = await resync(env(), ['job-1095', 'job-1096', 'job-1097']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => [call.status, postedIds(call)])).toEqual([
      [400, ['job-1095', 'job-1096', 'job-1097']],
      [200, ['job-1095', 'job-1097']],
    ]);
    expect(fates(result.jobs)).toEqual({
      'job-1095': 'UPDATED/CONFIRMED',
      'job-1096': 'REJECTED',
      'job-1097': 'UPDATED/CONFIRMED',
    });
    expect(jobOf(result, 'job-1096').reason).toBe(`LinkedIn rejected the job (400): ${message}`);
    expect(result.totals).toMatchObject({ sent: 2, rejected: 1 });
  });

  test('a job whose id is longer than the 75 characters LinkedIn allows is sent, and its element answer decides', async () => {
    const long = `job-${'9'.repeat(96)}`;
    const [like] = await env().jobStore.loadJobs(DEMO, ['job-1098']);
    if (!like) throw new Error('job-1098 is not in the demo data');
    await env().jobStore.addJobs([{ ...like, externalJobPostingId: long }]);

    const result = await resync(env(), ['job-1098', long]);

    expect(
      env()
        .sandbox.postedElements(DEMO)
        .map((e) => [e.externalJobPostingId, e.status]),
    ).toEqual([
      ['job-1098', 202],
      [long, 422],
    ]);
    expect(fates(result.jobs)).toEqual({ 'job-1098': 'UPDATED/CONFIRMED', [long]: 'REJECTED' });
    expect(jobOf(result, long).reason).toContain(
      'ERROR :: /externalJobPostingId :: length 100 exceeds the maximum of 75',
    );
  });

  test('an answer that breaks the contract fails as LinkedInContractViolation without retry, and its jobs are rejected naming the break', async () => {
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', malformed: true });
    const ids = ['job-1074', 'job-1113'];

    const result = await resync(env(), ids);

    expect(callsTo(env(), 'simpleJobPostings').map((call) => call.status)).toEqual([200]);
    for (const id of ids) {
      expect(jobOf(result, id).fate).toBe('REJECTED');
      expect(jobOf(result, id).reason).toMatch(/simpleJobPostings answered outside its documented shape/);
    }
    expect(result.outcome).toBe('PARTIAL');
    // Not retried: the one call above, and the batch refused for good with the contract's failure type.
    expect(await activityFailureTypes(env(), ids)).toEqual(['LinkedInContractViolation']);
  });

  test('an id the ATS does not know is reported NOT_IN_ATS, nothing is sent for it, and the outcome is PARTIAL', async () => {
    const result = await resync(env(), ['job-1044', 'job-9999']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings).toHaveLength(1);
    expect(postedIds(postings[0])).toEqual(['job-1044']);
    expect(fates(result.jobs)).toEqual({ 'job-1044': 'UPDATED/CONFIRMED', 'job-9999': 'NOT_IN_ATS' });
    expect(jobOf(result, 'job-9999').reason).toBe('the ATS holds no job with this id');
    expect(result.totals).toMatchObject({ requested: 2, sent: 1, notInAts: 1 });
    expect(result.outcome).toBe('PARTIAL');
  });
});

describe('answers that are late, odd or miscounted', () => {
  const env = useEnvironment();

  test('a 429 without Retry-After is retried after the default throttle delay, not the 1 s backoff', async () => {
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status: 429 });

    const result = await resync(env(), ['job-1132', 'job-1133']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([429, 200]);
    expect(postings[0]?.responseBody).toMatchObject({ status: 429 });
    expect(gapsBetween(postings)[0]).toBeGreaterThanOrEqual(atLeast(DEFAULT_THROTTLE_DELAY_MS));
    expect(fates(result.jobs)).toEqual({ 'job-1132': 'UPDATED/CONFIRMED', 'job-1133': 'UPDATED/CONFIRMED' });
  });

  test('a 429 whose Retry-After is an HTTP date is retried at that date, not after the default delay', async () => {
    // HTTP dates have whole seconds: 4 s ahead is 3 to 4 s after this answer.
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 4_000);
    env().sandbox.faults.enqueue({
      endpoint: 'simpleJobPostings',
      status: 429,
      headers: { 'Retry-After': at.toUTCString() },
    });

    const result = await resync(env(), ['job-1134', 'job-1135']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([429, 200]);
    expect(postings[1]?.startedAt).toBeGreaterThanOrEqual(atLeast(at.getTime()));
    // The date was read: the fallback for a 429 without a usable Retry-After would wait 30 s.
    expect(gapsBetween(postings)[0]).toBeLessThan(DEFAULT_THROTTLE_DELAY_MS - 10_000);
    expect(fates(result.jobs)).toEqual({ 'job-1134': 'UPDATED/CONFIRMED', 'job-1135': 'UPDATED/CONFIRMED' });
  });

  test("a 502 whose body is a proxy's HTML page, not JSON, is retried like any 5xx, and the jobs are updated", async () => {
    env().sandbox.faults.enqueue({
      endpoint: 'simpleJobPostings',
      status: 502,
      rawBody: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    });

    const result = await resync(env(), ['job-1136', 'job-1137']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([502, 200]);
    expect(postings[0]?.responseBody).toContain('502 Bad Gateway');
    expect(gapsBetween(postings)[0]).toBeGreaterThanOrEqual(atLeast(1_000));
    expect(fates(result.jobs)).toEqual({ 'job-1136': 'UPDATED/CONFIRMED', 'job-1137': 'UPDATED/CONFIRMED' });
    // Read by its status alone: LinkedIn unavailable, not an error of reading the page.
    expect(await retriedFailureTypes(env(), ['job-1136', 'job-1137'])).toEqual([[2, 'LinkedInUnavailable']]);
  });

  test('a 200 whose body is not JSON is a contract violation: not retried, its jobs rejected saying so', async () => {
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', rawBody: 'OK' });
    const ids = ['job-1138', 'job-1140'];

    const result = await resync(env(), ids);

    expect(callsTo(env(), 'simpleJobPostings').map((call) => call.status)).toEqual([200]);
    expect(callsTo(env(), 'simpleJobPostingTasks')).toEqual([]);
    for (const id of ids) {
      expect(jobOf(result, id).fate).toBe('REJECTED');
      expect(jobOf(result, id).reason).toContain(
        '/v2/simpleJobPostings answered 200 with a body that is not JSON',
      );
    }
    expect(result.outcome).toBe('PARTIAL');
    expect(await activityFailureTypes(env(), ids)).toEqual(['LinkedInContractViolation']);
  });

  test.each([
    { miscount: 'fewer', ids: ['job-1141', 'job-1142'], answered: 1 },
    { miscount: 'more', ids: ['job-1143', 'job-1144'], answered: 3 },
  ])(
    'a 200 with $miscount results than elements sent is a contract violation: no job of the call counts as sent',
    async ({ ids, answered }) => {
      const elements = Array.from({ length: answered }, (_, k) => ({
        status: 201,
        id: `urn:li:simpleJobPostingTask:miscounted-${k}`,
      }));
      env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', body: { elements } });

      const result = await resync(env(), ids);

      expect(callsTo(env(), 'simpleJobPostings').map((call) => call.status)).toEqual([200]);
      expect(callsTo(env(), 'simpleJobPostingTasks')).toEqual([]);
      for (const id of ids) {
        expect(jobOf(result, id).fate).toBe('REJECTED');
        expect(jobOf(result, id).reason).toContain(
          `simpleJobPostings answered ${answered} results for ${ids.length} elements`,
        );
      }
      expect(result.totals).toMatchObject({ requested: 2, sent: 0, rejected: 2 });
      expect(await activityFailureTypes(env(), ids)).toEqual(['LinkedInContractViolation']);
    },
  );
});

describe("ATS jobs LinkedIn's rules would refuse", () => {
  const env = useEnvironment();

  test('a job breaking LinkedIn’s rules is REJECTED without a call, and one listed in the future is sent as listed now', async () => {
    const [like] = await env().jobStore.loadJobs(DEMO, ['job-1145']);
    if (!like) throw new Error('job-1145 is not in the demo data');
    const broken = { ...like, externalJobPostingId: 'ats-broken-1', description: 'Too short.' };
    const future = { ...like, externalJobPostingId: 'ats-future-1', listedAt: Date.now() + 3_600_000 };
    await env().jobStore.addJobs([broken, future]);
    env().sandbox.seedExistingJobs(DEMO, ['ats-broken-1', 'ats-future-1']);
    const notifiedAt = Date.now();

    const result = await resync(env(), ['ats-broken-1', 'ats-future-1', 'job-1145']);

    const posted = env().sandbox.postedElements(DEMO);
    expect(posted.map((e) => [e.externalJobPostingId, e.status])).toEqual([
      ['ats-future-1', 202],
      ['job-1145', 202],
    ]);
    const listedAt = (posted[0]?.element as { listedAt?: number }).listedAt ?? 0;
    expect(listedAt).toBeGreaterThanOrEqual(notifiedAt);
    expect(listedAt).toBeLessThanOrEqual(Date.now());
    expect(fates(result.jobs)).toEqual({
      'ats-broken-1': 'REJECTED',
      'ats-future-1': 'UPDATED/CONFIRMED',
      'job-1145': 'UPDATED/CONFIRMED',
    });
    expect(jobOf(result, 'ats-broken-1').reason).toBe(
      "the ATS's job cannot be sent: description is shorter than 100 characters",
    );
    expect(result.totals).toMatchObject({ requested: 3, sent: 2, rejected: 1 });
  });
});

describe("LinkedIn's tasks", () => {
  const env = useEnvironment();

  test("a task that ends FAILED turns its job REJECTED with the task's errorMessage, without sending it again", async () => {
    const message = 'Job posting job-1081 was removed by LinkedIn moderation';
    env().sandbox.faults.taskOutcome('job-1081', 'FAILED', message);

    const result = await resync(env(), ['job-1080', 'job-1081']);

    expect(callsTo(env(), 'simpleJobPostings')).toHaveLength(1);
    expect(
      env()
        .sandbox.postedElements(DEMO)
        .map((e) => [e.externalJobPostingId, e.operation, e.status]),
    ).toEqual([
      ['job-1080', 'UPDATE', 202],
      ['job-1081', 'UPDATE', 202],
    ]);
    expect(fates(result.jobs)).toEqual({ 'job-1080': 'UPDATED/CONFIRMED', 'job-1081': 'REJECTED' });
    expect(jobOf(result, 'job-1081').reason).toContain(message);
    expect(result.totals).toMatchObject({ sent: 1, updated: 1, rejected: 1, confirmed: 1 });
    expect(result.outcome).toBe('PARTIAL');
  });

  test('a task that ends PROCESSED confirms its job', async () => {
    env().sandbox.faults.taskOutcome('job-1083', 'PROCESSED');

    const result = await resync(env(), ['job-1083', 'job-1124']);

    expect(callsTo(env(), 'simpleJobPostings')).toHaveLength(1);
    expect(fates(result.jobs)).toEqual({ 'job-1083': 'UPDATED/CONFIRMED', 'job-1124': 'UPDATED/CONFIRMED' });
    expect(jobOf(result, 'job-1083').taskUrn).toMatch(TASK_URN);
    expect(result.totals).toMatchObject({ sent: 2, confirmed: 2, unconfirmed: 0 });
    expect(result.outcome).toBe('SUCCEEDED');
  });

  test("a task that ends PROCESSED with an errorMessage failed LinkedIn's payload validation: its job is REJECTED with the message", async () => {
    env().sandbox.faults.taskOutcome('job-1084', 'PROCESSED', 'Invalid Field: /city; Invalid Field: /state;');

    const result = await resync(env(), ['job-1084', 'job-1125']);

    expect(fates(result.jobs)).toEqual({ 'job-1084': 'REJECTED', 'job-1125': 'UPDATED/CONFIRMED' });
    expect(jobOf(result, 'job-1084').reason).toContain(
      'processed by LinkedIn but failed payload validation: Invalid Field: /city; Invalid Field: /state;',
    );
    expect(result.totals).toMatchObject({ sent: 1, confirmed: 1, rejected: 1 });
    expect(result.outcome).toBe('PARTIAL');
  });

  test('an UPDATE of a job LinkedIn does not have is sent once more with CREATE, followed, and confirmed', async () => {
    env().sandbox.reset();
    env().sandbox.seedExistingJobs(DEMO, ['job-1091']);

    const result = await resync(env(), ['job-1091', 'job-1092']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map(postedIds)).toEqual([['job-1091', 'job-1092'], ['job-1092']]);
    const posted = env().sandbox.postedElements(DEMO);
    expect(posted.map((e) => [e.externalJobPostingId, e.operation, e.status])).toEqual([
      ['job-1091', 'UPDATE', 202],
      ['job-1092', 'UPDATE', 202],
      ['job-1092', 'CREATE', 202],
    ]);
    expect(fates(result.jobs)).toEqual({ 'job-1091': 'UPDATED/CONFIRMED', 'job-1092': 'CREATED/CONFIRMED' });
    expect(result.totals).toMatchObject({ sent: 2, updated: 1, created: 1, confirmed: 2, rejected: 0 });
    expect(result.outcome).toBe('SUCCEEDED');
    // The CREATE's task was followed too: some task poll asked for it.
    const createTask = jobOf(result, 'job-1092').taskUrn ?? '';
    expect(createTask).toMatch(TASK_URN);
    const polls = callsTo(env(), 'simpleJobPostingTasks');
    expect(polls.some((poll) => poll.query.includes(encodeURIComponent(createTask)))).toBe(true);
    expect(env().sandbox.heldJob(DEMO, 'job-1092')?.state).toBe('OPEN');
  });

  test('a CREATE element refused with the duplicate creation words records the job CREATED and confirmed', async () => {
    env().sandbox.reset();
    env().sandbox.seedExistingJobs(DEMO, ['job-1090']);
    const message =
      'Trying to create a job with same partnerIdentifier already exists. It is duplicate creation request ' +
      'for a basic job or a non-draft premium job. Dropping the duplicate job posting creation request.';
    env().sandbox.faults.rejectElement('job-1089', { status: 400, message, operation: 'CREATE' });

    const result = await resync(env(), ['job-1089', 'job-1090']);

    expect(
      env()
        .sandbox.postedElements(DEMO)
        .map((e) => [e.externalJobPostingId, e.operation, e.status]),
    ).toEqual([
      ['job-1089', 'UPDATE', 202],
      ['job-1090', 'UPDATE', 202],
      ['job-1089', 'CREATE', 400],
    ]);
    expect(fates(result.jobs)).toEqual({ 'job-1089': 'CREATED/CONFIRMED', 'job-1090': 'UPDATED/CONFIRMED' });
    expect(result.totals).toMatchObject({ sent: 2, created: 1, confirmed: 2, rejected: 0 });
  });

  test('a job closed in the ATS is sent with CLOSE, the whole job, in a call of its own and ends CLOSED on LinkedIn', async () => {
    // LinkedIn still shows it open: the drift the resync is for.
    env().sandbox.seedExistingJobs(DEMO, ['job-1039'], 'OPEN');
    const result = await resync(env(), ['job-1039', 'job-1040']);

    const [closeElement] = env()
      .sandbox.postedElements(DEMO)
      .filter((e) => e.operation === 'CLOSE')
      .map((e) => e.element);
    const [atsJob] = await env().jobStore.loadJobs(DEMO, ['job-1039']);
    expect(closeElement).toEqual({
      externalJobPostingId: 'job-1039',
      jobPostingOperationType: 'CLOSE',
      integrationContext: DEMO_APPLICATION.integrationContext,
      title: atsJob?.title,
      description: atsJob?.description,
      companyApplyUrl: atsJob?.companyApplyUrl,
      listedAt: atsJob?.listedAt,
      location: atsJob?.location,
      ...(atsJob?.workplaceType ? { workplaceTypes: [atsJob.workplaceType] } : {}),
      ...(atsJob?.employmentStatus ? { employmentStatus: atsJob.employmentStatus } : {}),
      ...(atsJob?.experienceLevel ? { experienceLevel: atsJob.experienceLevel } : {}),
    });

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map(postedIds)).toEqual([['job-1040'], ['job-1039']]);
    expect(
      env()
        .sandbox.postedElements(DEMO)
        .map((e) => [e.externalJobPostingId, e.operation, e.status]),
    ).toEqual([
      ['job-1040', 'UPDATE', 202],
      ['job-1039', 'CLOSE', 202],
    ]);
    expect(fates(result.jobs)).toEqual({ 'job-1039': 'CLOSED/CONFIRMED', 'job-1040': 'UPDATED/CONFIRMED' });
    expect(result.totals).toMatchObject({ sent: 2, updated: 1, closed: 1, confirmed: 2 });
    expect(env().sandbox.heldJob(DEMO, 'job-1039')?.state).toBe('CLOSED');
  });

  test('a CLOSE refused with a whole-call 409 because LinkedIn does not hold the job counts as done', async () => {
    env().sandbox.reset();

    const result = await resync(env(), ['job-1079']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => [call.status, call.responseBody])).toEqual([
      [
        409,
        {
          message: 'Cannot close job which is already closed or does not exist',
          serviceErrorCode: 0,
          status: 409,
        },
      ],
    ]);
    expect(env().sandbox.postedElements(DEMO)).toEqual([]);
    expect(fates(result.jobs)).toEqual({ 'job-1079': 'CLOSED/CONFIRMED' });
    expect(result.totals).toMatchObject({ sent: 1, closed: 1, confirmed: 1, unconfirmed: 0 });
    expect(result.outcome).toBe('SUCCEEDED');
  });

  test('a whole CLOSE call answered 409 counts its job as done, and a CLOSE of several jobs is split to find out which', async () => {
    const message = 'Job posting is already closed or does not exist';
    // LinkedIn still shows two of them open.
    env().sandbox.seedExistingJobs(DEMO, ['job-1159', 'job-1199'], 'OPEN');
    env().sandbox.faults.enqueue({
      endpoint: 'simpleJobPostings',
      status: 409,
      times: 2,
      body: { message, serviceErrorCode: 0, status: 409 },
    });

    const result = await resync(env(), ['job-1119', 'job-1159', 'job-1199']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => [call.status, postedIds(call)])).toEqual([
      [409, ['job-1119', 'job-1159', 'job-1199']],
      [409, ['job-1119']],
      [200, ['job-1159']],
      [200, ['job-1199']],
    ]);
    expect(fates(result.jobs)).toEqual({
      'job-1119': 'CLOSED/CONFIRMED',
      'job-1159': 'CLOSED/CONFIRMED',
      'job-1199': 'CLOSED/CONFIRMED',
    });
    expect(env().sandbox.heldJob(DEMO, 'job-1159')?.state).toBe('CLOSED');
    expect(result.totals).toMatchObject({ sent: 3, closed: 3, confirmed: 3, rejected: 0 });
  });
});

describe('tokens', () => {
  const env = useEnvironment();

  test('a token is reused across the batches of a resync and across resyncs until shortly before it expires, then renewed before LinkedIn refuses it', async () => {
    // Every even id of the range: all open, 140 of them, so two batches.
    const many = Array.from({ length: 140 }, (_, k) => `job-${1000 + 2 * k}`);
    const first = await resync(env(), many);
    const second = await resync(env(), ['job-1002', 'job-1013', 'job-1024']);
    const third = await resync(env(), ['job-1002', 'job-1013', 'job-1035']);

    const tokens = callsTo(env(), 'token');
    expect(tokens.length).toBeGreaterThan(0);
    for (const call of tokens) expect([call.status, call.developerApplicationUrn]).toEqual([200, DEMO]);
    // LinkedIn's tokens live 65 s here and the cache renews a minute early: a token serves 5 s of calls.
    const renewAfterMs = (CUSTOMER_LIKE_LINKEDIN.tokenTtlSeconds - 60) * 1000;
    for (let i = 1; i < tokens.length; i++) {
      expect((tokens[i]?.startedAt ?? 0) - (tokens[i - 1]?.startedAt ?? 0)).toBeGreaterThanOrEqual(
        atLeast(renewAfterMs),
      );
    }
    const postings = callsTo(env(), 'simpleJobPostings');
    const updates = postings.filter(
      (call) =>
        (call.elements?.[0] as { jobPostingOperationType?: string } | undefined)?.jobPostingOperationType ===
        'UPDATE',
    );
    expect(updates.length).toBe(Math.ceil(many.length / 100) + 2);
    for (const call of [...postings, ...callsTo(env(), 'simpleJobPostingTasks')]) {
      expect(call.status).toBe(200);
      expect(call.startedAt).toBeGreaterThanOrEqual(tokens[0]?.endedAt ?? Infinity);
    }
    for (const result of [first, second, third]) expect(result.outcome).toBe('SUCCEEDED');
  });

  test('a second 401 in a row after the one renewal fails the attempt as LinkedInTokenRejected, which Temporal retries with backoff', async () => {
    await resync(env(), ['job-1130']);
    env().sandbox.reset();
    env().seedSandboxWithDemoJobs();
    env().sandbox.faults.enqueue({
      endpoint: 'simpleJobPostings',
      status: 401,
      serviceErrorCode: 65602,
      times: 2,
    });

    const result = await resync(env(), ['job-1131', 'job-1148']);

    const calls = env()
      .sandbox.calls()
      .filter((call) => call.endpoint !== 'simpleJobPostingTasks');
    const postings = calls.filter((call) => call.endpoint === 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([401, 401, 200]);
    // Renewed once between the two refusals, not again before the second is given up.
    const between = (a: RecordedCall | undefined, b: RecordedCall | undefined) =>
      calls.filter(
        (call) => call.endpoint === 'token' && call.seq > (a?.seq ?? 0) && call.seq < (b?.seq ?? 0),
      );
    expect(between(postings[0], postings[1]).map((call) => call.status)).toEqual([200]);
    // The retry waited for Temporal's backoff, not sent at once.
    expect(gapsBetween(postings)[1]).toBeGreaterThanOrEqual(atLeast(1_000));
    expect(postedIds(postings[2])).toEqual(['job-1131', 'job-1148']);
    expect(fates(result.jobs)).toEqual({ 'job-1131': 'UPDATED/CONFIRMED', 'job-1148': 'UPDATED/CONFIRMED' });
    expect(await retriedFailureTypes(env(), ['job-1131', 'job-1148'])).toEqual([
      [2, 'LinkedInTokenRejected'],
    ]);
  });

  test('a token endpoint that refuses the child credentials rejects the jobs with the reason, without a retry storm', async () => {
    const second = SECOND_DEMO_APPLICATION;
    env().sandbox.registerApplication({
      developerApplicationUrn: second.urn,
      clientId: second.clientId,
      clientSecret: 'a-secret-rotated-on-linkedin',
      kind: 'child',
    });
    try {
      const result = await resync(env(), ['job-1001', 'job-1004'], second.urn);

      const tokens = callsTo(env(), 'token');
      expect(tokens.map((call) => [call.status, call.developerApplicationUrn])).toEqual([[401, second.urn]]);
      expect(callsTo(env(), 'simpleJobPostings')).toEqual([]);
      for (const id of ['job-1001', 'job-1004']) {
        const job = jobOf(result, id);
        expect(job.fate).toBe('REJECTED');
        expect(job.reason).toContain(second.urn);
        expect(job.reason).toContain('Client authentication failed');
      }
      expect(result.outcome).toBe('PARTIAL');
    } finally {
      env().sandbox.registerApplication({
        developerApplicationUrn: second.urn,
        clientId: second.clientId,
        clientSecret: second.clientSecret,
        kind: 'child',
      });
    }
  });

  test('a token endpoint that refuses the credentials while tasks are followed leaves the jobs sent but UNCONFIRMED, without a retry storm', async () => {
    const second = SECOND_DEMO_APPLICATION;
    const seed = () => env().sandbox.seedExistingJobs(second.urn, ['job-1010', 'job-1011', 'job-1012']);
    seed();
    // A first resync leaves a token in the worker's cache.
    await resync(env(), ['job-1010'], second.urn);
    env().sandbox.reset();
    seed();
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostingTasks', status: 401, serviceErrorCode: 65602 });
    env().sandbox.faults.enqueue({
      endpoint: 'token',
      status: 401,
      times: 3,
      body: { error: 'invalid_client', error_description: 'Client authentication failed' },
    });

    const result = await resync(env(), ['job-1011', 'job-1012'], second.urn);

    expect(
      env()
        .sandbox.calls()
        .map((call) => [call.endpoint, call.status]),
    ).toEqual([
      ['simpleJobPostings', 200],
      ['simpleJobPostingTasks', 401],
      ['token', 401],
    ]);
    expect(fates(result.jobs)).toEqual({
      'job-1011': 'UPDATED/UNCONFIRMED',
      'job-1012': 'UPDATED/UNCONFIRMED',
    });
    expect(result.totals).toMatchObject({ sent: 2, confirmed: 0, unconfirmed: 2 });
  });
});

describe('a LinkedIn that does not answer', () => {
  const env = useEnvironment({ requestTimeoutMs: 1_000 });

  test('a hung connection is given up after the request timeout and retried, and the jobs are updated', async () => {
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', hang: true });

    const result = await resync(env(), ['job-1014', 'job-1058']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([0, 200]);
    const [hung, retried] = postings;
    // Our side closed the hung call after the request timeout; the retry came after the 1 s backoff.
    expect((hung?.endedAt ?? 0) - (hung?.startedAt ?? 0)).toBeGreaterThanOrEqual(atLeast(1_000));
    expect((retried?.startedAt ?? 0) - (hung?.startedAt ?? Infinity)).toBeGreaterThanOrEqual(atLeast(2_000));
    expect(postedIds(retried)).toEqual(['job-1014', 'job-1058']);
    expect(fates(result.jobs)).toEqual({ 'job-1014': 'UPDATED/CONFIRMED', 'job-1058': 'UPDATED/CONFIRMED' });
  });

  test('a connection dropped without an answer is retried, and the jobs are updated', async () => {
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', disconnect: true });

    const result = await resync(env(), ['job-1015', 'job-1059']);

    const postings = callsTo(env(), 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([0, 200]);
    expect(gapsBetween(postings)[0]).toBeGreaterThanOrEqual(atLeast(1_000));
    expect(postedIds(postings[1])).toEqual(['job-1015', 'job-1059']);
    expect(fates(result.jobs)).toEqual({ 'job-1015': 'UPDATED/CONFIRMED', 'job-1059': 'UPDATED/CONFIRMED' });
  });
});

describe('a task that never ends', () => {
  // The follow-up window lasts at least as long as the deadline, so both are short here.
  const env = useEnvironment({ deadlineMs: 3_000, followUpWindowMs: 3_000 });

  test('a job whose task is still running when the follow-up window ends is sent but UNCONFIRMED', async () => {
    env().sandbox.faults.taskOutcome('job-1085', 'STUCK');
    const notifiedAt = Date.now();

    const result = await resync(env(), ['job-1085', 'job-1126']);

    expect(callsTo(env(), 'simpleJobPostings')).toHaveLength(1);
    expect(fates(result.jobs)).toEqual({
      'job-1085': 'UPDATED/UNCONFIRMED',
      'job-1126': 'UPDATED/CONFIRMED',
    });
    expect(result.totals).toMatchObject({ sent: 2, updated: 2, confirmed: 1, unconfirmed: 1 });
    // The stuck task was asked about until the window closed, 3 s after the notification.
    const polls = callsTo(env(), 'simpleJobPostingTasks');
    expect(polls.at(-1)?.startedAt).toBeGreaterThanOrEqual(notifiedAt + atLeast(3_000));
  });
});

describe('tasks that take LinkedIn a while', () => {
  // Tasks take 2 s: polls see them running, and two resyncs that both find a job missing both send a
  // CREATE before either ends.
  const env = useEnvironment({ sandbox: { taskCompletionMs: 2_000 } });

  test('tasks reporting a status LinkedIn does not document are followed until they end, and confirmed', async () => {
    env().sandbox.faults.reportRunningTasksAs('QUEUED');

    const result = await resync(env(), ['job-1086', 'job-1127']);

    const polls = callsTo(env(), 'simpleJobPostingTasks');
    expect(JSON.stringify(polls.map((poll) => poll.responseBody))).toContain('"status":"QUEUED"');
    expect(fates(result.jobs)).toEqual({ 'job-1086': 'UPDATED/CONFIRMED', 'job-1127': 'UPDATED/CONFIRMED' });
    expect(result.totals).toMatchObject({ sent: 2, confirmed: 2, unconfirmed: 0 });
  });

  test('a CREATE LinkedIn refuses as a duplicate records the job CREATED, confirmed by that answer, and the other resync sends none', async () => {
    env().sandbox.reset();
    env().sandbox.seedExistingJobs(DEMO, ['job-1088']);
    const first = notification(['job-1087']);
    const second = notification(['job-1087', 'job-1088']);
    // Both UPDATEs find the job missing; the first CREATE is held while LinkedIn gets the job elsewhere (a
    // feed, say), so its task fails as a duplicate creation request.
    const create = env().sandbox.faults.hold('simpleJobPostings', { carrying: 'job-1087', passing: 2 });

    const responses = await Promise.all([env().notify(first), env().notify(second)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    await create.reached;
    // Both UPDATE tasks failed: each resync has asked for its CREATE.
    await eventually(async () => {
      for (const body of [first, second]) expect(await schedulesCreate(handleOf(env(), body))).toBe(true);
    });
    env().sandbox.seedExistingJobs(DEMO, ['job-1087']);
    create.release();
    const results = await Promise.all([handleOf(env(), first).result(), handleOf(env(), second).result()]);

    const creates = env()
      .sandbox.postedElements(DEMO)
      .filter((e) => e.externalJobPostingId === 'job-1087' && e.operation === 'CREATE');
    expect(creates.map((e) => e.status)).toEqual([202]);
    const polled = callsTo(env(), 'simpleJobPostingTasks').map((poll) => JSON.stringify(poll.responseBody));
    expect(
      polled.some((body) =>
        body.includes('Trying to create a job with same partnerIdentifier already exists'),
      ),
    ).toBe(true);
    const outcomes = results.map((result) => jobOf(result, 'job-1087'));
    expect(outcomes.map((job) => `${job?.fate}/${job?.confirmation}`).sort()).toEqual([
      'CREATED/CONFIRMED',
      'CREATED/UNCONFIRMED',
    ]);
    expect(outcomes.some((job) => /CREATEd already by another resync/.test(job?.reason ?? ''))).toBe(true);
    expect(fates(results[1].jobs)['job-1088']).toBe('UPDATED/CONFIRMED');
    expect(env().sandbox.heldJob(DEMO, 'job-1087')?.state).toBe('OPEN');
  });
});
