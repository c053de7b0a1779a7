/**
 * What the sandbox remembers: registered applications, issued tokens, the record of calls and elements, the
 * jobs LinkedIn holds and the tasks that change them. Tasks end as LinkedIn's job processing would: after
 * `taskCompletionMs`, in the order they were created.
 */
import { z } from 'zod';
import type { Operation } from './element-rules';
import type { TaskOutcomeRule } from './fault-rules';
import type { Endpoint } from './http';

export const ApplicationRegistration = z.object({
  developerApplicationUrn: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  kind: z.enum(['child', 'parent']),
});
export type ApplicationRegistration = z.infer<typeof ApplicationRegistration>;

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
  /** The Retry-After (seconds) the answer carried, if any. */
  retryAfterSeconds?: number;
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

export interface Token {
  developerApplicationUrn: string;
  kind: 'child' | 'parent';
  expiresAt: number;
  expired: boolean;
  /** Withdrawn by `revokeAllTokens`: answered 65600 (invalid). */
  revoked?: boolean;
}

export interface Task {
  id: string;
  developerApplicationUrn: string;
  externalJobPostingId: string;
  operation: Operation;
  createdAt: number;
  forced: TaskOutcomeRule | undefined;
  /** What the element said LinkedIn shows once applied. */
  sent: { listedAt: unknown; location: unknown };
  status: TaskStatus;
  jobPosting?: string;
  errorMessage?: string;
}

export class SandboxState {
  readonly applications = new Map<string, ApplicationRegistration>();
  readonly tokens = new Map<string, Token>();
  record: RecordedCall[] = [];
  posted: PostedElement[] = [];
  seq = 0;
  readonly inFlight = new Map<string, number>();
  maxInFlight = new Map<string, number>();
  jobs = new Map<string, Map<string, HeldJob>>();
  tasks = new Map<string, Task>();
  pending: Task[] = [];
  private jobPostingSeq = 0;
  /** Told when a CREATE or UPDATE is applied, with what the element said (the job posting status book). */
  onApplied: (developerApplicationUrn: string, externalJobPostingId: string, sent: Task['sent']) => void =
    () => undefined;

  constructor(
    readonly now: () => number,
    private readonly taskCompletionMs: number,
  ) {}

  registerApplication(application: ApplicationRegistration): void {
    const parsed = ApplicationRegistration.parse(application);
    this.applications.set(parsed.developerApplicationUrn, parsed);
  }

  applicationByClientId(clientId: string | null): ApplicationRegistration | undefined {
    return [...this.applications.values()].find((app) => app.clientId === clientId);
  }

  seedExistingJobs(
    developerApplicationUrn: string,
    externalJobPostingIds: readonly string[],
    state: JobState = 'OPEN',
  ): void {
    const held = this.heldJobsOf(developerApplicationUrn);
    for (const id of externalJobPostingIds) {
      held.set(id, { state, jobPostingUrn: held.get(id)?.jobPostingUrn ?? this.nextJobPostingUrn() });
    }
  }

  /** Clears the record, held jobs and tasks; keeps registrations and tokens. */
  reset(): void {
    this.record = [];
    this.seq = 0;
    this.posted = [];
    this.jobs = new Map();
    this.tasks = new Map();
    this.pending = [];
    // Calls still in flight keep counting, so the maximum restarts from them.
    this.maxInFlight = new Map(this.inFlight);
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

  heldJob(developerApplicationUrn: string, externalJobPostingId: string): HeldJob | undefined {
    this.settleTasks();
    const job = this.jobs.get(developerApplicationUrn)?.get(externalJobPostingId);
    return job === undefined ? undefined : { ...job };
  }

  heldJobsOf(developerApplicationUrn: string): Map<string, HeldJob> {
    let held = this.jobs.get(developerApplicationUrn);
    if (held === undefined) {
      held = new Map();
      this.jobs.set(developerApplicationUrn, held);
    }
    return held;
  }

  nextJobPostingUrn(): string {
    this.jobPostingSeq += 1;
    return `urn:li:jobPosting:${4_000_000_000 + this.jobPostingSeq}`;
  }

  /** Ends every task whose time has come, in creation order, so operations apply in the order sent. */
  settleTasks(): void {
    const now = this.now();
    const waiting: Task[] = [];
    for (const task of this.pending) {
      if (task.forced?.outcome === 'STUCK' || now < task.createdAt + this.taskCompletionMs)
        waiting.push(task);
      else this.complete(task);
    }
    this.pending = waiting;
  }

  /** The job's state once the tasks already accepted for it have run; decides whether a CLOSE conflicts. */
  projectedState(developerApplicationUrn: string, externalJobPostingId: string): JobState | undefined {
    let state = this.jobs.get(developerApplicationUrn)?.get(externalJobPostingId)?.state;
    for (const task of this.pending) {
      if (task.developerApplicationUrn !== developerApplicationUrn) continue;
      if (task.externalJobPostingId !== externalJobPostingId || task.forced !== undefined) continue;
      if (task.operation === 'CREATE') state = 'OPEN';
      else if (task.operation === 'CLOSE' && state === 'OPEN') state = 'CLOSED';
    }
    return state;
  }

  private complete(task: Task): void {
    const held = this.heldJobsOf(task.developerApplicationUrn);
    const job = held.get(task.externalJobPostingId);
    if (task.forced?.outcome === 'FAILED') {
      fail(task, task.forced.message ?? `Job ${task.externalJobPostingId} was dropped by LinkedIn`);
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
          fail(task, duplicateCreateMessage(job.jobPostingUrn, task.externalJobPostingId));
          return;
        }
        // Creating a closed job posts it again under a new job posting.
        const created = { state: 'OPEN' as const, jobPostingUrn: this.nextJobPostingUrn() };
        held.set(task.externalJobPostingId, created);
        this.onApplied(task.developerApplicationUrn, task.externalJobPostingId, task.sent);
        succeed(task, created.jobPostingUrn);
        return;
      }
      case 'UPDATE':
      case 'RENEW':
        if (job?.state === 'OPEN') {
          this.onApplied(task.developerApplicationUrn, task.externalJobPostingId, task.sent);
          succeed(task, job.jobPostingUrn);
        } else {
          fail(
            task,
            `Operation type ${task.operation} is not allowed for a non-existing job ${task.externalJobPostingId}. ` +
              'Send it with jobPostingOperationType CREATE instead.',
          );
        }
        return;
      case 'CLOSE':
        if (job?.state === 'OPEN') {
          held.set(task.externalJobPostingId, { ...job, state: 'CLOSED' });
          succeed(task, job.jobPostingUrn);
        } else fail(task, `Job posting ${task.externalJobPostingId} is already closed or does not exist`);
        return;
    }
  }
}

function succeed(task: Task, jobPostingUrn: string): void {
  task.status = 'SUCCEEDED';
  task.jobPosting = jobPostingUrn;
}

function fail(task: Task, message: string): void {
  task.status = 'FAILED';
  task.errorMessage = message;
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
