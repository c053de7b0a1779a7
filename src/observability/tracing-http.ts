import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import type Koa from 'koa';

/** The application a notification is for and the resync it starts or joins, on the webhook's span. */
export const ATTR_DEVELOPER_APPLICATION_URN = 'resync.developer_application_urn';
export const ATTR_WORKFLOW_ID = 'resync.workflow_id';

/** Probes are asked every few seconds and say nothing about a notification: never traced. */
const UNTRACED = new Set(['/healthz', '/readyz']);

/**
 * One SERVER span per request (a notification's trace starts here), made the active span while the request
 * is handled, so the Temporal client's span, and through its headers the workflow's, are its children.
 * It carries the method, the route (a template, never the query string) and the status; never a header or
 * the body. A `traceparent` the caller sends is not followed: a notification's trace is the service's own.
 */
export function traceRequests(tracer: Tracer): Koa.Middleware {
  return async (ctx, next) => {
    if (UNTRACED.has(ctx.path)) {
      await next();
      return;
    }
    const span = tracer.startSpan(ctx.method, {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: ctx.method },
    });
    try {
      await context.with(trace.setSpan(context.active(), span), next);
    } finally {
      // The router names the route it matched (`/resyncs/:workflowId`): the ids stay out of the name.
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      if (typeof route === 'string') {
        span.updateName(`${ctx.method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, ctx.status);
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${ctx.status}` });
      span.end();
    }
  };
}

/**
 * Names the application and the resync on the request's span; nothing when tracing is off (the API's
 * active span is then none) or outside a request (the CLI).
 */
export function annotateNotification(developerApplicationUrn: string, workflowId: string): void {
  trace.getActiveSpan()?.setAttributes({
    [ATTR_DEVELOPER_APPLICATION_URN]: developerApplicationUrn,
    [ATTR_WORKFLOW_ID]: workflowId,
  });
}
