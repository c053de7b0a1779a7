/**
 * What a fault is: the endpoints it targets, one scripted misbehaviour (`FaultSpec`), random failures, and
 * the rules that refuse an element or force a task's outcome. The knobs that set them are fault-knobs.ts.
 */
import { z } from 'zod';

/** The endpoints a fault can target. */
export const FaultEndpoint = z.enum([
  'token',
  'simpleJobPostings',
  'simpleJobPostingTasks',
  'jobPostingStatus',
]);
export type FaultEndpoint = z.infer<typeof FaultEndpoint>;

/**
 * One scripted misbehaviour for the next `times` calls of an endpoint. It delays by `latencyMs`, then:
 * `hang` never answers; `disconnect` drops the connection without answering; `disconnectAfterApply` and
 * `hangAfterApply` handle the call as usual (jobs accepted, tasks created) and then drop the connection or
 * never answer, so LinkedIn has the call while the client never sees the answer; `malformed` answers 200 with
 * a body that breaks the documented shape; `status`, `body`, `rawBody` (text sent as it is, not JSON),
 * `serviceErrorCode` or `retryAfterSeconds` answer with that instead of the real handler (status defaults to
 * 200 with a `body` or `rawBody`, 429 with `retryAfterSeconds`, else 500); `headers` are added to the answer
 * (a Retry-After written as an HTTP date, say). With none of these, the call is only delayed and then handled normally.
 */
export const FaultSpec = z.object({
  endpoint: FaultEndpoint,
  /** simpleJobPostings only: the fault applies only to calls whose elements include this job. */
  carrying: z.string().optional(),
  times: z.number().int().positive().optional(),
  status: z.number().int().min(200).max(599).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  serviceErrorCode: z.number().int().optional(),
  body: z.unknown().optional(),
  rawBody: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  latencyMs: z.number().nonnegative().optional(),
  hang: z.boolean().optional(),
  disconnect: z.boolean().optional(),
  disconnectAfterApply: z.boolean().optional(),
  hangAfterApply: z.boolean().optional(),
  malformed: z.boolean().optional(),
  /**
   * simpleJobPostings only: the call is handled, but this share of its elements fails with `elementStatus`
   * (default 500) inside the 200, as LinkedIn's element results may (linkedin.md §5: "every element's status
   * must be read"; Create Jobs, API error details: 500, 504).
   */
  elementShare: z.number().min(0).max(1).optional(),
  elementStatus: z.number().int().min(400).max(599).optional(),
});
export type FaultSpec = z.infer<typeof FaultSpec>;

/**
 * `failAtRandom`: each call of the endpoints fails with probability `rate`, one of LinkedIn's transient
 * failures picked at random: 429 with Retry-After (linkedin.md §7: throttled calls get 429), 500, 503 or 504
 * (§5: "5xx and 504 transient"), a hung connection (no answer: the client's request timeout ends it), and for
 * simpleJobPostings a 200 in which a third of the elements fail with 500 (§5: every element's status must be
 * read). `random` is the source of chance (Math.random when absent).
 */
export interface RandomFailures {
  rate: number;
  endpoints?: readonly FaultEndpoint[];
  retryAfterSeconds?: number;
  random?: () => number;
}

export const TaskOutcome = z.enum(['FAILED', 'STUCK', 'PROCESSED']);
export type TaskOutcome = z.infer<typeof TaskOutcome>;

export interface ElementRejection {
  status: number;
  message: string;
  /** Only elements of this operation are refused (all when absent). */
  operation?: ElementOperation | undefined;
  /** Elements it still refuses; unlimited when absent. */
  remaining?: number | undefined;
}

export const ElementOperation = z.enum(['CREATE', 'UPDATE', 'RENEW', 'CLOSE']);
export type ElementOperation = z.infer<typeof ElementOperation>;

/** How `rejectElement` refuses: the status (default 422), and optionally for which operation and how often. */
export interface ElementRejectionRule {
  status?: number;
  message: string;
  operation?: ElementOperation;
  times?: number;
}

export interface TaskOutcomeRule {
  outcome: TaskOutcome;
  message: string | undefined;
}
