import { Context } from '@temporalio/activity';
import type { DeveloperApplication } from '../ats/job-store';
import type { JobStatusStore, JobToCheck } from '../ats/job-status-store';
import {
  absentStatus,
  jobStatusChunks,
  type LinkedInJobStatus,
  type StatusDetail,
} from '../linkedin/job-posting-status';
import { applicationOf, type ActivityDeps } from './deps';
import { toActivityFailure } from './failures';

/**
 * How a job's LinkedIn side differs from the ATS, and how the repair goes (through resyncJobs):
 * - NOT_LISTED: open in the ATS, NOT_LISTED or absent on LinkedIn → UPDATE (CREATE when LinkedIn lacks it);
 * - CLOSED_BUT_LISTED: closed in the ATS, LISTED on LinkedIn → CLOSE (resyncJobs sends closed jobs so);
 * - CHANGED: listed with another listedAt or location than the ATS's → UPDATE.
 */
export type DriftKind = 'NOT_LISTED' | 'CLOSED_BUT_LISTED' | 'CHANGED';
export const DRIFT_KINDS: readonly DriftKind[] = ['NOT_LISTED', 'CLOSED_BUT_LISTED', 'CHANGED'];

/**
 * The drift of one job, or undefined when LinkedIn shows what the ATS holds. IN_PROGRESS and UNKNOWN
 * listings are left alone: LinkedIn is still working on the job, or says something we cannot read; the
 * next check looks again. LinkedIn's `rawLocation` (the location as sent) is compared when present,
 * otherwise the location it shows.
 */
export function driftOf(
  job: Pick<JobToCheck, 'status' | 'listedAt' | 'location'>,
  status: LinkedInJobStatus,
) {
  if (job.status === 'CLOSED') {
    return status.onLinkedIn && status.listingStatus === 'LISTED'
      ? ('CLOSED_BUT_LISTED' as const)
      : undefined;
  }
  if (!status.onLinkedIn || status.listingStatus === 'NOT_LISTED') return 'NOT_LISTED' as const;
  if (status.listingStatus !== 'LISTED') return undefined;
  if (status.listedAt !== null && status.listedAt !== job.listedAt) return 'CHANGED' as const;
  const shown = status.rawLocation ?? status.location;
  if (shown !== null && normalise(shown) !== normalise(job.location)) return 'CHANGED' as const;
  return undefined;
}

function normalise(location: string): string {
  return location.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A job LinkedIn reports with a customer's or partner's error: the ATS should show the message. */
export interface StatusProblem {
  externalJobPostingId: string;
  field: 'listingStatus' | 'linkedInApplyStatus' | 'promotionStatus';
  errorType: 'CUSTOMER_ERROR' | 'PARTNER_ERROR';
  errorCode: number | null;
  message: string | null;
}

function problemsOf(status: LinkedInJobStatus): StatusProblem[] {
  const details: Array<[StatusProblem['field'], StatusDetail | null]> = [
    ['listingStatus', status.listingStatusDetail],
    ['linkedInApplyStatus', status.linkedInApplyStatusDetail],
    ['promotionStatus', status.promotionStatusDetail],
  ];
  const problems: StatusProblem[] = [];
  for (const [field, detail] of details) {
    if (detail?.errorType === 'CUSTOMER_ERROR' || detail?.errorType === 'PARTNER_ERROR') {
      problems.push({
        externalJobPostingId: status.externalJobPostingId,
        field,
        errorType: detail.errorType,
        errorCode: detail.errorCode,
        message: detail.statusMessage,
      });
    }
  }
  return problems;
}

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
}

export interface RecordDriftCheckInput {
  developerApplicationUrn: string;
  checked: number;
  repaired: Record<DriftKind, number>;
}

const HEARTBEAT_EVERY_MS = 1_000;

/** The drift check's and the status notifications' activities. */
export function createDriftActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;

  function statuses(): JobStatusStore {
    if (!deps.jobStatuses) throw new Error('the worker was built without the linkedin_job_status store');
    return deps.jobStatuses;
  }

  /** One jobPostingStatus call (≤ 100 ids) in the application's lane; a refused token is renewed once. */
  async function ask(
    app: DeveloperApplication,
    ids: string[],
    signal: AbortSignal,
  ): Promise<LinkedInJobStatus[]> {
    return deps.lanes.run(app.urn, signal, () =>
      deps.tokens.withToken(app, (token) => deps.linkedin.getJobPostingStatuses(token, ids, signal), signal),
    );
  }

  return {
    /**
     * One page of the application's ATS jobs (open and closed): asks LinkedIn what it shows for them,
     * 100 a call, records it in linkedin_job_status and says which jobs drifted. Ids and kinds only go
     * back to the workflow.
     */
    checkDriftPage: async (input: CheckDriftPageInput): Promise<CheckDriftPageOutput> => {
      const context = Context.current();
      const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const app = await applicationOf(deps, input.developerApplicationUrn);
        const jobs = await statuses().listJobsToCheck(app.urn, { after: input.after, limit: input.limit });
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
          const answered = await ask(app, ids, context.cancellationSignal);
          await statuses().record(app.urn, answered, 'DRIFT_CHECK', now());
          for (const status of answered) {
            const job = byId.get(status.externalJobPostingId);
            if (!job) continue;
            output.problems.push(...problemsOf(status));
            const kind = driftOf(job, status);
            if (kind) output.drifted.push({ externalJobPostingId: job.externalJobPostingId, kind });
            else if (job.status === 'OPEN' && status.listingStatus !== 'LISTED') output.undecided++;
            else output.inSync++;
          }
        }
        return output;
      } catch (error) {
        throw toActivityFailure(error);
      } finally {
        clearInterval(heartbeat);
      }
    },

    /**
     * Records what a Job Status Change notification says (asking the status API when it does not say
     * where the listing stands) and tells whether the job drifted from the ATS.
     */
    recordJobStatusChange: async (
      input: RecordJobStatusChangeInput,
    ): Promise<RecordJobStatusChangeOutput> => {
      const context = Context.current();
      try {
        const app = await applicationOf(deps, input.developerApplicationUrn);
        let status = input.status;
        let checkedAt = input.receivedAt;
        if (!input.carriesListingStatus) {
          const [asked] = await ask(app, [input.externalJobPostingId], context.cancellationSignal);
          status = asked ?? absentStatus(input.externalJobPostingId);
          checkedAt = now();
        }
        await statuses().record(app.urn, [status], 'NOTIFICATION', checkedAt);
        const [job] = await deps.jobs.loadJobs(app.urn, [input.externalJobPostingId]);
        return {
          listingStatus: status.listingStatus,
          onLinkedIn: status.onLinkedIn,
          drift: job ? (driftOf(job, status) ?? null) : null,
          atsStatus: job?.status ?? null,
        };
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    /** Counts a finished drift check for the worker's /metrics (once, unlike workflow code). */
    recordDriftCheck: (input: RecordDriftCheckInput): Promise<void> => {
      const { metricMeter } = Context.current();
      metricMeter
        .createCounter(
          'drift_checked_jobs',
          'jobs',
          'Jobs whose LinkedIn status a drift check compared with the ATS',
        )
        .add(input.checked);
      const repaired = metricMeter.createCounter(
        'drift_repaired_jobs',
        'jobs',
        'Drifted jobs a drift check sent again, by kind of drift',
      );
      for (const kind of DRIFT_KINDS) {
        if (input.repaired[kind] > 0) repaired.add(input.repaired[kind], { kind });
      }
      return Promise.resolve();
    },
  };
}

export type DriftActivities = ReturnType<typeof createDriftActivities>;
