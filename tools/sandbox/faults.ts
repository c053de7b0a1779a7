import { z } from 'zod';
import { SERVICE_ERROR_NONE, wholeCallError, type Reply } from './http';

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

export const RandomFailuresRequest = z.object({
  rate: z.number().min(0).max(1),
  endpoints: z.array(FaultEndpoint).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});

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

/** Which calls a gate holds: after `passing` let through; only an application's; only those carrying a job. */
export interface HoldOptions {
  passing?: number;
  application?: string;
  /** Only calls whose elements include this job (a posting call). */
  carrying?: string;
}

/**
 * Calls held by `hold()`: `reached` resolves once a call is held; `releaseNext()` lets the oldest held call
 * go on, `release()` every call, now and later.
 */
export class Gate {
  private passing: number;
  private held = 0;
  private open = false;
  private readonly queue: Array<() => void> = [];
  private reach!: () => void;
  readonly reached = new Promise<void>((resolve) => (this.reach = resolve));

  constructor(
    readonly endpoint: FaultEndpoint,
    passing: number,
    readonly application?: string,
    readonly carrying?: string,
  ) {
    this.passing = passing;
  }

  /** How many calls were held so far, released or not. */
  get heldCalls(): number {
    return this.held;
  }

  /** How many calls are held now. */
  get waiting(): number {
    return this.queue.length;
  }

  releaseNext(): void {
    this.queue.shift()?.();
  }

  release(): void {
    this.open = true;
    for (const go of this.queue.splice(0)) go();
  }

  /** Lets the call through at once (false) or once released (true). */
  async pass(): Promise<boolean> {
    if (this.open) return false;
    if (this.passing > 0) {
      this.passing -= 1;
      return false;
    }
    this.held += 1;
    this.reach();
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return true;
  }
}

/** What `POST /_sandbox/faults` accepts: an enqueue argument or one of the other knobs by name. */
export const AdminFaultRequest = z.union([
  z.object({ clear: z.literal(true) }),
  z.object({ expireAllTokens: z.literal(true) }),
  z.object({ revokeAllTokens: z.literal(true) }),
  z.object({ failAtRandom: RandomFailuresRequest.nullable() }),
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

/** One of LinkedIn's transient failures, as `failAtRandom` picks them. */
function randomFailure(endpoint: FaultEndpoint, rule: RandomFailures, random: () => number): FaultSpec {
  const kinds: FaultSpec[] = [
    { endpoint, retryAfterSeconds: rule.retryAfterSeconds ?? 1 },
    { endpoint, status: 500 },
    { endpoint, status: 503 },
    { endpoint, status: 504 },
    { endpoint, hang: true },
  ];
  if (endpoint === 'simpleJobPostings') kinds.push({ endpoint, elementShare: 1 / 3, elementStatus: 500 });
  return kinds[Math.min(kinds.length - 1, Math.floor(random() * kinds.length))] ?? { endpoint, status: 500 };
}

export class Faults implements FaultKnobs {
  private queue: { fault: FaultSpec; remaining: number }[] = [];
  private readonly latency = new Map<FaultEndpoint, number>();
  private readonly rejections = new Map<string, ElementRejection>();
  private readonly outcomes = new Map<string, TaskOutcomeRule>();
  private stringStatuses = false;
  private idLength: number | undefined;
  private runningStatus: string | number | undefined;
  private gates: Gate[] = [];
  private randomFailures: RandomFailures | undefined;

  constructor(
    private readonly expireTokens: () => void,
    private readonly revokeTokens: () => void = () => undefined,
  ) {}

  enqueue(fault: FaultSpec): void {
    const parsed = FaultSpec.parse(fault);
    this.queue.push({ fault: parsed, remaining: parsed.times ?? 1 });
  }

  setLatency(endpoint: FaultEndpoint, ms: number): void {
    this.latency.set(FaultEndpoint.parse(endpoint), z.number().nonnegative().parse(ms));
  }

  rejectElement(externalJobPostingId: string, rejection: ElementRejectionRule): void {
    this.rejections.set(externalJobPostingId, {
      status: rejection.status ?? 422,
      message: rejection.message,
      operation: rejection.operation === undefined ? undefined : ElementOperation.parse(rejection.operation),
      remaining: rejection.times,
    });
  }

  taskOutcome(externalJobPostingId: string, outcome: TaskOutcome, message?: string): void {
    this.outcomes.set(externalJobPostingId, { outcome: TaskOutcome.parse(outcome), message });
  }

  expireAllTokens(): void {
    this.expireTokens();
  }

  revokeAllTokens(): void {
    this.revokeTokens();
  }

  failAtRandom(rule: RandomFailures | undefined): void {
    if (rule !== undefined) {
      z.number().min(0).max(1).parse(rule.rate);
      rule.endpoints?.forEach((endpoint) => FaultEndpoint.parse(endpoint));
    }
    this.randomFailures = rule;
  }

  /** Chance for an element of a call that fails some of its elements (`elementShare`). */
  get random(): () => number {
    return this.randomFailures?.random ?? Math.random;
  }

  statusesAsStrings(on: boolean): void {
    this.stringStatuses = on;
  }

  acceptIdsUpTo(length: number | undefined): void {
    this.idLength = length;
  }

  get maxExternalIdLength(): number | undefined {
    return this.idLength;
  }

  reportRunningTasksAs(status: string | number | undefined): void {
    this.runningStatus = status;
  }

  hold(endpoint: FaultEndpoint, options: HoldOptions = {}): Gate {
    const gate = new Gate(
      FaultEndpoint.parse(endpoint),
      options.passing ?? 0,
      options.application,
      options.carrying,
    );
    this.gates.push(gate);
    return gate;
  }

  /**
   * Waits at every gate of the endpoint (made for `application`, when known; carrying `jobs`, the call's
   * job ids); whether one of them held the call.
   */
  async passGates(
    endpoint: FaultEndpoint,
    application?: string | null,
    jobs: readonly string[] = [],
  ): Promise<boolean> {
    let held = false;
    for (const gate of this.gates) {
      if (gate.endpoint !== endpoint) continue;
      if (gate.application !== undefined && gate.application !== application) continue;
      if (gate.carrying !== undefined && !jobs.includes(gate.carrying)) continue;
      if (await gate.pass()) held = true;
    }
    return held;
  }

  clear(): void {
    for (const gate of this.gates) gate.release();
    this.gates = [];
    this.queue = [];
    this.latency.clear();
    this.rejections.clear();
    this.outcomes.clear();
    this.stringStatuses = false;
    this.idLength = undefined;
    this.runningStatus = undefined;
    this.randomFailures = undefined;
  }

  get answersStatusesAsStrings(): boolean {
    return this.stringStatuses;
  }

  get runningTaskStatus(): string | number | undefined {
    return this.runningStatus;
  }

  /** Consumes one use of the oldest queued fault for the endpoint (and for a call carrying its job). */
  take(endpoint: FaultEndpoint, jobs: readonly string[] = []): FaultSpec | undefined {
    const entry = this.queue.find(
      ({ fault }) =>
        fault.endpoint === endpoint && (fault.carrying === undefined || jobs.includes(fault.carrying)),
    );
    if (entry === undefined) return this.takeRandom(endpoint);
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue = this.queue.filter((candidate) => candidate !== entry);
    return entry.fault;
  }

  private takeRandom(endpoint: FaultEndpoint): FaultSpec | undefined {
    const rule = this.randomFailures;
    if (rule === undefined || (rule.endpoints !== undefined && !rule.endpoints.includes(endpoint)))
      return undefined;
    const random = rule.random ?? Math.random;
    return random() < rule.rate ? randomFailure(endpoint, rule, random) : undefined;
  }

  latencyFor(endpoint: FaultEndpoint): number {
    return this.latency.get(endpoint) ?? 0;
  }

  /** The rejection for this element, if a rule applies to it; consumes one of a limited rule's uses. */
  rejectionFor(externalJobPostingId: string, operation: string | null): ElementRejection | undefined {
    const rule = this.rejections.get(externalJobPostingId);
    if (rule === undefined || (rule.operation !== undefined && rule.operation !== operation))
      return undefined;
    if (rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rejections.delete(externalJobPostingId);
    }
    return rule;
  }

  outcomeFor(externalJobPostingId: string): TaskOutcomeRule | undefined {
    return this.outcomes.get(externalJobPostingId);
  }
}

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
