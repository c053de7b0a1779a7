/**
 * `npm run bench -- --tenants`: does one application's large resync delay the others? One Temporal dev
 * server; the LinkedIn sandbox in a process of its own (LinkedIn is not on the worker's CPU); the worker
 * process (tenants-worker.ts: the resync workers and their in-memory PGlite store), as production runs
 * `node dist/worker.js`; and this process, which only sends the load (starting resyncs as the API does)
 * and measures. Small applications' notifications arrive throughout a window, first alone, then beside
 * one application's sync-all of many jobs; for each small resync the time from receipt to its last UPDATE
 * call answered by LinkedIn's side is measured. Then the worker's idle CPU with and without 10,000 drift
 * schedules. A benchmark, not a test: it reports, it does not assert. Figures go to
 * .data/bench/tenants-<time>.json.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { createResyncStarter } from '../../src/api/resync-starter';
import type { DeveloperApplication } from '../../src/ats/job-store';
import { freePort } from '../dev/ports';
import { driftScheduleOptions, syncDriftSchedules } from '../../src/drift-schedules';
import { projectRoot } from '../project-root';
import { startBenchTemporal } from './bench-temporal';
import { processCpuMs, within } from './measure';
import type { FromTenantsWorker, ToTenantsWorker } from './tenants-protocol';
import { BenchWorker } from './worker-process';

const ROOT = projectRoot();
const DEADLINE_MS = 30 * 60_000;
const FOLLOW_UP_WINDOW_MS = 10 * 60_000;
const NAMESPACE = 'default';
/** LinkedIn's tasks end after this long in the sandbox. */
const TASK_COMPLETION = '200ms';
const SEEDING_TIMEOUT_MS = 10 * 60_000;
const REPLY_TIMEOUT_MS = 30_000;

interface Options {
  largeJobs: number;
  smallApps: number;
  smallJobs: number;
  windowMs: number;
  schedules: number;
  idleMs: number;
  /** Stop the large resync once the small ones are measured, rather than timing it to its end. */
  quick: boolean;
  /** LARGE_RESYNC_JOBS: more jobs than this start on the large resyncs' queue; 0: one queue for all. */
  largeResyncJobs: number;
  /** How long LinkedIn takes to answer each posting call (the sandbox's latency), for every application. */
  latencyMs: number;
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
      quick: { type: 'boolean', default: false },
      'large-resync-jobs': { type: 'string', default: '1000' },
      latency: { type: 'string', default: '0' },
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
    quick: values.quick,
    largeResyncJobs: Number(values['large-resync-jobs']),
    latencyMs: Number(values.latency),
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

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** Where one small resync's time went, from its history (server times) and LinkedIn's side. */
interface Breakdown {
  /** Receipt to WorkflowExecutionStarted: the API's start call. */
  start: number;
  /** Each workflow task's schedule-to-start (waiting for a worker) and start-to-complete. */
  wftWait: number[];
  wftRun: number[];
  /** Activities by type: schedule-to-start and start-to-close. */
  activityWait: Record<string, number[]>;
  activityRun: Record<string, number[]>;
  /** Receipt to the last UPDATE answered, cut into its steps (ms). */
  path: Record<string, number>;
}

function breakdownOf(history: History, receivedAt: number, lastUpdateAt: number): Breakdown {
  const at = new Map<number, number>();
  const names = new Map<number, string>();
  const out: Breakdown = { start: 0, wftWait: [], wftRun: [], activityWait: {}, activityRun: {}, path: {} };
  const path = out.path;
  const add = (key: string, value: number) => (path[key] = (path[key] ?? 0) + value);
  let postStarted: number | undefined;
  const push = (into: Record<string, number[]>, key: string, value: number) => (into[key] ??= []).push(value);
  for (const event of history.events ?? []) {
    const id = Number(event.eventId);
    const time = tsToMs(event.eventTime);
    at.set(id, time);
    const onPath = postStarted === undefined;
    if (event.workflowExecutionStartedEventAttributes) {
      out.start = time - receivedAt;
      add('start', out.start);
    }
    const wftStarted = event.workflowTaskStartedEventAttributes;
    if (wftStarted) {
      out.wftWait.push(time - (at.get(Number(wftStarted.scheduledEventId)) ?? time));
      if (onPath) add('wftWait', time - (at.get(Number(wftStarted.scheduledEventId)) ?? time));
    }
    const wftDone = event.workflowTaskCompletedEventAttributes;
    if (wftDone) {
      out.wftRun.push(time - (at.get(Number(wftDone.startedEventId)) ?? time));
      if (onPath) add('wftRun', time - (at.get(Number(wftDone.startedEventId)) ?? time));
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) names.set(id, scheduled.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const from = Number(started.scheduledEventId);
      const name = names.get(from) ?? '?';
      push(out.activityWait, name, time - (at.get(from) ?? time));
      if (onPath) add(`${name}Wait`, time - (at.get(from) ?? time));
      if (name === 'postBatch' && onPath) {
        postStarted = time;
        add('postBatchToLastUpdate', lastUpdateAt - time);
      }
    }
    const done = event.activityTaskCompletedEventAttributes;
    if (done) {
      const name = names.get(Number(done.scheduledEventId)) ?? '?';
      push(out.activityRun, name, time - (at.get(Number(done.startedEventId)) ?? time));
      if (onPath) add(`${name}Run`, time - (at.get(Number(done.startedEventId)) ?? time));
    }
  }
  return out;
}

/** p50/p99/max of each segment over many resyncs (sums per resync for the repeated ones). */
function summarise(breakdowns: readonly Breakdown[]) {
  const stat = (values: number[]) => ({
    p50: percentile(values, 0.5),
    p99: percentile(values, 0.99),
    max: percentile(values, 1),
  });
  const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
  const types = new Set(breakdowns.flatMap((b) => Object.keys(b.activityWait)));
  const steps = new Set(breakdowns.flatMap((b) => Object.keys(b.path)));
  const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / (values.length || 1));
  // The slowest 2 % of resyncs: which steps their time went to.
  const slowest = [...breakdowns]
    .sort((a, b) => sum(Object.values(b.path)) - sum(Object.values(a.path)))
    .slice(0, Math.max(1, Math.ceil(breakdowns.length / 50)));
  return {
    pathMean: Object.fromEntries(
      [...steps].map((step) => [step, mean(breakdowns.map((b) => b.path[step] ?? 0))]),
    ),
    pathMeanSlowest: Object.fromEntries(
      [...steps].map((step) => [step, mean(slowest.map((b) => b.path[step] ?? 0))]),
    ),
    pathP99: Object.fromEntries(
      [...steps].map((step) => [
        step,
        percentile(
          breakdowns.map((b) => b.path[step] ?? 0),
          0.99,
        ),
      ]),
    ),
    start: stat(breakdowns.map((b) => b.start)),
    workflowTasks: stat(breakdowns.map((b) => b.wftWait.length)),
    wftWaitEach: stat(breakdowns.flatMap((b) => b.wftWait)),
    wftWaitSum: stat(breakdowns.map((b) => sum(b.wftWait))),
    wftRunEach: stat(breakdowns.flatMap((b) => b.wftRun)),
    wftRunSum: stat(breakdowns.map((b) => sum(b.wftRun))),
    activities: Object.fromEntries(
      [...types].map((type) => [
        type,
        {
          wait: stat(breakdowns.flatMap((b) => b.activityWait[type] ?? [])),
          run: stat(breakdowns.flatMap((b) => b.activityRun[type] ?? [])),
        },
      ]),
    ),
  };
}

/** The worker's slot use and the SDK's schedule-to-start figures, scraped from its Prometheus endpoint. */
function sampleSlots(url: string, everyMs: number) {
  const samples: Array<Record<string, number>> = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const text = await fetch(url)
        .then((response) => response.text())
        .catch(() => '');
      const sample: Record<string, number> = {};
      for (const line of text.split('\n')) {
        const match = /^temporal_worker_task_slots_used\{(.*)\} (\S+)$/.exec(line);
        if (!match) continue;
        const labels = match[1] ?? '';
        const type = /worker_type="(\w+)"/.exec(labels)?.[1] ?? '?';
        const queue = /task_queue="([^"]+)"/.exec(labels)?.[1] ?? '?';
        sample[`${queue}/${type}`] = Number(match[2]);
      }
      samples.push(sample);
      await sleep(everyMs);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    const keys = new Set(samples.flatMap((sample) => Object.keys(sample)));
    return Object.fromEntries(
      [...keys].map((key) => {
        const values = samples.map((sample) => sample[key] ?? 0);
        return [
          key,
          { p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: percentile(values, 1) },
        ];
      }),
    );
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function urnOf(id: number): string {
  return `urn:li:developerApplication:${id}`;
}

/** The LinkedIn sandbox as its own service (tools/sandbox/main.ts), on a free port; its stop goes on `stops`. */
async function startSandboxProcess(
  stops: Array<() => Promise<unknown>>,
): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const child = fork(join(__dirname, '..', 'sandbox', 'main.js'), [], {
    env: {
      ...process.env,
      SANDBOX_PORT: String(port),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_TASK_COMPLETION: TASK_COMPLETION,
    },
    // Its one log line (listening) would only clutter the bench's output.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stops.push(async () => {
    child.kill('SIGTERM');
    await within(10_000, 'the sandbox exit', exited).catch(() => {
      child.kill('SIGKILL');
      return exited;
    });
  });
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error('the sandbox process exited before it listened');
    const ok = await fetch(`${url}/_sandbox/status-notifications`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('the sandbox process did not listen within 30 s');
    await sleep(100);
  }
  if (child.pid === undefined) throw new Error('the sandbox process has no pid');
  return { url, pid: child.pid };
}

/** The sandbox's admin API (tools/sandbox/admin.ts). */
async function sandboxAdmin(url: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}/_sandbox/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`sandbox ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

interface PostingCall {
  developerApplicationUrn: string | null;
  status: number;
  startedAt: number;
  endedAt: number;
}

/** The posting calls the sandbox recorded, without their bodies (GET /_sandbox/posting-calls). */
async function postingCalls(url: string, query: { since?: number; application?: string }) {
  const params = new URLSearchParams();
  if (query.since !== undefined) params.set('since', String(query.since));
  if (query.application !== undefined) params.set('application', query.application);
  const body = (await sandboxAdmin(url, `posting-calls?${params.toString()}`)) as { calls: PostingCall[] };
  return body.calls;
}

export async function runTenantsBenchmark(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const metricsPort = await freePort();
    const { address, client, bundlePath } = await startBenchTemporal(stops, 'tenants');
    const sandbox = await startSandboxProcess(stops);
    if (options.latencyMs > 0) {
      await sandboxAdmin(sandbox.url, 'faults', {
        setLatency: { endpoint: 'simpleJobPostings', ms: options.latencyMs },
      });
    }

    console.log(
      `Seeding 1 application of ${options.largeJobs} jobs and ${options.smallApps} of ${options.smallJobs}…`,
    );
    const large = 9_000_000;
    const smalls = Array.from({ length: options.smallApps }, (_, i) => 9_100_000 + i);
    const applications = [large, ...smalls].map((id): DeveloperApplication => ({
      urn: urnOf(id),
      clientId: `bench-${id}`,
      clientSecret: `bench-secret-${id}`,
      integrationContext: 'urn:li:organization:2414183',
      companyName: `Tenant ${id}`,
    }));
    const taskQueue = 'tenants-bench';
    const worker = new BenchWorker<ToTenantsWorker, FromTenantsWorker>(join(__dirname, 'tenants-worker.js'));
    stops.push(async () => {
      worker.send({ kind: 'finish' });
      await worker.stop(60_000);
    });
    worker.send({
      kind: 'setup',
      temporalAddress: address,
      namespace: NAMESPACE,
      taskQueue,
      workflowBundlePath: bundlePath,
      linkedin: { apiUrl: sandbox.url, tokenUrl: `${sandbox.url}/oauth/v2/accessToken` },
      serveLargeResyncs: options.largeResyncJobs > 0,
      metricsPort,
      applications: applications.map((application) => ({
        application,
        jobs: application.urn === urnOf(large) ? options.largeJobs : options.smallJobs,
      })),
    });
    const { ids } = await worker.next('seeded', SEEDING_TIMEOUT_MS);
    // LinkedIn knows each application and already holds its jobs, so the resyncs' UPDATEs succeed.
    await mapLimited(applications, 8, async (application) => {
      await sandboxAdmin(sandbox.url, 'applications', {
        developerApplicationUrn: application.urn,
        clientId: application.clientId,
        clientSecret: application.clientSecret,
        kind: 'child',
      });
      await sandboxAdmin(sandbox.url, 'jobs', {
        developerApplicationUrn: application.urn,
        externalJobPostingIds: ids[application.urn] ?? [],
      });
    });
    await worker.next('ready', SEEDING_TIMEOUT_MS);
    const workerCpuMs = async () => {
      worker.send({ kind: 'cpu' });
      return (await worker.next('cpu', REPLY_TIMEOUT_MS)).cpuMs;
    };

    // As the API routes them (src/api/main.ts), counting a sync-all's open jobs in the ATS: the ids the
    // worker process's store listed.
    const jobs = {
      listOpenJobIds: (urn: string, page: { after?: string | undefined; limit: number }) => {
        const all = ids[urn] ?? [];
        const { after } = page;
        return Promise.resolve(
          (after === undefined ? all : all.filter((id) => id > after)).slice(0, page.limit),
        );
      },
    };
    const largeRouting = { large: { minJobs: options.largeResyncJobs, jobs } };

    /** Small notifications spread over the window; each one's time from receipt to its last UPDATE answered. */
    const smallPhase = async (prefix: string) => {
      const starter = createResyncStarter(client, {
        taskQueue,
        deadlineMs: DEADLINE_MS,
        followUpWindowMs: FOLLOW_UP_WINDOW_MS,
        workflowIdPrefix: prefix,
        startTimeoutMs: 10_000,
        ...largeRouting,
      });
      const received = new Map<string, number>();
      const workflowIds = new Map<string, string>();
      const handles: Array<Promise<unknown>> = [];
      // The worker's event loop and CPU over the phase; this process's and the sandbox's CPU beside.
      worker.send({ kind: 'phaseStart' });
      await worker.next('phaseStarted', REPLY_TIMEOUT_MS);
      const slots = sampleSlots(`http://127.0.0.1:${metricsPort}/metrics`, 250);
      const cpuBefore = process.cpuUsage();
      const sandboxCpuBefore = processCpuMs(sandbox.pid);
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
        workflowIds.set(urn, started.workflowId);
        handles.push(client.workflow.getHandle(started.workflowId).result());
      }
      await Promise.all(handles);
      const phaseMs = Date.now() - phaseStart;
      const cpu = process.cpuUsage(cpuBefore);
      const sandboxCpuAfter = processCpuMs(sandbox.pid);
      worker.send({ kind: 'phaseEnd' });
      const workerPhase = await worker.next('phase', REPLY_TIMEOUT_MS);
      const slotUse = await slots();
      const lastUpdate = new Map<string, number>();
      for (const call of await postingCalls(sandbox.url, { since: phaseStart })) {
        const urn = call.developerApplicationUrn;
        if (urn === null || !received.has(urn) || call.status !== 200) continue;
        lastUpdate.set(urn, Math.max(lastUpdate.get(urn) ?? 0, call.endedAt));
      }
      const latencies = [...received].map(([urn, at]) => (lastUpdate.get(urn) ?? Number.NaN) - at);
      const missing = latencies.filter((value) => Number.isNaN(value)).length;
      const measured = latencies.filter((value) => !Number.isNaN(value));
      const breakdowns: Breakdown[] = [];
      await mapLimited([...workflowIds], 8, async ([urn, workflowId]) => {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        breakdowns.push(breakdownOf(history, received.get(urn) ?? 0, lastUpdate.get(urn) ?? 0));
      });
      const perSecond = (cpuMs: number | null) =>
        cpuMs === null ? null : Math.round(cpuMs / (phaseMs / 1000));
      return {
        resyncs: received.size,
        missing,
        p50Ms: percentile(measured, 0.5),
        p99Ms: percentile(measured, 0.99),
        maxMs: percentile(measured, 1),
        where: summarise(breakdowns),
        /** The worker process's. */
        eventLoopDelayMs: workerPhase.eventLoopDelayMs,
        /** The worker process's CPU time (ms) a second of the phase. */
        processCpuPerSecondMs: Math.round(workerPhase.cpuMs / (workerPhase.elapsedMs / 1000)),
        sandboxCpuPerSecondMs:
          sandboxCpuBefore === null || sandboxCpuAfter === null
            ? null
            : perSecond(sandboxCpuAfter - sandboxCpuBefore),
        benchCpuPerSecondMs: perSecond((cpu.user + cpu.system) / 1000),
        slotsUsed: slotUse,
        series: {
          /** [ms from the phase's start to receipt, ms to the last UPDATE] */
          latencies: [...received].map(([urn, at]) => [
            at - phaseStart,
            (lastUpdate.get(urn) ?? Number.NaN) - at,
          ]),
          /** [ms from the phase's start, ms the worker's 100 ms tick was late] when late by 50 ms or more */
          stalls: workerPhase.stalls.map(([at, late]) => [at - phaseStart, late]),
          phaseStart,
        },
      };
    };

    console.log(`Phase 1: ${options.smallApps} small resyncs over ${options.windowMs / 1000} s, alone`);
    const alone = await smallPhase('alone-');
    console.log(`  p50 ${alone.p50Ms} ms, p99 ${alone.p99Ms} ms`);
    console.log(JSON.stringify({ ...alone, series: undefined }));

    console.log(`Phase 2: the same beside a sync-all of ${options.largeJobs} jobs`);
    const largeStarter = createResyncStarter(client, {
      taskQueue,
      deadlineMs: DEADLINE_MS,
      followUpWindowMs: FOLLOW_UP_WINDOW_MS,
      workflowIdPrefix: 'beside-',
      startTimeoutMs: 10_000,
      ...largeRouting,
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
    console.log(JSON.stringify({ ...beside, series: undefined }));
    const largeCalls = await postingCalls(sandbox.url, { application: urnOf(large) });
    const largeSentDuringWindow = largeCalls.length;
    const largeCallTimes = largeCalls.map((call) => [call.startedAt, call.endedAt - call.startedAt]);
    const largeHistory = breakdownOf(
      await client.workflow.getHandle(largeRun.workflowId).fetchHistory(),
      largeStart,
      0,
    );
    const largeWorkflowTasks = summarise([{ ...largeHistory, path: {} }]);
    // Each run's first and last events, to see what its continue-as-new costs.
    const runEdges: Array<Array<[number, string, number]>> = [];
    const slowTasks: Array<[number, number, string]> = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = "${largeRun.workflowId}"` })) {
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const events = (history.events ?? []).map((event): [number, string, number] => [
        Number(event.eventId),
        Object.keys(event).find((key) => key.endsWith('EventAttributes')) ?? '?',
        tsToMs(event.eventTime) - largeStart,
      ]);
      runEdges.push([...events.slice(0, 4), ...events.slice(-8)]);
      // Failed workflow tasks (with their cause) and slow ones: what the large resync's tasks cost.
      const started = new Map<number, number>();
      for (const event of history.events ?? []) {
        const time = tsToMs(event.eventTime) - largeStart;
        if (event.workflowTaskStartedEventAttributes) started.set(Number(event.eventId), time);
        const failed = event.workflowTaskFailedEventAttributes;
        if (failed) {
          const from = started.get(Number(failed.startedEventId)) ?? time;
          slowTasks.push([
            from,
            time - from,
            `failed: ${String(failed.cause)} ${failed.failure?.message ?? ''}`,
          ]);
        }
        const done = event.workflowTaskCompletedEventAttributes;
        if (done) {
          const from = started.get(Number(done.startedEventId)) ?? time;
          if (time - from >= 300) slowTasks.push([from, time - from, 'completed']);
        }
      }
    }
    console.log(`  the large resync's current run: ${JSON.stringify(largeWorkflowTasks)}`);
    if (options.quick) {
      // It may have ended already (a fast machine).
      await client.workflow
        .getHandle(largeRun.workflowId)
        .terminate('bench: quick')
        .catch(() => undefined);
    } else await client.workflow.getHandle(largeRun.workflowId).result();
    const largeLastUpdateMs =
      Math.max(
        ...(await postingCalls(sandbox.url, { application: urnOf(large) })).map((call) => call.endedAt),
      ) - largeStart;
    console.log(`  the large resync's last UPDATE after ${Math.round(largeLastUpdateMs / 1000)} s`);
    // The small resyncs received while the large one was still sending: the ones it could delay. With a
    // fast LinkedIn it ends long before the window does, and the later small resyncs run as if alone.
    const sendingUntil = largeStart + largeLastUpdateMs;
    const overlapped = beside.series.latencies.flatMap(([at = Infinity, ms = Number.NaN]) =>
      beside.series.phaseStart + at <= sendingUntil && !Number.isNaN(ms) ? [ms] : [],
    );
    const besideWhileSending = {
      resyncs: overlapped.length,
      p50Ms: percentile(overlapped, 0.5),
      p99Ms: percentile(overlapped, 0.99),
    };
    console.log(
      `  received while it was sending: ${overlapped.length}, p50 ${besideWhileSending.p50Ms} ms, p99 ${besideWhileSending.p99Ms} ms`,
    );

    /** The worker's idle CPU without and with the drift schedules of many applications. */
    const idleSchedules = async () => {
      console.log(
        `Idle worker: ${options.idleMs / 1000} s without schedules, then with ${options.schedules}`,
      );
      const idleCpu = async () => {
        const before = await workerCpuMs();
        await sleep(options.idleMs);
        return ((await workerCpuMs()) - before) / (options.idleMs / 1000);
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
      return {
        count: options.schedules,
        createMs,
        idleCpuMsPerSecondWithout: idleWithout,
        idleCpuMsPerSecondWith: idleWith,
        driftChecksFiredDuringIdle: checksDuringIdle,
        syncPassMs,
        syncChanges: sync.created.length + sync.removed.length + sync.updated.length,
      };
    };
    const schedules = options.schedules > 0 ? await idleSchedules() : null;

    const report = {
      startedAt: startedAt.toISOString(),
      machine: {
        cpus: cpus().length,
        totalMemoryBytes: totalmem(),
        node: process.version,
        loadAverageAtStart,
        loadAverageAtEnd: loadavg(),
      },
      processes: 'the bench (load and measurement), the LinkedIn sandbox, the worker: one each',
      options,
      small: {
        alone,
        beside,
        p99Ratio: alone.p99Ms && beside.p99Ms ? beside.p99Ms / alone.p99Ms : null,
        besideWhileSending,
        p99RatioWhileSending:
          alone.p99Ms && besideWhileSending.p99Ms ? besideWhileSending.p99Ms / alone.p99Ms : null,
      },
      large: {
        jobs: options.largeJobs,
        lastUpdateMs: largeLastUpdateMs,
        callsDuringSmallWindow: largeSentDuringWindow,
        currentRun: largeWorkflowTasks,
        callTimes: largeCallTimes,
        runEdges,
        slowTasks,
      },
      schedules,
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
