import { log, type Info } from '@temporalio/activity';
import type { DeveloperApplication } from '../../ats/job-store';
import type { JobStatusStore } from '../../ats/job-status-store';
import type { LinkedInJobStatus } from '../../linkedin/job-posting-status';
import type { ActivityDeps } from '../../activities/deps';

/** The linkedin_job_status store; asked for when an activity runs, so a worker without it fails the call. */
export function jobStatusesOf(deps: ActivityDeps): JobStatusStore {
  if (!deps.jobStatuses) throw new Error('the worker was built without the linkedin_job_status store');
  return deps.jobStatuses;
}

/** What LinkedIn answered, and when it was asked: the time of the reading, for linkedin_job_status. */
export interface AskedStatuses {
  statuses: LinkedInJobStatus[];
  askedAt: number;
}

/**
 * One jobPostingStatus call (≤ 100 ids) in the application's lane; a refused token is renewed once. A
 * `jobPostingUrl` that is no https LinkedIn URL is dropped with a warning. `askedAt` is taken as the call
 * leaves (after waiting for the lane): whatever was recorded after it is newer than this answer.
 */
export async function askStatuses(
  deps: ActivityDeps,
  app: DeveloperApplication,
  ids: string[],
  signal: AbortSignal,
): Promise<AskedStatuses> {
  const now = deps.now ?? Date.now;
  return deps.lanes.run(app.urn, signal, () =>
    deps.tokens.withToken(
      app,
      async (token) => {
        const askedAt = now();
        const statuses = await deps.linkedin.getJobPostingStatuses(
          token,
          ids,
          signal,
          warnDroppedUrl(app.urn),
        );
        return { statuses, askedAt };
      },
      signal,
    ),
  );
}

/** Logs a `jobPostingUrl` LinkedIn's answer held that is no https LinkedIn URL (dropped, never kept). */
function warnDroppedUrl(developerApplicationUrn: string) {
  return (externalJobPostingId: string, jobPostingUrl: string): void => {
    log.warn('jobPostingUrl is not an https LinkedIn URL: dropped', {
      developerApplicationUrn,
      externalJobPostingId,
      jobPostingUrl,
    });
  };
}

/** The drift check an activity runs for (its workflow id): the key of the differences it notes. */
export function driftCheckIdOf(info: Info): string {
  return info.workflowExecution?.workflowId ?? `activity-${info.activityId}`;
}
