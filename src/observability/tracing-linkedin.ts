import { SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
} from '@opentelemetry/semantic-conventions';
import { Context } from '@temporalio/activity';

/** The path, never the query string (where the job ids and task urns are) nor a header or the body. */
export const ATTR_URL_TEMPLATE = 'url.template';
/** LinkedIn's id of the request, which its support asks for, when the answer carries one. */
export const ATTR_LINKEDIN_REQUEST_ID = 'linkedin.request_id';
/** Which attempt of its activity made the call (1: the first; Temporal's retry policy retries). */
export const ATTR_ACTIVITY_ATTEMPT = 'temporal.activity.attempt';

/**
 * Headers in which LinkedIn names a request: `x-li-uuid` on its API's answers (what its support asks for),
 * `x-li-request-id` read too in case an answer carries that one instead.
 */
export const LINKEDIN_REQUEST_ID_HEADERS = ['x-li-uuid', 'x-li-request-id'] as const;

/**
 * `fetch` with one CLIENT span per exchange with LinkedIn, a child of the active span (the activity's).
 * The span lasts until LinkedIn's answer arrives (or the exchange fails) and carries the method, the path,
 * the status, LinkedIn's request id and the activity's attempt. Only when tracing is on: off, the client
 * keeps the plain `fetch`.
 */
export function tracedFetch(tracer: Tracer, send: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const attempt = activityAttempt();
    return tracer.startActiveSpan(
      `${method} ${url.pathname}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_SERVER_ADDRESS]: url.hostname,
          [ATTR_URL_TEMPLATE]: url.pathname,
          ...(attempt === undefined ? {} : { [ATTR_ACTIVITY_ATTEMPT]: attempt }),
        },
      },
      async (span) => {
        try {
          const response = await send(input, init);
          span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
          const requestId = requestIdOf(response.headers);
          if (requestId !== undefined) span.setAttribute(ATTR_LINKEDIN_REQUEST_ID, requestId);
          if (response.status >= 400) {
            span.setAttribute(ATTR_ERROR_TYPE, String(response.status));
            span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
          }
          return response;
        } catch (error) {
          // The error's name only: its message may quote a URL and its query string.
          const type = error instanceof Error ? error.name : 'Error';
          span.setAttribute(ATTR_ERROR_TYPE, type);
          span.setStatus({ code: SpanStatusCode.ERROR, message: type });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  };
}

function requestIdOf(headers: Headers): string | undefined {
  for (const name of LINKEDIN_REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    // An id is short; anything else is not kept.
    if (value !== null && /^[\w.:/+=-]{1,128}$/.test(value)) return value;
  }
  return undefined;
}

/** The attempt of the activity this call runs in; undefined outside an activity. */
function activityAttempt(): number | undefined {
  try {
    return Context.current().info.attempt;
  } catch {
    return undefined;
  }
}

/** Marks on the active span that LinkedIn refused a token and the call is made again with a fresh one. */
export function noteTokenRefused(): void {
  trace.getActiveSpan()?.addEvent('linkedin.token_refused', { 'linkedin.call_again': true });
}
