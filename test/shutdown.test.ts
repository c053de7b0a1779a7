import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiServer, type ApiServer } from '../src/api/main';
import { signNotification } from '../src/api/signature';
import { loadApiConfig } from '../src/config';
import { type ResyncResult } from '../src/contract';
import { createLogger } from '../src/logger';
import { startTestEnvironment, WEBHOOK_SECRET, type TestEnvironment } from './support/environment';
import { until } from './support/eventually';
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
    LINKEDIN_WEBHOOK_SECRETS: WEBHOOK_SECRET,
    PORT: '0',
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
  env.sandbox.faults.setLatency('simpleJobPostings', 1_500);
  const ids = Array.from({ length: 250 }, (_, i) => `job-${1000 + i}`).filter(
    (id) => Number(id.slice(4)) % 40 !== 39,
  );
  const body = notification(ids);
  expect((await env.notify(body)).status).toBe(200);
  await until(
    () => env.sandbox.calls().some((call) => call.endpoint === 'simpleJobPostings'),
    'a posting call reached LinkedIn',
  );

  await env.stopWorkers();
  const postings = env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
  // The call under way when the worker was told to stop was answered and used, not abandoned.
  expect(postings.length).toBeGreaterThanOrEqual(1);
  expect(postings.every((call) => call.status === 200)).toBe(true);

  env.sandbox.faults.setLatency('simpleJobPostings', 0);
  await env.startWorkers();
  const result = (await env.client.workflow.getHandle(env.workflowIdOf(body)).result()) as ResyncResult;
  expect(result.outcome).toBe('SUCCEEDED');
  expect(result.totals.sent).toBe(ids.length);
  const posted = env.sandbox.postedElements().map((element) => element.externalJobPostingId);
  expect(posted.sort()).toEqual([...ids].sort());
});
