import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/api/app';
import { startApiServer, type ApiServer } from '../src/api/main';
import { createResyncStarter } from '../src/api/resync-starter';
import { signNotification } from '../src/api/signature';
import { loadApiConfig } from '../src/config';
import { type ResyncResult } from '../src/contract';
import { createLogger } from '../src/logger';
import {
  demoJobsMissingOnLinkedIn,
  startTestEnvironment,
  WEBHOOK_SECRET,
  type TestEnvironment,
} from './support/environment';
import { notification } from './support/notifications';

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

test('draining the API refuses new connections but answers the notification in flight, which is started', async () => {
  const config = loadApiConfig({
    // The tests' secret is LinkedIn's documented example: accepted in development only.
    NODE_ENV: 'development',
    LINKEDIN_WEBHOOK_SECRETS: WEBHOOK_SECRET,
    PORT: '0',
    API_METRICS_PORT: '0',
    TASK_QUEUE: env.taskQueue,
    WORKFLOW_ID_PREFIX: env.workflowIdPrefix,
  });
  const api: ApiServer = await startApiServer({
    config,
    client: env.client,
    jobStore: env.jobStore,
    logger: createLogger('silent'),
  });
  const port = (api.server.address() as AddressInfo).port;
  const body = notification(['job-1150', 'job-1151']);

  // A delivery whose body is still arriving when SIGTERM comes.
  const answered = new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/linkedin',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-LI-Signature': signNotification(WEBHOOK_SECRET, body),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 20));
    req.once('socket', (socket) =>
      socket.once('connect', () => {
        const drained = api.drain();
        // New connections are refused as soon as the drain starts.
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          () => reject(new Error('a new connection was accepted during the drain')),
          () => {
            req.end(body.slice(20));
            void drained;
          },
        );
      }),
    );
  });
  expect(await answered).toBe(200);
  const workflowId = env.workflowIdOf(body);
  const result = (await env.client.workflow.getHandle(workflowId).result()) as ResyncResult;
  expect(result.totals.sent).toBe(2);
});

test('stopping the worker lets the batch in flight finish, and a new worker completes the resync without losing or repeating a job', async () => {
  const ids = Array.from({ length: 250 }, (_, i) => `job-${1000 + i}`).filter(
    (id) => Number(id.slice(4)) % 40 !== 39,
  );
  // The first call is held at LinkedIn while the worker is told to stop.
  const gate = env.sandbox.faults.hold('simpleJobPostings');
  const body = notification(ids);
  expect((await env.notify(body)).status).toBe(200);
  await gate.reached;

  const stopping = env.stopWorkers();
  gate.release();
  await stopping;
  const postings = env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
  // The call under way when the worker was told to stop was answered, not abandoned.
  expect(postings[0]?.status).toBe(200);
  expect(postings.every((call) => call.status === 200)).toBe(true);

  await env.startWorkers();
  const result = (await env.client.workflow.getHandle(env.workflowIdOf(body)).result()) as ResyncResult;
  expect(result.outcome).toBe('SUCCEEDED');
  expect(result.totals.sent).toBe(ids.length);
  // Its answer was used: no job was UPDATEd twice; the ones LinkedIn lacks were then CREATEd once.
  const posted = (operation: string) =>
    env.sandbox
      .postedElements()
      .filter((element) => element.operation === operation)
      .map((element) => element.externalJobPostingId)
      .sort();
  expect(posted('UPDATE')).toEqual([...ids].sort());
  expect(posted('CREATE')).toEqual(
    demoJobsMissingOnLinkedIn()
      .filter((id) => ids.includes(id))
      .sort(),
  );
});

test('while the API drains, /readyz answers 503 although Temporal is reachable', async () => {
  let draining = false;
  const app = createApp({
    webhookSecrets: [WEBHOOK_SECRET],
    jobStore: env.jobStore,
    logger: createLogger('silent'),
    draining: () => draining,
    resyncs: createResyncStarter(env.client, {
      taskQueue: env.taskQueue,
      deadlineMs: 60_000,
      followUpWindowMs: 60_000,
      workflowIdPrefix: env.workflowIdPrefix,
      startTimeoutMs: 4_000,
    }),
  });
  const server = createServer((req, res) => void app.callback()(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
  try {
    const before = await fetch(url);
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ status: 'ready' });
    draining = true;
    expect((await fetch(url)).status).toBe(503);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
