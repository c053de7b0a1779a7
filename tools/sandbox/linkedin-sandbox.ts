/**
 * A local LinkedIn: the OAuth token endpoint, SimpleJobPostings batch_create and SimpleJobPostingTasks,
 * answering as linkedin.md §4–7 describes, with a record of every call and knobs to make it misbehave.
 * Tests and `npm run dev` talk to it over real HTTP, so the client under test cannot tell it from LinkedIn.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { z } from 'zod';
import { formatErrors, isOperation, validateElement } from './element-rules';
import type { ElementVerdict, Operation } from './element-rules';
import { AdminFaultRequest, applyAdminFaultRequest, Faults } from './faults';
import type { FaultEndpoint, FaultKnobs, FaultSpec, TaskOutcomeRule } from './faults';

export type { FaultEndpoint, FaultKnobs, FaultSpec, TaskOutcome } from './faults';
export type { Operation } from './element-rules';

export interface LinkedInSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  tokenTtlSeconds?: number;
  /**
   * How `expires_in` is written: 'string' (default) as in LinkedIn's own sample, `"expires_in": "1800"`
   * (Client Credential Flow, https://learn.microsoft.com/en-us/linkedin/shared/authentication/client-credentials-flow),
   * or 'number' as LinkedIn's Java SDK test fixtures show it.
   */
  tokenExpiresInAs?: 'string' | 'number';
  /** How long a task stays IN_PROGRESS before its operation is applied. */
  taskCompletionMs?: number;
  /** The sandbox's clock (epoch ms): token expiry, task completion, listedAt checks, call timestamps. */
  now?: () => number;
}

export const ApplicationRegistration = z.object({
  developerApplicationUrn: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  kind: z.enum(['child', 'parent']),
});
export type ApplicationRegistration = z.infer<typeof ApplicationRegistration>;

const SeedJobsRequest = z.object({
  developerApplicationUrn: z.string().min(1),
  externalJobPostingIds: z.array(z.string().min(1)),
});

export type Endpoint = 'token' | 'simpleJobPostings' | 'simpleJobPostingTasks' | 'other';

export interface RecordedCall {
  seq: number;
  method: string;
  /** The path without the query string (see `query`). */
  path: string;
  query: string;
  endpoint: Endpoint;
  /** From the bearer token; for token calls, from a registered client_id. */
  developerApplicationUrn: string | null;
  restliMethod: string | null;
  startedAt: number;
  /** When it was answered, or when its connection closed unanswered; 0 while still open. */
  endedAt: number;
  /** 0 while unanswered. */
  status: number;
  elements?: unknown[];
  responseBody: unknown;
}

export interface PostedElement {
  callSeq: number;
  developerApplicationUrn: string;
  /** `jobPostingOperationType` as sent, when it was one of the four operations. */
  operation: Operation | null;
  externalJobPostingId: string | null;
  /** The element's result status: 202 accepted, 4xx rejected. */
  status: number;
  /** The element exactly as received. */
  element: unknown;
}

export type JobState = 'OPEN' | 'CLOSED';

export interface HeldJob {
  state: JobState;
  jobPostingUrn: string;
}

export type TaskStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'PROCESSED';

export interface LinkedInSandbox {
  readonly url: string;
  readonly apiUrl: string;
  readonly tokenUrl: string;
  readonly faults: FaultKnobs;
  close(): Promise<void>;
  registerApplication(application: ApplicationRegistration): void;
  /** Jobs LinkedIn already holds, open. */
  seedExistingJobs(developerApplicationUrn: string, externalJobPostingIds: readonly string[]): void;
  calls(): RecordedCall[];
  postedElements(developerApplicationUrn?: string): PostedElement[];
  /** The most simpleJobPostings calls of the application that were in flight at the same time. */
  maxConcurrentPostings(developerApplicationUrn: string): number;
  /** Clears the record, faults, held jobs and tasks; keeps registrations and tokens. */
  reset(): void;
  heldJob(developerApplicationUrn: string, externalJobPostingId: string): HeldJob | undefined;
}

export async function startLinkedInSandbox(options: LinkedInSandboxOptions = {}): Promise<LinkedInSandbox> {
  const sandbox = new Sandbox(options);
  await sandbox.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return sandbox;
}

export const MAX_ELEMENTS_PER_CALL = 100;
export const MAX_TASK_QUERY_BYTES = 4096;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const SERVICE_ERROR_INVALID_TOKEN = 65600;
const SERVICE_ERROR_EXPIRED_TOKEN = 65602;
const SERVICE_ERROR_PERMISSION = 100;
const SERVICE_ERROR_NONE = 0;
const TASK_URN = /^urn:li:simpleJobPostingTask:\S+$/;
const LINKEDIN_VERSION = /^\d{6}(\.\d{2})?$/;

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Token {
  developerApplicationUrn: string;
  kind: 'child' | 'parent';
  expiresAt: number;
  expired: boolean;
}

interface Task {
  id: string;
  developerApplicationUrn: string;
  externalJobPostingId: string;
  operation: Operation;
  createdAt: number;
  forced: TaskOutcomeRule | undefined;
  status: TaskStatus;
  jobPosting?: string;
  errorMessage?: string;
}

/** Who a call with a valid child token comes from. */
interface Caller {
  developerApplicationUrn: string;
}

class Sandbox implements LinkedInSandbox {
  url = '';
  apiUrl = '';
  tokenUrl = '';
  readonly faults: Faults;

  private readonly now: () => number;
  private readonly tokenTtlSeconds: number;
  private readonly tokenExpiresInAs: 'string' | 'number';
  private readonly taskCompletionMs: number;
  private readonly server: Server;
  private closed = false;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  private readonly applications = new Map<string, ApplicationRegistration>();
  private readonly tokens = new Map<string, Token>();
  private record: RecordedCall[] = [];
  private posted: PostedElement[] = [];
  private seq = 0;
  private readonly inFlight = new Map<string, number>();
  private maxInFlight = new Map<string, number>();
  private jobs = new Map<string, Map<string, HeldJob>>();
  private tasks = new Map<string, Task>();
  private pending: Task[] = [];
  private jobPostingSeq = 0;

  constructor(options: LinkedInSandboxOptions) {
    this.now = options.now ?? Date.now;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 1800;
    this.tokenExpiresInAs = options.tokenExpiresInAs ?? 'string';
    this.taskCompletionMs = options.taskCompletionMs ?? 1000;
    this.faults = new Faults(() => {
      for (const token of this.tokens.values()) token.expired = true;
    });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          send(res, { status: 500, body: wholeCallError(500, SERVICE_ERROR_NONE, 'Internal server error') });
        }
      });
    });
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('The sandbox is not listening on TCP');
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${hostPart}:${address.port}`;
    this.apiUrl = this.url;
    this.tokenUrl = `${this.url}/oauth/v2/accessToken`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Hung and keep-alive sockets would otherwise hold server.close() open forever.
    this.server.closeAllConnections();
    await closing;
  }

  registerApplication(application: ApplicationRegistration): void {
    const parsed = ApplicationRegistration.parse(application);
    this.applications.set(parsed.developerApplicationUrn, parsed);
  }

  seedExistingJobs(developerApplicationUrn: string, externalJobPostingIds: readonly string[]): void {
    const held = this.heldJobsOf(developerApplicationUrn);
    for (const id of externalJobPostingIds) {
      held.set(id, { state: 'OPEN', jobPostingUrn: held.get(id)?.jobPostingUrn ?? this.nextJobPostingUrn() });
    }
  }

  calls(): RecordedCall[] {
    return this.record.map((call) => ({ ...call }));
  }

  postedElements(developerApplicationUrn?: string): PostedElement[] {
    return this.posted
      .filter(
        (e) => developerApplicationUrn === undefined || e.developerApplicationUrn === developerApplicationUrn,
      )
      .map((e) => ({ ...e }));
  }

  maxConcurrentPostings(developerApplicationUrn: string): number {
    return this.maxInFlight.get(developerApplicationUrn) ?? 0;
  }

  reset(): void {
    this.record = [];
    this.seq = 0;
    this.posted = [];
    this.faults.clear();
    this.jobs = new Map();
    this.tasks = new Map();
    this.pending = [];
    // Calls still in flight keep counting, so the maximum restarts from them.
    this.maxInFlight = new Map(this.inFlight);
  }

  heldJob(developerApplicationUrn: string, externalJobPostingId: string): HeldJob | undefined {
    this.settleTasks();
    const job = this.jobs.get(developerApplicationUrn)?.get(externalJobPostingId);
    return job === undefined ? undefined : { ...job };
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (target.pathname.startsWith('/_sandbox/')) {
      const body = await readBody(req);
      send(res, body === undefined ? tooLarge() : this.admin(req.method ?? 'GET', target, body));
      return;
    }

    const endpoint = classify(target.pathname);
    const bearer = bearerToken(req);
    const call: RecordedCall = {
      seq: ++this.seq,
      method: req.method ?? 'GET',
      path: target.pathname,
      query: target.search.replace(/^\?/, ''),
      endpoint,
      developerApplicationUrn:
        bearer === null ? null : (this.tokens.get(bearer)?.developerApplicationUrn ?? null),
      restliMethod: headerValue(req, 'x-restli-method'),
      startedAt: this.now(),
      endedAt: 0,
      status: 0,
      responseBody: undefined,
    };
    this.record.push(call);
    const finish = this.trackInFlight(call);
    res.on('close', () => {
      if (call.endedAt === 0) call.endedAt = this.now();
      finish();
    });

    const body = await readBody(req);
    if (body === undefined) {
      this.answer(res, call, finish, tooLarge());
      return;
    }
    if (endpoint === 'simpleJobPostings') {
      const batch = BatchBody.safeParse(parseJson(body));
      if (batch.success) call.elements = batch.data.elements;
    }
    if (endpoint === 'token') {
      const clientId = new URLSearchParams(body).get('client_id');
      call.developerApplicationUrn = this.applicationByClientId(clientId)?.developerApplicationUrn ?? null;
    }
    if (endpoint === 'other') {
      this.answer(res, call, finish, this.route(endpoint, req, target, body, call.seq));
      return;
    }
    const fault = this.faults.take(endpoint);
    const delay = this.faults.latencyFor(endpoint) + (fault?.latencyMs ?? 0);
    if (delay > 0) await this.sleep(delay);
    if (this.closed || res.destroyed) return;
    if (fault?.hang === true) return;
    if (fault?.disconnect === true) {
      // A reset connection, as a dropped proxy or a crashed server gives.
      req.socket.destroy();
      return;
    }
    if (fault?.disconnectAfterApply === true || fault?.hangAfterApply === true) {
      // LinkedIn got the call and acted on it; the answer is lost on the way back.
      this.route(endpoint, req, target, body, call.seq);
      if (fault.disconnectAfterApply === true) req.socket.destroy();
      return;
    }

    const faulted = fault === undefined ? undefined : faultReply(endpoint, fault);
    this.answer(res, call, finish, faulted ?? this.route(endpoint, req, target, body, call.seq));
  }

  private route(endpoint: Endpoint, req: IncomingMessage, target: URL, body: string, seq: number): Reply {
    const method = req.method ?? 'GET';
    const versioned = target.pathname.startsWith('/rest/');
    if (endpoint === 'token' && method === 'POST') return this.issueToken(req, body);
    if (endpoint === 'simpleJobPostings' && method === 'POST')
      return this.batchCreate(req, body, versioned, seq);
    if (endpoint === 'simpleJobPostingTasks' && method === 'GET')
      return this.taskStatus(req, target, versioned);
    return {
      status: 404,
      body: wholeCallError(404, SERVICE_ERROR_NONE, `No resource ${method} ${target.pathname}`),
    };
  }

  private answer(res: ServerResponse, call: RecordedCall, finish: () => void, reply: Reply): void {
    call.status = reply.status;
    call.responseBody = reply.body;
    call.endedAt = this.now();
    // Out of flight before the client can see the answer, so its next call never overlaps this one.
    finish();
    send(res, reply);
  }

  private trackInFlight(call: RecordedCall): () => void {
    const urn = call.developerApplicationUrn;
    if (call.endpoint !== 'simpleJobPostings' || urn === null) return () => undefined;
    const current = (this.inFlight.get(urn) ?? 0) + 1;
    this.inFlight.set(urn, current);
    this.maxInFlight.set(urn, Math.max(this.maxInFlight.get(urn) ?? 0, current));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight.set(urn, Math.max(0, (this.inFlight.get(urn) ?? 1) - 1));
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  // ---- POST /oauth/v2/accessToken ----

  private issueToken(req: IncomingMessage, body: string): Reply {
    if (
      !(headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
    ) {
      return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(body);
    const clientId = form.get('client_id');
    const application = this.applicationByClientId(clientId);
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'The grant_type must be client_credentials');
    }
    const clientSecret = form.get('client_secret');
    if (clientId === null || clientId === '' || clientSecret === null || clientSecret === '') {
      return oauthError(
        400,
        'invalid_request',
        'A required parameter "client_id" or "client_secret" is missing',
      );
    }
    if (application === undefined || application.clientSecret !== clientSecret) {
      return oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    const accessToken = randomBytes(48).toString('base64url');
    this.tokens.set(accessToken, {
      developerApplicationUrn: application.developerApplicationUrn,
      kind: application.kind,
      expiresAt: this.now() + this.tokenTtlSeconds * 1000,
      expired: false,
    });
    const expiresIn =
      this.tokenExpiresInAs === 'string' ? String(this.tokenTtlSeconds) : this.tokenTtlSeconds;
    return { status: 200, body: { access_token: accessToken, expires_in: expiresIn } };
  }

  private applicationByClientId(clientId: string | null): ApplicationRegistration | undefined {
    return [...this.applications.values()].find((app) => app.clientId === clientId);
  }

  // ---- shared checks ----

  private authenticate(req: IncomingMessage, resource: string): Caller | Reply {
    const bearer = bearerToken(req);
    const token = bearer === null ? undefined : this.tokens.get(bearer);
    if (token === undefined) {
      return { status: 401, body: wholeCallError(401, SERVICE_ERROR_INVALID_TOKEN, 'Invalid access token') };
    }
    if (token.expired || this.now() >= token.expiresAt) {
      return {
        status: 401,
        body: wholeCallError(401, SERVICE_ERROR_EXPIRED_TOKEN, 'The token used in the request has expired'),
      };
    }
    if (token.kind !== 'child') {
      return {
        status: 403,
        body: wholeCallError(403, SERVICE_ERROR_PERMISSION, `Not enough permissions to access: ${resource}`),
      };
    }
    return { developerApplicationUrn: token.developerApplicationUrn };
  }

  // ---- POST /v2/simpleJobPostings ----

  private batchCreate(req: IncomingMessage, raw: string, versioned: boolean, callSeq: number): Reply {
    if (versioned) {
      const rejected = versionCheck(req);
      if (rejected !== undefined) return rejected;
    }
    const auth = this.authenticate(req, 'simpleJobPostings.BATCH_CREATE');
    if ('status' in auth) return auth;
    const restliMethod = headerValue(req, 'x-restli-method');
    if (restliMethod === null || restliMethod.toLowerCase() !== 'batch_create') {
      // Without the header Rest.li treats the POST as a single CREATE, which this resource does not allow.
      return {
        status: 403,
        body: wholeCallError(
          403,
          SERVICE_ERROR_PERMISSION,
          'Not enough permissions to access: simpleJobPostings.CREATE',
        ),
      };
    }
    const elements = BatchBody.safeParse(parseJson(raw));
    if (!elements.success) {
      return badRequest('The request body must be a JSON object with an "elements" array');
    }
    const batch = elements.data.elements;
    if (batch.length > MAX_ELEMENTS_PER_CALL) {
      return badRequest(
        `A batch holds at most ${MAX_ELEMENTS_PER_CALL} elements; this one has ${batch.length}`,
      );
    }
    const ids = batch.map((element) => field(element, 'externalJobPostingId')).filter(isString);
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate !== undefined) {
      return badRequest(
        `externalJobPostingId ${JSON.stringify(duplicate)} appears more than once in the batch`,
      );
    }
    const operations = new Set(
      batch.map((element) => field(element, 'jobPostingOperationType')).filter(isOperation),
    );
    if (operations.size > 1) {
      return badRequest(
        `A batch must use one jobPostingOperationType; this one mixes ${[...operations].join(', ')}`,
      );
    }

    this.settleTasks();
    const now = this.now();
    const checked = batch.map((element) => ({ element, verdict: validateElement(element, now) }));
    const refusal = checked.find(({ verdict }) => verdict.wholeCallError !== undefined)?.verdict
      .wholeCallError;
    if (refusal !== undefined) return badRequest(refusal);
    // A whole-call 409, "Cannot close job which is already closed or does not exist" (Create Jobs, API
    // error details, https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/create-jobs).
    if (checked.some(({ verdict }) => this.closesWhatIsNotOpen(auth.developerApplicationUrn, verdict))) {
      return {
        status: 409,
        body: wholeCallError(
          409,
          SERVICE_ERROR_NONE,
          'Cannot close job which is already closed or does not exist',
        ),
      };
    }
    const results = checked.map(({ element, verdict }) =>
      this.acceptElement(auth.developerApplicationUrn, element, verdict, callSeq),
    );
    const body = this.faults.answersStatusesAsStrings ? results.map(statusesAsStrings) : results;
    return { status: 200, body: { elements: body } };
  }

  /** A valid CLOSE of a job that will not be open once the tasks already accepted have run. */
  private closesWhatIsNotOpen(developerApplicationUrn: string, verdict: ElementVerdict): boolean {
    const id = verdict.externalJobPostingId;
    if (verdict.operation !== 'CLOSE' || id === null || verdict.errors.length > 0) return false;
    if (this.faults.rejectionFor(id, verdict.operation) !== undefined) return false;
    return this.projectedState(developerApplicationUrn, id) !== 'OPEN';
  }

  private acceptElement(
    developerApplicationUrn: string,
    element: unknown,
    verdict: ElementVerdict,
    callSeq: number,
  ): unknown {
    const { externalJobPostingId: id, operation } = verdict;
    const outcome = (status: number, result: unknown): unknown => {
      this.posted.push({
        callSeq,
        developerApplicationUrn,
        operation,
        externalJobPostingId: id,
        status,
        element,
      });
      return result;
    };
    const rejected = (status: number, message: string): unknown =>
      outcome(status, { status, error: { message, status } });

    const rejection = id === null ? undefined : this.faults.rejectionFor(id, operation);
    if (rejection !== undefined) return rejected(rejection.status, rejection.message);
    if (verdict.errors.length > 0 || id === null || operation === null) {
      return rejected(422, formatErrors(verdict.errors));
    }
    const task: Task = {
      id: `urn:li:simpleJobPostingTask:${randomUUID()}`,
      developerApplicationUrn,
      externalJobPostingId: id,
      operation,
      createdAt: this.now(),
      forced: this.faults.outcomeFor(id),
      status: 'IN_PROGRESS',
    };
    this.tasks.set(task.id, task);
    this.pending.push(task);
    return outcome(202, {
      id: task.id,
      status: 202,
      location: `/simpleJobPostingTasks/${encodeURIComponent(task.id)}`,
    });
  }

  // ---- GET /v2/simpleJobPostingTasks ----

  private taskStatus(req: IncomingMessage, target: URL, versioned: boolean): Reply {
    const query = target.search.replace(/^\?/, '');
    if (Buffer.byteLength(query) > MAX_TASK_QUERY_BYTES) {
      return {
        status: 414,
        body: wholeCallError(
          414,
          SERVICE_ERROR_NONE,
          `The query string exceeds ${MAX_TASK_QUERY_BYTES} bytes`,
        ),
      };
    }
    if (versioned) {
      const rejected = versionCheck(req);
      if (rejected !== undefined) return rejected;
    }
    const auth = this.authenticate(req, 'simpleJobPostingTasks.BATCH_GET');
    if ('status' in auth) return auth;
    const ids = target.searchParams.getAll('ids');
    if (ids.length === 0 || ids.some((id) => !TASK_URN.test(id))) {
      return badRequest('Batch key parameter value is invalid');
    }

    this.settleTasks();
    const results: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    for (const id of ids) {
      const task = this.tasks.get(id);
      if (task === undefined || task.developerApplicationUrn !== auth.developerApplicationUrn) {
        errors[id] = { status: 404, message: `simpleJobPostingTask ${id} does not exist` };
      } else {
        const running = this.faults.runningTaskStatus;
        results[id] = {
          id: task.id,
          status: task.status === 'IN_PROGRESS' && running !== undefined ? running : task.status,
          externalJobPostingId: task.externalJobPostingId,
          ...(task.jobPosting === undefined ? {} : { jobPosting: task.jobPosting }),
          ...(task.errorMessage === undefined ? {} : { errorMessage: task.errorMessage }),
        };
      }
    }
    return { status: 200, body: { results, statuses: {}, errors } };
  }

  // ---- tasks and held jobs ----

  /** Ends every task whose time has come, in creation order, so operations apply in the order sent. */
  private settleTasks(): void {
    const now = this.now();
    const waiting: Task[] = [];
    for (const task of this.pending) {
      if (task.forced?.outcome === 'STUCK' || now < task.createdAt + this.taskCompletionMs)
        waiting.push(task);
      else this.complete(task);
    }
    this.pending = waiting;
  }

  private complete(task: Task): void {
    const held = this.heldJobsOf(task.developerApplicationUrn);
    const job = held.get(task.externalJobPostingId);
    if (task.forced?.outcome === 'FAILED') {
      this.fail(task, task.forced.message ?? `Job ${task.externalJobPostingId} was dropped by LinkedIn`);
      return;
    }
    if (task.forced?.outcome === 'PROCESSED') {
      // A feed-managed job: LinkedIn acknowledges the call but the feed stays authoritative; with a
      // message, "processed by LinkedIn but also failed payload validation" (Check Job Operation Task
      // Status, https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/check-job-taskstatus).
      task.status = 'PROCESSED';
      if (job !== undefined) task.jobPosting = job.jobPostingUrn;
      if (task.forced.message !== undefined) task.errorMessage = task.forced.message;
      return;
    }
    switch (task.operation) {
      case 'CREATE': {
        if (job?.state === 'OPEN') {
          // A CREATE of a job LinkedIn holds is dropped as a duplicate (Check Job Operation Task Status,
          // error codes table).
          this.fail(task, duplicateCreateMessage(job.jobPostingUrn, task.externalJobPostingId));
          return;
        }
        // Creating a closed job posts it again under a new job posting.
        const created = { state: 'OPEN' as const, jobPostingUrn: this.nextJobPostingUrn() };
        held.set(task.externalJobPostingId, created);
        this.succeed(task, created.jobPostingUrn);
        return;
      }
      case 'UPDATE':
      case 'RENEW':
        if (job?.state === 'OPEN') this.succeed(task, job.jobPostingUrn);
        else {
          this.fail(
            task,
            `Operation type ${task.operation} is not allowed for a non-existing job ${task.externalJobPostingId}. ` +
              'Send it with jobPostingOperationType CREATE instead.',
          );
        }
        return;
      case 'CLOSE':
        if (job?.state === 'OPEN') {
          held.set(task.externalJobPostingId, { ...job, state: 'CLOSED' });
          this.succeed(task, job.jobPostingUrn);
        } else
          this.fail(task, `Job posting ${task.externalJobPostingId} is already closed or does not exist`);
        return;
    }
  }

  private succeed(task: Task, jobPostingUrn: string): void {
    task.status = 'SUCCEEDED';
    task.jobPosting = jobPostingUrn;
  }

  private fail(task: Task, message: string): void {
    task.status = 'FAILED';
    task.errorMessage = message;
  }

  /** The job's state once the tasks already accepted for it have run; decides whether a CLOSE conflicts. */
  private projectedState(
    developerApplicationUrn: string,
    externalJobPostingId: string,
  ): JobState | undefined {
    let state = this.jobs.get(developerApplicationUrn)?.get(externalJobPostingId)?.state;
    for (const task of this.pending) {
      if (task.developerApplicationUrn !== developerApplicationUrn) continue;
      if (task.externalJobPostingId !== externalJobPostingId || task.forced !== undefined) continue;
      if (task.operation === 'CREATE') state = 'OPEN';
      else if (task.operation === 'CLOSE' && state === 'OPEN') state = 'CLOSED';
    }
    return state;
  }

  private heldJobsOf(developerApplicationUrn: string): Map<string, HeldJob> {
    let held = this.jobs.get(developerApplicationUrn);
    if (held === undefined) {
      held = new Map();
      this.jobs.set(developerApplicationUrn, held);
    }
    return held;
  }

  private nextJobPostingUrn(): string {
    this.jobPostingSeq += 1;
    return `urn:li:jobPosting:${4_000_000_000 + this.jobPostingSeq}`;
  }

  // ---- /_sandbox/ admin ----

  private admin(method: string, target: URL, raw: string): Reply {
    const route = `${method} ${target.pathname}`;
    const ok: Reply = { status: 200, body: { ok: true } };
    switch (route) {
      case 'GET /_sandbox/calls':
        return { status: 200, body: { calls: this.calls() } };
      case 'GET /_sandbox/elements': {
        const application = target.searchParams.get('application') ?? undefined;
        return { status: 200, body: { elements: this.postedElements(application) } };
      }
      case 'GET /_sandbox/jobs': {
        const application = target.searchParams.get('application') ?? '';
        this.settleTasks();
        const held = [...(this.jobs.get(application) ?? new Map<string, HeldJob>()).entries()];
        return {
          status: 200,
          body: { jobs: held.map(([externalJobPostingId, job]) => ({ externalJobPostingId, ...job })) },
        };
      }
      case 'POST /_sandbox/reset':
        this.reset();
        return ok;
      case 'POST /_sandbox/applications': {
        const parsed = ApplicationRegistration.safeParse(parseJson(raw));
        if (!parsed.success) return adminError(parsed.error);
        this.registerApplication(parsed.data);
        return ok;
      }
      case 'POST /_sandbox/jobs': {
        const parsed = SeedJobsRequest.safeParse(parseJson(raw));
        if (!parsed.success) return adminError(parsed.error);
        this.seedExistingJobs(parsed.data.developerApplicationUrn, parsed.data.externalJobPostingIds);
        return ok;
      }
      case 'POST /_sandbox/faults': {
        const parsed = AdminFaultRequest.safeParse(parseJson(raw));
        if (!parsed.success) return adminError(parsed.error);
        applyAdminFaultRequest(this.faults, parsed.data);
        return ok;
      }
      default:
        return { status: 404, body: { message: `No sandbox admin route ${route}` } };
    }
  }
}

const BatchBody = z.object({ elements: z.array(z.unknown()) });

function classify(pathname: string): Endpoint {
  switch (pathname) {
    case '/oauth/v2/accessToken':
      return 'token';
    case '/v2/simpleJobPostings':
    case '/rest/simpleJobPostings':
      return 'simpleJobPostings';
    case '/v2/simpleJobPostingTasks':
    case '/rest/simpleJobPostingTasks':
      return 'simpleJobPostingTasks';
    default:
      return 'other';
  }
}

function faultReply(endpoint: FaultEndpoint, fault: FaultSpec): Reply | undefined {
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
  if (fault.malformed === true)
    return { status: fault.status ?? 200, body: malformedBody(endpoint), headers };
  const answers =
    fault.status !== undefined ||
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
  }
}

function defaultFaultMessage(status: number): string {
  if (status === 429) return 'Resource level throttle limit for calls to this resource is reached';
  if (status === 504) return 'Gateway timeout';
  if (status >= 500) return 'Internal server error';
  return `Sandbox fault ${status}`;
}

/** LinkedIn's words for a CREATE of a job it holds (Check Job Operation Task Status, error codes table). */
function duplicateCreateMessage(jobPostingUrn: string, externalJobPostingId: string): string {
  return (
    'Job processing failed due to a client-side error. Please check payload and integration setup. ' +
    'Error details: Trying to create a job with same partnerIdentifier already exists. It is duplicate ' +
    'creation request for a basic job or a non-draft premium job. Dropping the duplicate job posting ' +
    `creation request. LinkedIn job id: ${jobPostingUrn.replace('urn:li:jobPosting:', '')}, ` +
    `externalJobPostingId: ${externalJobPostingId}`
  );
}

/** An element result with its status codes written as strings ("202"); results carry numbers here. */
function statusesAsStrings(result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const { status, error, ...rest } = result as { status?: number; error?: { status?: number } };
  return {
    ...rest,
    ...(status === undefined ? {} : { status: String(status) }),
    ...(error === undefined ? {} : { error: { ...error, status: String(error.status) } }),
  };
}

function wholeCallError(status: number, serviceErrorCode: number, message: string): unknown {
  return { message, serviceErrorCode, status };
}

function badRequest(message: string): Reply {
  return { status: 400, body: wholeCallError(400, SERVICE_ERROR_NONE, message) };
}

function tooLarge(): Reply {
  return { status: 413, body: wholeCallError(413, SERVICE_ERROR_NONE, 'Request body too large') };
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } };
}

function adminError(error: z.ZodError): Reply {
  return { status: 400, body: { message: z.prettifyError(error) } };
}

function versionCheck(req: IncomingMessage): Reply | undefined {
  const version = headerValue(req, 'linkedin-version');
  if (version !== null && LINKEDIN_VERSION.test(version)) return undefined;
  return badRequest('A LinkedIn-Version header in the form YYYYMM is required on /rest endpoints');
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function bearerToken(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(req, 'authorization') ?? '');
  return match?.[1] ?? null;
}

function field(element: unknown, name: string): unknown {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return undefined;
  const value: unknown = Reflect.get(element, name);
  return value;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** The whole body as text, or undefined when it is larger than the sandbox accepts. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  res.end(payload);
}
