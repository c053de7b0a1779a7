/** What a scripted fault answers instead of the endpoint: status, body, headers, or a malformed body. */
import type { FaultEndpoint, FaultSpec } from './fault-rules';
import { SERVICE_ERROR_NONE, wholeCallError, type Reply } from './http';

/** What a fault answers instead of the endpoint; undefined when it only delays, hangs or disconnects. */
export function faultReply(endpoint: FaultEndpoint, fault: FaultSpec): Reply | undefined {
  const headers: Record<string, string> = {
    ...(fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) }),
    ...fault.headers,
  };
  if (fault.malformed === true)
    return { status: fault.status ?? 200, body: malformedBody(endpoint), headers };
  if (fault.rawBody !== undefined)
    return { status: fault.status ?? 200, body: undefined, raw: fault.rawBody, headers };
  const answers =
    fault.status !== undefined ||
    fault.headers !== undefined ||
    fault.body !== undefined ||
    fault.serviceErrorCode !== undefined ||
    fault.retryAfterSeconds !== undefined;
  if (!answers) return undefined;
  const status =
    fault.status ?? (fault.body !== undefined ? 200 : fault.retryAfterSeconds !== undefined ? 429 : 500);
  const body =
    fault.body !== undefined
      ? fault.body
      : wholeCallError(status, fault.serviceErrorCode ?? SERVICE_ERROR_NONE, defaultFaultMessage(status));
  return { status, body, headers };
}

function malformedBody(endpoint: FaultEndpoint): unknown {
  switch (endpoint) {
    case 'token':
      return { access_token: 12345, expires_in: 'soon' };
    case 'simpleJobPostings':
      return { elements: [{ status: 'accepted' }] };
    case 'simpleJobPostingTasks':
      return { results: [{ id: 42 }] };
    case 'jobPostingStatus':
      return { results: 'none' };
  }
}

function defaultFaultMessage(status: number): string {
  if (status === 429) return 'Resource level throttle limit for calls to this resource is reached';
  if (status === 504) return 'Gateway timeout';
  if (status >= 500) return 'Internal server error';
  return `Sandbox fault ${status}`;
}
