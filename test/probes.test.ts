import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startApiServer } from '../src/api/main';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { runCli } from '../src/cli/resync';
import { loadApiConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { openPostgresJobStore } from '../src/ats/postgres-store';
import { createTemporalClient } from '../src/temporal-client';
import { freePort } from '../tools/dev/ports';
import {
  resolveTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../tools/dev/temporal-dev-server';
import type { LinkedInSandbox } from '../tools/sandbox/linkedin-sandbox';
import { startCustomerLikeSandbox } from './support/environment';
import { until } from './support/eventually';
import { createDemoDatabase, type TestDatabase } from './support/postgres';
import { temporalAddress, uniqueTaskQueue, workflowBundle } from './support/temporal';
import { ServiceProcesses } from './support/typescript-child';

/**
 * The probes of the built worker process, against a Temporal dev server of this file's own: started only
 * after the worker, so the worker's start is held by a Temporal that is not up yet, as in a stack coming
 * up together. And the API's probes on its admin port.
 */
const ROOT = join(__dirname, '..');
/** The service built apart from dist/ (which another test file rebuilds), so no build races this one. */
const BUILD = join(ROOT, '.data', `probes-build-${randomBytes(4).toString('hex')}`);
const SECRET = randomBytes(32).toString('hex');

let database: TestDatabase;
let sandbox: LinkedInSandbox;
let temporal: TemporalDevServer | undefined;
let temporalPort: number;
const processes = new ServiceProcesses();

beforeAll(async () => {
  const building = promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', BUILD], {
    cwd: ROOT,
    timeout: 240_000,
  });
  database = await createDemoDatabase('probes');
  sandbox = await startCustomerLikeSandbox();
  temporalPort = await freePort();
  await building;
}, 300_000);

afterAll(async () => {
  await processes.killAll();
  await temporal?.stop();
  await sandbox?.close();
  await database?.drop();
  rmSync(BUILD, { recursive: true, force: true });
});

interface Probe {
  status: number;
  body: { status?: string; reason?: string; workers?: number };
}

async function probe(url: string): Promise<Probe | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return { status: response.status, body: (await response.json()) as Probe['body'] };
  } catch {
    return undefined;
  }
}

test('the worker is unready while Temporal is not up, ready once its pollers run, unready while it drains', async () => {
  const adminPort = await freePort();
  const taskQueue = uniqueTaskQueue('probes');
  const worker = processes.start('worker', join(BUILD, 'worker.js'), {
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    DATABASE_URL: database.url,
    TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE: workflowBundle().codePath,
    LINKEDIN_API_URL: sandbox.apiUrl,
    LINKEDIN_TOKEN_URL: sandbox.tokenUrl,
    WORKER_METRICS_PORT: String(adminPort),
    LOG_LEVEL: 'info',
  });
  const admin = `http://127.0.0.1:${adminPort}`;

  // Temporal is not up: the worker waits for it, alive and unready, saying why.
  let starting: Probe | undefined;
  await processes.until(async () => {
    starting = await probe(`${admin}/readyz`);
    return starting?.body.reason?.includes('cannot be reached') === true;
  }, 'the worker says Temporal cannot be reached');
  expect(starting).toEqual({
    status: 503,
    body: {
      status: 'starting',
      reason: `Temporal at 127.0.0.1:${temporalPort} cannot be reached (Connection refused)`,
    },
  });
  expect((await probe(`${admin}/healthz`))?.status).toBe(200);
  expect((await fetch(`${admin}/nothing`)).status).toBe(404);

  temporal = await startTemporalDevServer({
    cliPath: resolveTemporalCli(ROOT, process.env),
    port: temporalPort,
  });
  await processes.until(
    async () => (await probe(`${admin}/readyz`))?.status === 200,
    'the worker is ready',
    60_000,
  );
  expect(await probe(`${admin}/readyz`)).toEqual({ status: 200, body: { status: 'ready', workers: 4 } });
  // The SDK's metrics, relayed on the same listener.
  const metrics = await fetch(`${admin}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/^temporal_/m);

  // A posting call LinkedIn takes its time over holds the drain: SIGTERM comes while it is in flight.
  sandbox.faults.setLatency('simpleJobPostings', 3_000);
  const started = await runCli(['start', '--application', DEMO_APPLICATION.urn, '--ids', 'job-1234'], {
    env: { TEMPORAL_ADDRESS: temporal.address, TASK_QUEUE: taskQueue },
    out: { write: () => true },
    err: { write: () => true },
  });
  expect(started).toBe(0);
  await processes.until(
    () => sandbox.calls().some((call) => call.endpoint === 'simpleJobPostings'),
    'the posting call is in flight',
  );
  worker.child.kill('SIGTERM');
  let draining: Probe | undefined;
  await processes.until(async () => {
    draining = await probe(`${admin}/readyz`);
    return draining?.status === 503;
  }, 'the worker is unready while draining');
  expect(draining?.body.status).toBe('draining');
  expect(await worker.exited).toBe(0);
  // Nothing is left listening once the worker stopped.
  expect(await probe(`${admin}/healthz`)).toBeUndefined();
});

test("the API's admin port answers /healthz and /readyz: unready while Temporal is away or the API drains", async () => {
  const deadPort = await freePort();
  const config = loadApiConfig({
    LINKEDIN_WEBHOOK_SECRETS: SECRET,
    LINKEDIN_PARENT_APPLICATION_ID: '1000',
    PORT: '0',
    HOST: '127.0.0.1',
    API_METRICS_PORT: '0',
  });
  const store = await openPostgresJobStore(database.url);
  const serve = async (address: string) => {
    const client = createTemporalClient({
      address,
      namespace: 'default',
      apiKey: undefined,
      tls: undefined,
      grpcMeta: undefined,
    });
    const api = await startApiServer({ config, client, jobStore: store, logger: createLogger('silent') });
    return { api, client };
  };
  const away = await serve(`127.0.0.1:${deadPort}`);
  const up = await serve(temporalAddress());
  try {
    expect((away.api.server.address() as { address: string }).address).toBe('127.0.0.1');
    expect(await probe(`${away.api.metrics.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(`${away.api.metrics.url}/readyz`)).toEqual({
      status: 503,
      body: { status: 'temporal unreachable' },
    });
    expect(await probe(`${up.api.metrics.url}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await fetch(`${up.api.metrics.url}/metrics`)).status).toBe(200);

    // A request still arriving holds the drain open, as a notification in flight would.
    const port = (up.api.server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /webhooks/linkedin HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nX-LI-Signature: 00\r\nContent-Length: 100\r\n\r\n{',
    );
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        up.api.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    await until(async () => (await connections()) > 0, 'the request is open on the server');
    const drained = up.api.drain();
    expect(await probe(`${up.api.metrics.url}/readyz`)).toEqual({
      status: 503,
      body: { status: 'draining' },
    });
    socket.destroy();
    await drained;
    await away.api.drain();
  } finally {
    await Promise.all([away.client.connection.close(), up.client.connection.close()]);
    await store.close();
  }
});
