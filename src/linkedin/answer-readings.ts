/**
 * How LinkedIn writes what it answers, read the way its pages show it: status codes as numbers or strings,
 * task states (documented or not), the words of a duplicate CREATE and of an UPDATE of a job it lacks.
 * Workflow code (the task follower) reads tasks through this file too, so it imports nothing.
 */

/** A task's state as the service acts on it: anything LinkedIn may send is read as one of these. */
export type TaskStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'PROCESSED';

export interface TaskReading {
  status: TaskStatus;
  errorMessage: string | undefined;
}

/**
 * LinkedIn's words when a CREATE names a job it already holds. Check Job Operation Task Status, error
 * table (https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/check-job-taskstatus):
 * "Trying to create a job with same partnerIdentifier already exists. It is duplicate creation request …
 * Dropping the duplicate job posting creation request."
 */
const DUPLICATE_CREATE = /same partnerIdentifier already exists|duplicate (job posting )?creation request/i;

export function isDuplicateCreate(message: string | undefined): boolean {
  return message !== undefined && DUPLICATE_CREATE.test(message);
}

/** LinkedIn's words when an UPDATE names a job it does not have (linkedin.md §6). */
const NOT_ON_LINKEDIN = /not allowed for a non-existing job/i;

/**
 * Reads one task of simpleJobPostingTasks (Check Job Operation Task Status,
 * https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/check-job-taskstatus):
 * - SUCCEEDED, FAILED, IN_PROGRESS as they are;
 * - PROCESSED without an errorMessage: "processed successfully" (confirmed); PROCESSED with one:
 *   "processed by LinkedIn but also failed payload validation", so FAILED with that message;
 * - FAILED because the CREATE was a duplicate: the job is on LinkedIn, so SUCCEEDED;
 * - any other value (a status LinkedIn added later, a number, nothing): not finished yet, as LinkedIn's
 *   Java SDK maps it to UNKNOWN (linkedin/talent-solutions-java-sdk, JobTaskStatus.java).
 */
export function readTask(status: unknown, errorMessage: string | null | undefined): TaskReading {
  const message =
    errorMessage === null || errorMessage === undefined || errorMessage.trim() === ''
      ? undefined
      : errorMessage;
  switch (status) {
    case 'SUCCEEDED':
      return { status: 'SUCCEEDED', errorMessage: message };
    case 'FAILED':
      return { status: isDuplicateCreate(message) ? 'SUCCEEDED' : 'FAILED', errorMessage: message };
    case 'PROCESSED':
      return message === undefined
        ? { status: 'PROCESSED', errorMessage: undefined }
        : {
            status: 'FAILED',
            errorMessage: `processed by LinkedIn but failed payload validation: ${message}`,
          };
    default:
      return { status: 'IN_PROGRESS', errorMessage: message };
  }
}

/** What a task's reading leads to for its job. */
export type TaskAction =
  /** Confirmed: LinkedIn applied it. */
  | 'confirm'
  /** LinkedIn does not have the job an UPDATE named: send it with CREATE. */
  | 'create'
  /** REJECTED with the task's errorMessage. */
  | 'reject-job'
  /** Followed on; UNCONFIRMED if it does not end within the follow-up window. */
  | 'not-finished';

export function taskAction(
  operation: string,
  task: { status: TaskStatus; errorMessage?: string | undefined },
): TaskAction {
  if (task.status === 'SUCCEEDED' || task.status === 'PROCESSED') return 'confirm';
  if (task.status === 'IN_PROGRESS') return 'not-finished';
  if (operation === 'UPDATE' && NOT_ON_LINKEDIN.test(task.errorMessage ?? '')) return 'create';
  return 'reject-job';
}

/**
 * A status code as LinkedIn writes it: the OpenAPI file types element statuses as strings
 * (job_posting_v2.yaml, SimpleJobPostingResponseSchema) while the Create Jobs page shows numbers.
 */
export function statusCode(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*\d{3}\s*$/.test(value)) return Number(value);
  return undefined;
}
