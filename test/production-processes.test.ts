import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_APPLICATION, DEMO_SAMPLE_JOB_IDS } from '../src/ats/demo-data';
import { openPostgresJobStore } from '../src/ats/postgres-store';
import { signNotification } from '../src/api/signature';
import { JobResyncNotification, type ResyncResult } from '../src/contract';
import { workflowIdFor } from '../src/api/workflow-id';
import { freePort } from '../tools/dev/ports';
import { registerDemoApplications } from '../tools/sandbox/demo-sandbox';
import { startLinkedInSandbox, type LinkedInSandbox } from '../tools/sandbox/linkedin-sandbox';
import {
  CUSTOMER_LIKE_LINKEDIN,
  demoJobsMissingOnLinkedIn,
  SAMPLE_ALL_OPEN,
  SAMPLE_INDIVIDUAL,
  seedLinkedInAsACustomersLooks,
} from './support/environment';
import { until as waitUntil } from './support/eventually';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { temporalAddress, testClient, uniqueTaskQueue } from './support/temporal';

/**
 * The built product as it runs in production: `npm run build`, then two API processes and two worker
 * processes that share nothing but Temporal and a PostgreSQL job store.
 */
const ROOT = join(__dirname, '..');
const SECRET = 'production-test-secret';

interface Running {
  name: string;
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

let database: TestDatabase;
let sandbox: LinkedInSandbox;
let openJobs: string[] = [];
const processes: Running[] = [];
const apiPorts: number[] = [];
const client = testClient();
const prefix = `p${Date.now().toString(36)}-`;

function launch(name: string, script: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [join(ROOT, 'dist', script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = { name, child, lines, exited };
  processes.push(running);
  return running;
}

/** Polls with the shared `until`; on a timeout the processes' last lines say why. */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  try {
    await waitUntil(check, what, timeoutMs);
  } catch (error) {
    const logs = processes.map((p) => `${p.name}:\n${p.lines.slice(-20).join('\n')}`).join('\n');
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
}

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT, timeout: 240_000 });

  database = await createTestDatabase('production');
  const store = await openPostgresJobStore(database.url);
  await store.seedDemoData();
  openJobs = await store.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 10_000 });
  await store.close();

  sandbox = await startLinkedInSandbox({ ...CUSTOMER_LIKE_LINKEDIN });
  registerDemoApplications(sandbox);
  seedLinkedInAsACustomersLooks(sandbox);
  sandbox.faults.setLatency('simpleJobPostings', 50);

  const common = {
    TEMPORAL_ADDRESS: temporalAddress(),
    DATABASE_URL: database.url,
    TASK_QUEUE: uniqueTaskQueue('production'),
    LOG_LEVEL: 'info',
  };
  // Each process is given only what it reads: the worker no webhook secret, the API no LinkedIn endpoint.
  for (const name of ['worker-1', 'worker-2']) {
    launch(name, 'worker.js', {
      ...common,
      LINKEDIN_API_URL: sandbox.apiUrl,
      LINKEDIN_TOKEN_URL: sandbox.tokenUrl,
      TASK_POLL_INTERVAL: '200ms',
      TASK_POLL_MAX_INTERVAL: '1s',
      WORKER_METRICS_PORT: String(await freePort()),
    });
  }
  for (const name of ['api-1', 'api-2']) {
    const port = await freePort();
    apiPorts.push(port);
    launch(name, 'api/main.js', {
      ...common,
      LINKEDIN_WEBHOOK_SECRETS: SECRET,
      WORKFLOW_ID_PREFIX: prefix,
      PORT: String(port),
    });
  }
  for (const port of apiPorts) {
    await until(
      () =>
        fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        ),
      `API on ${port} ready`,
    );
  }
  for (const worker of processes.filter((p) => p.name.startsWith('worker'))) {
    await until(
      () => worker.lines.some((line) => line.includes('"worker started"')),
      `${worker.name} started`,
    );
  }
}, 300_000);

afterAll(async () => {
  for (const running of processes) running.child.kill('SIGKILL');
  await Promise.all(processes.map((running) => running.exited));
  await client.connection.close();
  await sandbox?.close();
  await database?.drop();
});

function post(port: number, body: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/webhooks/linkedin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signNotification(SECRET, body) },
    body,
  });
}

function resultOf(body: string): Promise<ResyncResult> {
  const workflowId = workflowIdFor(JobResyncNotification.parse(JSON.parse(body)), prefix);
  return client.workflow.getHandle(workflowId).result() as Promise<ResyncResult>;
}

test('npm run resync runs the built CLI without building again while dist is up to date', async () => {
  const bundle = join(ROOT, 'dist', 'workflows.bundle.js');
  const builtAt = statSync(bundle).mtimeMs;
  const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'resync', '--', 'help'], {
    cwd: ROOT,
    timeout: 60_000,
  });
  expect(stdout).toContain('Usage: npm run resync -- <command>');
  expect(stderr).not.toContain('[build]');
  expect(statSync(bundle).mtimeMs).toBe(builtAt);
});

test('workers run the prebuilt workflow bundle and log JSON', () => {
  for (const worker of processes.filter((p) => p.name.startsWith('worker'))) {
    const started = worker.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((e) => e.msg === 'worker started');
    expect(started).toEqual(expect.objectContaining({ prebuiltBundle: true, level: 30 }));
  }
});

test('two APIs and two workers sharing only Temporal and PostgreSQL process every notification once, one call at a time per application', async () => {
  const [a, b, c] = await Promise.all([
    post(apiPorts[0] ?? 0, SAMPLE_INDIVIDUAL),
    post(apiPorts[1] ?? 0, SAMPLE_INDIVIDUAL),
    post(apiPorts[1] ?? 0, SAMPLE_ALL_OPEN),
  ]);
  expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
  const [individual, all] = await Promise.all([resultOf(SAMPLE_INDIVIDUAL), resultOf(SAMPLE_ALL_OPEN)]);
  expect(individual.outcome).toBe('SUCCEEDED');
  expect(individual.totals.sent).toBe(3);
  // Every open job of the application, each sent once: UPDATEd, or CREATEd after LinkedIn said it lacks it.
  const missing = demoJobsMissingOnLinkedIn().filter((id) => openJobs.includes(id));
  expect(missing.length).toBeGreaterThan(0);
  expect(all.outcome).toBe('SUCCEEDED');
  expect(all.totals).toMatchObject({
    requested: openJobs.length,
    sent: openJobs.length,
    updated: openJobs.length - missing.length,
    created: missing.length,
    confirmed: openJobs.length,
    rejected: 0,
  });
  const posted = sandbox.postedElements(DEMO_APPLICATION.urn);
  for (const id of DEMO_SAMPLE_JOB_IDS) {
    // Once for the individual resync (the redelivery joined it) and once for the sync-all.
    expect(posted.filter((element) => element.externalJobPostingId === id)).toHaveLength(2);
  }
  const ofSyncAll = (operation: string) =>
    posted
      .filter((element) => element.operation === operation)
      .map((element) => element.externalJobPostingId ?? '')
      .sort();
  expect(ofSyncAll('CREATE')).toEqual([...missing].sort());
  expect(ofSyncAll('UPDATE')).toEqual([...openJobs, ...DEMO_SAMPLE_JOB_IDS].sort());
  // Two workers, one application: the advisory-lock lanes kept the calls one at a time.
  expect(sandbox.maxConcurrentPostings(DEMO_APPLICATION.urn)).toBe(1);
});

test('on SIGTERM every API and worker process drains and exits 0', async () => {
  for (const running of processes) running.child.kill('SIGTERM');
  const codes = await Promise.all(
    processes.map((running) =>
      Promise.race([
        running.exited,
        new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref()),
      ]),
    ),
  );
  expect(codes).toEqual([0, 0, 0, 0]);
  for (const running of processes)
    expect(running.lines.some((line) => line.includes('"draining"'))).toBe(true);
});
