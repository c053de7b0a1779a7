import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import { describeNotificationError, JobResyncNotification } from '../contract';
import type { JobStore } from '../ats/job-store';
import type { JobStatusStore } from '../ats/job-status-store';
import { createJobStatusRoutes, isJobStatusChange, type JobStatusChanges } from './job-status';
import { HttpError } from './http-error';
import { readRawBody } from './raw-body';
import type { ApiMetrics } from './metrics';
import type { ResyncStarter } from './resync-starter';
import { createResyncRoutes, type ResyncRoutesDeps } from './resyncs';
import { challengeResponse, verifySignature } from './signature';

/** Notifications are a few hundred bytes; a full list of 75-character ids stays far below this. */
export const MAX_NOTIFICATION_BYTES = 1024 * 1024;

export interface AppDeps {
  webhookSecrets: readonly string[];
  jobStore: Pick<JobStore, 'getApplication'>;
  resyncs: ResyncStarter;
  logger: Logger;
  now?: () => number;
  /** The status endpoints (`/resyncs`), behind a bearer token; not served when absent. */
  admin?: ResyncRoutesDeps;
  /** Prometheus metrics, served on GET /metrics. */
  metrics?: ApiMetrics;
  /** True once SIGTERM arrived: readiness fails so load balancers stop sending. */
  draining?: () => boolean;
  /** Job Status Change notifications (type JOB_POSTING_STATUS); answered 400 as unsupported without. */
  jobStatusChanges?: JobStatusChanges;
  /** linkedin_job_status, served behind the admin token on GET /jobs/:application/:id/linkedin-status. */
  jobStatuses?: Pick<JobStatusStore, 'get'>;
}

/** Builds the API; it never listens itself (entry points and tests use `app.callback()`). */
export function createApp(deps: AppDeps): Koa {
  const now = deps.now ?? Date.now;
  const app = new Koa();
  const router = new Router();
  const resyncs = deps.metrics ? deps.metrics.timed(deps.resyncs) : deps.resyncs;
  if (deps.metrics) app.use(deps.metrics.countNotifications());

  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { errorMessage: error.errorMessage };
        if (error.status >= 500) deps.logger.error({ err: error, path: ctx.path }, 'request failed');
        else
          deps.logger.info(
            { status: error.status, path: ctx.path, reason: error.errorMessage },
            'request refused',
          );
        return;
      }
      // A failure of ours: LinkedIn retries on 500. Internal details stay in the log.
      deps.logger.error({ err: error, path: ctx.path }, 'request failed');
      ctx.status = 500;
      ctx.body = '';
    }
  });

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  const metrics = deps.metrics;
  if (metrics) {
    router.get('/metrics', async (ctx) => {
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.registry.metrics();
    });
  }

  router.get('/readyz', async (ctx) => {
    const ready = !deps.draining?.() && (await resyncs.ready());
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'temporal unreachable' };
  });

  // LinkedIn's ownership check (linkedin.md §2): HMAC of the challenge code with the right client secret.
  router.get('/webhooks/linkedin', async (ctx) => {
    const challengeCode = single(ctx.query.challengeCode);
    if (!challengeCode) throw new HttpError(400, 'challengeCode is required');
    const applicationId = single(ctx.query.applicationId);
    let secret = deps.webhookSecrets[0];
    if (applicationId !== undefined) {
      const application = /^\d+$/.test(applicationId)
        ? await deps.jobStore.getApplication(`urn:li:developerApplication:${applicationId}`)
        : undefined;
      if (!application)
        throw new HttpError(400, `applicationId ${applicationId} is not an application this ATS knows`);
      secret = application.clientSecret;
    }
    if (!secret) throw new Error('no webhook secret configured');
    ctx.type = 'application/json';
    ctx.body = { challengeCode, challengeResponse: challengeResponse(secret, challengeCode) };
  });

  router.post('/webhooks/linkedin', async (ctx) => {
    const receivedAt = now();
    const rawBody = await readRawBody(ctx.req, MAX_NOTIFICATION_BYTES);
    const header = ctx.get('X-LI-Signature') || undefined;
    if (!header) throw new HttpError(401, 'X-LI-Signature header is missing');
    if (!(await signedByKnownSecret(header, rawBody))) {
      throw new HttpError(401, 'X-LI-Signature does not match the body for any configured client secret');
    }

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new HttpError(400, 'the body is not valid JSON');
    }
    // One webhook URL may serve both event types: routed by `type`, after the same signature check.
    if (deps.jobStatusChanges && isJobStatusChange(json)) {
      await deps.jobStatusChanges.accept(json, receivedAt);
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    const parsed = JobResyncNotification.safeParse(json);
    if (!parsed.success) throw new HttpError(400, describeNotificationError(parsed.error));
    const notification = parsed.data;

    const application = await deps.jobStore.getApplication(notification.developerApplicationUrn);
    if (!application) {
      throw new HttpError(
        400,
        `developerApplicationUrn ${notification.developerApplicationUrn} is not an application this ATS knows`,
      );
    }

    const started = await resyncs.start(notification, receivedAt);
    deps.logger.info(
      { workflowId: started.workflowId, developerApplicationUrn: notification.developerApplicationUrn },
      'resync accepted',
    );
    ctx.status = 200;
    ctx.body = '';
  });

  /**
   * Any configured webhook secret, or the child application's own secret: LinkedIn does not say which one
   * signs talent notifications.
   */
  async function signedByKnownSecret(header: string, rawBody: Buffer): Promise<boolean> {
    if (verifySignature(header, rawBody, deps.webhookSecrets)) return true;
    const urn = namedApplication(rawBody);
    const application = urn ? await deps.jobStore.getApplication(urn) : undefined;
    return application !== undefined && verifySignature(header, rawBody, [application.clientSecret]);
  }

  app.use(router.routes());
  app.use(router.allowedMethods());
  if (deps.admin) {
    const resyncRoutes = createResyncRoutes(deps.admin);
    app.use(resyncRoutes.routes());
    app.use(resyncRoutes.allowedMethods());
    if (deps.jobStatuses) {
      const statusRoutes = createJobStatusRoutes({ token: deps.admin.token, jobStatuses: deps.jobStatuses });
      app.use(statusRoutes.routes());
      app.use(statusRoutes.allowedMethods());
    }
  }
  return app;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function namedApplication(rawBody: Buffer): string | undefined {
  try {
    const body: unknown = JSON.parse(rawBody.toString('utf8'));
    if (typeof body !== 'object' || body === null) return undefined;
    const urn = (body as Record<string, unknown>).developerApplicationUrn;
    return typeof urn === 'string' && /^urn:li:developerApplication:\d+$/.test(urn) ? urn : undefined;
  } catch {
    return undefined;
  }
}
