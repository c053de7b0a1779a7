/**
 * The storm's `--store embedded` service: the worker and the API in one process over the embedded store
 * (PGlite under DATA_DIR) with in-memory lanes, as `npm run dev` runs them, since that store belongs to one
 * process. Configured by the same environment as `node dist/worker.js` and `node dist/api/main.js`.
 */
import { NativeConnection } from '@temporalio/worker';
import { startApiServer } from '../../src/api/main';
import { openJobStore } from '../../src/ats/open-job-store';
import { loadConfig, socketAddress } from '../../src/config';
import { InProcessLanes } from '../../src/linkedin/application-lanes';
import { createLogger } from '../../src/logger';
import { createTemporalClient } from '../../src/temporal-client';
import { installWorkerRuntime, startResyncWorker } from '../../src/worker-composition';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'storm-service' });
  installWorkerRuntime(logger, socketAddress(config.workerMetricsHost, config.workerMetricsPort));
  const jobStore = await openJobStore(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const client = createTemporalClient(config.temporal);
  const api = await startApiServer({ config, client, jobStore, logger, jobStatuses: jobStore.jobStatuses });
  const worker = await startResyncWorker({
    config,
    logger,
    connection,
    jobStore,
    lanes: new InProcessLanes(),
    listApplicationUrns: () => jobStore.jobStatuses.listApplicationUrns(),
    client,
    ...(config.workflowBundle ? { workflowBundle: config.workflowBundle } : {}),
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.drain());
  logger.info({ port: config.port }, 'worker started');
  try {
    await worker.running;
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
