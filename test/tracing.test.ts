import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../src/ats/demo-data';
import { signNotification } from '../src/api/signature';
import { workflowIdFor } from '../src/api/workflow-id';
import { JobResyncNotification, type ResyncResult } from '../src/contract';
import { freePort } from '../tools/dev/ports';
import type { LinkedInSandbox } from '../tools/sandbox/linkedin-sandbox';
import { SAMPLE_INDIVIDUAL, startCustomerLikeSandbox } from './support/environment';
import { until } from './support/eventually';
import { startOtlpReceiver, traceTree, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { createDemoDatabase, type TestDatabase } from './support/postgres';
import {
  quietRuntime,
  temporalAddress,
  testClient,
  uniqueTaskQueue,
  workflowBundle,
} from './support/temporal';
import { ServiceProcesses, type ServiceProcess } from './support/typescript-child';

/**
 * One notification's trace, for real: the API and the worker each in a process of its own (run from the
 * sources, as `npm run build` would compile them, on the run's prebuilt workflow bundle), sharing only
 * Temporal, PostgreSQL and LinkedIn's sandbox, exporting to an OTLP/HTTP receiver in this process.
 */
const ROOT = join(__dirname, '..');
const SECRET = randomBytes(32).toString('hex');
const SERVER = 2;
const CLIENT = 3;

let database: TestDatabase;
let sandbox: LinkedInSandbox;
let receiver: OtlpReceiver;
const processes = new ServiceProcesses();
const client = testClient();
const prefix = `tr${Date.now().toString(36)}-`;

let api: ServiceProcess;
let worker: ServiceProcess;
let apiPort = 0;
/** An API whose sampler keeps no notification (OTEL_TRACES_SAMPLER=always_off), beside the first. */
let sampledOutPort = 0;

beforeAll(async () => {
  database = await createDemoDatabase('tracing');
  sandbox = await startCustomerLikeSandbox();
  receiver = await startOtlpReceiver();

  const common = {
    TEMPORAL_ADDRESS: temporalAddress(),
    DATABASE_URL: database.url,
    TASK_QUEUE: uniqueTaskQueue('tracing'),
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    // Spans leave every 100 ms rather than every 5 s: the test waits less.
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  worker = processes.start('worker', join(ROOT, 'src', 'worker.ts'), {
    ...common,
    WORKFLOW_BUNDLE: workflowBundle().codePath,
    LINKEDIN_API_URL: sandbox.apiUrl,
    LINKEDIN_TOKEN_URL: sandbox.tokenUrl,
    TASK_POLL_INTERVAL: '200ms',
    TASK_POLL_MAX_INTERVAL: '1s',
    WORKER_METRICS_PORT: String(await freePort()),
  });
  apiPort = await freePort();
  api = processes.start('api', join(ROOT, 'src', 'api', 'main.ts'), {
    ...common,
    LINKEDIN_WEBHOOK_SECRETS: SECRET,
    LINKEDIN_PARENT_APPLICATION_ID: '1000',
    WORKFLOW_ID_PREFIX: prefix,
    PORT: String(apiPort),
    API_METRICS_PORT: String(await freePort()),
  });
  sampledOutPort = await freePort();
  processes.start('api-sampled-out', join(ROOT, 'src', 'api', 'main.ts'), {
    ...common,
    OTEL_TRACES_SAMPLER: 'always_off',
    LINKEDIN_WEBHOOK_SECRETS: SECRET,
    LINKEDIN_PARENT_APPLICATION_ID: '1000',
    WORKFLOW_ID_PREFIX: prefix,
    PORT: String(sampledOutPort),
    API_METRICS_PORT: String(await freePort()),
  });
  await processes.apiReady(apiPort, 90_000);
  await processes.apiReady(sampledOutPort, 90_000);
  await processes.waitForOutput(worker, '"worker started"', 90_000);
}, 180_000);

afterAll(async () => {
  await processes.killAll();
  await client.connection.close();
  await receiver?.close();
  await sandbox?.close();
  await database?.drop();
});

const linkedInCalls = (spans: ReceivedSpan[]) =>
  spans.filter((span) => span.kind === CLIENT && span.attributes['url.template'] !== undefined);

test('one notification is one trace: the webhook span, signal-with-start, the workflow, its activities and each LinkedIn call, parent by parent, with no secret in it', async () => {
  const signature = signNotification(SECRET, SAMPLE_INDIVIDUAL);
  const response = await fetch(`http://127.0.0.1:${apiPort}/webhooks/linkedin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signature },
    body: SAMPLE_INDIVIDUAL,
  });
  expect(response.status).toBe(200);
  const workflowId = workflowIdFor(JobResyncNotification.parse(JSON.parse(SAMPLE_INDIVIDUAL)), prefix);
  const result = (await client.workflow.getHandle(workflowId).result()) as ResyncResult;
  expect(result.outcome).toBe('SUCCEEDED');

  // The webhook's span is the root; the workflow's span, ended with the run, comes last.
  const webhookSpan = () =>
    receiver
      .spans()
      .find((span) => span.kind === SERVER && span.attributes['resync.workflow_id'] === workflowId);
  await until(() => webhookSpan() !== undefined, 'the webhook span arrived', 30_000);
  const traceId = webhookSpan()!.traceId;
  const ofTrace = () => receiver.spans().filter((span) => span.traceId === traceId);
  await until(
    () => ofTrace().some((span) => span.name === 'RunWorkflow:resyncJobs'),
    'the workflow span arrived',
    30_000,
  );
  const spans = ofTrace();
  const root = webhookSpan()!;
  expect(root).toMatchObject({
    service: 'linkedin-job-resync-api',
    name: 'POST /webhooks/linkedin',
    parentSpanId: '',
    attributes: {
      'http.request.method': 'POST',
      'http.route': '/webhooks/linkedin',
      'http.response.status_code': 200,
      'resync.developer_application_urn': DEMO_APPLICATION.urn,
      'resync.workflow_id': workflowId,
    },
  });

  // Every span's parent is in the trace: one tree, rooted at the webhook.
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  for (const span of spans) if (span !== root) expect(byId.has(span.parentSpanId)).toBe(true);
  const chain = (span: ReceivedSpan): string[] => {
    const parent = byId.get(span.parentSpanId);
    return [`${span.service}: ${span.name}`, ...(parent ? chain(parent) : [])];
  };

  const postings = linkedInCalls(spans).filter((span) => span.name === 'POST /v2/simpleJobPostings');
  expect(postings.length).toBeGreaterThan(0);
  for (const posting of postings) {
    expect(posting).toMatchObject({
      service: 'linkedin-job-resync-worker',
      attributes: {
        'http.request.method': 'POST',
        'url.template': '/v2/simpleJobPostings',
        'http.response.status_code': 200,
        'temporal.activity.attempt': 1,
      },
    });
    const names = chain(posting);
    expect(names[0]).toBe('linkedin-job-resync-worker: POST /v2/simpleJobPostings');
    expect(names.at(-1)).toBe('linkedin-job-resync-api: POST /webhooks/linkedin');
    // Across both processes: the API's client span, the worker's workflow and activity spans between.
    expect(names).toEqual(
      expect.arrayContaining([
        'linkedin-job-resync-api: SignalWithStartWorkflow:resyncJobs',
        'linkedin-job-resync-worker: RunWorkflow:resyncJobs',
        expect.stringMatching(/^linkedin-job-resync-worker: StartActivity:/) as unknown as string,
        expect.stringMatching(/^linkedin-job-resync-worker: RunActivity:/) as unknown as string,
      ]),
    );
  }
  // The token request and the task status reads are LinkedIn calls of the same trace.
  expect(linkedInCalls(spans).map((span) => span.attributes['url.template'])).toEqual(
    expect.arrayContaining(['/oauth/v2/accessToken', '/v2/simpleJobPostingTasks']),
  );

  // No secret, token, signature, notification body or job id in any span, attribute, event or resource.
  const tokens = sandbox
    .calls()
    .filter((call) => call.endpoint === 'token' && call.status === 200)
    .map((call) => (call.responseBody as { access_token: string }).access_token);
  expect(tokens.length).toBeGreaterThan(0);
  const exported = receiver.bodies().join('\n');
  const secrets = [
    SECRET,
    DEMO_APPLICATION.clientSecret,
    SECOND_DEMO_APPLICATION.clientSecret,
    signature,
    SAMPLE_INDIVIDUAL,
    JSON.stringify(SAMPLE_INDIVIDUAL),
    'job-1234',
    ...tokens,
  ];
  for (const secret of secrets) expect(exported).not.toContain(secret);

  // The log lines written inside a span carry its trace and span ids, in both processes.
  const logged = (running: ServiceProcess) =>
    running
      .lines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l.trace_id === traceId);
  const accepted = logged(api).find((line) => line.msg === 'resync accepted');
  expect(accepted?.span_id).toBe(root.spanId);
  const workerLines = logged(worker);
  expect(workerLines.length).toBeGreaterThan(0);
  for (const line of workerLines) expect(byId.has(String(line.span_id))).toBe(true);

  const out = process.env.TRACE_TREE_OUT;
  if (out) {
    const shown = ['http.response.status_code', 'resync.developer_application_urn', 'resync.workflow_id'];
    writeFileSync(out, `${traceTree(spans, [...shown, 'temporal.activity.attempt'])}\n`);
    writeFileSync(`${out}.json`, JSON.stringify(spans, null, 2));
  }

  // The traced run replays on the same bundle: tracing changed none of its commands.
  quietRuntime();
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await Worker.runReplayHistory(
    { workflowBundle: workflowBundle(), sinks: { exporter: { export: { fn: () => undefined } } } },
    history,
    workflowId,
  );
});

/** POSTs a signed notification of `jobs` to the API on `port`; its workflow id once the resync ended. */
async function resyncThrough(port: number, jobs: string[]): Promise<string> {
  const body = JSON.stringify({
    developerApplicationUrn: DEMO_APPLICATION.urn,
    externalJobPostingIds: jobs,
    syncAllOpenJobs: false,
    type: 'RESYNC_JOBS',
  });
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/linkedin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signNotification(SECRET, body) },
    body,
  });
  expect(response.status).toBe(200);
  const workflowId = workflowIdFor(JobResyncNotification.parse(JSON.parse(body)), prefix);
  const result = (await client.workflow.getHandle(workflowId).result()) as ResyncResult;
  expect(result.outcome).toBe('SUCCEEDED');
  return workflowId;
}

test("a notification the API's sampler leaves out leaves no span in either process: its run carries the unsampled context on", async () => {
  const workerRoots = () =>
    receiver
      .spans()
      .filter((span) => span.service === 'linkedin-job-resync-worker' && span.parentSpanId === '').length;
  const rootsBefore = workerRoots();
  const left = await resyncThrough(sampledOutPort, ['job-2345']);
  // Then one the other API keeps. A process exports its spans in the order they end: once this run's
  // workflow span arrived, every span the worker made for the first run had arrived before it.
  const kept = await resyncThrough(apiPort, ['job-3456']);
  await until(
    () =>
      receiver
        .spans()
        .some((span) => span.name === 'RunWorkflow:resyncJobs' && span.attributes.workflowId === kept),
    "the kept run's workflow span arrived",
    30_000,
  );
  const ofLeft = receiver
    .spans()
    .filter((span) => span.attributes['resync.workflow_id'] === left || span.attributes.workflowId === left);
  expect(ofLeft).toEqual([]);
  // Its activities saw an unsampled parent, not none: no span of the worker began a trace of its own.
  expect(workerRoots()).toBe(rootsBefore);
});
