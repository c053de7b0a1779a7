import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { JobStore } from '../ats/job-store';
import { openJobStore } from '../ats/open-job-store';
import { ConfigError, loadApiConfig, type ApiConfig } from '../config';
import { createLogger, type Logger } from '../logger';
import { serveMetrics, type MetricsServer } from '../metrics-server';
import { createTemporalClient } from '../temporal-client';
import { createApp } from './app';
import { ApiMetrics } from './metrics';
import { BodyBudget } from './body-budget';
import { createResyncStarter } from './resync-starter';
import { createJobStatusChanges } from './job-status';
import type { JobStatusStore } from '../ats/job-status-store';
import { startApiTracing } from '../observability/tracing-api';

/** Answer within LinkedIn's patience: past this the webhook says 500 and LinkedIn delivers again. */
export const START_TIMEOUT_MS = 4_000;

export interface ApiServerDeps {
  config: ApiConfig;
  client: Client;
  jobStore: JobStore;
  logger: Logger;
  /** linkedin_job_status, served behind ADMIN_TOKEN. */
  jobStatuses?: JobStatusStore;
  /** With tracing on: a span per request, the root of a notification's trace. */
  tracer?: Parameters<typeof createApp>[0]['tracer'];
}

export interface ApiServer {
  server: Server;
  /** `GET /metrics` on API_METRICS_HOST:API_METRICS_PORT, never on the public port. */
  metrics: MetricsServer;
  /** The request body bytes held now (HTTP_BODY_BUDGET_BYTES bounds them). */
  bodies: BodyBudget;
  /**
   * Drains: readiness fails at once, no new connection is accepted, requests in flight finish (a
   * notification being started is answered), then the server closes.
   */
  drain(): Promise<void>;
}

export async function startApiServer(deps: ApiServerDeps): Promise<ApiServer> {
  let draining = false;
  const metrics = new ApiMetrics();
  const bodies = new BodyBudget(deps.config.http.bodyBudgetBytes);
  const app = createApp({
    webhookSecrets: deps.config.webhookSecrets,
    ...(deps.config.parentApplicationId ? { parentApplicationId: deps.config.parentApplicationId } : {}),
    development: deps.config.development,
    jobStore: deps.jobStore,
    logger: deps.logger,
    metrics,
    draining: () => draining,
    maxBodyBytes: deps.config.http.maxBodyBytes,
    bodyBudget: bodies,
    tracer: deps.tracer,
    ...(deps.config.adminToken ? { admin: { token: deps.config.adminToken, client: deps.client } } : {}),
    ...(deps.jobStatuses ? { jobStatuses: deps.jobStatuses } : {}),
    jobStatusChanges: createJobStatusChanges(
      { client: deps.client, jobStore: deps.jobStore, logger: deps.logger },
      {
        taskQueue: deps.config.temporal.taskQueue,
        deadlineMs: deps.config.resyncDeadlineMs,
        followUpWindowMs: deps.config.followUpWindowMs,
        workflowIdPrefix: deps.config.workflowIdPrefix,
        startTimeoutMs: START_TIMEOUT_MS,
      },
    ),
    resyncs: createResyncStarter(deps.client, {
      taskQueue: deps.config.temporal.taskQueue,
      deadlineMs: deps.config.resyncDeadlineMs,
      followUpWindowMs: deps.config.followUpWindowMs,
      repeatWindowMs: deps.config.repeatWindowMs,
      workflowIdPrefix: deps.config.workflowIdPrefix,
      startTimeoutMs: START_TIMEOUT_MS,
      large: { minJobs: deps.config.largeResyncJobs, jobs: deps.jobStore },
    }),
  });
  const { headersTimeoutMs, requestTimeoutMs, maxConnections } = deps.config.http;
  const handle = app.callback();
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Node checks both timeouts on this period (30 s by default, which would stretch them).
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
    },
    (req, res) => void handle(req, res),
  );
  server.maxConnections = maxConnections;
  server.listen(deps.config.port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  let metricsServer: MetricsServer;
  try {
    metricsServer = await serveMetrics(metrics.registry, deps.config.apiMetrics);
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    server,
    metrics: metricsServer,
    bodies,
    async drain() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await metricsServer.close();
    },
  };
}

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'api' });
  const tracing = startApiTracing(process.env);
  const jobStore = await openJobStore(config);
  const client = createTemporalClient(config.temporal, tracing.clientInterceptors);
  const api = await startApiServer({
    config,
    client,
    jobStore,
    logger,
    jobStatuses: jobStore.jobStatuses,
    tracer: tracing.tracer,
  });
  logger.info({ port: config.port, metrics: api.metrics.url }, 'api listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'draining');
      void api
        .drain()
        .then(() => Promise.all([client.connection.close(), jobStore.close(), tracing.shutdown()]))
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'drain failed');
            process.exit(1);
          },
        );
    });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // A configuration problem is a sentence for the operator, not a stack.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
