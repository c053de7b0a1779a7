import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import { describeNotificationError, isDeveloperApplicationUrn, JobResyncNotification } from '../contract';
import type { JobStore } from '../ats/job-store';
import { echo } from '../echo';
import { ApplicationSecrets } from './application-secrets';
import type { JobStatusStore } from '../ats/job-status-store';
import { createJobStatusRoutes, isJobStatusChange, type JobStatusChanges } from './job-status';
import { HttpError } from './http-error';
import { readRawBody } from './raw-body';
import { BodyBudget } from './body-budget';
import { DEFAULT_BODY_BUDGET_BYTES, DEFAULT_MAX_BODY_BYTES } from '../config-webhook';
import type { ApiMetrics } from './metrics';
import type { ResyncStarter } from './resync-starter';
import { traceRequests } from '../observability/tracing-http';
import { createResyncRoutes, type ResyncRoutesDeps } from './resyncs';
import {
  challengeResponse,
  hmacSha256Hex,
  isChallengeCode,
  isWellFormedSignature,
  verifySignature,
} from './signature';

export { DEFAULT_BODY_BUDGET_BYTES, DEFAULT_MAX_BODY_BYTES } from '../config-webhook';

/** /readyz answers from a Temporal check at most this old: probes cannot turn into load on Temporal. */
export const READY_MAX_AGE_MS = 2_000;

export interface AppDeps {
  webhookSecrets: readonly string[];
  jobStore: Pick<JobStore, 'getApplication' | 'listApplicationSecrets'>;
  resyncs: ResyncStarter;
  logger: Logger;
  now?: () => number;
  /** The status endpoints (`/resyncs`), behind a bearer token; not served when absent. */
  admin?: ResyncRoutesDeps;
  /** Prometheus metrics, counted here and served apart from this app (`serveMetrics`, API_METRICS_PORT). */
  metrics?: ApiMetrics;
  /** NODE_ENV=development: the demo applications' published secrets are used (src/secret-rules.ts). */
  development?: boolean;
  /** The parent application's id (LINKEDIN_PARENT_APPLICATION_ID): its challenges get the first secret. */
  parentApplicationId?: string;
  /** True once SIGTERM arrived: readiness fails so load balancers stop sending. */
  draining?: () => boolean;
  /** Job Status Change notifications (type JOB_POSTING_STATUS); answered 400 as unsupported without. */
  jobStatusChanges?: JobStatusChanges;
  /** linkedin_job_status, served behind the admin token on GET /jobs/:application/:id/linkedin-status. */
  jobStatuses?: Pick<JobStatusStore, 'get'>;
  /** The largest notification body (HTTP_MAX_BODY_BYTES); 413 over it. */
  maxBodyBytes?: number;
  /** Body bytes held at once over every connection (HTTP_BODY_BUDGET_BYTES); 503 past it. */
  bodyBudget?: BodyBudget;
  /** With tracing on: a span per request (src/observability/tracing-http.ts); none without. */
  tracer?: Parameters<typeof traceRequests>[0] | undefined;
}

/** Builds the API; it never listens itself (entry points and tests use `app.callback()`). */
export function createApp(deps: AppDeps): Koa {
  const now = deps.now ?? Date.now;
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyBudget = deps.bodyBudget ?? new BodyBudget(DEFAULT_BODY_BUDGET_BYTES);
  const app = new Koa();
  const router = new Router();
  const resyncs = deps.metrics ? deps.metrics.timed(deps.resyncs) : deps.resyncs;
  const secrets = new ApplicationSecrets({
    store: deps.jobStore,
    logger: deps.logger,
    now,
    development: deps.development ?? false,
  });
  if (deps.tracer) app.use(traceRequests(deps.tracer));
  if (deps.metrics) app.use(deps.metrics.countNotifications());
  // What Koa reports past our error handling is a connection that ended first (a client too slow for the
  // server's request timeout, say): logged as JSON like the rest, never printed to stderr.
  app.on('error', (error: unknown) => {
    deps.logger.info({ err: error }, 'connection ended before the answer was sent');
  });

  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, `no route for ${ctx.method} ${echo(ctx.path)}`);
      }
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { errorMessage: error.errorMessage };
        ctx.set(error.headers);
        if (error.closes) ctx.set('Connection', 'close');
        if (error.status >= 500) deps.logger.error({ err: error, path: echo(ctx.path) }, 'request failed');
        else
          deps.logger.info(
            { status: error.status, path: echo(ctx.path), reason: error.errorMessage },
            'request refused',
          );
        return;
      }
      // A failure of ours: LinkedIn retries on 500. Internal details stay in the log.
      deps.logger.error({ err: error, path: echo(ctx.path) }, 'request failed');
      ctx.status = 500;
      ctx.body = '';
    }
  });

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  let readiness: { checkedAt: number; ready: Promise<boolean> } | undefined;
  const temporalReady = () => {
    if (readiness === undefined || now() - readiness.checkedAt >= READY_MAX_AGE_MS) {
      readiness = { checkedAt: now(), ready: resyncs.ready() };
    }
    return readiness.ready;
  };

  router.get('/readyz', async (ctx) => {
    const ready = !deps.draining?.() && (await temporalReady());
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'temporal unreachable' };
  });

  // LinkedIn's ownership check (linkedin.md §2): HMAC of the challenge code with the right client secret.
  router.get('/webhooks/linkedin', async (ctx) => {
    const challengeCode = single(ctx.query.challengeCode);
    if (!challengeCode) throw new HttpError(400, 'challengeCode is required');
    // Any other code would make this endpoint sign whatever it is sent (docs/security.md).
    if (!isChallengeCode(challengeCode)) throw new HttpError(400, 'challengeCode must be a UUID');
    const secret = await challengeSecret(single(ctx.query.applicationId));
    if (!secret) throw new Error('no webhook secret configured');
    ctx.type = 'application/json';
    ctx.body = { challengeCode, challengeResponse: challengeResponse(secret, challengeCode) };
  });

  /**
   * Whose secret answers a challenge (docs/security.md, "the challenge"): none named or the parent
   * application, the first webhook secret; a child application the ATS holds, its own. Any other id gets
   * a key of its own derived from the first webhook secret: an answer like a customer's, the same on
   * every ask and every API process, so nobody can tell from it which applications are customers. Both
   * ways cost one HMAC and no store query.
   */
  async function challengeSecret(applicationId: string | undefined): Promise<string | undefined> {
    const first = deps.webhookSecrets[0];
    if (first === undefined) return undefined;
    if (applicationId === undefined || applicationId === deps.parentApplicationId) return first;
    const unheld = hmacSha256Hex(first, `${UNHELD_CHALLENGE_KEY}${applicationId}`);
    const own = /^\d{1,20}$/.test(applicationId)
      ? await secrets.secretOf(`urn:li:developerApplication:${applicationId}`, { refreshOnMiss: false })
      : undefined;
    if (own === undefined) {
      deps.logger.info(
        { applicationId: echo(applicationId) },
        'challenge for an application that is neither the parent nor one the ATS holds: answered under a key derived for it',
      );
    }
    return own ?? unheld;
  }

  router.post('/webhooks/linkedin', async (ctx) => {
    const receivedAt = now();
    // Refused before a byte of the body is read: an unsigned request costs nothing but its headers.
    const header = ctx.get('X-LI-Signature') || undefined;
    if (!header) throw refusedUnread(ctx, 'X-LI-Signature header is missing');
    if (!isWellFormedSignature(header)) {
      throw refusedUnread(
        ctx,
        'X-LI-Signature is not a hex HMAC-SHA256 (64 hex digits, optionally after hmacsha256=)',
      );
    }
    const share = bodyBudget.share();
    try {
      await handleNotification(ctx, header, await readRawBody(ctx.req, maxBodyBytes, share), receivedAt);
    } finally {
      share.release();
    }
  });

  /** A notification whose body was read within the limits: checked, parsed and started. */
  async function handleNotification(
    ctx: Koa.Context,
    header: string,
    rawBody: Buffer,
    receivedAt: number,
  ): Promise<void> {
    const signer = await signerOf(header, rawBody);
    if (signer === undefined) {
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
      const named = (json as { developerApplicationUrn?: unknown }).developerApplicationUrn;
      if (signer.application !== undefined && signer.application !== named) {
        throw new HttpError(401, 'X-LI-Signature does not match the body for any configured client secret');
      }
      await deps.jobStatusChanges.accept(json, receivedAt);
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    const parsed = JobResyncNotification.safeParse(json);
    if (!parsed.success) throw new HttpError(400, describeNotificationError(parsed.error));
    const notification = parsed.data;
    if (signer.application !== undefined && signer.application !== notification.developerApplicationUrn) {
      // Signed with one customer's secret, naming another (a repeated key, say): never another's resync.
      throw new HttpError(401, 'X-LI-Signature does not match the body for any configured client secret');
    }

    const application = await deps.jobStore.getApplication(notification.developerApplicationUrn);
    if (!application) {
      throw new HttpError(
        400,
        `developerApplicationUrn ${echo(notification.developerApplicationUrn)} is not an application this ATS knows`,
      );
    }

    const started = await resyncs.start(notification, receivedAt);
    deps.logger.info(
      { workflowId: started.workflowId, developerApplicationUrn: notification.developerApplicationUrn },
      started.notRedone
        ? 'notification carried out twice within its window already; answered, not redone'
        : 'resync accepted',
    );
    ctx.status = 200;
    ctx.body = '';
  }

  /**
   * Any configured webhook secret, or the child application's own secret: LinkedIn does not say which one
   * signs talent notifications. Neither check parses the body or queries the store (docs/security.md).
   * Undefined when nothing matched; `application` names the child whose secret matched.
   */
  async function signerOf(
    header: string,
    rawBody: Buffer,
  ): Promise<{ application: string | undefined } | undefined> {
    if (verifySignature(header, rawBody, deps.webhookSecrets)) return { application: undefined };
    const urn = applicationNamedIn(rawBody);
    const secret = urn === undefined ? undefined : await secrets.secretOf(urn);
    return secret !== undefined && verifySignature(header, rawBody, [secret])
      ? { application: urn }
      : undefined;
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

/**
 * A 401 answered without reading the body: the connection is closed after the answer, so a client still
 * sending (or declaring a large body) is not read to the end.
 */
function refusedUnread(ctx: Koa.Context, errorMessage: string): HttpError {
  ctx.set('Connection', 'close');
  return new HttpError(401, errorMessage);
}

/** Labels the keys of challenges naming an application not held: never an HMAC LinkedIn asks for. */
const UNHELD_CHALLENGE_KEY = 'challenge of an application this ATS does not hold:';

const URN_KEY = Buffer.from('"developerApplicationUrn"');
const URN_VALUE = /^\s*:\s*"([^"\\]{1,64})"/;

/**
 * The application a raw body names, found without parsing it: one native search for the key, then a
 * look at the few bytes after it. Only this application's secret is tried, and once the signature matched
 * the parsed notification must name the same application, so a decoy placed earlier in the body can only
 * make the check fail.
 */
function applicationNamedIn(rawBody: Buffer): string | undefined {
  const at = rawBody.indexOf(URN_KEY);
  if (at < 0) return undefined;
  const start = at + URN_KEY.length;
  const value = URN_VALUE.exec(rawBody.subarray(start, start + 128).toString('latin1'))?.[1];
  return value !== undefined && isDeveloperApplicationUrn(value) ? value : undefined;
}
