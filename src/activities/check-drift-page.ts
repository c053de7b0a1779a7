import { Context } from '@temporalio/activity';
import type { JobToCheck } from '../ats/job-status-store';
import { jobStatusChunks, type LinkedInJobStatus } from '../linkedin/job-posting-status';
import { applicationOf, HEARTBEAT_EVERY_MS, type ActivityDeps } from './deps';
import { driftOf, problemsOf, type DriftKind, type StatusProblem } from './drift-kinds';
import { toActivityFailure } from './failures';
import { askStatuses, jobStatusesOf } from './job-statuses';

export interface CheckDriftPageInput {
  developerApplicationUrn: string;
  /** The last job id of the previous page. */
  after: string | undefined;
  limit: number;
}

export interface CheckDriftPageOutput {
  /** Jobs of the ATS read on this page; fewer than `limit` means the last page. */
  checked: number;
  lastId: string | undefined;
  inSync: number;
  /** Listing IN_PROGRESS or a value LinkedIn did not document: looked at again next time. */
  undecided: number;
  drifted: Array<{ externalJobPostingId: string; kind: DriftKind }>;
  problems: StatusProblem[];
}

/**
 * One page of the application's ATS jobs (open and closed): asks LinkedIn what it shows for them, 100 a
 * call, records it in linkedin_job_status and says which jobs drifted. Ids and kinds only go back to the
 * workflow.
 */
export function checkDriftPage(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  return async (input: CheckDriftPageInput): Promise<CheckDriftPageOutput> => {
    const context = Context.current();
    const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      const app = await applicationOf(deps, input.developerApplicationUrn);
      const jobs = await jobStatusesOf(deps).listJobsToCheck(app.urn, {
        after: input.after,
        limit: input.limit,
      });
      const output: CheckDriftPageOutput = {
        checked: jobs.length,
        lastId: jobs[jobs.length - 1]?.externalJobPostingId,
        inSync: 0,
        undecided: 0,
        drifted: [],
        problems: [],
      };
      const byId = new Map(jobs.map((job) => [job.externalJobPostingId, job]));
      for (const ids of jobStatusChunks([...byId.keys()])) {
        const answered = await askStatuses(deps, app, ids, context.cancellationSignal);
        await jobStatusesOf(deps).record(app.urn, answered, 'DRIFT_CHECK', now());
        for (const status of answered) {
          const job = byId.get(status.externalJobPostingId);
          if (job) compare(output, job, status);
        }
      }
      return output;
    } catch (error) {
      throw toActivityFailure(error);
    } finally {
      clearInterval(heartbeat);
    }
  };
}

/** Counts one job of the page as drifted, undecided or in sync, and keeps the problems LinkedIn reports. */
function compare(output: CheckDriftPageOutput, job: JobToCheck, status: LinkedInJobStatus): void {
  output.problems.push(...problemsOf(status));
  const kind = driftOf(job, status);
  if (kind) output.drifted.push({ externalJobPostingId: job.externalJobPostingId, kind });
  else if (job.status === 'OPEN' && status.listingStatus !== 'LISTED') output.undecided++;
  else output.inSync++;
}
