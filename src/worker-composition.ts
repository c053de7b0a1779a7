/**
 * The one composition of a resync worker, shared by the three processes that run one: `node dist/worker.js`
 * (src/worker.ts: lanes from `openLanes`, probes and the admin listener, tracing), `npm run dev`
 * (tools/dev/main.ts) and the storm's embedded service (tools/bench/storm-service.ts), the last two with the
 * API in the same process over the embedded store and in-memory lanes. Each installs the runtime with
 * `installWorkerRuntime`, opens its store and its connection its own way and hands them to
 * `startResyncWorker`, which builds the workers and their dependencies from the configuration, keeps the drift
 * schedules on the configuration's terms and runs the workers. Each stops what it opened, in its own order.
 */
import { Client } from '@temporalio/client';
import { Runtime, type NativeConnection, type State } from '@temporalio/worker';
import type { WorkerConfig } from './config';
import { keepDriftSchedules } from './drift/schedules';
import type { ApplicationLanes } from './linkedin/application-lanes';
import type { Logger } from './logger';
import { temporalLoggerFor } from './observability/temporal-logger';
import type { WorkerTracing } from './observability/tracing-worker';
import { createResyncWorkers } from './resync-workers';
import { createWorkerDeps, type WorkerDepsOptions } from './worker-deps';
import { serviceDataConverter } from './payload-codec';

/** How soon a new application gets its drift schedule (and a removed one loses it). */
export const DRIFT_SCHEDULE_SYNC_EVERY_MS = 5 * 60_000;

/**
 * The SDK's runtime of a worker process, installed before its first connection: the SDK's own lines (warnings
 * and worse) through `logger`, its metrics for Prometheus at `metricsAddress` (host:port). `shutdownSignals`
 * replaces the SDK's (a process that stops its workers itself, in order, passes none).
 */
export function installWorkerRuntime(
  logger: Logger,
  metricsAddress: string,
  shutdownSignals?: NodeJS.Signals[],
): void {
  Runtime.install({
    logger: temporalLoggerFor(logger),
    ...(shutdownSignals === undefined ? {} : { shutdownSignals }),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} },
      metrics: { prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true } },
    },
  });
}

/** What the composition reads of the configuration. */
export type ComposedWorkerConfig = Pick<
  WorkerConfig,
  | 'temporal'
  | 'linkedin'
  | 'linkedinRequestTimeoutMs'
  | 'taskPolling'
  | 'driftCheckIntervalMs'
  | 'resyncDeadlineMs'
  | 'followUpWindowMs'
  | 'workflowIdPrefix'
  | 'largeResyncJobs'
>;

export interface ResyncWorkerParts {
  config: ComposedWorkerConfig;
  /** Where the drift schedules' lines go. */
  logger: Logger;
  connection: NativeConnection;
  jobStore: WorkerDepsOptions['jobStore'];
  /** In memory beside the embedded store (one process), or those of `openLanes`. */
  lanes: ApplicationLanes;
  /** The applications that get a drift schedule. */
  listApplicationUrns: () => Promise<string[]>;
  /** The client the schedules are kept with: the API's where it shares the process; else one on `connection`. */
  client?: Client;
  /** How often the schedules are brought in step with the applications (DRIFT_SCHEDULE_SYNC_EVERY_MS). */
  scheduleSyncEveryMs?: number;
  tracing?: WorkerTracing;
  /** A prebuilt workflow bundle's path; without one the workflows are bundled from source. */
  workflowBundle?: string;
}

export interface RunningResyncWorker {
  /** Resolves when every worker has stopped; rejects (after stopping the others) if one fails. */
  running: Promise<void>;
  /** Each Worker's state: all RUNNING once their pollers run (the worker's /readyz). */
  states(): State[];
  /** Resolves after the schedules' first sync (or its failure, logged). */
  schedulesReady: Promise<void>;
  /** Stops keeping the schedules (a process that stops its API first stops them before it). */
  stopSchedules(): void;
  /** Stops keeping the schedules and drains the workers: no new task is polled, in-flight ones finish. */
  drain(): void;
}

/** The workers (main and large queues) with their dependencies, running, and the drift schedules kept. */
export async function startResyncWorker(parts: ResyncWorkerParts): Promise<RunningResyncWorker> {
  const { config, connection, tracing } = parts;
  const workers = await createResyncWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // Served whatever LARGE_RESYNC_JOBS says here: an API configured otherwise may start resyncs on it.
    serveLargeResyncs: true,
    payloadCompression: config.temporal.payloadCompression,
    ...(tracing === undefined ? {} : { tracing }),
    ...(parts.workflowBundle === undefined ? {} : { workflowBundle: { codePath: parts.workflowBundle } }),
    deps: createWorkerDeps({
      jobStore: parts.jobStore,
      lanes: parts.lanes,
      linkedin: config.linkedin,
      requestTimeoutMs: config.linkedinRequestTimeoutMs,
      taskPolling: config.taskPolling,
      tracer: tracing?.tracer,
    }),
  });
  const schedules = keepDriftSchedules({
    client:
      parts.client ??
      new Client({
        connection,
        namespace: config.temporal.namespace,
        dataConverter: serviceDataConverter(config.temporal.payloadCompression),
      }),
    listApplicationUrns: parts.listApplicationUrns,
    options: {
      taskQueue: config.temporal.taskQueue,
      intervalMs: config.driftCheckIntervalMs,
      deadlineMs: config.resyncDeadlineMs,
      followUpWindowMs: config.followUpWindowMs,
      workflowIdPrefix: config.workflowIdPrefix,
      largeResyncJobs: config.largeResyncJobs,
    },
    everyMs: parts.scheduleSyncEveryMs ?? DRIFT_SCHEDULE_SYNC_EVERY_MS,
    log: (message, fields) => parts.logger.info(fields, message),
  });
  // run() puts each Worker in RUNNING at once, so a drain from here on reaches running workers.
  const running = workers.run();
  return {
    running,
    states: () => workers.states(),
    schedulesReady: schedules.ready,
    stopSchedules: () => schedules.stop(),
    drain() {
      schedules.stop();
      workers.shutdown();
    },
  };
}
