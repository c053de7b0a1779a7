import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { JobStore } from '../ats/job-store';
import { openJobStore } from '../ats/open-job-store';
import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../logger';
import { createTemporalClient } from '../temporal-client';
import { createApp } from './app';
import { createResyncStarter } from './resync-starter';

/** Answer within LinkedIn's patience: past this the webhook says 500 and LinkedIn delivers again. */
export const START_TIMEOUT_MS = 4_000;

export interface ApiServerDeps {
  config: Config;
  client: Client;
  jobStore: JobStore;
  logger: Logger;
}

export async function startApiServer(deps: ApiServerDeps): Promise<Server> {
  const app = createApp({
    webhookSecrets: deps.config.webhookSecrets,
    jobStore: deps.jobStore,
    logger: deps.logger,
    resyncs: createResyncStarter(deps.client, {
      taskQueue: deps.config.temporal.taskQueue,
      deadlineMs: deps.config.resyncDeadlineMs,
      followUpWindowMs: deps.config.followUpWindowMs,
      startTimeoutMs: START_TIMEOUT_MS,
    }),
  });
  const server = app.listen(deps.config.port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'api' });
  const jobStore = await openJobStore(config);
  const client = createTemporalClient(config.temporal);
  await startApiServer({ config, client, jobStore, logger });
  logger.info({ port: config.port }, 'api listening');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
