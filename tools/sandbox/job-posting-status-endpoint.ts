/** GET /v2/jobPostingStatus?ids=…: what LinkedIn shows for each job now (linkedin.md §8). */
import type { IncomingMessage } from 'node:http';
import { badRequest, SERVICE_ERROR_NONE, versionCheck, wholeCallError, type Reply } from './http';
import { MAX_JOBS_PER_STATUS_REQUEST, type StatusBook } from './job-posting-status';
import { MAX_TASK_QUERY_BYTES } from './simple-job-posting-tasks';
import type { SandboxState } from './state';
import { authenticate } from './token';

/**
 * Check Job Posting Statuses (https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/check-job-posting-status):
 * the child application's token, `ids` repeated, "Maximum limit of 100 jobs are supported per batch
 * request", 414 over a 4 KB query string. Answers from what the sandbox holds (see StatusBook).
 */
export function jobPostingStatus(
  state: SandboxState,
  book: StatusBook,
  req: IncomingMessage,
  target: URL,
  versioned: boolean,
): Reply {
  const query = target.search.replace(/^\?/, '');
  if (Buffer.byteLength(query) > MAX_TASK_QUERY_BYTES) {
    return {
      status: 414,
      body: wholeCallError(414, SERVICE_ERROR_NONE, `The query string exceeds ${MAX_TASK_QUERY_BYTES} bytes`),
    };
  }
  if (versioned) {
    const rejected = versionCheck(req);
    if (rejected !== undefined) return rejected;
  }
  const auth = authenticate(state, req, 'jobPostingStatus.BATCH_GET');
  if ('status' in auth) return auth;
  const ids = target.searchParams.getAll('ids');
  if (ids.length === 0 || ids.some((id) => id === ''))
    return badRequest('Batch key parameter value is invalid');
  if (ids.length > MAX_JOBS_PER_STATUS_REQUEST) {
    return badRequest(`Maximum limit of ${MAX_JOBS_PER_STATUS_REQUEST} jobs are supported per batch request`);
  }
  state.settleTasks();
  return { status: 200, body: book.answer(auth.developerApplicationUrn, ids) };
}
