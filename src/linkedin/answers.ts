/**
 * What LinkedIn's answers mean, in one place: the client, the posting activity and the task follower all
 * read answers through these functions, so no status or message is interpreted twice. Each rule names
 * the page it follows.
 */
import type { ElementResult } from './client';
import { LinkedInApiError } from './linkedin-api-error';
import { LinkedInCredentialsError } from './linkedin-credentials-error';

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

/**
 * A status code as LinkedIn writes it: the OpenAPI file types element statuses as strings
 * (job_posting_v2.yaml, SimpleJobPostingResponseSchema) while the Create Jobs page shows numbers.
 */
export function statusCode(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*\d{3}\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Whether an element's refusal means the ATS's truth already holds on LinkedIn, so the job counts as
 * done and confirmed by that answer:
 * - CLOSE answered 409, "Cannot close job which is already closed or does not exist" (Create Jobs, API
 *   error details, https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/create-jobs);
 * - CREATE refused as a duplicate creation request: the job is on LinkedIn (Check Job Operation Task
 *   Status, error table).
 */
export function alreadyOnLinkedIn(operation: string, answer: ElementResult): boolean {
  if (answer.ok) return false;
  if (operation === 'CLOSE') return answer.status === 409;
  if (operation === 'CREATE') return isDuplicateCreate(answer.message);
  return false;
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
  if (error.status < 400 || error.status >= 500 || error.status === 401 || error.status === 429) {
    return { kind: 'whole-call' };
  }
  if (operation === 'CLOSE' && error.status === 409) {
    return { kind: 'close-conflict', status: 409, message: error.message };
  }
  const index = namedJobIndex(error, ids);
  if (index === undefined) return { kind: 'whole-call' };
  return { kind: 'names-job', index, status: error.status, message: error.message };
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
