/**
 * What LinkedIn's answers mean, in one place, as ky keeps one retry table: the client, the token cache,
 * the task poller, the posting activity and the task follower all read answers through this module, so no
 * status or message is interpreted twice. Each rule names the page it follows; the README's answer table is
 * checked against it (test/unit/answer-table.test.ts).
 */
import { FailureType } from '../failures';
import { isDuplicateCreate } from './answer-readings';
import type { ElementResult } from './client';
import { LaneWaitTimeoutError } from './lane-wait-timeout-error';
import { LinkedInApiError } from './linkedin-api-error';
import { LinkedInContractError } from './linkedin-contract-error';
import { LinkedInCredentialsError } from './linkedin-credentials-error';
import { LinkedInUnreachableError } from './linkedin-unreachable-error';

export { isDuplicateCreate, readTask, statusCode, taskAction } from './answer-readings';
export type { TaskAction, TaskReading, TaskStatus } from './answer-readings';

/** Which answer: the token endpoint's, a whole simpleJobPostings (or tasks) call's, or one element's. */
export type AnswerSource = 'token' | 'call' | 'element';

/** What the service does with an answer. */
export type Action =
  /** 2xx: the token is used, the element's task followed. */
  | 'accept'
  /** Temporal retries the activity with exponential backoff. */
  | 'retry'
  /** Temporal retries the activity after Retry-After (`nextRetryDelay`), never sooner. */
  | 'retry-after'
  /** The token is dropped, one fresh token fetched and the call sent again, once. */
  | 'refresh-token'
  /** Only that element is sent again (the answered ones are kept across attempts). */
  | 'resend-element'
  /** That job is REJECTED with LinkedIn's message. */
  | 'reject-job'
  /** The job the refusal names is REJECTED; the other jobs of the call are sent again without it. */
  | 'names-job'
  /** Every job of the call is REJECTED; not retried. */
  | 'reject-call'
  /** The ATS's truth already holds on LinkedIn (already closed or absent; already created): done, confirmed. */
  | 'already-done';

/** How an answer's failure reaches Temporal: its stable type and whether (and when) it is retried. */
export interface FailureRule {
  type: FailureType;
  retry: 'backoff' | 'after' | 'never';
}

const THROTTLED: FailureRule = { type: FailureType.LinkedInThrottled, retry: 'after' };
const UNAVAILABLE: FailureRule = { type: FailureType.LinkedInUnavailable, retry: 'backoff' };
const REFUSED: FailureRule = { type: FailureType.LinkedInRequestRejected, retry: 'never' };

/** When LinkedIn throttles without saying for how long. */
export const DEFAULT_THROTTLE_DELAY_MS = 30_000;

/** A status a rule matches: one code, or a class. */
type StatusMatch = number | '2xx' | '4xx' | '5xx' | 'error';

export interface AnswerRule {
  source: AnswerSource;
  status: StatusMatch;
  /** Only for this operation (CLOSE, CREATE). */
  operation?: string;
  /** Only when the message says the CREATE was a duplicate. */
  duplicateCreate?: true;
  /** Only when the refusal names one job of the call. */
  namesJob?: true;
  action: Action;
  /** The activity's failure when the action fails the attempt. */
  failure?: FailureRule;
}

/**
 * The table, first match wins. Sources: Create Jobs, API error details
 * (https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/create-jobs); Close Jobs; Rate limits
 * (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits); Client Credential
 * Flow; Check Job Operation Task Status; talent-solutions-java-sdk (retries 5xx and network errors).
 */
export const ANSWER_RULES: readonly AnswerRule[] = [
  { source: 'token', status: '2xx', action: 'accept' },
  { source: 'token', status: 429, action: 'retry-after', failure: THROTTLED },
  { source: 'token', status: '5xx', action: 'retry', failure: UNAVAILABLE },
  // A refused client id or secret: whoever asked, posting or task follow-up, must not retry it.
  {
    source: 'token',
    status: 'error',
    action: 'reject-call',
    failure: { type: FailureType.LinkedInCredentialsRejected, retry: 'never' },
  },
  { source: 'element', status: '2xx', action: 'accept' },
  // "Cannot close job which is already closed or does not exist".
  { source: 'element', status: 409, operation: 'CLOSE', action: 'already-done' },
  { source: 'element', status: 'error', operation: 'CREATE', duplicateCreate: true, action: 'already-done' },
  { source: 'element', status: 429, action: 'resend-element', failure: THROTTLED },
  { source: 'element', status: '5xx', action: 'resend-element', failure: UNAVAILABLE },
  { source: 'element', status: 'error', action: 'reject-job' },
  { source: 'call', status: '2xx', action: 'accept' },
  // 65600 invalid, 65602 expired.
  {
    source: 'call',
    status: 401,
    action: 'refresh-token',
    failure: { type: FailureType.LinkedInTokenRejected, retry: 'backoff' },
  },
  { source: 'call', status: 429, action: 'retry-after', failure: THROTTLED },
  { source: 'call', status: '5xx', action: 'retry', failure: UNAVAILABLE },
  { source: 'call', status: 409, operation: 'CLOSE', action: 'already-done', failure: REFUSED },
  { source: 'call', status: '4xx', namesJob: true, action: 'names-job', failure: REFUSED },
  { source: 'call', status: 'error', action: 'reject-call', failure: REFUSED },
];

export interface Answer {
  source: AnswerSource;
  status: number;
  operation?: string | undefined;
  message?: string | undefined;
  namesJob?: boolean | undefined;
}

function matches(status: number, match: StatusMatch): boolean {
  if (typeof match === 'number') return status === match;
  if (match === '2xx') return status >= 200 && status < 300;
  if (match === '4xx') return status >= 400 && status < 500;
  if (match === '5xx') return status >= 500;
  return status >= 300;
}

/** The rule of the table that decides `answer`. */
export function ruleFor(answer: Answer): AnswerRule {
  const rule = ANSWER_RULES.find(
    (candidate) =>
      candidate.source === answer.source &&
      matches(answer.status, candidate.status) &&
      (candidate.operation === undefined || candidate.operation === answer.operation) &&
      (!candidate.duplicateCreate || isDuplicateCreate(answer.message)) &&
      (!candidate.namesJob || answer.namesJob === true),
  );
  if (!rule) throw new Error(`no rule for ${answer.source} ${answer.status}`);
  return rule;
}

export function actionFor(answer: Answer): Action {
  return ruleFor(answer).action;
}

/** LinkedIn refused the token of a call (401): the caller fetches a fresh one and sends the call again. */
export function isTokenRefused(error: unknown): boolean {
  return (
    error instanceof LinkedInApiError &&
    !(error instanceof LinkedInCredentialsError) &&
    actionFor({ source: 'call', status: error.status }) === 'refresh-token'
  );
}

/**
 * A whole-call refusal (4xx, 401 and 429 included) means LinkedIn took none of the call's elements; a 5xx,
 * a timeout or a dropped connection leaves them unanswered: LinkedIn may have applied them.
 */
export function tookNothing(error: unknown): boolean {
  return error instanceof LinkedInApiError && error.status < 500;
}

/** A whole-call refusal no retry can change: recorded for every job of the call, never retried. */
export function isPermanentRefusal(error: unknown): error is LinkedInApiError {
  return error instanceof LinkedInApiError && failureFor(error)?.retry === 'never';
}

/** A failure as Temporal should see it: a stable type, a message, when to retry. */
export interface FailureReading extends FailureRule {
  message: string;
  /** For `retry: 'after'`: Retry-After, or DEFAULT_THROTTLE_DELAY_MS when LinkedIn gave none. */
  delayMs?: number;
}

/**
 * What an error the LinkedIn client (or a lane) threw means for the activity: the failure of its rule, or
 * undefined for errors that are not LinkedIn's answer (a cancellation, a bug), which pass as they are.
 */
export function failureFor(error: unknown): FailureReading | undefined {
  if (error instanceof LinkedInCredentialsError) {
    return { ...ruleFor({ source: 'token', status: error.status }).failure!, message: error.message };
  }
  if (error instanceof LinkedInApiError) return callFailure(error);
  if (error instanceof LinkedInUnreachableError) return { ...UNAVAILABLE, message: error.message };
  if (error instanceof LaneWaitTimeoutError) {
    return { type: FailureType.ResyncDeadlineExceeded, retry: 'never', message: error.message };
  }
  if (error instanceof LinkedInContractError) {
    return { type: FailureType.LinkedInContractViolation, retry: 'never', message: error.message };
  }
  return undefined;
}

function callFailure(error: LinkedInApiError): FailureReading {
  const rule = ruleFor({ source: 'call', status: error.status });
  const failure = rule.failure ?? REFUSED;
  if (rule.action === 'retry-after') {
    const message = `LinkedIn throttled the call (429): ${error.message}`;
    return { ...failure, message, delayMs: error.retryAfterMs ?? DEFAULT_THROTTLE_DELAY_MS };
  }
  if (rule.action === 'refresh-token') {
    const code = error.serviceErrorCode ?? 'none';
    return {
      ...failure,
      message: `LinkedIn refused the token (401, serviceErrorCode ${code}): ${error.message}`,
    };
  }
  if (rule.action === 'retry')
    return { ...failure, message: `LinkedIn failed (${error.status}): ${error.message}` };
  return { ...failure, message: `LinkedIn refused the call (${error.status}): ${error.message}` };
}

/** The failure of an element LinkedIn refused for now (429 or 5xx inside the 200): only it goes again. */
export function elementFailure(id: string, answer: { status: number; message: string }): FailureReading {
  const rule = ruleFor({ source: 'element', status: answer.status });
  const failure = rule.failure ?? UNAVAILABLE;
  return {
    ...failure,
    message: `LinkedIn refused element ${id} for now (${answer.status}): ${answer.message}`,
    ...(failure.retry === 'after' ? { delayMs: DEFAULT_THROTTLE_DELAY_MS } : {}),
  };
}

/** The action for one element's answer inside the HTTP 200 of `operation`. */
export function elementAction(operation: string, answer: ElementResult): Action {
  if (answer.ok) return 'accept';
  return actionFor({ source: 'element', status: answer.status, operation, message: answer.message });
}

/**
 * Whether an element's refusal means the ATS's truth already holds on LinkedIn, so the job counts as
 * done and confirmed by that answer (a CLOSE answered 409, a CREATE refused as a duplicate).
 */
export function alreadyOnLinkedIn(operation: string, answer: ElementResult): boolean {
  return elementAction(operation, answer) === 'already-done';
}

/** What a whole-call refusal of simpleJobPostings means for the jobs of that call. */
export type WholeCallAnswer =
  /** LinkedIn named one job of the call: only that job is refused; the others are to be sent again. */
  | { kind: 'names-job'; index: number; status: number; message: string }
  /** A CLOSE call refused 409: for one job that is its answer; several go alone to learn which. */
  | { kind: 'close-conflict'; status: 409; message: string }
  /** Anything else: the refusal stands for the whole call (or is retried, if it is transient). */
  | { kind: 'whole-call' };

/**
 * Reads a whole-call error of a simpleJobPostings call carrying `ids` with operation `operation`.
 * - 409 to CLOSE: "Cannot close job which is already closed or does not exist" (Create Jobs, API error
 *   details; Close Jobs, https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/close-jobs).
 * - A permanent refusal (4xx other than 401 and 429) that names one job of the call, as "Invalid company
 *   apply url for job with externalPartnerId {id}, taskUrn …" does (Create Jobs, API error details), or
 *   through `errorDetails.externalJobPostingId` (talent-solutions-java-sdk, JobPostingErrorDetail.java):
 *   the other jobs were not the problem.
 */
export function readWholeCallError(
  error: unknown,
  operation: string,
  ids: readonly string[],
): WholeCallAnswer {
  if (!(error instanceof LinkedInApiError) || error instanceof LinkedInCredentialsError) {
    return { kind: 'whole-call' };
  }
  const index = namedJobIndex(error, ids);
  const { status, message } = error;
  const action = actionFor({ source: 'call', status, operation, namesJob: index !== undefined });
  if (action === 'already-done') return { kind: 'close-conflict', status: 409, message };
  if (action === 'names-job' && index !== undefined) return { kind: 'names-job', index, status, message };
  return { kind: 'whole-call' };
}

/** The index in `ids` of the job the error names; the longest id wins, so `job-1` never matches `job-10`. */
function namedJobIndex(error: LinkedInApiError, ids: readonly string[]): number | undefined {
  if (error.externalJobPostingId !== undefined) {
    const index = ids.indexOf(error.externalJobPostingId);
    if (index >= 0) return index;
  }
  let found: number | undefined;
  ids.forEach((id, index) => {
    if (!namesJob(error.message, id)) return;
    if (found === undefined || id.length > (ids[found]?.length ?? 0)) found = index;
  });
  return found;
}

function namesJob(message: string, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:externalPartnerId|externalJobPostingId:?) ${escaped}(?=$|[,;\\s])`).test(message);
}
