import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { JobStore } from '../ats/job-store';
import { openJobStore } from '../ats/open-job-store';
import { ConfigError, loadApiConfig, type ApiConfig } from '../config';
import { createLogger, type Logger } from '../logger';
import { serveMetrics, type MetricsServer, type ProbeAnswer } from '../metrics-server';
import { createTemporalClient } from '../temporal-client';
import { createApp, READY_MAX_AGE_MS } from './app';
import { ApiMetrics } from './metrics';
import { BodyBudget } from './body-budget';
import { createResyncStarter, type ResyncStarter } from './resync-starter';
import { createJobStatusChanges } from './job-status';
import type { JobStatusStore } from '../ats/job-status-store';
import { startApiTracing } from '../observability/tracing-api';
import { codecRoutes } from '../codec-server';

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
  const resyncs = createResyncStarter(deps.client, {
    taskQueue: deps.config.temporal.taskQueue,
    deadlineMs: deps.config.resyncDeadlineMs,
    followUpWindowMs: deps.config.followUpWindowMs,
    repeatWindowMs: deps.config.repeatWindowMs,
    workflowIdPrefix: deps.config.workflowIdPrefix,
    startTimeoutMs: START_TIMEOUT_MS,
    large: { minJobs: deps.config.largeResyncJobs, jobs: deps.jobStore },
  });
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
    resyncs,
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
  server.listen(deps.config.port, deps.config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  let metricsServer: MetricsServer;
  try {
    // The admin listener answers /healthz and /readyz too, for probes that must not use the public port.
    metricsServer = await serveMetrics(
      metrics.registry,
      deps.config.apiMetrics,
      { readyz: apiReadiness(resyncs, () => draining) },
      // Operators read compressed payloads (PAYLOAD_COMPRESSION) through it, in the Web UI or the CLI.
      [codecRoutes({ allowedOrigins: deps.config.codecCorsOrigins })],
    );
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

/**
 * The admin listener's /readyz: 503 while draining, else whether Temporal answers, from a check at most
 * READY_MAX_AGE_MS old (probes never turn into load on Temporal), like the public port's.
 */
export function apiReadiness(
  resyncs: Pick<ResyncStarter, 'ready'>,
  draining: () => boolean,
  now: () => number = Date.now,
): () => Promise<ProbeAnswer> {
  let last: { at: number; ready: Promise<boolean> } | undefined;
  return async () => {
    if (draining()) return { ok: false, body: { status: 'draining' } };
    if (last === undefined || now() - last.at >= READY_MAX_AGE_MS) {
      last = { at: now(), ready: resyncs.ready().catch(() => false) };
    }
    return (await last.ready)
      ? { ok: true, body: { status: 'ready' } }
      : { ok: false, body: { status: 'temporal unreachable' } };
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
