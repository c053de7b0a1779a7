/**
 * /_sandbox/…: what a test or a person at `npm run dev` uses to look inside the sandbox and to steer it
 * (register applications, seed held jobs, set faults, reset). Not part of LinkedIn's API.
 */
import { z } from 'zod';
import { AdminDriftRequest, applyAdminDriftRequest } from './drift-knobs';
import { AdminFaultRequest, applyAdminFaultRequest, type FaultKnobs } from './fault-knobs';
import { parseJson, type Reply } from './http';
import type { StatusBook } from './job-posting-status';
import { ApplicationRegistration, type HeldJob, type SandboxState } from './state';

const SeedJobsRequest = z.object({
  developerApplicationUrn: z.string().min(1),
  externalJobPostingIds: z.array(z.string().min(1)),
});

export interface AdminTarget {
  state: SandboxState;
  faults: FaultKnobs;
  drift: StatusBook;
  /** The sandbox's whole reset: the record, held jobs, tasks and faults. */
  reset(): void;
}

export function admin(sandbox: AdminTarget, method: string, target: URL, raw: string): Reply {
  const { state } = sandbox;
  const route = `${method} ${target.pathname}`;
  const ok: Reply = { status: 200, body: { ok: true } };
  switch (route) {
    case 'GET /_sandbox/calls':
      return { status: 200, body: { calls: state.calls() } };
    case 'GET /_sandbox/posting-calls':
      return { status: 200, body: { calls: postingCalls(state, target.searchParams) } };
    case 'GET /_sandbox/elements': {
      const application = target.searchParams.get('application') ?? undefined;
      const elements = state.postedElements(application);
      // brief=1: without the element bodies (a storm's 500 jobs an application would be megabytes).
      if (target.searchParams.get('brief') === '1')
        return { status: 200, body: { elements: elements.map(({ element: _, ...rest }) => rest) } };
      return { status: 200, body: { elements } };
    }
    case 'GET /_sandbox/jobs': {
      const application = target.searchParams.get('application') ?? '';
      state.settleTasks();
      const held = [...(state.jobs.get(application) ?? new Map<string, HeldJob>()).entries()];
      return {
        status: 200,
        body: { jobs: held.map(([externalJobPostingId, job]) => ({ externalJobPostingId, ...job })) },
      };
    }
    case 'POST /_sandbox/reset':
      sandbox.reset();
      return ok;
    case 'POST /_sandbox/applications': {
      const parsed = ApplicationRegistration.safeParse(parseJson(raw));
      if (!parsed.success) return adminError(parsed.error);
      state.registerApplication(parsed.data);
      return ok;
    }
    case 'POST /_sandbox/jobs': {
      const parsed = SeedJobsRequest.safeParse(parseJson(raw));
      if (!parsed.success) return adminError(parsed.error);
      state.seedExistingJobs(parsed.data.developerApplicationUrn, parsed.data.externalJobPostingIds);
      return ok;
    }
    case 'POST /_sandbox/drift': {
      const parsed = AdminDriftRequest.safeParse(parseJson(raw));
      if (!parsed.success) return adminError(parsed.error);
      applyAdminDriftRequest(sandbox.drift, parsed.data);
      return ok;
    }
    case 'GET /_sandbox/status-notifications':
      return { status: 200, body: { notifications: sandbox.drift.notifications() } };
    case 'POST /_sandbox/faults': {
      const parsed = AdminFaultRequest.safeParse(parseJson(raw));
      if (!parsed.success) return adminError(parsed.error);
      applyAdminFaultRequest(sandbox.faults, parsed.data);
      return ok;
    }
    default:
      return { status: 404, body: { message: `No sandbox admin route ${route}` } };
  }
}

/**
 * The simpleJobPostings calls, without their elements and answers (a benchmark's 100,000 jobs would make
 * /_sandbox/calls tens of megabytes): of one `application` if given, started at or after `since` (epoch ms).
 */
function postingCalls(state: SandboxState, query: URLSearchParams) {
  const application = query.get('application');
  const since = Number(query.get('since') ?? 0) || 0;
  return state.record
    .filter(
      (call) =>
        call.endpoint === 'simpleJobPostings' &&
        call.startedAt >= since &&
        (application === null || call.developerApplicationUrn === application),
    )
    .map(({ developerApplicationUrn, status, startedAt, endedAt, retryAfterSeconds }) => ({
      developerApplicationUrn,
      status,
      startedAt,
      endedAt,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    }));
}

function adminError(error: z.ZodError): Reply {
  return { status: 400, body: { message: z.prettifyError(error) } };
}
