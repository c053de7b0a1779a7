import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openJobStore } from './ats/open-job-store';
import { ConfigError, loadWorkerConfig, socketAddress, type WorkerConfig } from './config';
import { createLogger, type Logger } from './logger';
import { freeLoopbackPort } from './metrics-server';
import { connectWhenReachable, serveWorkerAdmin, type WorkerProbes } from './worker-probes';
import { temporalConnectionOptions } from './temporal-connection';
import { ensureSearchAttributes } from './search-attributes';
import { largeResyncTaskQueue } from './contract';
import { runtimeWorkerMetrics } from './observability/worker-metrics';
import { startWorkerTracing, type WorkerTracing } from './observability/tracing-worker';
import { installWorkerRuntime, startResyncWorker } from './worker-composition';
import { openLanes } from './worker-deps';

export {
  createResyncWorkers,
  LARGE_RESYNC_SLOTS,
  type ResyncWorkerOptions,
  type ResyncWorkers,
} from './resync-workers';
export { DRIFT_SCHEDULE_SYNC_EVERY_MS } from './worker-composition';
export { createWorkerDeps, openLanes, type WorkerDepsOptions } from './worker-deps';

async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'worker' });
  const tracing = startWorkerTracing(process.env);
  // The SDK's exporter on a loopback port, relayed by the admin listener beside /healthz and /readyz.
  const sdkMetricsPort = await freeLoopbackPort();
  // One pino sink for the SDK too; the SDK's and the resync's metrics on /metrics for Prometheus.
  installWorkerRuntime(logger, socketAddress('127.0.0.1', sdkMetricsPort));
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
    const prebuiltBundle = existsSync(prebuilt);
    const worker = await startResyncWorker({
      config,
      logger,
      connection,
      jobStore,
      lanes,
      listApplicationUrns,
      tracing,
      ...(prebuiltBundle ? { workflowBundle: prebuilt } : {}),
    });
    probes.running(() => worker.states());
    if (stopped.aborted) worker.drain();
    else stopped.addEventListener('abort', () => worker.drain(), { once: true });
    logger.info(
      {
        taskQueue: config.temporal.taskQueue,
        largeResyncTaskQueue: largeResyncTaskQueue(config.temporal.taskQueue),
        metricsPort: config.workerMetricsPort,
        prebuiltBundle,
      },
      'worker started',
    );
    await worker.running;
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
