/**
 * The storm's `--store embedded` service: the worker and the API in one process over the embedded store
 * (PGlite under DATA_DIR) with in-memory lanes, as `npm run dev` runs them, since that store belongs to one
 * process. Configured by the same environment as `node dist/worker.js` and `node dist/api/main.js`.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { startApiServer } from '../../src/api/main';
import { openJobStore } from '../../src/ats/open-job-store';
import { loadConfig, socketAddress } from '../../src/config';
import { keepDriftSchedules } from '../../src/drift/schedules';
import { InProcessLanes } from '../../src/linkedin/application-lanes';
import { createLogger } from '../../src/logger';
import { temporalLoggerFor } from '../../src/observability/temporal-logger';
import { createTemporalClient } from '../../src/temporal-client';
import { createResyncWorkers, createWorkerDeps, DRIFT_SCHEDULE_SYNC_EVERY_MS } from '../../src/worker';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'storm-service' });
  Runtime.install({
    logger: temporalLoggerFor(logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} },
      metrics: {
        prometheus: {
          bindAddress: socketAddress(config.workerMetricsHost, config.workerMetricsPort),
          countersTotalSuffix: true,
        },
      },
    },
  });
  const jobStore = await openJobStore(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const workers = await createResyncWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    serveLargeResyncs: true,
    ...(config.workflowBundle ? { workflowBundle: { codePath: config.workflowBundle } } : {}),
    deps: createWorkerDeps({
      jobStore,
      lanes: new InProcessLanes(),
      linkedin: config.linkedin,
      requestTimeoutMs: config.linkedinRequestTimeoutMs,
      taskPolling: config.taskPolling,
    }),
  });
  const client = createTemporalClient(config.temporal);
  const api = await startApiServer({ config, client, jobStore, logger, jobStatuses: jobStore.jobStatuses });
  const schedules = keepDriftSchedules({
    client: new Client({ connection: client.connection, namespace: config.temporal.namespace }),
    listApplicationUrns: () => jobStore.jobStatuses.listApplicationUrns(),
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
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      schedules.stop();
      workers.shutdown();
    });
  }
  logger.info({ port: config.port }, 'worker started');
  try {
    await workers.run();
  } finally {
    await api.drain();
    await Promise.all([client.connection.close(), connection.close()]);
    await jobStore.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
