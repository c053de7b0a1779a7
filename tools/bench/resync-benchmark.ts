/**
 * `npm run bench -- --sizes 1000,10000,100000`: how a sync-all resync of N jobs behaves end to end. One
 * Temporal dev server (in memory) for the whole run; per N, the LinkedIn sandbox in this process and the
 * worker in a child process of its own (bench-worker.ts) with N synthetic jobs in a PGlite store on disk,
 * so the worker's memory is measured alone. Prints a table and writes the figures to
 * .data/bench/results-<timestamp>.json. A benchmark, not a test: it reports, it does not assert; a size whose
 * resync does not end as expected is flagged in the table and the script exits 1.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { DeveloperApplication } from '../../src/ats/job-store';
import {
  canonicalRequest,
  DEVELOPER_APPLICATION_URN,
  summaryOf,
  WORKFLOW_TYPE,
  workflowIdFor,
  type JobResyncNotification,
  type ResyncInput,
  type ResyncResult,
} from '../../src/contract';
import { resolveTemporalCli, startTemporalDevServer } from '../dev/temporal-dev-server';
import { startLinkedInSandbox, type LinkedInSandbox } from '../sandbox/linkedin-sandbox';
import { buildWorkflowBundle } from '../../src/workflow-bundle';
import type { resyncJobs } from '../../src/workflows';
import type { FromWorker, MemorySnapshot, ToWorker, WorkerReady, WorkerReport } from './bench-protocol';
import { projectRoot } from '../project-root';

const ROOT = projectRoot();
const NAMESPACE = 'default';
const DEFAULT_SIZES = [1_000, 10_000];
const DEADLINE_MS = 30 * 60_000;
const FOLLOW_UP_WINDOW_MS = 10 * 60_000;
const TASK_COMPLETION_MS = 200;
const SAMPLE_EVERY_MS = 250;
/** The workflow fails by itself at the deadline; this only guards against a resync that never ends. */
const RESULT_TIMEOUT_MS = DEADLINE_MS + 5 * 60_000;
const CHILD_STEP_TIMEOUT_MS = 2 * 60_000;
const RPC_TIMEOUT_MS = 60_000;
const PROGRESS_EVERY_MS = 30_000;
const MAX_RUNS = 10_000;

const BENCH_APPLICATION_URN = 'urn:li:developerApplication:424242';

// ---------------------------------------------------------------------------------------------------------
// Figures

interface RunHistory {
  runId: string;
  events: number;
  /** The history encoded as Temporal's History protobuf. */
  bytes: number;
  /** What the server reports for the run (DescribeWorkflowExecution), as a cross-check. */
  serverHistoryBytes: number | null;
  childrenStarted: number;
}

interface BatchCycle {
  /** From one postBatch being scheduled to the next. */
  cycleMs: number | null;
  /** postBatch: scheduled until a worker picked it up, and picked up until completed. */
  postScheduleToStartMs: number | null;
  postStartToCloseMs: number | null;
  /** From startChild to the server's ChildWorkflowExecutionStarted. */
  childStartMs: number | null;
  /** Workflow tasks: scheduled until picked up, picked up until completed; how many per batch. */
  workflowTaskScheduleToStartMs: number | null;
  workflowTaskStartToCloseMs: number | null;
  workflowTasksPerBatch: number | null;
}

interface SizeResult {
  jobs: number;
  ok: boolean;
  /** Where the resync did not end as a healthy resync of N jobs would. */
  problems: string[];
  error?: string;
  workflowId: string;
  taskQueue: string;
  timing?: {
    seedMs: number;
    /** From the workflow start (receivedAt) to the answer of the first / last UPDATE call on LinkedIn's side. */
    toFirstUpdateMs: number | null;
    toLastUpdateMs: number | null;
    toCompletionMs: number;
    /** From the resync's completion until every follow-up workflow had closed. */
    followUpsClosedAfterMs: number;
    jobsPerSecondToLastUpdate: number | null;
  };
  linkedin?: {
    postingCalls: number;
    updateCalls: number;
    otherOperationCalls: number;
    failedPostingCalls: number;
    maxElementsPerCall: number;
    elementsPosted: number;
    distinctJobsPosted: number;
    maxConcurrentPostings: number;
    /** How long LinkedIn's side took to answer a posting call, and the gap from one answer to the next call. */
    medianCallMs: number | null;
    medianGapMs: number | null;
    p95GapMs: number | null;
    taskStatusCalls: number;
    tokenCalls: number;
  };
  workflow?: {
    outcome: string;
    totals: ResyncResult['totals'];
    continuedAsNew: number;
    runs: RunHistory[];
    totalEvents: number;
    totalBytes: number;
    largestRunEvents: number;
    largestRunBytes: number;
    eventsPer1kJobs: number;
    bytesPer1kJobs: number;
    /** Where a batch's time goes, from the chain's event times (medians over every batch). */
    batchCycle: BatchCycle;
    /** Over the whole chain: what the history is made of. */
    byEventType: Record<string, { events: number; bytes: number }>;
  };
  followUps?: {
    children: number;
    completed: number;
    totalEvents: number;
    totalBytes: number;
    largestEvents: number;
    largestBytes: number;
    eventsPer1kJobs: number;
    bytesPer1kJobs: number;
  };
  /** CPU time during the resync (start until every follow-up closed): the machine has few cores. */
  cpu?: {
    temporalServerMs: number | null;
    /** This process: the LinkedIn sandbox and the Temporal client. */
    benchProcessMs: number;
  };
  worker?: {
    seedPeakRss: number;
    atStart: MemorySnapshot;
    storeOpened: MemorySnapshot;
    afterSeed: MemorySnapshot;
    idle: MemorySnapshot;
    /** false: the kernel's peak could not be reset, so resyncPeakRss includes seeding. */
    peakReset: boolean;
    resyncPeakRss: number;
    sampledMax: MemorySnapshot;
    samples: number;
    cpuMs: number;
    eventLoopDelayMs: WorkerReport['eventLoopDelayMs'];
    final: MemorySnapshot;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

function parseSizes(argv: string[]): number[] {
  const { values } = parseArgs({ args: argv, options: { sizes: { type: 'string' } }, strict: true });
  if (values.sizes === undefined) return DEFAULT_SIZES;
  const sizes = values.sizes.split(',').map((text) => Number(text.trim().replace(/_/g, '')));
  for (const size of sizes) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new Error(
        `--sizes takes positive integers separated by commas, e.g. 1000,10000; got ${values.sizes}`,
      );
    }
  }
  return sizes;
}

async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
}

/**
 * CPU time (ms) of this process's child processes named like the Temporal CLI: the dev server. From
 * /proc/<pid>/stat (utime + stime in clock ticks, 100 a second on Linux); null where /proc is missing.
 */
function temporalServerCpuMs(): number | null {
  let total: number | null = null;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after the command name: state, ppid, …, utime (14th field) and stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== process.pid || !comm.includes('temporal')) continue;
    total = (total ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }
  return total;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------------------
// The worker process

/** The child running the worker, with bounded waits for each of its messages. */
class BenchWorker {
  private readonly child: ChildProcess;
  private readonly inbox: FromWorker[] = [];
  private wake: (() => void) | undefined;
  private exitDescription: string | undefined;
  private finishing = false;
  private readonly exited: Promise<void>;
  /** Rejects when the worker fails or exits before it was asked to finish. */
  readonly failed: Promise<never>;

  constructor(entry: string) {
    this.child = fork(entry, [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let fail: (error: Error) => void = () => undefined;
    this.failed = new Promise<never>((_, reject) => (fail = reject));
    this.failed.catch(() => undefined);
    this.child.on('message', (message: FromWorker) => {
      this.inbox.push(message);
      if (message.kind === 'error') fail(new Error(`the bench worker failed: ${message.message}`));
      this.wake?.();
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitDescription = signal === null ? `code ${code}` : `signal ${signal}`;
        if (!this.finishing)
          fail(new Error(`the bench worker exited unexpectedly (${this.exitDescription})`));
        this.wake?.();
        resolve();
      });
    });
  }

  send(message: ToWorker): void {
    if (message.kind === 'finish') this.finishing = true;
    this.child.send(message);
  }

  async next<K extends FromWorker['kind']>(
    kind: K,
    timeoutMs: number,
  ): Promise<Extract<FromWorker, { kind: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.inbox.shift();
      if (message !== undefined) {
        if (message.kind === 'error') throw new Error(`the bench worker failed: ${message.message}`);
        if (message.kind !== kind)
          throw new Error(`expected ${kind} from the bench worker, got ${message.kind}`);
        return message as Extract<FromWorker, { kind: K }>;
      }
      if (this.exitDescription !== undefined) {
        throw new Error(`the bench worker exited (${this.exitDescription}) before sending ${kind}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no ${kind} from the bench worker within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  kill(): void {
    this.finishing = true;
    this.child.kill('SIGKILL');
  }

  /** Waits for the exit the worker was asked for, then kills it if it is still there. */
  async stop(graceMs: number): Promise<void> {
    if (this.exitDescription === undefined && graceMs > 0) {
      await within(graceMs, 'the bench worker exit', this.exited).catch(() => undefined);
    }
    if (this.exitDescription === undefined) {
      this.finishing = true;
      this.child.kill('SIGKILL');
      await within(10_000, 'the bench worker kill', this.exited).catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// One size

interface BenchContext {
  client: Client;
  temporalAddress: string;
  workflowBundlePath: string;
  /** What to undo at once if the benchmark is interrupted (Ctrl-C) in the middle of a size. */
  onInterrupt: Set<() => void>;
}

async function benchmarkSize(jobs: number, context: BenchContext): Promise<SizeResult> {
  const { client } = context;
  const tag = `${jobs}-${randomUUID().slice(0, 8)}`;
  const taskQueue = `resync-bench-${tag}`;
  const application: DeveloperApplication = {
    urn: BENCH_APPLICATION_URN,
    clientId: `bench-client-${tag}`,
    clientSecret: `bench-secret-${tag}`,
    integrationContext: 'urn:li:organization:2414183',
    companyName: 'Benchmark Robotics',
  };
  const notification: JobResyncNotification = {
    developerApplicationUrn: application.urn,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: true,
  };
  // Unique per size, so each size's chain of runs is listed on its own.
  const workflowId = `${workflowIdFor(notification)}-bench-${tag}`;
  const result: SizeResult = { jobs, ok: false, problems: [], workflowId, taskQueue };

  const dataDir = mkdtempSync(join(tmpdir(), 'resync-bench-ats-'));
  let sandbox: LinkedInSandbox | undefined;
  let worker: BenchWorker | undefined;
  let started = false;
  const interrupt = () => {
    worker?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  context.onInterrupt.add(interrupt);
  try {
    sandbox = await startLinkedInSandbox({ taskCompletionMs: TASK_COMPLETION_MS });
    sandbox.registerApplication({
      developerApplicationUrn: application.urn,
      clientId: application.clientId,
      clientSecret: application.clientSecret,
      kind: 'child',
    });

    log(jobs, `seeding ${jobs.toLocaleString('en-US')} jobs in the worker's PGlite store…`);
    worker = new BenchWorker(join(__dirname, 'bench-worker.js'));
    worker.send({
      kind: 'setup',
      dataDir,
      application,
      jobCount: jobs,
      temporalAddress: context.temporalAddress,
      namespace: NAMESPACE,
      taskQueue,
      workflowBundlePath: context.workflowBundlePath,
      linkedin: { apiUrl: sandbox.apiUrl, tokenUrl: sandbox.tokenUrl },
      sampleEveryMs: SAMPLE_EVERY_MS,
    });
    const seeded = await worker.next('seeded', CHILD_STEP_TIMEOUT_MS + jobs * 2);
    if (seeded.ids.length !== jobs) {
      throw new Error(`the worker's store holds ${seeded.ids.length} open jobs, expected ${jobs}`);
    }
    sandbox.seedExistingJobs(application.urn, seeded.ids);
    const ready: WorkerReady = await worker.next('ready', CHILD_STEP_TIMEOUT_MS);
    log(jobs, `seeded in ${(seeded.seedMs / 1000).toFixed(1)} s; resync started`);

    const serverCpuAtStart = temporalServerCpuMs();
    const benchCpuAtStart = process.cpuUsage();
    const receivedAt = Date.now();
    const request = canonicalRequest(notification);
    const input: ResyncInput = {
      ...request,
      receivedAt,
      deadlineMs: DEADLINE_MS,
      followUpWindowMs: FOLLOW_UP_WINDOW_MS,
    };
    const handle = await within(
      RPC_TIMEOUT_MS,
      'the workflow start',
      client.workflow.start<typeof resyncJobs>(WORKFLOW_TYPE, {
        taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: request.developerApplicationUrn }],
        staticSummary: `${summaryOf(request)} (benchmark, ${jobs} jobs)`,
      }),
    );
    started = true;

    const progress = setInterval(() => {
      const posted = sandbox?.postedElements(application.urn).length ?? 0;
      log(
        jobs,
        `${Math.round((Date.now() - receivedAt) / 1000)} s: ${posted.toLocaleString('en-US')} jobs posted`,
      );
    }, PROGRESS_EVERY_MS);
    let resync: ResyncResult;
    try {
      resync = await within(RESULT_TIMEOUT_MS, 'the resync', Promise.race([handle.result(), worker.failed]));
    } finally {
      clearInterval(progress);
    }
    const completedAt = Date.now();
    log(jobs, `resync completed in ${((completedAt - receivedAt) / 1000).toFixed(1)} s; reading histories…`);

    const chain = await chainFigures(client, workflowId, handle.firstExecutionRunId, resync, jobs);
    // The follow-ups report before they complete: the worker must stay until they have.
    await within(
      CHILD_STEP_TIMEOUT_MS,
      'the follow-up workflows',
      Promise.race([
        mapLimited(chain.childIds, 16, (id) => client.workflow.getHandle(id).result()),
        worker.failed,
      ]),
    );
    const childrenClosedAt = Date.now();
    const serverCpuAtEnd = temporalServerCpuMs();
    const benchCpu = process.cpuUsage(benchCpuAtStart);
    result.cpu = {
      temporalServerMs:
        serverCpuAtStart === null || serverCpuAtEnd === null ? null : serverCpuAtEnd - serverCpuAtStart,
      benchProcessMs: (benchCpu.user + benchCpu.system) / 1000,
    };

    worker.send({ kind: 'finish' });
    const report: WorkerReport = await worker.next('report', CHILD_STEP_TIMEOUT_MS);
    await worker.stop(CHILD_STEP_TIMEOUT_MS);

    result.timing = {
      seedMs: seeded.seedMs,
      ...updateTimes(sandbox, application.urn, receivedAt, jobs),
      toCompletionMs: completedAt - receivedAt,
      followUpsClosedAfterMs: childrenClosedAt - completedAt,
    };
    result.linkedin = linkedInFigures(sandbox, application.urn);
    result.workflow = chain.figures;
    result.followUps = await followUpFigures(client, chain.childIds, jobs);
    result.worker = {
      seedPeakRss: seeded.seedPeakRss,
      atStart: seeded.atStart,
      storeOpened: seeded.storeOpened,
      afterSeed: seeded.afterSeed,
      idle: ready.idle,
      peakReset: ready.peakReset,
      resyncPeakRss: report.resyncPeakRss,
      sampledMax: report.sampledMax,
      samples: report.samples,
      cpuMs: report.cpuMs,
      eventLoopDelayMs: report.eventLoopDelayMs,
      final: report.final,
    };
    result.problems = problemsOf(result, resync);
    result.ok = result.problems.length === 0;
  } catch (error) {
    result.error = errorText(error);
    if (started) await terminateLeftovers(client, taskQueue);
  } finally {
    context.onInterrupt.delete(interrupt);
    await worker?.stop(0);
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

function log(jobs: number, message: string): void {
  console.log(`[${jobs.toLocaleString('en-US')} jobs] ${message}`);
}

function updateTimes(
  sandbox: LinkedInSandbox,
  urn: string,
  receivedAt: number,
  jobs: number,
): {
  toFirstUpdateMs: number | null;
  toLastUpdateMs: number | null;
  jobsPerSecondToLastUpdate: number | null;
} {
  const updates = sandbox
    .calls()
    .filter((call) => call.endpoint === 'simpleJobPostings' && call.developerApplicationUrn === urn)
    .filter((call) => operationsOf(call.elements).has('UPDATE'));
  if (updates.length === 0)
    return { toFirstUpdateMs: null, toLastUpdateMs: null, jobsPerSecondToLastUpdate: null };
  const answered = updates.map((call) => (call.endedAt || call.startedAt) - receivedAt);
  const last = Math.max(...answered);
  return {
    toFirstUpdateMs: Math.min(...answered),
    toLastUpdateMs: last,
    jobsPerSecondToLastUpdate: last > 0 ? (jobs * 1000) / last : null,
  };
}

function operationsOf(elements: unknown[] | undefined): Set<string> {
  const operations = new Set<string>();
  for (const element of elements ?? []) {
    const operation = (element as { jobPostingOperationType?: unknown }).jobPostingOperationType;
    if (typeof operation === 'string') operations.add(operation);
  }
  return operations;
}

function linkedInFigures(sandbox: LinkedInSandbox, urn: string): NonNullable<SizeResult['linkedin']> {
  const calls = sandbox.calls();
  const postings = calls.filter((call) => call.endpoint === 'simpleJobPostings');
  const posted = sandbox.postedElements(urn);
  const gaps = postings.slice(1).map((call, i) => call.startedAt - (postings[i]?.endedAt ?? call.startedAt));
  return {
    postingCalls: postings.length,
    updateCalls: postings.filter((call) => operationsOf(call.elements).has('UPDATE')).length,
    otherOperationCalls: postings.filter((call) =>
      [...operationsOf(call.elements)].some((op) => op !== 'UPDATE'),
    ).length,
    failedPostingCalls: postings.filter((call) => call.status < 200 || call.status >= 300).length,
    maxElementsPerCall: Math.max(0, ...postings.map((call) => call.elements?.length ?? 0)),
    elementsPosted: posted.length,
    distinctJobsPosted: new Set(posted.map((element) => element.externalJobPostingId)).size,
    maxConcurrentPostings: sandbox.maxConcurrentPostings(urn),
    medianCallMs: percentile(
      postings.map((call) => call.endedAt - call.startedAt),
      0.5,
    ),
    medianGapMs: percentile(gaps, 0.5),
    p95GapMs: percentile(gaps, 0.95),
    taskStatusCalls: calls.filter((call) => call.endpoint === 'simpleJobPostingTasks').length,
    tokenCalls: calls.filter((call) => call.endpoint === 'token').length,
  };
}

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** protobufjs gives 64-bit integers as Long objects (or numbers). */
function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

function eventMs(event: HistoryEvent | undefined): number | null {
  const time = event?.eventTime;
  if (!time) return null;
  return toNumber(time.seconds) * 1000 + (time.nanos ?? 0) / 1e6;
}

/** Medians over the runs' events: each id-linked pair (scheduled → started → completed) is measured. */
function batchCycleOf(runsEvents: HistoryEvent[][]): BatchCycle {
  const postScheduled: number[] = [];
  const postQueue: number[] = [];
  const postRun: number[] = [];
  const childStart: number[] = [];
  const wftQueue: number[] = [];
  const wftRun: number[] = [];
  let workflowTasks = 0;
  for (const events of runsEvents) {
    const byId = new Map(events.map((event) => [toNumber(event.eventId), event]));
    const since = (event: HistoryEvent, earlierId: number | { toNumber(): number } | null | undefined) => {
      const end = eventMs(event);
      const start = eventMs(byId.get(toNumber(earlierId)));
      return end === null || start === null ? null : end - start;
    };
    const push = (list: number[], value: number | null) => {
      if (value !== null) list.push(value);
    };
    for (const event of events) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'postBatch') push(postScheduled, eventMs(event));
      const started = event.activityTaskStartedEventAttributes;
      if (started && isPostBatch(byId.get(toNumber(started.scheduledEventId)))) {
        push(postQueue, since(event, started.scheduledEventId));
      }
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed && isPostBatch(byId.get(toNumber(completed.scheduledEventId)))) {
        push(postRun, since(event, completed.startedEventId));
      }
      const child = event.childWorkflowExecutionStartedEventAttributes;
      if (child) push(childStart, since(event, child.initiatedEventId));
      const wftStarted = event.workflowTaskStartedEventAttributes;
      if (wftStarted) push(wftQueue, since(event, wftStarted.scheduledEventId));
      const wftCompleted = event.workflowTaskCompletedEventAttributes;
      if (wftCompleted) {
        workflowTasks++;
        push(wftRun, since(event, wftCompleted.startedEventId));
      }
    }
  }
  const cycles = postScheduled.slice(1).map((at, i) => at - (postScheduled[i] ?? at));
  return {
    cycleMs: percentile(cycles, 0.5),
    postScheduleToStartMs: percentile(postQueue, 0.5),
    postStartToCloseMs: percentile(postRun, 0.5),
    childStartMs: percentile(childStart, 0.5),
    workflowTaskScheduleToStartMs: percentile(wftQueue, 0.5),
    workflowTaskStartToCloseMs: percentile(wftRun, 0.5),
    workflowTasksPerBatch: postScheduled.length > 0 ? workflowTasks / postScheduled.length : null,
  };
}

function isPostBatch(event: HistoryEvent | undefined): boolean {
  return event?.activityTaskScheduledEventAttributes?.activityType?.name === 'postBatch';
}

async function fetchHistory(client: Client, workflowId: string, runId?: string): Promise<History> {
  return within(
    RPC_TIMEOUT_MS,
    `the history of ${workflowId}`,
    client.workflow.getHandle(workflowId, runId).fetchHistory(),
  );
}

function historyBytes(history: History): number {
  return temporal.api.history.v1.History.encode(history).finish().length;
}

/** Every run of the continue-as-new chain, from the first, following each run's ContinuedAsNew event. */
async function chainFigures(
  client: Client,
  workflowId: string,
  firstRunId: string,
  resync: ResyncResult,
  jobs: number,
): Promise<{ figures: NonNullable<SizeResult['workflow']>; childIds: string[] }> {
  const runs: RunHistory[] = [];
  const childIds: string[] = [];
  const runsEvents: HistoryEvent[][] = [];
  const byEventType: Record<string, { events: number; bytes: number }> = {};
  let runId: string | undefined = firstRunId;
  while (runId !== undefined && runs.length < MAX_RUNS) {
    const history = await fetchHistory(client, workflowId, runId);
    const events = history.events ?? [];
    runsEvents.push(events);
    for (const event of events) {
      const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'UNKNOWN';
      const entry = (byEventType[type] ??= { events: 0, bytes: 0 });
      entry.events++;
      entry.bytes += temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
    }
    const description = await within(
      RPC_TIMEOUT_MS,
      'describe',
      client.workflow.getHandle(workflowId, runId).describe(),
    );
    runs.push({
      runId,
      events: events.length,
      bytes: historyBytes(history),
      serverHistoryBytes: description.historySize ?? null,
      childrenStarted: events.filter((event) => event.startChildWorkflowExecutionInitiatedEventAttributes)
        .length,
    });
    for (const event of events) {
      const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (id) childIds.push(id);
    }
    const next = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    runId = next ?? undefined;
  }
  const totalEvents = runs.reduce((sum, run) => sum + run.events, 0);
  const totalBytes = runs.reduce((sum, run) => sum + run.bytes, 0);
  const figures = {
    outcome: resync.outcome,
    totals: resync.totals,
    continuedAsNew: resync.continuedAsNew,
    runs,
    totalEvents,
    totalBytes,
    largestRunEvents: Math.max(...runs.map((run) => run.events)),
    largestRunBytes: Math.max(...runs.map((run) => run.bytes)),
    eventsPer1kJobs: (totalEvents * 1000) / jobs,
    bytesPer1kJobs: (totalBytes * 1000) / jobs,
    batchCycle: batchCycleOf(runsEvents),
    byEventType,
  };
  return { figures, childIds };
}

/** The follow-up children the runs started (found in their histories), from their own histories. */
async function followUpFigures(
  client: Client,
  childIds: string[],
  jobs: number,
): Promise<NonNullable<SizeResult['followUps']>> {
  const children = await mapLimited(childIds, 8, async (id) => {
    const history = await fetchHistory(client, id);
    const events = history.events ?? [];
    return {
      events: events.length,
      bytes: historyBytes(history),
      completed: events[events.length - 1]?.workflowExecutionCompletedEventAttributes != null,
    };
  });
  const totalEvents = children.reduce((sum, child) => sum + child.events, 0);
  const totalBytes = children.reduce((sum, child) => sum + child.bytes, 0);
  return {
    children: children.length,
    completed: children.filter((child) => child.completed).length,
    totalEvents,
    totalBytes,
    largestEvents: Math.max(0, ...children.map((child) => child.events)),
    largestBytes: Math.max(0, ...children.map((child) => child.bytes)),
    eventsPer1kJobs: (totalEvents * 1000) / jobs,
    bytesPer1kJobs: (totalBytes * 1000) / jobs,
  };
}

/** What a healthy resync of N open jobs, all held by LinkedIn, looks like; anything else is named. */
function problemsOf(result: SizeResult, resync: ResyncResult): string[] {
  const problems: string[] = [];
  const n = result.jobs;
  const batches = Math.ceil(n / 100);
  if (resync.outcome !== 'SUCCEEDED') problems.push(`outcome ${resync.outcome}`);
  if (resync.totals.updated !== n) problems.push(`updated ${resync.totals.updated} of ${n}`);
  if (resync.totals.confirmed !== n) problems.push(`confirmed ${resync.totals.confirmed} of ${n}`);
  const linkedin = result.linkedin;
  if (linkedin) {
    if (linkedin.maxElementsPerCall > 100)
      problems.push(`a call carried ${linkedin.maxElementsPerCall} elements`);
    if (linkedin.maxConcurrentPostings > 1)
      problems.push(`${linkedin.maxConcurrentPostings} postings at once`);
    if (linkedin.postingCalls !== batches)
      problems.push(`${linkedin.postingCalls} posting calls for ${batches} batches`);
    if (linkedin.distinctJobsPosted !== n)
      problems.push(`${linkedin.distinctJobsPosted} distinct jobs posted`);
  }
  const followUps = result.followUps;
  if (followUps && followUps.completed !== followUps.children) {
    problems.push(`${followUps.children - followUps.completed} follow-ups did not complete`);
  }
  return problems;
}

/** After a failed size: nothing of it should keep the server busy during the next one. */
async function terminateLeftovers(client: Client, taskQueue: string): Promise<void> {
  try {
    await within(
      RPC_TIMEOUT_MS,
      'terminating leftovers',
      (async () => {
        for await (const execution of client.workflow.list({
          query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`,
        })) {
          await client.workflow
            .getHandle(execution.workflowId, execution.runId)
            .terminate('benchmark size failed')
            .catch(() => undefined);
        }
      })(),
    );
  } catch (error) {
    console.error(`could not terminate the workflows left on ${taskQueue}: ${errorText(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Output

const MB = 1024 * 1024;

type Column = [title: string, cell: (result: SizeResult) => string];

/** The figures asked for, one row per size. */
const MAIN_COLUMNS: Column[] = [
  ['jobs', (r) => r.jobs.toLocaleString('en-US')],
  ['ok', (r) => (r.error ? 'ERROR' : r.ok ? 'yes' : 'NO')],
  ['last UPDATE s', (r) => seconds(r.timing?.toLastUpdateMs)],
  ['done s', (r) => seconds(r.timing?.toCompletionMs)],
  ['jobs/s', (r) => fixed(r.timing?.jobsPerSecondToLastUpdate, 0)],
  ['calls', (r) => int(r.linkedin?.postingCalls)],
  ['max/call', (r) => int(r.linkedin?.maxElementsPerCall)],
  ['CAN', (r) => int(r.workflow?.continuedAsNew)],
  ['runs', (r) => int(r.workflow?.runs.length)],
  ['max run ev', (r) => int(r.workflow?.largestRunEvents)],
  ['max run KB', (r) => kb(r.workflow?.largestRunBytes)],
  ['ev/1k jobs', (r) => fixed(r.workflow?.eventsPer1kJobs, 0)],
  ['KB/1k jobs', (r) => kb(r.workflow?.bytesPer1kJobs)],
  ['children', (r) => int(r.followUps?.children)],
  ['idle RSS MB', (r) => mb(r.worker?.idle.rss)],
  ['peak RSS MB', (r) => mb(r.worker?.resyncPeakRss)],
  ['peak heap MB', (r) => mb(r.worker?.sampledMax.heapUsed)],
];

/** Where the time and memory go. */
const DETAIL_COLUMNS: Column[] = [
  ['jobs', (r) => r.jobs.toLocaleString('en-US')],
  ['seed s', (r) => seconds(r.timing?.seedMs)],
  ['call ms', (r) => fixed(r.linkedin?.medianCallMs, 0)],
  ['gap ms', (r) => fixed(r.linkedin?.medianGapMs, 0)],
  ['cycle ms', (r) => fixed(r.workflow?.batchCycle.cycleMs, 0)],
  ['post queue ms', (r) => fixed(r.workflow?.batchCycle.postScheduleToStartMs, 0)],
  ['post run ms', (r) => fixed(r.workflow?.batchCycle.postStartToCloseMs, 0)],
  ['child start ms', (r) => fixed(r.workflow?.batchCycle.childStartMs, 0)],
  ['WFT queue ms', (r) => fixed(r.workflow?.batchCycle.workflowTaskScheduleToStartMs, 0)],
  ['WFT run ms', (r) => fixed(r.workflow?.batchCycle.workflowTaskStartToCloseMs, 0)],
  ['WFT/batch', (r) => fixed(r.workflow?.batchCycle.workflowTasksPerBatch, 1)],
  ['total ev', (r) => int(r.workflow?.totalEvents)],
  ['total KB', (r) => kb(r.workflow?.totalBytes)],
  ['child ev/1k', (r) => fixed(r.followUps?.eventsPer1kJobs, 0)],
  ['child KB/1k', (r) => kb(r.followUps?.bytesPer1kJobs)],
  ['PGlite MB', (r) => mb(r.worker && r.worker.storeOpened.rss - r.worker.atStart.rss)],
  ['worker CPU s', (r) => seconds(r.worker?.cpuMs)],
  ['loop p99 ms', (r) => fixed(r.worker?.eventLoopDelayMs.p99, 0)],
  ['server CPU s', (r) => seconds(r.cpu?.temporalServerMs)],
  ['bench CPU s', (r) => seconds(r.cpu?.benchProcessMs)],
];

function renderTable(columns: Column[], results: SizeResult[]): string {
  const rows = [columns.map(([title]) => title), ...results.map((r) => columns.map(([, cell]) => cell(r)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n');
}

const dash = '–';
const int = (value: number | undefined) => (value === undefined ? dash : value.toLocaleString('en-US'));
const fixed = (value: number | null | undefined, digits: number) =>
  value === undefined || value === null
    ? dash
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number | null | undefined) =>
  ms === undefined || ms === null ? dash : fixed(ms / 1000, 1);
const kb = (bytes: number | undefined) => (bytes === undefined ? dash : fixed(bytes / 1024, 0));
const mb = (bytes: number | undefined) => (bytes === undefined ? dash : fixed(bytes / MB, 0));

const LEGEND = [
  'last UPDATE s: from the start to the answer of the last UPDATE call LinkedIn saw; done s: to the workflow result;',
  'jobs/s: jobs / last UPDATE s; calls: simpleJobPostings calls; max/call: most elements in one call;',
  'CAN: continue-as-new count; runs, ev, KB: the resync chain, history protobuf-encoded; /1k: per 1,000 jobs;',
  'children: follow-up workflows (not in the chain totals; see child ev/KB per 1,000 jobs);',
  'idle RSS: worker after seeding, workers polling, after GC (PGlite: what the open store adds to it);',
  'peak RSS: kernel VmHWM during the resync (reset when idle); peak heap: heapUsed sampled every 250 ms;',
  'call ms: median time LinkedIn took to answer a posting; gap ms: median from one answer to the next call;',
  'cycle ms: median from one postBatch scheduled to the next; post queue/run: its schedule-to-start and',
  'start-to-close; child start: startChild to ChildWorkflowExecutionStarted; WFT: workflow tasks (medians);',
  'CPU (user + system) during the resync: worker process, Temporal dev server, this process (sandbox, client);',
  "loop p99: the worker's event-loop delay, 99th percentile, during the resync",
].join('\n');

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const sizes = parseSizes(process.argv.slice(2));
  const startedAt = new Date();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse())
      await stop().catch((error: unknown) => console.error(error));
  };
  const onInterrupt = new Set<() => void>();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping…`);
      for (const undo of onInterrupt) undo();
      void stopAll().finally(() => process.exit(130));
    });
  }

  const results: SizeResult[] = [];
  try {
    console.log(`Resync benchmark: sizes ${sizes.map((n) => n.toLocaleString('en-US')).join(', ')}`);
    const bundleDir = mkdtempSync(join(tmpdir(), 'resync-bench-bundle-'));
    stops.push(() => Promise.resolve(rmSync(bundleDir, { recursive: true, force: true })));
    const workflowBundlePath = join(bundleDir, 'workflows.js');
    // Bundled (as production's is) while the server starts; a failure surfaces once the server can be stopped.
    const bundling = buildWorkflowBundle(workflowBundlePath);
    bundling.catch(() => undefined);
    const server = await startTemporalDevServer({
      cliPath: resolveTemporalCli(ROOT, process.env),
      startTimeoutMs: 90_000,
    });
    stops.push(() => server.stop());
    await within(CHILD_STEP_TIMEOUT_MS, 'bundling the workflows', bundling);

    const connection = await within(
      RPC_TIMEOUT_MS,
      'connecting',
      Connection.connect({ address: server.address }),
    );
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: NAMESPACE });
    console.log(`Temporal dev server on ${server.address}; workflows bundled once`);

    for (const jobs of sizes) {
      const result = await benchmarkSize(jobs, {
        client,
        temporalAddress: server.address,
        workflowBundlePath,
        onInterrupt,
      });
      if (result.error) log(jobs, `FAILED: ${result.error}`);
      else if (!result.ok) log(jobs, `finished with problems: ${result.problems.join('; ')}`);
      results.push(result);
    }
  } finally {
    await stopAll();
  }

  console.log(
    ['', renderTable(MAIN_COLUMNS, results), '', renderTable(DETAIL_COLUMNS, results), '', LEGEND, ''].join(
      '\n',
    ),
  );
  const outDir = join(ROOT, '.data', 'bench');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `results-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const report = {
    startedAt: startedAt.toISOString(),
    machine: { cpus: cpus().length, totalMemoryBytes: totalmem(), node: process.version },
    settings: {
      deadlineMs: DEADLINE_MS,
      followUpWindowMs: FOLLOW_UP_WINDOW_MS,
      sandboxTaskCompletionMs: TASK_COMPLETION_MS,
      memorySampleEveryMs: SAMPLE_EVERY_MS,
    },
    results,
  };
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Figures written to ${outFile}`);
  if (results.some((result) => result.error !== undefined || !result.ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
