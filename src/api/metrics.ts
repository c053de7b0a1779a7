import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ResyncStarter } from './resync-starter';

/** The API's Prometheus metrics, on a registry of its own (no global state between app instances). */
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
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

  /** The same starter, timed. */
  timed(starter: ResyncStarter): ResyncStarter {
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
