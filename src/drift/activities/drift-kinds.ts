import type { ChangedDifference } from '../../ats/changed-repairs';
import type { JobToCheck } from '../../ats/job-status-store';
import type { LinkedInJobStatus, StatusDetail } from '../../linkedin/job-posting-status';
import type { ShownDifference, StatusProblem } from '../../contract/drift';

export { DRIFT_KINDS, type DriftKind, type ShownDifference, type StatusProblem } from '../../contract/drift';

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

/** What LinkedIn shows against what the ATS holds, for a job `driftOf` finds CHANGED. */
export function changedDifference(job: JobToCheck, status: LinkedInJobStatus): ChangedDifference {
  return {
    externalJobPostingId: job.externalJobPostingId,
    atsListedAt: job.listedAt,
    atsLocation: job.location,
    shownListedAt: status.listedAt,
    shownLocation: status.rawLocation ?? status.location,
  };
}

/** Whether LinkedIn shows the same difference from the same ATS values (exactly as it showed them). */
export function sameDifference(a: ChangedDifference, b: ChangedDifference): boolean {
  return (
    a.atsListedAt === b.atsListedAt &&
    a.atsLocation === b.atsLocation &&
    a.shownListedAt === b.shownListedAt &&
    a.shownLocation === b.shownLocation
  );
}

/**
 * A job whose repair for CHANGED was sent and that LinkedIn shows with the same difference afterwards:
 * it is not sent again, and reported with this message.
 */
export function linkedInShows(difference: ChangedDifference): ShownDifference {
  const parts: string[] = [];
  const { shownLocation, shownListedAt } = difference;
  if (shownLocation !== null && normalise(shownLocation) !== normalise(difference.atsLocation)) {
    parts.push(`location "${shownLocation}" for "${difference.atsLocation}"`);
  }
  if (shownListedAt !== null && shownListedAt !== difference.atsListedAt) {
    parts.push(`listedAt ${isoOrNumber(shownListedAt)} for ${isoOrNumber(difference.atsListedAt)}`);
  }
  return {
    externalJobPostingId: difference.externalJobPostingId,
    message: `LinkedIn shows ${parts.length > 0 ? parts.join(' and ') : 'the same values'}`,
  };
}

function isoOrNumber(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : date.toISOString();
}

/** A job LinkedIn reports with a customer's or partner's error: the ATS should show the message. */
export function problemsOf(status: LinkedInJobStatus): StatusProblem[] {
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
