import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { Runtime, Worker, type NativeConnection, type State, type WorkerOptions } from '@temporalio/worker';
import { keepDriftSchedules } from './drift/schedules';
import { createActivities, type ActivityDeps } from './activities';
import { openJobStore } from './ats/open-job-store';
import { createDriftActivities } from './drift/activities';
import { ConfigError, loadWorkerConfig, socketAddress, type WorkerConfig } from './config';
import { createLogger, type Logger } from './logger';
import { freeLoopbackPort } from './metrics-server';
import { connectWhenReachable, serveWorkerAdmin, type WorkerProbes } from './worker-probes';
import { temporalLoggerFor } from './observability/temporal-logger';
import { temporalConnectionOptions } from './temporal-connection';
import { ensureSearchAttributes } from './search-attributes';
import { followUpTaskQueue, largeResyncTaskQueue } from './contract';
import { applicationLogAttributes } from './observability/activity-interceptors';
import { runtimeWorkerMetrics } from './observability/worker-metrics';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from './workflow-bundle';
import { startWorkerTracing, type WorkerTracing } from './observability/tracing-worker';

const SHUTDOWN_GRACE = '10 seconds';
/** How soon a new application gets its drift schedule (and a removed one loses it). */
export const DRIFT_SCHEDULE_SYNC_EVERY_MS = 5 * 60_000;

export interface ResyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests share one); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Task follow-ups mostly wait; many can share a process. */
  maxConcurrentFollowUps?: number;
  /** Activity slots of the TASK_QUEUE worker (the SDK's default, 100, when absent). */
  maxConcurrentActivities?: number;
  /** Also serve `<taskQueue>-large` (`largeResyncTaskQueue`), where resyncs of many jobs start. */
  serveLargeResyncs?: boolean;
  tracing?: WorkerTracing; // activity interceptors and the workflow span sink; none when absent
}

/**
 * What the large resyncs' workers hold at once. A large resync posts one call at a time, so a few slots
 * serve several; they are apart from the main worker's slots and workflow thread, never taken from them.
 * Its followers (one per batch: 1,000 for 100,000 jobs) only read LinkedIn's task status, which may lag:
 * a few follow-ups at a time, the rest waiting on Temporal, keep them from crowding the event loop the
 * small resyncs' activities share (docs/operations.md).
 */
export const LARGE_RESYNC_SLOTS = { workflowTasks: 10, activities: 20, followUps: 20 } as const;

export interface ResyncWorkers {
  /** Resolves when every worker has stopped; rejects (after stopping the others) if one fails. */
  run(): Promise<void>;
  shutdown(): void;
  /** Each Worker's state: all RUNNING once their pollers run (the worker's /readyz). */
  states(): State[];
}

/**
 * Two workers on one connection: the resync workflows with their ATS and posting activities, and the
 * task follow-up activities on a queue of their own, so long waits on LinkedIn never take a posting slot.
 * With `serveLargeResyncs`, the same two for `<taskQueue>-large`: each Worker runs its workflows on a
 * thread of its own, with slots of its own.
 */
export async function createResyncWorkers(options: ResyncWorkerOptions): Promise<ResyncWorkers> {
  const workers = await createWorkerPair(options, options.taskQueue, {
    ...(options.maxConcurrentActivities === undefined
      ? {}
      : { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities }),
  });
  if (options.serveLargeResyncs) {
    workers.push(
      ...(await createWorkerPair(
        options,
        largeResyncTaskQueue(options.taskQueue),
        {
          maxConcurrentWorkflowTaskExecutions: LARGE_RESYNC_SLOTS.workflowTasks,
          maxConcurrentActivityTaskExecutions: LARGE_RESYNC_SLOTS.activities,
        },
        LARGE_RESYNC_SLOTS.followUps,
      )),
    );
  }
  const shutdown = () => {
    for (const worker of workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  return {
    shutdown,
    states: () => workers.map((worker) => worker.getState()),
    async run() {
      const runs = workers.map((worker) =>
        worker.run().catch((error: unknown) => {
          shutdown();
          throw error;
        }),
      );
      await Promise.all(runs);
    },
  };
}

async function createWorkerPair(
  options: ResyncWorkerOptions,
  taskQueue: string,
  slots: Pick<WorkerOptions, 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'>,
  followUps = options.maxConcurrentFollowUps ?? 1_000,
): Promise<Worker[]> {
  const {
    listOpenJobPage,
    remainingOpenJobs,
    postBatch,
    postBatches,
    postCreates,
    followTasks,
    recordOutcome,
  } = createActivities(options.deps);
  const activityInterceptors = [applicationLogAttributes, ...(options.tracing?.activity ?? [])];
  const resync = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue,
    ...slots,
    // A prebuilt bundle has the workflow interceptors built in (see workflow-bundle.ts).
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle, interceptors: { activity: activityInterceptors } }
      : {
          workflowsPath: WORKFLOWS_PATH,
          interceptors: {
            activity: activityInterceptors,
            workflowModules: WORKFLOW_INTERCEPTOR_MODULES,
          },
        }),
    ...(options.tracing ? { sinks: options.tracing.sinks } : {}),
    activities: {
      listOpenJobPage,
      remainingOpenJobs,
      postBatch,
      postBatches,
      postCreates,
      recordOutcome,
      ...createDriftActivities(options.deps),
    },
    // On SIGTERM in-flight activities get this long to finish; then they are cancelled and handed back.
    shutdownGraceTime: SHUTDOWN_GRACE,
    // postBatches heartbeats its answers after a call: at most this much of them is lost to a crash.
    maxHeartbeatThrottleInterval: '1 second',
  });
  const followUp = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: followUpTaskQueue(taskQueue),
    activities: { followTasks },
    interceptors: { activity: activityInterceptors },
    maxConcurrentActivityTaskExecutions: followUps,
    shutdownGraceTime: SHUTDOWN_GRACE,
  });
  return [resync, followUp];
}

import { createWorkerDeps, openLanes } from './worker-deps';

export { createWorkerDeps, openLanes, type WorkerDepsOptions } from './worker-deps';

async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'worker' });
  const tracing = startWorkerTracing(process.env);
  // The SDK's exporter on a loopback port, relayed by the admin listener beside /healthz and /readyz.
  const sdkMetricsPort = await freeLoopbackPort();
  // One pino sink for the SDK too; the SDK's and the resync's metrics on /metrics for Prometheus.
  Runtime.install({
    logger: temporalLoggerFor(logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} },
      metrics: {
        prometheus: { bindAddress: socketAddress('127.0.0.1', sdkMetricsPort), countersTotalSuffix: true },
      },
    },
  });
  // Up before Temporal is reached; SIGTERM drains: no new tasks are polled, in-flight ones finish.
  const admin = await serveWorkerAdmin(
    { host: config.workerMetricsHost, port: config.workerMetricsPort },
    sdkMetricsPort,
    logger,
  );
  try {
    await runWorker(config, logger, admin.probes, admin.stopped, tracing);
  } finally {
    await Promise.all([admin.close(), tracing.shutdown()]);
  }
}

async function runWorker(
  config: WorkerConfig,
  logger: Logger,
  probes: WorkerProbes,
  stopped: AbortSignal,
  tracing: WorkerTracing,
) {
  const jobStore = await openJobStore(config);
  const { lanes, close: closeLanes } = openLanes(config);
  const closeStores = () => Promise.all([jobStore.close(), closeLanes()]);
  const options = temporalConnectionOptions(config.temporal);
  const connection = await connectWhenReachable(options, { probes, logger, stopped }).catch(
    async (error: unknown) => {
      await closeStores();
      throw error;
    },
  );
  if (connection === undefined) return void (await closeStores());
  // Zeroes the counters of every application (worker-metrics.ts) at start and with each drift sync.
  const listApplicationUrns = runtimeWorkerMetrics().knowing(config.temporal.taskQueue, jobStore.jobStatuses);
  try {
    await ensureSearchAttributes(connection, config, logger);
    await listApplicationUrns();
    const prebuilt = config.workflowBundle ?? join(__dirname, 'workflows.bundle.js');
    const workers = await createResyncWorkers({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      // Served whatever LARGE_RESYNC_JOBS says here: an API configured otherwise may start resyncs on it.
      serveLargeResyncs: true,
      tracing,
      ...(existsSync(prebuilt) ? { workflowBundle: { codePath: prebuilt } } : {}),
      deps: createWorkerDeps({
        jobStore,
        lanes,
        linkedin: config.linkedin,
        requestTimeoutMs: config.linkedinRequestTimeoutMs,
        taskPolling: config.taskPolling,
        tracer: tracing.tracer,
      }),
    });
    const schedules = keepDriftSchedules({
      client: new Client({ connection, namespace: config.temporal.namespace }),
      listApplicationUrns,
      options: {
        taskQueue: config.temporal.taskQueue,
        intervalMs: config.driftCheckIntervalMs,
        deadlineMs: config.resyncDeadlineMs,
        followUpWindowMs: config.followUpWindowMs,
        workflowIdPrefix: config.workflowIdPrefix,
        largeResyncJobs: config.largeResyncJobs,
      },
      everyMs: DRIFT_SCHEDULE_SYNC_EVERY_MS,
      log: (message, fields) => logger.info(fields, message),
    });
    // run() puts each Worker in RUNNING at once, so a SIGTERM from here on reaches running workers.
    const running = workers.run();
    probes.running(() => workers.states());
    const drain = () => {
      schedules.stop();
      workers.shutdown();
    };
    if (stopped.aborted) drain();
    else stopped.addEventListener('abort', drain, { once: true });
    logger.info(
      {
        taskQueue: config.temporal.taskQueue,
        largeResyncTaskQueue: largeResyncTaskQueue(config.temporal.taskQueue),
        metricsPort: config.workerMetricsPort,
        prebuiltBundle: existsSync(prebuilt),
      },
      'worker started',
    );
    await running;
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await closeStores();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // A configuration problem is a sentence for the operator, not a stack.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
