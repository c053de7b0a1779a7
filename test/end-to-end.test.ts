import { type ResyncResult } from '../src/contract';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { demoHeldJobIds } from '../tools/sandbox/demo-sandbox';
import {
  CUSTOMER_LIKE_LINKEDIN,
  demoJobsMissingOnLinkedIn,
  SAMPLE_ALL_OPEN,
  SAMPLE_INDIVIDUAL,
  startTestEnvironment,
  type TestEnvironment,
} from './support/environment';

let env: TestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment();
});

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  env.sandbox.reset();
  env.seedSandboxWithDemoJobs();
});

async function resultOf(body: string): Promise<ResyncResult> {
  const workflowId = env.workflowIdOf(body);
  return env.client.workflow.getHandle(workflowId).result() as Promise<ResyncResult>;
}

test("LinkedIn's individual-jobs sample, signed, is answered 200 and its three jobs reach LinkedIn as valid UPDATEs", async () => {
  const response = await env.notify(SAMPLE_INDIVIDUAL);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('');

  const result = await resultOf(SAMPLE_INDIVIDUAL);
  expect(result.outcome).toBe('SUCCEEDED');
  expect(result.jobs.map((job) => [job.externalJobPostingId, job.fate]).sort()).toEqual([
    ['job-1234', 'UPDATED'],
    ['job-2345', 'UPDATED'],
    ['job-3456', 'UPDATED'],
  ]);

  const posted = env.sandbox.postedElements(DEMO_APPLICATION.urn);
  expect(posted.map((element) => element.externalJobPostingId).sort()).toEqual([
    'job-1234',
    'job-2345',
    'job-3456',
  ]);
  for (const element of posted) {
    expect(element.operation).toBe('UPDATE');
    expect(element.status).toBe(202);
  }
  // LinkedIn's sample answer writes expires_in as a string; the worker read it (and renews before then).
  const tokens = env.sandbox.calls().filter((call) => call.endpoint === 'token');
  expect(tokens.length).toBeGreaterThan(0);
  for (const call of tokens) {
    expect([call.status, call.responseBody]).toEqual([
      200,
      {
        access_token: expect.any(String) as unknown,
        expires_in: String(CUSTOMER_LIKE_LINKEDIN.tokenTtlSeconds),
      },
    ]);
  }
  expect(result.totals).toMatchObject({ sent: 3, confirmed: 3 });
});

test("LinkedIn's all-open-jobs sample sends every open job of the application, in calls of at most 100", async () => {
  const expected: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { after, limit: 500 });
    expected.push(...page);
    if (page.length < 500) break;
    after = page[page.length - 1];
  }
  expect(expected.length).toBeGreaterThanOrEqual(253);

  const missing = demoJobsMissingOnLinkedIn().filter((id) => expected.includes(id));
  expect(missing.length).toBeGreaterThan(0);

  const response = await env.notify(SAMPLE_ALL_OPEN);
  expect(response.status).toBe(200);
  const result = await resultOf(SAMPLE_ALL_OPEN);
  expect(result.outcome).toBe('SUCCEEDED');
  expect(result.totals).toMatchObject({
    requested: expected.length,
    sent: expected.length,
    updated: expected.length - missing.length,
    created: missing.length,
    confirmed: expected.length,
  });

  // Every open job UPDATEd once, in calls of at most 100; then the ones LinkedIn lacks CREATEd once.
  const operationOf = (call: { elements?: unknown[] }) =>
    (call.elements?.[0] as { jobPostingOperationType?: string } | undefined)?.jobPostingOperationType;
  const postings = env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
  expect(postings.filter((call) => operationOf(call) === 'UPDATE')).toHaveLength(
    Math.ceil(expected.length / 100),
  );
  for (const call of postings) {
    expect(call.status).toBe(200);
    expect(call.elements?.length).toBeLessThanOrEqual(100);
  }
  const posted = (operation: string) =>
    env.sandbox
      .postedElements(DEMO_APPLICATION.urn)
      .filter((element) => element.operation === operation && element.status === 202)
      .map((element) => element.externalJobPostingId)
      .sort();
  expect(posted('UPDATE')).toEqual([...expected].sort());
  expect(posted('CREATE')).toEqual([...missing].sort());
  expect(env.sandbox.postedElements(DEMO_APPLICATION.urn)).toHaveLength(expected.length + missing.length);
  expect(env.sandbox.maxConcurrentPostings(DEMO_APPLICATION.urn)).toBe(1);
});

test("npm run dev's LinkedIn, whose token answer writes expires_in as a string, gets every open job of the all-open sample: held ones updated, missing ones created", async () => {
  env.sandbox.reset();
  env.sandbox.seedExistingJobs(DEMO_APPLICATION.urn, demoHeldJobIds(DEMO_APPLICATION.urn));
  const open: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { after, limit: 500 });
    open.push(...page);
    if (page.length < 500) break;
    after = page[page.length - 1];
  }
  const missing = open.filter((id) => env.sandbox.heldJob(DEMO_APPLICATION.urn, id) === undefined);
  expect(missing.length).toBeGreaterThan(0);

  expect((await env.notify(SAMPLE_ALL_OPEN)).status).toBe(200);
  const result = await resultOf(SAMPLE_ALL_OPEN);

  expect(result.outcome).toBe('SUCCEEDED');
  expect(result.totals).toMatchObject({
    sent: open.length,
    updated: open.length - missing.length,
    created: missing.length,
    confirmed: open.length,
    rejected: 0,
  });
  for (const id of open) expect(env.sandbox.heldJob(DEMO_APPLICATION.urn, id)?.state).toBe('OPEN');
});
