/** The storm benchmark's command line (`npm run bench -- --storm …`), parsed and checked. */
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/duration';

export interface StormOptions {
  /** Applications notified at once (each a sync-all of `jobs` open jobs). */
  apps: number;
  jobs: number;
  /** LinkedIn's answer time for every posting call. */
  latencyMs: number;
  store: 'postgres' | 'embedded';
  /**
   * Which Temporal serves the storm: `dev`, the CLI's dev server in memory; `production`, Temporal's server
   * on PostgreSQL as deployed (deploy/temporal/server.yaml), with a namespace of its own (storm-temporal.ts).
   */
  temporal: StormTemporal;
  workers: 1 | 2;
  /**
   * `--fairness`: Temporal dispatches by the resyncs' priority and fairness keys, rather than in order: the
   * dev server with RESYNC_DISPATCH_CONFIG, Temporal's server given deploy/temporal/dispatch-by-priority.yaml.
   */
  fairness: boolean;
  /**
   * The dev server's partitions of every task queue: `--partitions N` sets the read and write partitions
   * (`matching.numTaskqueueReadPartitions`, `…WritePartitions`), `--write-partitions N` the write partitions
   * alone; Temporal's default (4) for what is absent. Priority and fairness hold within a partition.
   */
  partitions: { read?: number; write?: number };
  /** `--compress`: the API and the worker(s) run with PAYLOAD_COMPRESSION=zlib. */
  compress: boolean;
  /** `--large-resync-jobs N`: LARGE_RESYNC_JOBS given to the API and workers; theirs (1,000) when absent. */
  largeResyncJobs: number | undefined;
  /** Small resyncs (3 jobs, an application each) notified during the storm. */
  small: number;
  /** Over how long the notifications are spread. */
  spreadMs: number;
  /** RESYNC_DEADLINE given to the API. */
  deadlineMs: number;
  /** The sandbox's posting limit per application, when throttling. */
  throttle: { records: number; windowMs: number } | null;
  /** Step N up (`kneeSteps`) until the p99 passes the deadline or the CPU is spent. */
  knee: boolean;
  kneeSteps: number[];
  /** Two storms on one rig, the API and worker(s) tracing off then on (exporting to a span counter). */
  traced: boolean;
  /** `--trace-sample RATIO` with --traced: the API samples that share of notifications (parentbased_traceidratio). */
  traceSample: number | undefined;
  /** `--cpu-prof DIR`: the worker(s) and the API write V8 CPU profiles there when they stop. */
  cpuProfileDir: string | undefined;
  /** Where the figures go; .data/bench/storm-<time>.json when absent. */
  json: string | undefined;
}

export const STORM_TEMPORALS = ['dev', 'production'] as const;
export type StormTemporal = (typeof STORM_TEMPORALS)[number];

/** LinkedIn's published premium posting limit: 2,000 records a minute (linkedin.md §7). */
export const LINKEDIN_RECORDS_PER_MINUTE = 2_000;
const DEFAULT_KNEE_STEPS = [50, 100, 200, 400, 800, 1_600, 3_200];

function count(name: string, text: string, min: number): number {
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < min)
    throw new Error(`--${name} takes an integer of at least ${min}; got ${text}`);
  return value;
}

function duration(name: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new Error(`--${name} takes a duration such as 30m, 90s, 5s; got ${text}`);
  return ms;
}

export function parseStormOptions(argv: string[]): StormOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      storm: { type: 'boolean' },
      apps: { type: 'string', default: '1000' },
      jobs: { type: 'string', default: '500' },
      latency: { type: 'string', default: '100' },
      store: { type: 'string', default: 'postgres' },
      temporal: { type: 'string', default: 'dev' },
      workers: { type: 'string', default: '1' },
      fairness: { type: 'boolean', default: false },
      compress: { type: 'boolean', default: false },
      partitions: { type: 'string' },
      'write-partitions': { type: 'string' },
      'large-resync-jobs': { type: 'string' },
      small: { type: 'string', default: '0' },
      spread: { type: 'string', default: '5s' },
      deadline: { type: 'string', default: '30m' },
      throttle: { type: 'boolean', default: false },
      'throttle-records': { type: 'string', default: String(LINKEDIN_RECORDS_PER_MINUTE) },
      'throttle-window': { type: 'string', default: '60s' },
      knee: { type: 'boolean', default: false },
      'knee-steps': { type: 'string' },
      traced: { type: 'boolean', default: false },
      'trace-sample': { type: 'string' },
      'cpu-prof': { type: 'string' },
      json: { type: 'string' },
    },
    strict: true,
  });
  if (values.store !== 'postgres' && values.store !== 'embedded')
    throw new Error(`--store takes postgres or embedded; got ${values.store}`);
  const temporal = STORM_TEMPORALS.find((name) => name === values.temporal);
  if (temporal === undefined)
    throw new Error(`--temporal takes ${STORM_TEMPORALS.join(' or ')}; got ${values.temporal}`);
  if (values.workers !== '1' && values.workers !== '2')
    throw new Error(`--workers takes 1 or 2; got ${values.workers}`);
  const workers = values.workers === '2' ? 2 : 1;
  if (values.store === 'embedded' && workers === 2)
    throw new Error('--store embedded serves one process: --workers 2 needs --store postgres');
  if (
    (values.partitions !== undefined || values['write-partitions'] !== undefined) &&
    temporal === 'production'
  )
    throw new Error(
      "--partitions and --write-partitions set the dev server's task queue partitions; the production server runs deploy/temporal as shipped",
    );
  const bothPartitions =
    values.partitions === undefined ? undefined : count('partitions', values.partitions, 1);
  const writePartitions =
    values['write-partitions'] === undefined
      ? bothPartitions
      : count('write-partitions', values['write-partitions'], 1);
  if (writePartitions !== undefined && bothPartitions !== undefined && writePartitions > bothPartitions)
    throw new Error(
      '--write-partitions cannot exceed --partitions: Temporal reads no partition it does not write',
    );
  if (values.traced && values.knee)
    throw new Error('--traced compares one storm with tracing off and on: it does not step with --knee');
  const sample = values['trace-sample'] === undefined ? undefined : Number(values['trace-sample']);
  if (sample !== undefined && !(sample >= 0 && sample <= 1))
    throw new Error(`--trace-sample takes a ratio from 0 to 1, e.g. 0.01; got ${values['trace-sample']}`);
  if (sample !== undefined && !values.traced) throw new Error('--trace-sample goes with --traced');
  const records = count('throttle-records', values['throttle-records'], 100);
  const kneeSteps =
    values['knee-steps'] === undefined
      ? DEFAULT_KNEE_STEPS
      : values['knee-steps'].split(',').map((step) => count('knee-steps', step.trim(), 1));
  if (kneeSteps.some((step, i) => i > 0 && step <= (kneeSteps[i - 1] ?? 0)))
    throw new Error(`--knee-steps must grow, e.g. 50,100,200; got ${values['knee-steps']}`);
  const latency = Number(values.latency);
  if (!Number.isFinite(latency) || latency < 0)
    throw new Error(`--latency takes milliseconds, e.g. 100; got ${values.latency}`);
  return {
    apps: count('apps', values.apps, 1),
    jobs: count('jobs', values.jobs, 1),
    latencyMs: latency,
    store: values.store,
    temporal,
    workers,
    fairness: values.fairness,
    compress: values.compress,
    partitions: {
      ...(bothPartitions === undefined ? {} : { read: bothPartitions }),
      ...(writePartitions === undefined ? {} : { write: writePartitions }),
    },
    largeResyncJobs:
      values['large-resync-jobs'] === undefined
        ? undefined
        : count('large-resync-jobs', values['large-resync-jobs'], 0),
    small: count('small', values.small, 0),
    spreadMs: values.spread === '0' ? 0 : duration('spread', values.spread),
    deadlineMs: duration('deadline', values.deadline),
    throttle: values.throttle
      ? { records, windowMs: duration('throttle-window', values['throttle-window']) }
      : null,
    knee: values.knee,
    kneeSteps,
    traced: values.traced,
    traceSample: sample,
    cpuProfileDir: values['cpu-prof'],
    json: values.json,
  };
}
