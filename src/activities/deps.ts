import { ApplicationFailure } from '@temporalio/activity';
import type { CreateClaims } from '../ats/create-claims';
import type { JobStatusStore } from '../ats/job-status-store';
import type { ApplicationRegistry, DeveloperApplication, JobSource } from '../ats/job-store';
import { FailureType } from '../failures';
import type { ApplicationLanes } from '../linkedin/application-lanes';
import type { LinkedInClient } from '../linkedin/client';
import type { TaskPoller } from '../linkedin/task-poller';
import type { TokenCache } from '../linkedin/token-cache';
import type { WorkerMetrics } from '../observability/worker-metrics';

/** What the activities work with; only the composition roots build the real ones. */
export interface ActivityDeps {
  applications: ApplicationRegistry;
  jobs: JobSource;
  linkedin: LinkedInClient;
  tokens: TokenCache;
  lanes: ApplicationLanes;
  taskPoller: TaskPoller;
  now?: () => number;
  /** linkedin_job_status, for the drift check and status notifications (see drift.ts). */
  jobStatuses?: JobStatusStore | undefined;
  /** linkedin_creates: a job is CREATEd once per application, whichever resync meets it (post-batch.ts). */
  creates?: CreateClaims | undefined;
  /** The worker's own Prometheus counters (none counted when absent). */
  metrics?: WorkerMetrics | undefined;
}

/** How often a long activity tells Temporal it is alive (and learns whether it was cancelled). */
export const HEARTBEAT_EVERY_MS = 1_000;

/** The application a notification names; one the ATS does not know fails for good. */
export async function applicationOf(deps: ActivityDeps, urn: string): Promise<DeveloperApplication> {
  const found = await deps.applications.getApplication(urn);
  if (!found) {
    throw ApplicationFailure.nonRetryable(`the ATS does not know ${urn}`, FailureType.UnknownApplication);
  }
  return found;
}
