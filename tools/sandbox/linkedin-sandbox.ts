/**
 * A local LinkedIn: the OAuth token endpoint, SimpleJobPostings batch_create and SimpleJobPostingTasks,
 * answering as linkedin.md §4–7 describes, with a record of every call and knobs to make it misbehave.
 * Tests and `npm run dev` talk to it over real HTTP, so the client under test cannot tell it from LinkedIn.
 * This file is the server; request-handler.ts handles each call, each endpoint has a file of its own
 * (token, simple-job-postings, simple-job-posting-tasks, job-posting-status-endpoint, admin), faults.ts
 * the knobs and state.ts what the sandbox remembers.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { DriftKnobs } from './drift-knobs';
import type { FaultKnobs } from './fault-knobs';
import { Faults } from './faults';
import { send, SERVICE_ERROR_NONE, wholeCallError } from './http';
import { StatusBook } from './job-posting-status';
import { RequestHandler } from './request-handler';
import { SandboxState } from './state';
import type { ApplicationRegistration, HeldJob, JobState, PostedElement, RecordedCall } from './state';
import type { DeliveredNotification } from './status-notifications';

export type { DriftKnobs } from './drift-knobs';
export type { FaultKnobs } from './fault-knobs';
export type { FaultEndpoint, FaultSpec, RandomFailures, TaskOutcome } from './fault-rules';
export type { Gate } from './gate';
export type { Operation } from './element-rules';
export type { DeliveredNotification } from './status-notifications';
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
  private readonly requests: RequestHandler;
  private readonly server: Server;
  private closed = false;

  constructor(options: LinkedInSandboxOptions) {
    this.state = new SandboxState(options.now ?? Date.now, options.taskCompletionMs ?? 1000);
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
    this.requests = new RequestHandler({
      state: this.state,
      faults: this.faults,
      drift: this.drift,
      tokenSettings: {
        tokenTtlSeconds: options.tokenTtlSeconds ?? 1800,
        tokenExpiresInAs: options.tokenExpiresInAs ?? 'string',
      },
      reset: () => this.reset(),
    });
    this.server = createServer((req, res) => {
      this.requests.handle(req, res).catch(() => {
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
    this.drift.stop();
    this.requests.close();
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
}
