/**
 * `npm run bench -- --tenants`: does one application's large resync delay the others? One Temporal dev
 * server, the LinkedIn sandbox, an in-memory PGlite store and one worker, all in this process. Small
 * applications' notifications arrive throughout a window, first alone, then beside one application's
 * sync-all of many jobs; for each small resync the time from receipt to its last UPDATE call answered by
 * LinkedIn's side is measured. Then the worker's idle CPU with and without 10,000 drift schedules.
 * A benchmark, not a test: it reports, it does not assert. Figures go to .data/bench/tenants-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { createResyncStarter } from '../../src/api/resync-starter';
import { InProcessLanes } from '../../src/linkedin/application-lanes';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import { resolveTemporalCli, startTemporalDevServer } from '../dev/temporal-dev-server';
import { driftScheduleOptions, syncDriftSchedules } from '../../src/drift-schedules';
import { startLinkedInSandbox } from '../sandbox/linkedin-sandbox';
import { buildWorkflowBundle } from '../../src/workflow-bundle';
import { createResyncWorkers, createWorkerDeps } from '../../src/worker';

const ROOT = resolve(__dirname, '..', '..');
const DEADLINE_MS = 30 * 60_000;
const FOLLOW_UP_WINDOW_MS = 10 * 60_000;

interface Options {
  largeJobs: number;
  smallApps: number;
  smallJobs: number;
  windowMs: number;
  schedules: number;
  idleMs: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenants: { type: 'boolean' },
      large: { type: 'string', default: '100000' },
      small: { type: 'string', default: '1000' },
      'small-jobs': { type: 'string', default: '10' },
      window: { type: 'string', default: '120' },
      schedules: { type: 'string', default: '10000' },
      idle: { type: 'string', default: '30' },
    },
    strict: true,
  });
  return {
    largeJobs: Number(values.large),
    smallApps: Number(values.small),
    smallJobs: Number(values['small-jobs']),
    windowMs: Number(values.window) * 1000,
    schedules: Number(values.schedules),
    idleMs: Number(values.idle) * 1000,
  };
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
}

async function mapLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function urnOf(id: number): string {
  return `urn:li:developerApplication:${id}`;
}

export async function runTenantsBenchmark(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const startedAt = new Date();
  const stops: Array<() => Promise<unknown>> = [];
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
    const bundleDir = mkdtempSync(join(tmpdir(), 'tenants-bench-'));
    stops.push(() => Promise.resolve(rmSync(bundleDir, { recursive: true, force: true })));
    const bundlePath = join(bundleDir, 'workflows.js');
    const bundling = buildWorkflowBundle(bundlePath);
    const server = await startTemporalDevServer({
      cliPath: resolveTemporalCli(ROOT, process.env),
      startTimeoutMs: 90_000,
    });
    stops.push(() => server.stop());
    await bundling;
    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });

    const sandbox = await startLinkedInSandbox({ taskCompletionMs: 200 });
    stops.push(() => sandbox.close());
    const store = await openEmbeddedJobStore({});
    stops.push(() => store.close());

    console.log(
      `Seeding 1 application of ${options.largeJobs} jobs and ${options.smallApps} of ${options.smallJobs}…`,
    );
    const large = 9_000_000;
    const smalls = Array.from({ length: options.smallApps }, (_, i) => 9_100_000 + i);
    for (const id of [large, ...smalls]) {
      const urn = urnOf(id);
      await store.ensureApplication({
        urn,
        clientId: `bench-${id}`,
        clientSecret: `bench-secret-${id}`,
        integrationContext: 'urn:li:organization:2414183',
        companyName: `Tenant ${id}`,
      });
      await store.insertSyntheticJobs(urn, id === large ? options.largeJobs : options.smallJobs);
      sandbox.registerApplication({
        developerApplicationUrn: urn,
        clientId: `bench-${id}`,
        clientSecret: `bench-secret-${id}`,
        kind: 'child',
      });
      const ids = await store.listOpenJobIds(urn, { limit: options.largeJobs + options.smallJobs });
      sandbox.seedExistingJobs(urn, ids);
    }

    const taskQueue = 'tenants-bench';
    const native = await NativeConnection.connect({ address: server.address });
    stops.push(() => native.close());
    const workers = await createResyncWorkers({
      connection: native,
      namespace: 'default',
      taskQueue,
      workflowBundle: { codePath: bundlePath },
      deps: createWorkerDeps({
        jobStore: store,
        lanes: new InProcessLanes(),
        linkedin: { apiUrl: sandbox.apiUrl, tokenUrl: sandbox.tokenUrl },
        requestTimeoutMs: 30_000,
        taskPolling: { intervalMs: 1_000, maxIntervalMs: 5_000 },
      }),
    });
    const running = workers.run();
    stops.push(async () => {
      workers.shutdown();
      await running;
    });

    /** Small notifications spread over the window; each one's time from receipt to its last UPDATE answered. */
    const smallPhase = async (prefix: string) => {
      const starter = createResyncStarter(client, {
        taskQueue,
        deadlineMs: DEADLINE_MS,
        followUpWindowMs: FOLLOW_UP_WINDOW_MS,
        workflowIdPrefix: prefix,
        startTimeoutMs: 10_000,
      });
      const received = new Map<string, number>();
      const handles: Array<Promise<unknown>> = [];
      const phaseStart = Date.now();
      for (const [index, id] of smalls.entries()) {
        const due = phaseStart + (index * options.windowMs) / smalls.length;
        if (due > Date.now()) await sleep(due - Date.now());
        const urn = urnOf(id);
        const receivedAt = Date.now();
        received.set(urn, receivedAt);
        const started = await starter.start(
          { developerApplicationUrn: urn, type: 'RESYNC_JOBS', syncAllOpenJobs: true },
          receivedAt,
        );
        handles.push(client.workflow.getHandle(started.workflowId).result());
      }
      await Promise.all(handles);
      const lastUpdate = new Map<string, number>();
      for (const call of sandbox.calls()) {
        if (call.endpoint !== 'simpleJobPostings' || call.startedAt < phaseStart) continue;
        const urn = call.developerApplicationUrn;
        if (urn === null || !received.has(urn) || call.status !== 200) continue;
        lastUpdate.set(urn, Math.max(lastUpdate.get(urn) ?? 0, call.endedAt));
      }
      const latencies = [...received].map(([urn, at]) => (lastUpdate.get(urn) ?? Number.NaN) - at);
      const missing = latencies.filter((value) => Number.isNaN(value)).length;
      const measured = latencies.filter((value) => !Number.isNaN(value));
      return {
        resyncs: received.size,
        missing,
        p50Ms: percentile(measured, 0.5),
        p99Ms: percentile(measured, 0.99),
        maxMs: percentile(measured, 1),
      };
    };

    console.log(`Phase 1: ${options.smallApps} small resyncs over ${options.windowMs / 1000} s, alone`);
    const alone = await smallPhase('alone-');
    console.log(`  p50 ${alone.p50Ms} ms, p99 ${alone.p99Ms} ms`);

    console.log(`Phase 2: the same beside a sync-all of ${options.largeJobs} jobs`);
    const largeStarter = createResyncStarter(client, {
      taskQueue,
      deadlineMs: DEADLINE_MS,
      followUpWindowMs: FOLLOW_UP_WINDOW_MS,
      workflowIdPrefix: 'beside-',
      startTimeoutMs: 10_000,
    });
    const largeStart = Date.now();
    const largeRun = await largeStarter.start(
      { developerApplicationUrn: urnOf(large), type: 'RESYNC_JOBS', syncAllOpenJobs: true },
      largeStart,
    );
    // Let the large resync get going before the small ones arrive.
    await sleep(5_000);
    const beside = await smallPhase('beside-');
    console.log(`  p50 ${beside.p50Ms} ms, p99 ${beside.p99Ms} ms`);
    const largeCalls = sandbox
      .calls()
      .filter(
        (call) => call.endpoint === 'simpleJobPostings' && call.developerApplicationUrn === urnOf(large),
      );
    const largeSentDuringWindow = largeCalls.length;
    await client.workflow.getHandle(largeRun.workflowId).result();
    const largeLastUpdateMs =
      Math.max(
        ...sandbox
          .calls()
          .filter(
            (call) => call.endpoint === 'simpleJobPostings' && call.developerApplicationUrn === urnOf(large),
          )
          .map((call) => call.endedAt),
      ) - largeStart;
    console.log(`  the large resync's last UPDATE after ${Math.round(largeLastUpdateMs / 1000)} s`);

    console.log(`Idle worker: ${options.idleMs / 1000} s without schedules, then with ${options.schedules}`);
    const idleCpu = async () => {
      const before = process.cpuUsage();
      await sleep(options.idleMs);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000 / (options.idleMs / 1000);
    };
    const idleWithout = await idleCpu();
    const scheduleOptions = {
      taskQueue,
      intervalMs: 6 * 3_600_000,
      deadlineMs: DEADLINE_MS,
      followUpWindowMs: FOLLOW_UP_WINDOW_MS,
      workflowIdPrefix: 'bench-',
    };
    const createStart = Date.now();
    const scheduleUrns = Array.from({ length: options.schedules }, (_, i) => urnOf(8_000_000 + i));
    await mapLimited(scheduleUrns, 20, (urn) =>
      client.schedule.create(driftScheduleOptions(urn, scheduleOptions)),
    );
    const createMs = Date.now() - createStart;
    await sleep(5_000);
    const checksBefore = (await client.workflow.count('WorkflowType = "driftCheck"')).count;
    const idleWith = await idleCpu();
    // Schedules spread over 6 h fire about 0.46 checks a second (of applications the store lacks here).
    const checksDuringIdle =
      (await client.workflow.count('WorkflowType = "driftCheck"')).count - checksBefore;
    const syncStart = Date.now();
    const sync = await syncDriftSchedules(client, scheduleUrns, scheduleOptions);
    const syncPassMs = Date.now() - syncStart;

    const report = {
      startedAt: startedAt.toISOString(),
      machine: { cpus: cpus().length, totalMemoryBytes: totalmem(), node: process.version },
      options,
      small: { alone, beside, p99Ratio: alone.p99Ms && beside.p99Ms ? beside.p99Ms / alone.p99Ms : null },
      large: {
        jobs: options.largeJobs,
        lastUpdateMs: largeLastUpdateMs,
        callsDuringSmallWindow: largeSentDuringWindow,
      },
      schedules: {
        count: options.schedules,
        createMs,
        idleCpuMsPerSecondWithout: idleWithout,
        idleCpuMsPerSecondWith: idleWith,
        driftChecksFiredDuringIdle: checksDuringIdle,
        syncPassMs,
        syncChanges: sync.created.length + sync.removed.length + sync.updated.length,
      },
    };
    console.log(JSON.stringify(report, null, 2));
    const outDir = join(ROOT, '.data', 'bench');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `tenants-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Figures written to ${outFile}`);
  } finally {
    for (const stop of stops.splice(0).reverse())
      await stop().catch((error: unknown) => console.error(error));
  }
}
