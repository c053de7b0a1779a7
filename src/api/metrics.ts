import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ResyncStarter } from './resync-starter';
import { WEBHOOK_ANSWER_STATUSES } from './http-error';

/** How a start ended, `resync_start_duration_seconds`'s `result`. */
export const START_RESULTS = ['accepted', 'failed'] as const;

/**
 * The API's Prometheus metrics, on a registry of its own (no global state between app instances). Every
 * series of a known label value is there from the first scrape, at zero (docs/metrics.md).
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly notifications = new Counter({
    name: 'linkedin_notifications_total',
    help: 'Job Resync Notifications received, by the HTTP status they were answered with',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly startLatency = new Histogram({
    name: 'resync_start_duration_seconds',
    help: 'Time for Temporal to accept the start of a resync workflow (or refuse it)',
    labelNames: ['result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
    registers: [this.registry],
  });
  /** Asked at each scrape (the readiness check: getSystemInfo within 2 s); 1 before any starter is known. */
  private temporalReady: () => Promise<boolean> = () => Promise.resolve(true);
  private readonly temporalReachable = new Gauge({
    name: 'api_temporal_reachable',
    help: 'Whether Temporal answered the API just now (1) or not (0), checked at each scrape',
    registers: [this.registry],
    collect: async () => {
      this.temporalReachable.set((await this.temporalReady()) ? 1 : 0);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const status of WEBHOOK_ANSWER_STATUSES) this.notifications.inc({ status: String(status) }, 0);
    for (const result of START_RESULTS) this.startLatency.zero({ result });
  }

  /** Counts every webhook POST by its final status; sits outside the error handling to see it. */
  countNotifications(): Middleware {
    return async (ctx, next) => {
      try {
        await next();
      } finally {
        if (ctx.method === 'POST' && ctx.path === '/webhooks/linkedin') {
          this.notifications.inc({ status: String(ctx.status) });
        }
      }
    };
  }

  /** The same starter, timed; its readiness check answers `api_temporal_reachable`. */
  timed(starter: ResyncStarter): ResyncStarter {
    this.temporalReady = () => starter.ready();
    return {
      ready: () => starter.ready(),
      start: async (notification, receivedAt) => {
        const end = this.startLatency.startTimer();
        try {
          const started = await starter.start(notification, receivedAt);
          end({ result: 'accepted' });
          return started;
        } catch (error) {
          end({ result: 'failed' });
          throw error;
        }
      },
    };
  }
}
