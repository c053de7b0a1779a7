/**
 * POST /v2/simpleJobPostings (and /rest/): batch_create as linkedin.md §5 describes. Whole-call refusals
 * come first (version, token, Rest.li method, batch shape); then each element is checked on its own and
 * either rejected inside the 200 or accepted with a task that later applies its operation.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { formatErrors, isOperation, validateElement, type ElementVerdict } from './element-rules';
import type { Faults } from './faults';
import {
  badRequest,
  headerValue,
  parseJson,
  SERVICE_ERROR_NONE,
  SERVICE_ERROR_PERMISSION,
  versionCheck,
  wholeCallError,
  type Reply,
} from './http';
import type { SandboxState, Task } from './state';
import { authenticate } from './token';

export const MAX_ELEMENTS_PER_CALL = 100;

export const BatchBody = z.object({ elements: z.array(z.unknown()) });

export function batchCreate(
  state: SandboxState,
  faults: Faults,
  req: IncomingMessage,
  raw: string,
  call: {
    versioned: boolean;
    seq: number;
    /** A fault's share of elements that fail inside the 200, and with which status. */
    failingElements?: { share: number; status: number } | undefined;
  },
): Reply {
  if (call.versioned) {
    const rejected = versionCheck(req);
    if (rejected !== undefined) return rejected;
  }
  const auth = authenticate(state, req, 'simpleJobPostings.BATCH_CREATE');
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
  const refused = batchRefusal(batch);
  if (refused !== undefined) return refused;

  state.settleTasks();
  const now = state.now();
  const checked = batch.map((element) => ({
    element,
    verdict: validateElement(element, now, faults.maxExternalIdLength),
  }));
  const refusal = checked.find(({ verdict }) => verdict.wholeCallError !== undefined)?.verdict.wholeCallError;
  if (refusal !== undefined) return badRequest(refusal);
  // A whole-call 409, "Cannot close job which is already closed or does not exist" (Create Jobs, API
  // error details, https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/create-jobs).
  if (
    checked.some(({ verdict }) => closesWhatIsNotOpen(state, faults, auth.developerApplicationUrn, verdict))
  ) {
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
    acceptElement(
      state,
      faults,
      { developerApplicationUrn: auth.developerApplicationUrn, callSeq: call.seq },
      element,
      verdict,
      call.failingElements,
    ),
  );
  const body = faults.answersStatusesAsStrings ? results.map(statusesAsStrings) : results;
  return { status: 200, body: { elements: body } };
}

/** A batch LinkedIn refuses whole: too many elements, a repeated id, or more than one operation. */
function batchRefusal(batch: unknown[]): Reply | undefined {
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
  return undefined;
}

/** A valid CLOSE of a job that will not be open once the tasks already accepted have run. */
function closesWhatIsNotOpen(
  state: SandboxState,
  faults: Faults,
  developerApplicationUrn: string,
  verdict: ElementVerdict,
): boolean {
  const id = verdict.externalJobPostingId;
  if (verdict.operation !== 'CLOSE' || id === null || verdict.errors.length > 0) return false;
  if (faults.rejectionFor(id, verdict.operation) !== undefined) return false;
  return state.projectedState(developerApplicationUrn, id) !== 'OPEN';
}

function acceptElement(
  state: SandboxState,
  faults: Faults,
  call: { developerApplicationUrn: string; callSeq: number },
  element: unknown,
  verdict: ElementVerdict,
  failing?: { share: number; status: number },
): unknown {
  const { externalJobPostingId: id, operation } = verdict;
  const outcome = (status: number, result: unknown): unknown => {
    state.posted.push({ ...call, operation, externalJobPostingId: id, status, element });
    return result;
  };
  const rejected = (status: number, message: string): unknown =>
    outcome(status, { status, error: { message, status } });

  if (failing !== undefined && faults.random() < failing.share) {
    return rejected(failing.status, 'Internal server error');
  }
  const rejection = id === null ? undefined : faults.rejectionFor(id, operation);
  if (rejection !== undefined) return rejected(rejection.status, rejection.message);
  if (verdict.errors.length > 0 || id === null || operation === null) {
    return rejected(422, formatErrors(verdict.errors));
  }
  const task: Task = {
    id: `urn:li:simpleJobPostingTask:${randomUUID()}`,
    developerApplicationUrn: call.developerApplicationUrn,
    externalJobPostingId: id,
    operation,
    createdAt: state.now(),
    forced: faults.outcomeFor(id),
    sent: { listedAt: field(element, 'listedAt'), location: field(element, 'location') },
    status: 'IN_PROGRESS',
  };
  state.tasks.set(task.id, task);
  state.pending.push(task);
  return outcome(202, {
    id: task.id,
    status: 202,
    location: `/simpleJobPostingTasks/${encodeURIComponent(task.id)}`,
  });
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

function field(element: unknown, name: string): unknown {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return undefined;
  const value: unknown = Reflect.get(element, name);
  return value;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
