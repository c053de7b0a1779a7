/**
 * The sandbox's Job Posting Status API and Job Status Change notifications: what it shows for a job comes
 * from what it holds (the job's state, the listedAt and location of the last element it applied), changed
 * by knobs that make jobs drift the way LinkedIn's pages describe, "jobs converting from an on-site to
 * off-site application flow, jobs being reported by members resulting in that job being closed, or the
 * promotion status changed" (Job Status Change Notifications,
 * https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/job-status-change-notifications).
 */
import type { Detail, DriftKnobs, InfoForm, StatusOverride } from './drift-knobs';
import { expandedLocation } from './expanded-location';
import { StatusNotifier, type DeliveredNotification } from './status-notifications';

/** What the sandbox knows of a job beyond its state (see `HeldJob`). */
interface StatusEntry {
  /** From the last CREATE or UPDATE LinkedIn applied, or set by `changeInfo`. */
  listedAt?: number;
  location?: string;
  listingDetail?: Detail;
  applyStatus?: string;
  applyDetail?: Detail;
  promotionStatus?: string;
  promotionDetail?: Detail;
}

/** The job states the status book reads; the sandbox owns them. */
export interface HeldJobs {
  state(developerApplicationUrn: string, externalJobPostingId: string): 'OPEN' | 'CLOSED' | undefined;
  jobPostingUrn(developerApplicationUrn: string, externalJobPostingId: string): string | undefined;
  setState(
    developerApplicationUrn: string,
    externalJobPostingId: string,
    state: 'OPEN' | 'CLOSED' | undefined,
  ): void;
}

/** LinkedIn's limit per jobPostingStatus request (Check Job Posting Statuses, "Maximum limit of 100 jobs"). */
export const MAX_JOBS_PER_STATUS_REQUEST = 100;

export class StatusBook implements DriftKnobs {
  private entries = new Map<string, StatusEntry>();
  private override: StatusOverride | undefined;
  private forms = new Map<string, Array<Omit<InfoForm, 'developerApplicationUrn'>>>();
  private readonly notifier = new StatusNotifier();

  constructor(private readonly jobs: HeldJobs) {}

  // ---- what LinkedIn applied ----

  /** A CREATE or UPDATE LinkedIn applied: it lists the job with what was sent, and its earlier reasons go. */
  applied(urn: string, id: string, sent: { listedAt: unknown; location: unknown }): void {
    const entry = this.entry(urn, id);
    if (typeof sent.listedAt === 'number') entry.listedAt = sent.listedAt;
    if (typeof sent.location === 'string') entry.location = sent.location;
    delete entry.listingDetail;
  }

  // ---- knobs ----

  delist(urn: string, id: string, detail?: Detail): void {
    this.jobs.setState(urn, id, 'CLOSED');
    this.entry(urn, id).listingDetail = detail ?? {
      errorType: 'LINKEDIN_ERROR',
      statusMessage: 'The job was closed after members reported it',
    };
    this.announce(urn, id);
  }

  forget(urn: string, id: string): void {
    this.jobs.setState(urn, id, undefined);
    this.entries.delete(key(urn, id));
  }

  relist(urn: string, id: string): void {
    this.jobs.setState(urn, id, 'OPEN');
    delete this.entry(urn, id).listingDetail;
    this.announce(urn, id);
  }

  changeInfo(urn: string, id: string, info: { listedAt?: number; location?: string }): void {
    const entry = this.entry(urn, id);
    if (info.listedAt !== undefined) entry.listedAt = info.listedAt;
    if (info.location !== undefined) entry.location = info.location;
    this.announce(urn, id);
  }

  setApplyStatus(urn: string, id: string, status: string, detail?: Detail): void {
    const entry = this.entry(urn, id);
    entry.applyStatus = status;
    if (detail) entry.applyDetail = detail;
    else delete entry.applyDetail;
    this.announce(urn, id);
  }

  setPromotionStatus(urn: string, id: string, status: string, detail?: Detail): void {
    const entry = this.entry(urn, id);
    entry.promotionStatus = status;
    if (detail) entry.promotionDetail = detail;
    else delete entry.promotionDetail;
    this.announce(urn, id);
  }

  reportStatusesAs(override: StatusOverride | undefined): void {
    this.override = override;
  }

  showInfoAs(urn: string, form: Omit<InfoForm, 'developerApplicationUrn'> | undefined): void {
    if (form === undefined) this.forms.delete(urn);
    else this.forms.set(urn, [...(this.forms.get(urn) ?? []), form]);
  }

  notifyTo(target: { url: string; secret: string } | undefined): void {
    this.notifier.notifyTo(target);
  }

  // ---- answers ----

  /**
   * LinkedIn's answer for the ids (Check Job Posting Statuses): a result per job it holds, an error entry
   * for the others; field names and values as talent-solutions-java-sdk's JobPostingStatusField.java.
   */
  answer(
    urn: string,
    ids: readonly string[],
  ): { results: Record<string, unknown>; statuses: object; errors: object } {
    const results: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    for (const id of ids) {
      const status = this.statusOf(urn, id);
      if (status === undefined) errors[id] = { status: 404, message: `No job posting found for ${id}` };
      else results[id] = status;
    }
    return { results, statuses: {}, errors };
  }

  notifications(): DeliveredNotification[] {
    return this.notifier.notifications();
  }

  /** Clears the book and the record of notifications; the webhook target stays. */
  reset(): void {
    this.entries = new Map();
    this.notifier.clear();
    this.override = undefined;
    this.forms = new Map();
  }

  /** No delivery is attempted again (the sandbox is closing). */
  stop(): void {
    this.notifier.stop();
  }

  private statusOf(urn: string, id: string): Record<string, unknown> | undefined {
    const state = this.jobs.state(urn, id);
    if (state === undefined) return undefined;
    const entry = this.shown(urn, id, this.entries.get(key(urn, id)) ?? {});
    const listed = state === 'OPEN';
    const jobPostingUrn = this.jobs.jobPostingUrn(urn, id);
    const withType = (detail: Detail | undefined) =>
      detail === undefined
        ? undefined
        : { ...detail, ...(this.override?.errorType ? { errorType: this.override.errorType } : {}) };
    return {
      externalJobPostingId: id,
      ...(listed && jobPostingUrn
        ? {
            jobPostingUrl: `https://www.linkedin.com/jobs/view/${jobPostingUrn.replace('urn:li:jobPosting:', '')}`,
          }
        : {}),
      listingStatus: this.override?.listingStatus ?? (listed ? 'LISTED' : 'NOT_LISTED'),
      ...(entry.listingDetail ? { listingStatusDetail: withType(entry.listingDetail) } : {}),
      linkedInApplyStatus: this.override?.linkedInApplyStatus ?? entry.applyStatus ?? 'NOT_ENABLED',
      ...(entry.applyDetail ? { linkedInApplyStatusDetail: withType(entry.applyDetail) } : {}),
      promotionStatus: this.override?.promotionStatus ?? entry.promotionStatus ?? 'NOT_PROMOTED',
      ...(entry.promotionDetail ? { promotionStatusDetail: withType(entry.promotionDetail) } : {}),
      jobPostingInfo: {
        ...(entry.listedAt === undefined ? {} : { listedAt: entry.listedAt }),
        ...(entry.location === undefined ? {} : { location: entry.location }),
      },
      ...(entry.location === undefined ? {} : { rawLocation: entry.location }),
    };
  }

  /** A JOB_POSTING_STATUS notification for a change LinkedIn made (see StatusNotifier). */
  private announce(urn: string, id: string): void {
    this.notifier.send(() =>
      JSON.stringify({
        developerApplicationUrn: urn,
        externalJobPostingId: id,
        type: 'JOB_POSTING_STATUS',
        ...(this.statusOf(urn, id) ?? { listingStatus: 'NOT_LISTED' }),
      }),
    );
  }

  /** The entry's listedAt and location in the form LinkedIn shows them for this job (see `showInfoAs`). */
  private shown(urn: string, id: string, entry: StatusEntry): StatusEntry {
    let shown = entry;
    for (const form of this.forms.get(urn) ?? []) {
      if (form.externalJobPostingIds && !form.externalJobPostingIds.includes(id)) continue;
      shown = {
        ...shown,
        ...(shown.listedAt === undefined || form.listedAtShiftMs === undefined
          ? {}
          : { listedAt: shown.listedAt + form.listedAtShiftMs }),
        ...(shown.location === undefined || form.location !== 'EXPANDED'
          ? {}
          : { location: expandedLocation(shown.location) }),
      };
    }
    return shown;
  }

  private entry(urn: string, id: string): StatusEntry {
    let entry = this.entries.get(key(urn, id));
    if (entry === undefined) {
      entry = {};
      this.entries.set(key(urn, id), entry);
    }
    return entry;
  }
}

function key(urn: string, id: string): string {
  return `${urn}\n${id}`;
}
