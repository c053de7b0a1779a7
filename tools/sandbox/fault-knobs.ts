/** The knobs tests turn to make the sandbox misbehave, and what `POST /_sandbox/faults` turns of them. */
import { z } from 'zod';
import {
  ElementOperation,
  FaultEndpoint,
  FaultSpec,
  TaskOutcome,
  type ElementRejectionRule,
  type RandomFailures,
} from './fault-rules';
import type { Gate, HoldOptions } from './gate';
import type { ThrottleRule } from './throttle';

/** The knobs tests turn; every rule lasts until `clear()` or the sandbox's `reset()`. */
export interface FaultKnobs {
  enqueue(fault: FaultSpec): void;
  /**
   * Every call of the endpoint is answered `ms` after it arrived (or after a gate let it go), on top of any
   * queued fault's latency: LinkedIn's answer time, the sandbox's own reading of the call included.
   */
  setLatency(endpoint: FaultEndpoint, ms: number): void;
  /**
   * That element gets this error (default status 422) inside the 200 while the rule is set: for every
   * operation or only `operation`, the next `times` elements or until cleared.
   */
  rejectElement(externalJobPostingId: string, rejection: ElementRejectionRule): void;
  /**
   * Tasks created for that job from now on end FAILED, never end (STUCK), or end PROCESSED; a message
   * with PROCESSED is its errorMessage: "processed by LinkedIn but also failed payload validation"
   * (Check Job Operation Task Status, https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/check-job-taskstatus).
   */
  taskOutcome(externalJobPostingId: string, outcome: TaskOutcome, message?: string): void;
  /**
   * Element statuses (`status`, `error.status`) answered as numeric strings ("202"), as the OpenAPI file
   * types them (job_posting_v2.yaml, SimpleJobPostingResponseSchema), instead of numbers.
   */
  statusesAsStrings(on: boolean): void;
  /**
   * Accepts externalJobPostingIds up to `length` characters (the OpenAPI file's and a 2025 page's 200)
   * instead of the strictest reading's 75; undefined goes back to 75.
   */
  acceptIdsUpTo(length: number | undefined): void;
  /**
   * Tasks still running report this status instead of IN_PROGRESS: a value LinkedIn does not document,
   * which its Java SDK reads as UNKNOWN (talent-solutions-java-sdk, JobTaskStatus.java).
   */
  reportRunningTasksAs(status: string | number | undefined): void;
  /** Every token issued so far answers 65602 from now on. */
  expireAllTokens(): void;
  /**
   * Every token issued so far is revoked: it answers 401 with serviceErrorCode 65600 (invalid) from now on,
   * which means "get a new token" (linkedin.md §4), as when access is withdrawn and granted again.
   */
  revokeAllTokens(): void;
  /**
   * Posting calls of an application past `records` job elements within `windowMs` are answered 429 with
   * Retry-After (LinkedIn's premium posting limit, 2,000 records a minute: linkedin.md §7); undefined lifts it.
   */
  throttle(rule: ThrottleRule | undefined): void;
  /** Calls fail at random from now on (see `RandomFailures`); undefined stops it. */
  failAtRandom(rule: RandomFailures | undefined): void;
  /**
   * Lets the next `passing` calls of the endpoint through, then holds every later one, unanswered, until
   * the gate releases it (or `clear()`): a test waits on what the gate holds rather than on a window held
   * open by latency. With `application`, only that application's calls are counted and held; with
   * `carrying`, only the posting calls that carry that job.
   */
  hold(endpoint: FaultEndpoint, options?: HoldOptions): Gate;
  clear(): void;
}

export const RandomFailuresRequest = z.object({
  rate: z.number().min(0).max(1),
  endpoints: z.array(FaultEndpoint).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});

/** What `POST /_sandbox/faults` accepts: an enqueue argument or one of the other knobs by name. */
export const AdminFaultRequest = z.union([
  z.object({ clear: z.literal(true) }),
  z.object({ expireAllTokens: z.literal(true) }),
  z.object({ revokeAllTokens: z.literal(true) }),
  z.object({ failAtRandom: RandomFailuresRequest.nullable() }),
  z.object({
    throttle: z
      .object({ records: z.number().int().positive(), windowMs: z.number().int().min(1000) })
      .nullable(),
  }),
  z.object({ statusesAsStrings: z.boolean() }),
  z.object({ reportRunningTasksAs: z.union([z.string(), z.number()]).nullable() }),
  z.object({ setLatency: z.object({ endpoint: FaultEndpoint, ms: z.number().nonnegative() }) }),
  z.object({
    rejectElement: z.object({
      externalJobPostingId: z.string(),
      status: z.number().int().min(400).max(599).optional(),
      message: z.string(),
      operation: ElementOperation.optional(),
      times: z.number().int().positive().optional(),
    }),
  }),
  z.object({
    taskOutcome: z.object({
      externalJobPostingId: z.string(),
      outcome: TaskOutcome,
      message: z.string().optional(),
    }),
  }),
  FaultSpec,
]);
export type AdminFaultRequest = z.infer<typeof AdminFaultRequest>;

export function applyAdminFaultRequest(knobs: FaultKnobs, request: AdminFaultRequest): void {
  if ('clear' in request) knobs.clear();
  else if ('expireAllTokens' in request) knobs.expireAllTokens();
  else if ('revokeAllTokens' in request) knobs.revokeAllTokens();
  else if ('failAtRandom' in request) knobs.failAtRandom(withoutUndefined(request.failAtRandom));
  else if ('throttle' in request) knobs.throttle(request.throttle ?? undefined);
  else if ('statusesAsStrings' in request) knobs.statusesAsStrings(request.statusesAsStrings);
  else if ('reportRunningTasksAs' in request)
    knobs.reportRunningTasksAs(request.reportRunningTasksAs ?? undefined);
  else if ('setLatency' in request) knobs.setLatency(request.setLatency.endpoint, request.setLatency.ms);
  else if ('rejectElement' in request) {
    const { externalJobPostingId, status, message, operation, times } = request.rejectElement;
    knobs.rejectElement(externalJobPostingId, {
      message,
      ...(status === undefined ? {} : { status }),
      ...(operation === undefined ? {} : { operation }),
      ...(times === undefined ? {} : { times }),
    });
  } else if ('taskOutcome' in request) {
    const { externalJobPostingId, outcome, message } = request.taskOutcome;
    knobs.taskOutcome(externalJobPostingId, outcome, message);
  } else knobs.enqueue(request);
}

function withoutUndefined(request: z.infer<typeof RandomFailuresRequest> | null): RandomFailures | undefined {
  if (request === null) return undefined;
  return {
    rate: request.rate,
    ...(request.endpoints === undefined ? {} : { endpoints: request.endpoints }),
    ...(request.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: request.retryAfterSeconds }),
  };
}
