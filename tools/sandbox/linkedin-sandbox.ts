/**
 * A local LinkedIn: the OAuth token endpoint, SimpleJobPostings batch_create and SimpleJobPostingTasks,
 * answering as linkedin.md §4–7 describes, with a record of every call and knobs to make it misbehave.
 * Tests and `npm run dev` talk to it over real HTTP, so the client under test cannot tell it from LinkedIn.
 * This file is the server; each endpoint has a file of its own (token, simple-job-postings,
 * simple-job-posting-tasks, admin), faults.ts the knobs and state.ts what the sandbox remembers.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { admin } from './admin';
import { Faults, faultReply, type FaultKnobs, type FaultSpec } from './faults';
import {
  bearerToken,
  classify,
  headerValue,
  parseJson,
  readBody,
  send,
  SERVICE_ERROR_NONE,
  tooLarge,
  wholeCallError,
} from './http';
import type { Endpoint, Reply } from './http';
import { batchCreate, BatchBody } from './simple-job-postings';
import { taskStatus } from './simple-job-posting-tasks';
import { SandboxState } from './state';
import type { ApplicationRegistration, HeldJob, JobState, PostedElement, RecordedCall } from './state';
import { issueToken } from './token';
import { StatusBook, type DeliveredNotification, type DriftKnobs } from './job-posting-status';
import { jobPostingStatus } from './job-posting-status-endpoint';

export type { FaultEndpoint, FaultKnobs, FaultSpec, Gate, RandomFailures, TaskOutcome } from './faults';
export type { Operation } from './element-rules';
export type { DeliveredNotification, DriftKnobs } from './job-posting-status';
export type { Endpoint } from './http';
export { MAX_ELEMENTS_PER_CALL } from './simple-job-postings';
export { MAX_TASK_QUERY_BYTES } from './simple-job-posting-tasks';
export { ApplicationRegistration } from './state';
export type { HeldJob, JobState, PostedElement, RecordedCall, TaskStatus } from './state';

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

export interface LinkedInSandbox {
  readonly url: string;
  readonly apiUrl: string;
  readonly tokenUrl: string;
  readonly faults: FaultKnobs;
  /** Knobs that make LinkedIn's side drift from the ATS, and where it sends JOB_POSTING_STATUS notifications. */
  readonly drift: DriftKnobs;
  /** The JOB_POSTING_STATUS notifications sent so far, with the webhook's answer. */
  statusNotifications(): DeliveredNotification[];
  close(): Promise<void>;
  registerApplication(application: ApplicationRegistration): void;
  /** Jobs LinkedIn already holds, open unless `state` says otherwise. */
  seedExistingJobs(
    developerApplicationUrn: string,
    externalJobPostingIds: readonly string[],
    state?: JobState,
  ): void;
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

class Sandbox implements LinkedInSandbox {
  url = '';
  apiUrl = '';
  tokenUrl = '';
  readonly faults: Faults;
  readonly drift: StatusBook;

  private readonly state: SandboxState;
  private readonly tokenSettings: { tokenTtlSeconds: number; tokenExpiresInAs: 'string' | 'number' };
  private readonly server: Server;
  private closed = false;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(options: LinkedInSandboxOptions) {
    this.state = new SandboxState(options.now ?? Date.now, options.taskCompletionMs ?? 1000);
    this.tokenSettings = {
      tokenTtlSeconds: options.tokenTtlSeconds ?? 1800,
      tokenExpiresInAs: options.tokenExpiresInAs ?? 'string',
    };
    this.faults = new Faults(
      () => {
        for (const token of this.state.tokens.values()) token.expired = true;
      },
      () => {
        for (const token of this.state.tokens.values()) token.revoked = true;
      },
    );
    this.drift = new StatusBook({
      state: (urn, id) => this.state.heldJob(urn, id)?.state,
      jobPostingUrn: (urn, id) => this.state.heldJob(urn, id)?.jobPostingUrn,
      setState: (urn, id, state) => {
        this.state.settleTasks();
        const held = this.state.heldJobsOf(urn);
        const job = held.get(id);
        if (state === undefined) held.delete(id);
        else held.set(id, { state, jobPostingUrn: job?.jobPostingUrn ?? this.state.nextJobPostingUrn() });
      },
    });
    this.state.onApplied = (urn, id, sent) => this.drift.applied(urn, id, sent);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          send(res, { status: 500, body: wholeCallError(500, SERVICE_ERROR_NONE, 'Internal server error') });
        }
      });
    });
  }

  private now(): number {
    return this.state.now();
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
    this.drift.stop();
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
    this.faults.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Hung and keep-alive sockets would otherwise hold server.close() open forever.
    this.server.closeAllConnections();
    await closing;
  }

  registerApplication(application: ApplicationRegistration): void {
    this.state.registerApplication(application);
  }

  seedExistingJobs(
    developerApplicationUrn: string,
    externalJobPostingIds: readonly string[],
    state: JobState = 'OPEN',
  ): void {
    this.state.seedExistingJobs(developerApplicationUrn, externalJobPostingIds, state);
  }

  calls(): RecordedCall[] {
    return this.state.calls();
  }

  statusNotifications(): DeliveredNotification[] {
    return this.drift.notifications();
  }

  postedElements(developerApplicationUrn?: string): PostedElement[] {
    return this.state.postedElements(developerApplicationUrn);
  }

  maxConcurrentPostings(developerApplicationUrn: string): number {
    return this.state.maxInFlight.get(developerApplicationUrn) ?? 0;
  }

  reset(): void {
    this.state.reset();
    this.drift.reset();
    this.faults.clear();
  }

  heldJob(developerApplicationUrn: string, externalJobPostingId: string): HeldJob | undefined {
    return this.state.heldJob(developerApplicationUrn, externalJobPostingId);
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (target.pathname.startsWith('/_sandbox/')) {
      const body = await readBody(req);
      send(
        res,
        body === undefined ? tooLarge() : admin(this.adminTarget(), req.method ?? 'GET', target, body),
      );
      return;
    }

    const endpoint = classify(target.pathname);
    const call = this.record(req, target, endpoint);
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
      call.developerApplicationUrn =
        this.state.applicationByClientId(clientId)?.developerApplicationUrn ?? null;
    }
    if (endpoint === 'other') {
      this.answer(res, call, finish, this.route(endpoint, req, target, body, call.seq));
      return;
    }
    const jobs = (call.elements ?? []).map(
      (element) => (element as { externalJobPostingId?: string }).externalJobPostingId ?? '',
    );
    const held = await this.faults.passGates(endpoint, call.developerApplicationUrn, jobs);
    if (this.closed || res.destroyed) return;
    const fault = this.faults.take(endpoint, jobs);
    const delay = this.faults.latencyFor(endpoint) + (fault?.latencyMs ?? 0);
    // The answer time counts from the call's arrival (its release, when a gate held it), and LinkedIn's own
    // work is part of it: a call with no scripted fault is acted on as it arrives, then answered once the
    // time has passed. A caller that gives up meanwhile loses the answer, not the effect.
    const from = held ? this.now() : call.startedAt;
    const early =
      fault === undefined && delay > 0 ? this.route(endpoint, req, target, body, call.seq) : undefined;
    const wait = delay > 0 ? from + delay - this.now() : 0;
    if (wait > 0) await this.sleep(wait);
    if (this.closed || res.destroyed) return;
    if (early) {
      this.answer(res, call, finish, early);
      return;
    }
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
    this.answer(res, call, finish, faulted ?? this.route(endpoint, req, target, body, call.seq, fault));
  }

  /** A new entry in the record of calls, open until answered. */
  private record(req: IncomingMessage, target: URL, endpoint: Endpoint): RecordedCall {
    const bearer = bearerToken(req);
    const call: RecordedCall = {
      seq: ++this.state.seq,
      method: req.method ?? 'GET',
      path: target.pathname,
      query: target.search.replace(/^\?/, ''),
      endpoint,
      developerApplicationUrn:
        bearer === null ? null : (this.state.tokens.get(bearer)?.developerApplicationUrn ?? null),
      restliMethod: headerValue(req, 'x-restli-method'),
      startedAt: this.now(),
      endedAt: 0,
      status: 0,
      responseBody: undefined,
    };
    this.state.record.push(call);
    return call;
  }

  private route(
    endpoint: Endpoint,
    req: IncomingMessage,
    target: URL,
    body: string,
    seq: number,
    fault?: FaultSpec,
  ): Reply {
    const method = req.method ?? 'GET';
    const versioned = target.pathname.startsWith('/rest/');
    if (endpoint === 'token' && method === 'POST')
      return issueToken(this.state, this.tokenSettings, req, body);
    if (endpoint === 'simpleJobPostings' && method === 'POST')
      return batchCreate(this.state, this.faults, req, body, {
        versioned,
        seq,
        failingElements:
          fault?.elementShare === undefined
            ? undefined
            : { share: fault.elementShare, status: fault.elementStatus ?? 500 },
      });
    if (endpoint === 'simpleJobPostingTasks' && method === 'GET')
      return taskStatus(this.state, this.faults, req, target, versioned);
    if (endpoint === 'jobPostingStatus' && method === 'GET')
      return jobPostingStatus(this.state, this.drift, req, target, versioned);
    return {
      status: 404,
      body: wholeCallError(404, SERVICE_ERROR_NONE, `No resource ${method} ${target.pathname}`),
    };
  }

  private answer(res: ServerResponse, call: RecordedCall, finish: () => void, reply: Reply): void {
    call.status = reply.status;
    call.responseBody = reply.raw ?? reply.body;
    call.endedAt = this.now();
    // Out of flight before the client can see the answer, so its next call never overlaps this one.
    finish();
    send(res, reply);
  }

  private adminTarget() {
    return { state: this.state, faults: this.faults, drift: this.drift, reset: () => this.reset() };
  }

  private trackInFlight(call: RecordedCall): () => void {
    const urn = call.developerApplicationUrn;
    if (call.endpoint !== 'simpleJobPostings' || urn === null) return () => undefined;
    const current = (this.state.inFlight.get(urn) ?? 0) + 1;
    this.state.inFlight.set(urn, current);
    this.state.maxInFlight.set(urn, Math.max(this.state.maxInFlight.get(urn) ?? 0, current));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.state.inFlight.set(urn, Math.max(0, (this.state.inFlight.get(urn) ?? 1) - 1));
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
}
