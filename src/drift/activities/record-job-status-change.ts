import { Context, log } from '@temporalio/activity';
import { absentStatus, type LinkedInJobStatus } from '../../linkedin/job-posting-status';
import type { DeveloperApplication } from '../../ats/job-store';
import { applicationOf, type ActivityDeps } from '../../activities/deps';
import { changedDifference, driftOf, linkedInShows, sameDifference, type DriftKind } from './drift-kinds';
import { toActivityFailure } from '../../activities/activity-failures';
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
  /**
   * A newer reading of the job was recorded than what this notification (or the answer asked for it)
   * says: nothing was recorded and nothing is to be repaired, `drift` is null (absent from answers of
   * releases before this field).
   */
  superseded?: boolean;
}

/**
 * Records what a Job Status Change notification says (asking the status API when it does not say where
 * the listing stands) and tells whether the job drifted from the ATS. What a notification says is a
 * reading of when it was first received: delivered again after a newer reading was recorded (a drift
 * check's, another notification's), it is not believed, and LinkedIn is asked what it shows now. A
 * reading older than the one recorded is neither recorded nor repaired from (`superseded`).
 */
export function recordJobStatusChange(deps: ActivityDeps) {
  return async (input: RecordJobStatusChangeInput): Promise<RecordJobStatusChangeOutput> => {
    const context = Context.current();
    try {
      const app = await applicationOf(deps, input.developerApplicationUrn);
      const store = jobStatusesOf(deps);
      const { status, stored } = await newestReading(deps, app, input, context.cancellationSignal);
      if (!stored) {
        // Newer still was recorded while LinkedIn answered: that reading decides, not this one.
        return {
          listingStatus: status.listingStatus,
          onLinkedIn: status.onLinkedIn,
          drift: null,
          atsStatus: null,
          linkedInShows: null,
          superseded: true,
        };
      }
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

/**
 * The reading the notification stands for, recorded: what it says, as of its first delivery, when that is
 * the newest reading of the job; otherwise (or when it does not say where the listing stands) what
 * LinkedIn shows now. `stored` is false only when a newer reading still came in meanwhile.
 */
async function newestReading(
  deps: ActivityDeps,
  app: DeveloperApplication,
  input: RecordJobStatusChangeInput,
  signal: AbortSignal,
): Promise<{ status: LinkedInJobStatus; stored: boolean }> {
  const store = jobStatusesOf(deps);
  const id = input.externalJobPostingId;
  if (input.carriesListingStatus) {
    const notified = await store.recordNotification(app.urn, input.status, input.receivedAt);
    if (notified.stored) return { status: input.status, stored: true };
    log.info(
      'a newer reading of the job was recorded since this notification was first received: LinkedIn is asked',
      {
        developerApplicationUrn: app.urn,
        externalJobPostingId: id,
        firstReceivedAt: new Date(notified.readAt).toISOString(),
      },
    );
  }
  const { statuses, askedAt } = await askStatuses(deps, app, [id], signal);
  const status = statuses[0] ?? absentStatus(id);
  return { status, stored: (await store.record(app.urn, [status], 'NOTIFICATION', askedAt)).length > 0 };
}
