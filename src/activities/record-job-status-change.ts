import { Context } from '@temporalio/activity';
import { absentStatus, type LinkedInJobStatus } from '../linkedin/job-posting-status';
import { applicationOf, type ActivityDeps } from './deps';
import { changedDifference, driftOf, linkedInShows, sameDifference, type DriftKind } from './drift-kinds';
import { toActivityFailure } from './activity-failures';
import { askStatuses, jobStatusesOf } from './job-statuses';

export interface RecordJobStatusChangeInput {
  developerApplicationUrn: string;
  externalJobPostingId: string;
  /** What the notification said; null fields when it did not say. */
  status: LinkedInJobStatus;
  /** Without a listing status, LinkedIn's status API is asked what it shows now. */
  carriesListingStatus: boolean;
  receivedAt: number;
}

export interface RecordJobStatusChangeOutput {
  listingStatus: LinkedInJobStatus['listingStatus'];
  onLinkedIn: boolean;
  /** The job's drift, when the ATS holds it and it drifted. */
  drift: DriftKind | null;
  atsStatus: 'OPEN' | 'CLOSED' | null;
  /**
   * "LinkedIn shows …": the job differs as it did when a drift check re-posted it for CHANGED, so it is no
   * drift to repair (absent from answers of releases before this field).
   */
  linkedInShows?: string | null;
}

/**
 * Records what a Job Status Change notification says (asking the status API when it does not say where
 * the listing stands) and tells whether the job drifted from the ATS.
 */
export function recordJobStatusChange(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  return async (input: RecordJobStatusChangeInput): Promise<RecordJobStatusChangeOutput> => {
    const context = Context.current();
    try {
      const app = await applicationOf(deps, input.developerApplicationUrn);
      let status = input.status;
      let checkedAt = input.receivedAt;
      if (!input.carriesListingStatus) {
        const [asked] = await askStatuses(
          deps,
          app,
          [input.externalJobPostingId],
          context.cancellationSignal,
        );
        status = asked ?? absentStatus(input.externalJobPostingId);
        checkedAt = now();
      }
      const store = jobStatusesOf(deps);
      await store.record(app.urn, [status], 'NOTIFICATION', checkedAt);
      const [job] = await deps.jobs.loadJobs(app.urn, [input.externalJobPostingId]);
      let drift = job ? (driftOf(job, status) ?? null) : null;
      let shown: string | null = null;
      if (job && drift === 'CHANGED') {
        const difference = changedDifference(job, status);
        const [noted] = await store.notedDifferences(app.urn, [job.externalJobPostingId]);
        if (noted !== undefined && noted.repairedAt !== null && sameDifference(noted, difference)) {
          drift = null;
          shown = linkedInShows(difference).message;
        }
      }
      return {
        listingStatus: status.listingStatus,
        onLinkedIn: status.onLinkedIn,
        drift,
        atsStatus: job?.status ?? null,
        linkedInShows: shown,
      };
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
