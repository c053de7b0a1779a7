import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { buildDemoJobs, DEMO_APPLICATION, DEMO_SAMPLE_JOB_IDS } from '../src/ats/demo-data';
import { openPostgresJobStore } from '../src/ats/postgres-store';
import { signNotification } from '../src/api/signature';
import { workflowIdFor } from '../src/api/workflow-id';
import { JobResyncNotification, SEARCH_ATTRIBUTE_NAMES, type ResyncResult } from '../src/contract';
import type { DriftCheckResult } from '../src/contract/drift';
import { freePort } from '../tools/dev/ports';
import { registerDemoApplications } from '../tools/sandbox/demo-sandbox';
import { startLinkedInSandbox, type LinkedInSandbox } from '../tools/sandbox/linkedin-sandbox';
import { CUSTOMER_LIKE_LINKEDIN, SAMPLE_ALL_OPEN } from './support/environment';
import { createTestDatabase, postgresTestUrl, type TestDatabase } from './support/postgres';
import {
  startProductionTemporal,
  temporalServerBuild,
  type ProductionTemporal,
} from '../tools/temporal/production-server';
import { ServiceProcesses, type ServiceProcess } from './support/typescript-child';

/**
 * The production configuration of Temporal, run here: Temporal's server v1.30.4 on PostgreSQL persistence
 * and visibility (deploy/temporal/server.yaml), its schema made by Temporal's SQL tool and its namespace and
 * search attributes registered by deploy/temporal's scripts, as docker-compose.production.yml does it; then
 * the built API and worker processes against it and the LinkedIn sandbox.
 */
const ROOT = join(__dirname, '..');
const run = promisify(execFile);
/** A namespace of the service's own, as an operator creates one: not the dev server's `default`. */
const NAMESPACE = 'linkedin-resync';
const SECRET = randomBytes(32).toString('hex');
const TASK_QUEUE = 'linkedin-job-resync';
const URN = DEMO_APPLICATION.urn;
/** LinkedIn answers each simpleJobPostings call after this: long enough to kill a worker mid-resync. */
const POSTING_LATENCY_MS = 1_500;

let temporal: ProductionTemporal;
let database: TestDatabase;
let sandbox: LinkedInSandbox;
let client: Client;
/** `npm run build`'s two steps, into a directory of this file's own (see beforeAll). */
let buildDir: string;
let apiPort: number;
let openJobs: string[] = [];
/** On a timeout of `until`, the processes' and the server's last lines say why. */
const processes = new ServiceProcesses({
  timeoutMs: 90_000,
  moreOnTimeout: () => `\ntemporal server:\n${temporal.logTail()}`,
});
const until = processes.until.bind(processes);
const figures: Record<string, number> = {};
let common: Record<string, string> = {};
let workerEnv: Record<string, string> = {};

/** `dist/<script>` of this file's build, as production runs it. */
const launch = (name: string, script: string, env: Record<string, string>) =>
  processes.start(name, join(buildDir, 'dist', script), env);

async function startWorker(name: string): Promise<ServiceProcess> {
  const worker = launch(name, 'worker.js', { ...workerEnv, WORKER_METRICS_PORT: String(await freePort()) });
  await processes.waitForOutput(worker, '"worker started"');
  return worker;
}

beforeAll(async () => {
  const started = Date.now();
  // `npm run build` is `tsc -p tsconfig.build.json` then `node dist/build-workflow-bundle.js`; run here into
  // a directory of this file's own, so a build by another test file (which empties dist/) never pulls the
  // files from under a process this one starts. Inside the project, so node_modules resolve as in dist/.
  buildDir = mkdtempSync(join(ROOT, '.data', 'production-temporal-'));
  // Both settle before either failure is thrown: a build still writing would outlive afterAll's cleanup.
  const [built, temporalServer] = await Promise.allSettled([
    run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(buildDir, 'dist')], {
      cwd: ROOT,
      timeout: 240_000,
    }).then(() =>
      run(process.execPath, [join(buildDir, 'dist', 'build-workflow-bundle.js')], {
        cwd: ROOT,
        timeout: 240_000,
      }),
    ),
    startProductionTemporal({ adminUrl: postgresTestUrl(), namespace: NAMESPACE }),
  ]);
  if (temporalServer.status === 'rejected') throw temporalServer.reason;
  temporal = temporalServer.value;
  if (built.status === 'rejected') throw built.reason;
  figures.setupMs = Date.now() - started;
  figures.schemaMs = temporal.timings.schemaMs;
  figures.serverAndNamespaceMs = temporal.timings.serverAndNamespaceMs;
  client = new Client({
    connection: await Connection.connect({ address: temporal.address }),
    namespace: NAMESPACE,
  });

  database = await createTestDatabase('production_temporal');
  const store = await openPostgresJobStore(database.url);
  await store.seedDemoData();
  openJobs = await store.listOpenJobIds(URN, { limit: 10_000 });
  await store.close();

  // LinkedIn holds every demo job, open ones open and closed ones closed: every job of a resync is an UPDATE.
  sandbox = await startLinkedInSandbox({ ...CUSTOMER_LIKE_LINKEDIN });
  registerDemoApplications(sandbox);
  const demoJobs = buildDemoJobs().filter((job) => job.developerApplicationUrn === URN);
  for (const status of ['OPEN', 'CLOSED'] as const) {
    const ids = demoJobs.filter((job) => job.status === status).map((job) => job.externalJobPostingId);
    sandbox.seedExistingJobs(URN, ids, status);
  }
  sandbox.faults.setLatency('simpleJobPostings', POSTING_LATENCY_MS);

  common = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    DATABASE_URL: database.url,
    TASK_QUEUE,
    LOG_LEVEL: 'info',
  };
  workerEnv = {
    ...common,
    LINKEDIN_API_URL: sandbox.apiUrl,
    LINKEDIN_TOKEN_URL: sandbox.tokenUrl,
    TASK_POLL_INTERVAL: '200ms',
    TASK_POLL_MAX_INTERVAL: '1s',
  };
  apiPort = await freePort();
  launch('api', 'api/main.js', {
    ...common,
    LINKEDIN_WEBHOOK_SECRETS: SECRET,
    LINKEDIN_PARENT_APPLICATION_ID: '1000',
    PORT: String(apiPort),
    API_METRICS_PORT: String(await freePort()),
  });
  await startWorker('worker-1');
  await processes.apiReady(apiPort);
  figures.readyMs = Date.now() - started;
}, 420_000);

afterAll(async () => {
  await processes.killAll();
  await client?.connection.close();
  await sandbox?.close();
  await temporal?.stop();
  await database?.drop();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  console.log(`production Temporal figures (ms): ${JSON.stringify(figures)}`);
});

function notify(body: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${apiPort}/webhooks/linkedin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signNotification(SECRET, body) },
    body,
  });
}

function resultOf(body: string): Promise<ResyncResult> {
  const workflowId = workflowIdFor(JobResyncNotification.parse(JSON.parse(body)));
  return client.workflow.getHandle(workflowId).result() as Promise<ResyncResult>;
}

/** The ids the sandbox was sent with `operation` since `from` (an index into its record). */
function postedSince(from: number, operation: string): string[] {
  return sandbox
    .postedElements(URN)
    .slice(from)
    .filter((element) => element.operation === operation)
    .map((element) => element.externalJobPostingId ?? '');
}

test('the server runs on the built binaries with the three search attributes registered in the namespace', async () => {
  const build = temporalServerBuild();
  const { stdout } = await run(build.cli, [
    'operator',
    'search-attribute',
    'list',
    '--address',
    temporal.address,
    '--namespace',
    NAMESPACE,
    '--output',
    'json',
  ]);
  const listed = JSON.parse(stdout) as { customAttributes?: Record<string, string> };
  for (const name of SEARCH_ATTRIBUTE_NAMES) {
    expect({ name, type: listed.customAttributes?.[name] }).toEqual({
      name,
      type: 'INDEXED_VALUE_TYPE_KEYWORD',
    });
  }
  // PostgreSQL, not the dev server's SQLite: the server reports its persistence and visibility stores.
  const info = await client.workflowService.getSystemInfo({});
  expect(info.serverVersion).toBe('1.30.4');
  const cluster = await client.workflowService.getClusterInfo({});
  expect(cluster.persistenceStore).toBe('postgres12');
  expect(cluster.visibilityStore).toBe('postgres12');
});

test('a sync-all notification completes: every open job UPDATEd at LinkedIn, found by its search attributes', async () => {
  const from = sandbox.postedElements(URN).length;
  const started = Date.now();
  expect((await notify(SAMPLE_ALL_OPEN)).status).toBe(200);
  const result = await resultOf(SAMPLE_ALL_OPEN);
  figures.syncAllMs = Date.now() - started;
  expect(result.outcome).toBe('SUCCEEDED');
  expect(result.totals).toMatchObject({
    requested: openJobs.length,
    sent: openJobs.length,
    updated: openJobs.length,
    created: 0,
    rejected: 0,
  });
  expect(postedSince(from, 'UPDATE').sort()).toEqual([...openJobs].sort());
  expect(postedSince(from, 'CREATE')).toEqual([]);
  // SQL visibility indexes the custom search attributes the resync sets.
  const workflowId = workflowIdFor(JobResyncNotification.parse(JSON.parse(SAMPLE_ALL_OPEN)));
  await until(async () => {
    const found: string[] = [];
    for await (const execution of client.workflow.list({
      query: `DeveloperApplicationUrn = "${URN}" AND ResyncOutcome = "SUCCEEDED"`,
    })) {
      found.push(execution.workflowId);
    }
    return found.includes(workflowId);
  }, 'the resync is listed by DeveloperApplicationUrn and ResyncOutcome');
});

test('a drift check started with the built CLI runs to completion and records DriftFound', async () => {
  const started = Date.now();
  const { stdout } = await run(process.execPath, [join(buildDir, 'dist', 'cli', 'resync.js'), 'drift', URN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...common },
    timeout: 120_000,
  });
  figures.driftCheckMs = Date.now() - started;
  const workflowId = /drift check running: (\S+)/.exec(stdout)?.[1];
  expect(workflowId).toBeDefined();
  const handle = client.workflow.getHandle(workflowId ?? '');
  const result = (await handle.result()) as DriftCheckResult;
  const jobsOfApplication = buildDemoJobs().filter((job) => job.developerApplicationUrn === URN).length;
  expect(result.checked).toBe(jobsOfApplication);
  const description = await handle.describe();
  expect(description.status.name).toBe('COMPLETED');
  const driftFound = description.searchAttributes.DriftFound?.[0];
  expect(['true', 'false']).toContain(driftFound);
  await until(async () => {
    for await (const execution of client.workflow.list({
      query: `WorkflowId = "${workflowId}" AND DriftFound = "${String(driftFound)}"`,
    })) {
      if (execution.workflowId === workflowId) return true;
    }
    return false;
  }, 'the drift check is listed by DriftFound');
});

test('the worker SIGKILLed mid-resync and restarted: the resync completes with every job sent', async () => {
  const ids = openJobs.filter((id) => !DEMO_SAMPLE_JOB_IDS.includes(id));
  expect(ids.length).toBeGreaterThan(200);
  const body = JSON.stringify({
    developerApplicationUrn: URN,
    externalJobPostingIds: ids,
    syncAllOpenJobs: false,
    type: 'RESYNC_JOBS',
  });
  const from = sandbox.postedElements(URN).length;
  const started = Date.now();
  expect((await notify(body)).status).toBe(200);
  // The first batch of 100 is answered, the rest not yet: the worker dies mid-resync.
  await until(() => postedSince(from, 'UPDATE').length >= 100, 'the first batch is posted', 60_000);
  const worker = processes.all.find((p) => p.name === 'worker-1');
  expect(postedSince(from, 'UPDATE').length).toBeLessThan(ids.length);
  worker?.child.kill('SIGKILL');
  expect(await worker?.exited).toBeNull();
  const killedAt = Date.now();
  await startWorker('worker-2');
  const result = await resultOf(body);
  figures.killedResyncMs = Date.now() - started;
  figures.afterKillMs = Date.now() - killedAt;
  expect(result.outcome).toBe('SUCCEEDED');
  expect(result.totals).toMatchObject({
    requested: ids.length,
    sent: ids.length,
    updated: ids.length,
    rejected: 0,
  });
  // At least once: the batch in flight when the worker died may have gone twice; none went missing.
  const sent = postedSince(from, 'UPDATE');
  expect([...new Set(sent)].sort()).toEqual([...ids].sort());
  figures.resentAfterKill = sent.length - ids.length;
});
