/** GET /v2/simpleJobPostingTasks?ids=…: batch_get of task statuses (linkedin.md §6). */
import type { IncomingMessage } from 'node:http';
import type { Faults } from './faults';
import { badRequest, SERVICE_ERROR_NONE, versionCheck, wholeCallError, type Reply } from './http';
import type { SandboxState } from './state';
import { authenticate } from './token';

export const MAX_TASK_QUERY_BYTES = 4096;
const TASK_URN = /^urn:li:simpleJobPostingTask:\S+$/;

export function taskStatus(
  state: SandboxState,
  faults: Faults,
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
  const auth = authenticate(state, req, 'simpleJobPostingTasks.BATCH_GET');
  if ('status' in auth) return auth;
  const ids = target.searchParams.getAll('ids');
  if (ids.length === 0 || ids.some((id) => !TASK_URN.test(id))) {
    return badRequest('Batch key parameter value is invalid');
  }

  state.settleTasks();
  const results: Record<string, unknown> = {};
  const errors: Record<string, unknown> = {};
  for (const id of ids) {
    const task = state.tasks.get(id);
    if (task === undefined || task.developerApplicationUrn !== auth.developerApplicationUrn) {
      errors[id] = { status: 404, message: `simpleJobPostingTask ${id} does not exist` };
    } else {
      const running = faults.runningTaskStatus;
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
