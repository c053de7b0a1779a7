import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { RESYNC_WORKFLOW_TASK_SLOTS } from '../src/resync-workers';
import { signNotification } from '../src/api/signature';
import { freePort } from '../tools/dev/ports';
import type { LinkedInSandbox } from '../tools/sandbox/linkedin-sandbox';
import { SAMPLE_ALL_OPEN, startCustomerLikeSandbox } from './support/environment';
import { until } from './support/eventually';
import { notification } from './support/notifications';
import { parseExposition, type Family } from './support/exposition';
import { documentedMetrics, rowOf, type DocumentedMetric } from './support/metrics-table';
import { createDemoDatabase, type TestDatabase } from './support/postgres';
import { temporalAddress, uniqueTaskQueue, workflowBundle } from './support/temporal';
import { ServiceProcesses, type ServiceProcess } from './support/typescript-child';

/**
 * The worker and the API as they run in production (their own processes, their main()), on the dev
 * server: what their /metrics serve against docs/metrics.md's table, both ways; then Debian's Prometheus
 * scraping both, with deploy/prometheus/alerts.yml loaded, during a resync that misses its deadline.
 */
const ROOT = join(__dirname, '..');
const SECRET = randomBytes(32).toString('hex');
const tmp = mkdtempSync(join(tmpdir(), 'metrics-test-'));
let database: TestDatabase;
let sandbox: LinkedInSandbox;
const processes = new ServiceProcesses();
let worker: ServiceProcess;
let prometheus: ReturnType<typeof spawn> | undefined;
let prometheusOutput = '';
const ports = { api: 0, apiMetrics: 0, workerMetrics: 0, prometheus: 0 };
const taskQueue = uniqueTaskQueue('metrics');
const rows: DocumentedMetric[] = documentedMetrics();

beforeAll(async () => {
  database = await createDemoDatabase('metrics');
  sandbox = await startCustomerLikeSandbox();
  for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
  const common = {
    TEMPORAL_ADDRESS: temporalAddress(),
    DATABASE_URL: database.url,
    TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'warn',
  };
  worker = processes.start('worker', join(ROOT, 'src', 'worker.ts'), {
    ...common,
    LOG_LEVEL: 'info',
    WORKFLOW_BUNDLE: workflowBundle().codePath,
    LINKEDIN_API_URL: sandbox.apiUrl,
    LINKEDIN_TOKEN_URL: sandbox.tokenUrl,
    TASK_POLL_INTERVAL: '200ms',
    WORKER_METRICS_PORT: String(ports.workerMetrics),
  });
  processes.start('api', join(ROOT, 'src', 'api', 'main.ts'), {
    ...common,
    // Short enough for a slow LinkedIn to make the resync miss it.
    RESYNC_DEADLINE: '2s',
    LINKEDIN_WEBHOOK_SECRETS: SECRET,
    LINKEDIN_PARENT_APPLICATION_ID: '1000',
    PORT: String(ports.api),
    API_METRICS_PORT: String(ports.apiMetrics),
  });
  await processes.apiReady(ports.api, 60_000);
  await processes.waitForOutput(worker, '"worker started"', 60_000);
}, 120_000);

afterAll(async () => {
  prometheus?.kill('SIGKILL');
  await processes.killAll();
  await sandbox?.close();
  await database?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

async function scrape(port: number): Promise<Map<string, Family>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

/** What each process serves, against the table: every served family documented with its type and labels. */
function servedAgainstTable(servedBy: 'api' | 'worker', families: Map<string, Family>): string[] {
  const problems: string[] = [];
  for (const [name, family] of families) {
    const row = rowOf(rows, servedBy, name);
    if (!row) {
      problems.push(`${servedBy} serves ${name} (${family.type}), not in docs/metrics.md`);
      continue;
    }
    if (row.name.endsWith('*')) {
      // A library's families: any of their documented labels, no other.
      const other = [...family.labelNames].filter((label) => !row.labelNames.includes(label));
      if (other.length > 0)
        problems.push(`${name}: labels [${other.join(', ')}] not documented for ${row.name}`);
      continue;
    }
    if (row.type !== family.type) problems.push(`${name}: served as ${family.type}, documented ${row.type}`);
    const served = [...family.labelNames].sort().join(', ');
    const documented = [...row.labelNames].sort().join(', ');
    if (served !== documented)
      problems.push(`${name}: served labels [${served}], documented [${documented}]`);
  }
  return problems;
}

/** The table against what each process serves: every row present by now is served. */
function tableAgainstServed(
  present: readonly string[],
  served: Record<string, Map<string, Family>>,
): string[] {
  return rows
    .filter((row) => present.includes(row.present) && !row.name.endsWith('*'))
    .filter((row) => !served[row.servedBy]?.has(row.name))
    .map(
      (row) => `docs/metrics.md lists ${row.name} (${row.present}); the ${row.servedBy} does not serve it`,
    );
}

test('from the first scrape, the API and the worker serve what docs/metrics.md lists, with its types and labels, every series of a known label value at zero', async () => {
  const served = { api: await scrape(ports.apiMetrics), worker: await scrape(ports.workerMetrics) };
  expect([
    ...servedAgainstTable('api', served.api),
    ...servedAgainstTable('worker', served.worker),
    ...tableAgainstServed(['first scrape'], served),
  ]).toEqual([]);
  // Zeroed for the known values: the demo application's missed deadlines, before any resync.
  const missed = served.worker.get('resync_deadlines_missed_total')?.samples ?? [];
  expect(
    missed.filter((sample) => sample.labels.application === DEMO_APPLICATION.urn).map((s) => s.value),
  ).toEqual([0, 0]);
  const notifications = served.api.get('linkedin_notifications_total')?.samples ?? [];
  expect(notifications.map((sample) => sample.labels.status)).toEqual(expect.arrayContaining(['200', '500']));
  expect(served.api.get('api_temporal_reachable')?.samples).toEqual([expect.objectContaining({ value: 1 })]);
  const labels = [...served.api.values(), ...served.worker.values()].flatMap((f) => [...f.labelNames]);
  expect(labels.filter((label) => !/^[a-z][a-z0-9_]*$/.test(label))).toEqual([]);
});

async function firingAlerts(): Promise<Array<{ labels: Record<string, string>; state: string }>> {
  const response = await fetch(`http://127.0.0.1:${ports.prometheus}/api/v1/alerts`).catch(() => undefined);
  if (!response?.ok) return [];
  const body = (await response.json()) as {
    data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
  };
  return body.data.alerts;
}

test('a resync whose run and follow-up each end within their first heartbeat sends Temporal no heartbeat', async () => {
  // Core counts the worker's requests to Temporal; a heartbeat is a write of the activity's state there.
  const heartbeats = async () => {
    const requests = (await scrape(ports.workerMetrics)).get('temporal_request_total');
    expect(requests).toBeDefined();
    return (requests?.samples ?? [])
      .filter((sample) => sample.labels.operation === 'RecordActivityTaskHeartbeat')
      .reduce((sum, sample) => sum + sample.value, 0);
  };
  const completed = async () =>
    ((await scrape(ports.workerMetrics)).get('resyncs_completed_total')?.samples ?? [])
      .filter((sample) => sample.labels.application === DEMO_APPLICATION.urn)
      .reduce((sum, sample) => sum + sample.value, 0);
  const [beatsBefore, completedBefore] = [await heartbeats(), await completed()];
  // Three jobs LinkedIn holds: one call of a few ms, then their tasks, which end 2 s after it.
  const body = notification(['job-1234', 'job-2345', 'job-3456']);
  const answer = await fetch(`http://127.0.0.1:${ports.api}/webhooks/linkedin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signNotification(SECRET, body) },
    body,
  });
  expect(answer.status).toBe(200);
  await until(async () => (await completed()) > completedBefore, 'the resync completed', 60_000);

  expect((await heartbeats()) - beatsBefore).toBe(0);
}, 90_000);

test("Debian's Prometheus, scraping both with deploy/prometheus/alerts.yml, fires ResyncDeadlineMissed for a resync that missed its deadline", async () => {
  const config = join(tmp, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${join(ROOT, 'deploy', 'prometheus', 'alerts.yml')}']`,
      'scrape_configs:',
      `  - { job_name: linkedin-resync-api, static_configs: [{ targets: ['127.0.0.1:${ports.apiMetrics}'] }] }`,
      `  - { job_name: linkedin-resync-worker, static_configs: [{ targets: ['127.0.0.1:${ports.workerMetrics}'] }] }`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(tmp, 'data')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout?.on('data', (chunk: Buffer) => (prometheusOutput += chunk.toString()));
  prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusOutput += chunk.toString()));
  // Both targets scraped (their zeroed counters are in Prometheus) before the resync starts.
  await until(
    async () => {
      const response = await fetch(
        `http://127.0.0.1:${ports.prometheus}/api/v1/query?query=count(up==1)`,
      ).catch(() => undefined);
      const body = response?.ok
        ? ((await response.json()) as { data: { result: Array<{ value: [number, string] }> } })
        : undefined;
      return body?.data.result[0]?.value[1] === '2';
    },
    `Prometheus scraping both\n${prometheusOutput}`,
    30_000,
  );
  expect((await firingAlerts()).map((alert) => alert.labels.alertname)).not.toContain('ResyncDeadlineMissed');

  sandbox.faults.setLatency('simpleJobPostings', 1_500);
  const answer = await fetch(`http://127.0.0.1:${ports.api}/webhooks/linkedin`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-LI-Signature': signNotification(SECRET, SAMPLE_ALL_OPEN),
    },
    body: SAMPLE_ALL_OPEN,
  });
  expect(answer.status).toBe(200);
  let alerts: Awaited<ReturnType<typeof firingAlerts>> = [];
  await until(
    async () => {
      alerts = await firingAlerts();
      return alerts.some(
        (alert) => alert.labels.alertname === 'ResyncDeadlineMissed' && alert.state === 'firing',
      );
    },
    `ResyncDeadlineMissed firing\n${prometheusOutput}`,
    60_000,
  );
  const missedDeadline = alerts.filter((alert) => alert.labels.alertname === 'ResyncDeadlineMissed');
  expect(missedDeadline.map((alert) => [alert.state, alert.labels.application])).toEqual([
    ['firing', DEMO_APPLICATION.urn],
  ]);

  // After a resync, the SDK's own families are there too; still nothing undocumented.
  const served = { api: await scrape(ports.apiMetrics), worker: await scrape(ports.workerMetrics) };
  expect([
    ...servedAgainstTable('api', served.api),
    ...servedAgainstTable('worker', served.worker),
    ...tableAgainstServed(['first scrape', 'after a resync'], served),
  ]).toEqual([]);
}, 120_000);

test('the worker process holds at most RESYNC_WORKFLOW_TASK_SLOTS workflow tasks of its main queue at once (its slots, free and used)', async () => {
  // The SDK reports each worker's workflow slots, free and used.
  const worker = await scrape(ports.workerMetrics);
  const slots = (name: string) =>
    (worker.get(name)?.samples ?? [])
      .filter(
        (sample) => sample.labels.worker_type === 'WorkflowWorker' && sample.labels.task_queue === taskQueue,
      )
      .map((sample) => sample.value);
  const available = slots('temporal_worker_task_slots_available');
  const used = slots('temporal_worker_task_slots_used');
  expect(available).toHaveLength(1);
  expect(used).toHaveLength(1);
  expect(available[0]! + used[0]!).toBe(RESYNC_WORKFLOW_TASK_SLOTS);
});
