/**
 * `npm run bench -- --floor`: what Temporal and the SDK cost on this machine for the least a workflow can
 * be, apart from anything the resync does: N workflows of K no-op activities each (floor-workflows.ts),
 * `--concurrency` at a time, on a Temporal dev server in memory and one worker process (floor-worker.ts)
 * with the service's main-queue slots. For each K it prints the CPU a workflow took in the worker and in
 * Temporal, and what that is a job in a resync of 500 jobs: the floor below which no change to the
 * resync's own code can bring its cost, for a resync of that many workflow tasks and activities.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { devServerConnectionOptions } from '../../../src/temporal-connection';
import { resolveTemporalCli, startTemporalDevServer } from '../../dev/temporal-dev-server';
import { projectRoot } from '../../project-root';
import { mapLimited, processCpuMs, temporalServerCpuMs, within } from '../measure';
import { COMPRESS_FROM_BYTES, deflateCodec } from './floor-payload';

export interface FloorOptions {
  workflows: number;
  activities: number[];
  /** Bytes each activity answers and the next takes (floor-workflows.ts); 0: none. */
  bytes: number[];
  /** `--results-only`: the answers are not passed on (not the next activity's input, not the result). */
  resultsOnly: boolean;
  /** `--compress`: worker and client deflate payloads of a kilobyte or more (floor-payload.ts). */
  compress: boolean;
  concurrency: number;
  jobsPerResync: number;
}

export interface FloorRow {
  activities: number;
  bytes: number;
  /** The sample workflow's history, protobuf-encoded. */
  historyBytes: number;
  workflows: number;
  wallSeconds: number;
  workflowsPerSecond: number;
  /** CPU ms a workflow: the worker process, the dev server, both. */
  workerMs: number;
  temporalMs: number;
  totalMs: number;
  events: number;
  workflowTasks: number;
  /** totalMs / jobsPerResync: the floor a job, in ms, for a resync of this shape. */
  msPerJob: number;
}

export function parseFloorOptions(argv: string[]): FloorOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      floor: { type: 'boolean' },
      workflows: { type: 'string' },
      activities: { type: 'string' },
      concurrency: { type: 'string' },
      bytes: { type: 'string' },
      'results-only': { type: 'boolean' },
      compress: { type: 'boolean' },
      'jobs-per-resync': { type: 'string' },
    },
    strict: true,
  });
  const integer = (text: string | undefined, fallback: number, name: string, least: number): number => {
    const value = Number(text ?? fallback);
    if (!Number.isSafeInteger(value) || value < least)
      throw new Error(`--${name} takes a ${least === 0 ? 'whole number' : 'positive integer'}; got ${text}`);
    return value;
  };
  const positive = (text: string | undefined, fallback: number, name: string) =>
    integer(text, fallback, name, 1);
  const activities = (values.activities ?? '1,4')
    .split(',')
    .map((text) => positive(text.trim(), 1, 'activities'));
  return {
    workflows: positive(values.workflows, 1000, 'workflows'),
    activities,
    concurrency: positive(values.concurrency, 50, 'concurrency'),
    bytes: (values.bytes ?? '0').split(',').map((text) => integer(text.trim(), 0, 'bytes', 0)),
    resultsOnly: values['results-only'] ?? false,
    compress: values.compress ?? false,
    jobsPerResync: positive(values['jobs-per-resync'], 500, 'jobs-per-resync'),
  };
}

/** Ticks of /proc are 10 ms: a figure needs enough workflows to be read to a tenth of a millisecond. */
function cpuMs(read: () => number | null, what: string): number {
  const value = read();
  if (value === null) throw new Error(`cannot read the CPU of ${what} from /proc`);
  return value;
}

export async function runFloorBenchmark(argv: string[]): Promise<void> {
  const options = parseFloorOptions(argv);
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const server = await startTemporalDevServer({
      cliPath: resolveTemporalCli(projectRoot(), process.env),
      startTimeoutMs: 90_000,
    });
    stops.push(() => server.stop());
    const connection = await Connection.connect(devServerConnectionOptions(server.address));
    stops.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: 'default',
      ...(options.compress ? { dataConverter: { payloadCodecs: [deflateCodec(COMPRESS_FROM_BYTES)] } } : {}),
    });
    const taskQueue = `floor-${randomUUID()}`;
    const worker = fork(
      require.resolve('./floor-worker'),
      [server.address, taskQueue, options.compress ? 'compress' : 'plain'],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    stops.push(() => stopWorker(worker));
    await within(120_000, 'the floor worker to start', once(worker, 'message'));

    const rows: FloorRow[] = [];
    // A first round warms the worker (bundle loaded, code optimised), as a production worker is.
    await runRound(client, taskQueue, { ...options, workflows: Math.min(200, options.workflows) }, 1, 0);
    for (const activities of options.activities) {
      for (const bytes of options.bytes) {
        rows.push(await measureShape(client, worker, taskQueue, options, activities, bytes));
      }
    }
    console.log(renderFloor(rows, options));
  } finally {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  }
}

async function measureShape(
  client: Client,
  worker: ChildProcess,
  taskQueue: string,
  options: FloorOptions,
  activities: number,
  bytes: number,
): Promise<FloorRow> {
  const workerBefore = cpuMs(() => processCpuMs(worker.pid), 'the worker');
  const temporalBefore = cpuMs(temporalServerCpuMs, 'the dev server');
  const started = Date.now();
  const ids = await runRound(client, taskQueue, options, activities, bytes);
  const wallSeconds = (Date.now() - started) / 1000;
  const workerMs = (cpuMs(() => processCpuMs(worker.pid), 'the worker') - workerBefore) / options.workflows;
  const temporalMs = (cpuMs(temporalServerCpuMs, 'the dev server') - temporalBefore) / options.workflows;
  const history = await client.workflow.getHandle(ids[0] as string).fetchHistory();
  const events = history.events ?? [];
  console.log(
    `[floor] ${activities} activit${activities === 1 ? 'y' : 'ies'} carrying ${bytes} bytes: ` +
      `${options.workflows} workflows in ${wallSeconds.toFixed(1)} s`,
  );
  return {
    activities,
    bytes,
    historyBytes: temporal.api.history.v1.History.encode(history).finish().length,
    workflows: options.workflows,
    wallSeconds,
    workflowsPerSecond: options.workflows / wallSeconds,
    workerMs,
    temporalMs,
    totalMs: workerMs + temporalMs,
    events: events.length,
    workflowTasks: events.filter((event) => event.workflowTaskCompletedEventAttributes).length,
    msPerJob: (workerMs + temporalMs) / options.jobsPerResync,
  };
}

async function runRound(
  client: Client,
  taskQueue: string,
  options: FloorOptions,
  activities: number,
  bytes: number,
): Promise<string[]> {
  const ids = Array.from({ length: options.workflows }, () => `floor-${randomUUID()}`);
  await mapLimited(ids, options.concurrency, async (workflowId) => {
    await client.workflow.execute('floorWorkflow', {
      taskQueue,
      workflowId,
      args: [activities, bytes, options.resultsOnly],
    });
  });
  return ids;
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null) return;
  const exited = once(worker, 'exit');
  worker.send('stop');
  await within(30_000, 'the floor worker to stop', exited).catch(() => worker.kill('SIGKILL'));
}

export function renderFloor(rows: readonly FloorRow[], options: FloorOptions): string {
  const lines = [
    `Floor: ${options.workflows} workflows of K no-op activities, each answering B bytes` +
      `${options.resultsOnly ? ' (passed on to nothing)' : ''}${options.compress ? ', deflated' : ''}, ` +
      `${options.concurrency} at a time, dev server, 1 worker process`,
    '  K       B  workflow tasks  events  history KB  workflows/s  worker ms  Temporal ms  both ms' +
      `  ms a job at ${options.jobsPerResync} jobs a resync`,
  ];
  for (const row of rows) {
    lines.push(
      [
        String(row.activities).padStart(3),
        String(row.bytes).padStart(8),
        String(row.workflowTasks).padStart(16),
        String(row.events).padStart(8),
        (row.historyBytes / 1024).toFixed(1).padStart(12),
        row.workflowsPerSecond.toFixed(0).padStart(13),
        row.workerMs.toFixed(1).padStart(11),
        row.temporalMs.toFixed(1).padStart(13),
        row.totalMs.toFixed(1).padStart(9),
        row.msPerJob.toFixed(3).padStart(12),
      ].join(''),
    );
  }
  return lines.join('\n');
}
