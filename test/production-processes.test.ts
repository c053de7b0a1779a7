import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_APPLICATION, DEMO_SAMPLE_JOB_IDS, SECOND_DEMO_APPLICATION } from '../src/ats/demo-data';
import { DEV_WEBHOOK_SECRET } from '../src/secret-rules';
import { openPostgresJobStore } from '../src/ats/postgres-store';
import { signNotification } from '../src/api/signature';
import { JobResyncNotification, type ResyncResult } from '../src/contract';
import { workflowIdFor } from '../src/api/workflow-id';
import { freePort } from '../tools/dev/ports';
import type { LinkedInSandbox } from '../tools/sandbox/linkedin-sandbox';
import {
  demoJobsMissingOnLinkedIn,
  SAMPLE_ALL_OPEN,
  SAMPLE_INDIVIDUAL,
  startCustomerLikeSandbox,
} from './support/environment';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { temporalAddress, testClient, uniqueTaskQueue } from './support/temporal';
import { runToExit, ServiceProcesses } from './support/typescript-child';

/**
 * The built product as it runs in production: `npm run build`, then two API processes and two worker
 * processes that share nothing but Temporal and a PostgreSQL job store.
 */
const ROOT = join(__dirname, '..');
/** Made as an operator makes one: a production API takes no secret written in the repository. */
const SECRET = randomBytes(32).toString('hex');
const PARENT_APPLICATION_ID = '1000';

let database: TestDatabase;
let sandbox: LinkedInSandbox;
let openJobs: string[] = [];
/** Each process's last lines say why a wait timed out. */
const processes = new ServiceProcesses({ timeoutMs: 60_000 });
const apiPorts: number[] = [];
const client = testClient();
const prefix = `p${Date.now().toString(36)}-`;

/** `dist/<script>` as production runs it, one of `processes`. */
const launch = (name: string, script: string, env: Record<string, string>) =>
  processes.start(name, join(ROOT, 'dist', script), env);
const workers = () => processes.all.filter((running) => running.name.startsWith('worker'));

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT, timeout: 240_000 });

  database = await createTestDatabase('production');
  const store = await openPostgresJobStore(database.url);
  await store.seedDemoData();
  openJobs = await store.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 10_000 });
  await store.close();

  sandbox = await startCustomerLikeSandbox();
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
      LINKEDIN_PARENT_APPLICATION_ID: PARENT_APPLICATION_ID,
      WORKFLOW_ID_PREFIX: prefix,
      PORT: String(port),
      API_METRICS_PORT: String(await freePort()),
    });
  }
  for (const port of apiPorts) await processes.apiReady(port);
  for (const worker of workers()) await processes.waitForOutput(worker, '"worker started"');
}, 300_000);

afterAll(async () => {
  await processes.killAll();
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
  for (const worker of workers()) {
    const started = worker
      .lines()
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

describe('no known secret outside development', () => {
  test.each([
    [
      'the dev launcher’s secret',
      { LINKEDIN_WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET },
      'LINKEDIN_WEBHOOK_SECRETS is published in this repository',
    ],
    [
      'a demo application’s secret',
      { LINKEDIN_WEBHOOK_SECRETS: `${SECRET},${SECOND_DEMO_APPLICATION.clientSecret}` },
      'LINKEDIN_WEBHOOK_SECRETS (secret 2 of 2) is published in this repository',
    ],
    [
      'a secret of 15 characters',
      { LINKEDIN_WEBHOOK_SECRETS: 'q'.repeat(15) },
      'LINKEDIN_WEBHOOK_SECRETS is shorter than 16 characters',
    ],
    [
      'an admin token of 20 characters',
      { LINKEDIN_WEBHOOK_SECRETS: SECRET, ADMIN_TOKEN: 'z'.repeat(20) },
      'ADMIN_TOKEN is shorter than 32 characters',
    ],
  ])(
    'the built API started with %s exits 1 naming the variable, never the value, and listens on nothing',
    async (_case, secrets, message) => {
      const port = await freePort();
      const { code, output } = await runToExit(join(ROOT, 'dist', 'api', 'main.js'), {
        TEMPORAL_ADDRESS: temporalAddress(),
        DATABASE_URL: database.url,
        LINKEDIN_PARENT_APPLICATION_ID: PARENT_APPLICATION_ID,
        PORT: String(port),
        API_METRICS_PORT: String(await freePort()),
        ...secrets,
      });
      expect(code).toBe(1);
      expect(output).toContain(message);
      for (const value of [
        DEV_WEBHOOK_SECRET,
        SECOND_DEMO_APPLICATION.clientSecret,
        'q'.repeat(15),
        'z'.repeat(20),
      ])
        expect(output).not.toContain(value);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    },
  );

  test('the built seed refuses to store the demo applications outside development, and stores them in it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'seed-'));
    const refused = await runToExit(join(ROOT, 'dist', 'ats', 'seed-main.js'), {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      'refused: the demo applications carry client secrets published in this repository, so they are seeded in development only',
    );
    expect(refused.output).not.toContain(DEMO_APPLICATION.clientSecret);
    const seeded = await runToExit(join(ROOT, 'dist', 'ats', 'seed-main.js'), {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
    expect(seeded.code).toBe(0);
    expect(seeded.output).toContain('"demo data seeded"');
  });
});

test('on SIGTERM every API and worker process drains and exits 0', async () => {
  for (const running of processes.all) running.child.kill('SIGTERM');
  const codes = await Promise.all(
    processes.all.map((running) =>
      Promise.race([
        running.exited,
        new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref()),
      ]),
    ),
  );
  expect(codes).toEqual([0, 0, 0, 0]);
  for (const running of processes.all)
    expect(running.lines().some((line) => line.includes('"draining"'))).toBe(true);
});
