/**
 * The sandbox's Job Posting Status API and Job Status Change notifications: what it shows for a job comes
 * from what it holds (the job's state, the listedAt and location of the last element it applied), changed
 * by knobs that make jobs drift the way LinkedIn's pages describe, "jobs converting from an on-site to
 * off-site application flow, jobs being reported by members resulting in that job being closed, or the
 * promotion status changed" (Job Status Change Notifications,
 * https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/job-status-change-notifications).
 */
import { z } from 'zod';
import { signNotification } from '../../src/api/signature';

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

export const Detail = z.object({
  errorCode: z.number().int().optional(),
  errorType: z.string().optional(),
  statusMessage: z.string().optional(),
});
export type Detail = z.infer<typeof Detail>;

/** Values the status API answers instead of the documented ones (LinkedIn adding a value, say). */
export const StatusOverride = z.object({
  listingStatus: z.string().optional(),
  linkedInApplyStatus: z.string().optional(),
  promotionStatus: z.string().optional(),
  errorType: z.string().optional(),
});
export type StatusOverride = z.infer<typeof StatusOverride>;

export interface DeliveredNotification {
  seq: number;
  body: string;
  /** The webhook's answer to the last attempt; 0 when it could not be reached. */
  status: number;
  attempts: number;
}

/** The knobs that make jobs drift; each change LinkedIn would announce is sent to the webhook, if set. */
export interface DriftKnobs {
  /** LinkedIn stops listing the job (closed after member reports, say): NOT_LISTED, with this detail. */
  delist(developerApplicationUrn: string, externalJobPostingId: string, detail?: Detail): void;
  /** LinkedIn loses the job altogether: it answers nothing for it. Announced to no one. */
  forget(developerApplicationUrn: string, externalJobPostingId: string): void;
  /** LinkedIn lists the job (again), whatever the ATS says. */
  relist(developerApplicationUrn: string, externalJobPostingId: string): void;
  /** LinkedIn shows another listedAt or location than the ATS sent. */
  changeInfo(
    developerApplicationUrn: string,
    externalJobPostingId: string,
    info: { listedAt?: number; location?: string },
  ): void;
  /** The apply method switched (ENABLED: on LinkedIn; NOT_ENABLED: the ATS's apply URL). */
  setApplyStatus(
    developerApplicationUrn: string,
    externalJobPostingId: string,
    status: string,
    detail?: Detail,
  ): void;
  setPromotionStatus(
    developerApplicationUrn: string,
    externalJobPostingId: string,
    status: string,
    detail?: Detail,
  ): void;
  /** Every status answer (and notification) uses these values instead; undefined turns it off. */
  reportStatusesAs(override: StatusOverride | undefined): void;
  /** Sends a JOB_POSTING_STATUS notification to `url`, signed with `secret`, on every change; undefined stops. */
  notifyTo(target: { url: string; secret: string } | undefined): void;
}

const Target = z.object({
  developerApplicationUrn: z.string().min(1),
  externalJobPostingId: z.string().min(1),
});

/** What `POST /_sandbox/drift` accepts: one knob by name. */
export const AdminDriftRequest = z.union([
  z.object({ delist: Target.extend({ detail: Detail.optional() }) }),
  z.object({ forget: Target }),
  z.object({ relist: Target }),
  z.object({
    changeInfo: Target.extend({ listedAt: z.number().int().optional(), location: z.string().optional() }),
  }),
  z.object({ setApplyStatus: Target.extend({ status: z.string(), detail: Detail.optional() }) }),
  z.object({ setPromotionStatus: Target.extend({ status: z.string(), detail: Detail.optional() }) }),
  z.object({ reportStatusesAs: StatusOverride.nullable() }),
  z.object({ notifyTo: z.object({ url: z.url(), secret: z.string().min(1) }).nullable() }),
]);
export type AdminDriftRequest = z.infer<typeof AdminDriftRequest>;

export function applyAdminDriftRequest(knobs: DriftKnobs, request: AdminDriftRequest): void {
  if ('delist' in request) {
    const { developerApplicationUrn, externalJobPostingId, detail } = request.delist;
    knobs.delist(developerApplicationUrn, externalJobPostingId, detail);
  } else if ('forget' in request) {
    knobs.forget(request.forget.developerApplicationUrn, request.forget.externalJobPostingId);
  } else if ('relist' in request) {
    knobs.relist(request.relist.developerApplicationUrn, request.relist.externalJobPostingId);
  } else if ('changeInfo' in request) {
    const { developerApplicationUrn, externalJobPostingId, listedAt, location } = request.changeInfo;
    knobs.changeInfo(developerApplicationUrn, externalJobPostingId, {
      ...(listedAt === undefined ? {} : { listedAt }),
      ...(location === undefined ? {} : { location }),
    });
  } else if ('setApplyStatus' in request) {
    const { developerApplicationUrn, externalJobPostingId, status, detail } = request.setApplyStatus;
    knobs.setApplyStatus(developerApplicationUrn, externalJobPostingId, status, detail);
  } else if ('setPromotionStatus' in request) {
    const { developerApplicationUrn, externalJobPostingId, status, detail } = request.setPromotionStatus;
    knobs.setPromotionStatus(developerApplicationUrn, externalJobPostingId, status, detail);
  } else if ('reportStatusesAs' in request) {
    knobs.reportStatusesAs(request.reportStatusesAs ?? undefined);
  } else knobs.notifyTo(request.notifyTo ?? undefined);
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
const REDELIVERIES = 3;

export class StatusBook implements DriftKnobs {
  private entries = new Map<string, StatusEntry>();
  private override: StatusOverride | undefined;
  private target: { url: string; secret: string } | undefined;
  private delivered: DeliveredNotification[] = [];
  private seq = 0;
  private readonly deliveries = new Set<Promise<void>>();
  private stopped = false;

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

  notifyTo(target: { url: string; secret: string } | undefined): void {
    this.target = target;
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
    return this.delivered.map((delivery) => ({ ...delivery }));
  }

  /** Clears the book and the record of notifications; the webhook target stays. */
  reset(): void {
    this.entries = new Map();
    this.delivered = [];
    this.override = undefined;
  }

  /** No delivery is attempted again (the sandbox is closing). */
  stop(): void {
    this.stopped = true;
  }

  private statusOf(urn: string, id: string): Record<string, unknown> | undefined {
    const state = this.jobs.state(urn, id);
    if (state === undefined) return undefined;
    const entry = this.entries.get(key(urn, id)) ?? {};
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

  /**
   * A JOB_POSTING_STATUS notification for a change LinkedIn made, signed like the Job Resync ones; any
   * answer but 200 is delivered again (up to 3 more times).
   */
  private announce(urn: string, id: string): void {
    const target = this.target;
    if (target === undefined) return;
    const body = JSON.stringify({
      developerApplicationUrn: urn,
      externalJobPostingId: id,
      type: 'JOB_POSTING_STATUS',
      ...(this.statusOf(urn, id) ?? { listingStatus: 'NOT_LISTED' }),
    });
    const record: DeliveredNotification = { seq: ++this.seq, body, status: 0, attempts: 0 };
    this.delivered.push(record);
    const delivery = this.deliver(target, record).finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  private async deliver(
    target: { url: string; secret: string },
    record: DeliveredNotification,
  ): Promise<void> {
    for (let attempt = 0; attempt <= REDELIVERIES && !this.stopped; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt).unref());
      record.attempts++;
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-LI-Signature': signNotification(target.secret, record.body),
          },
          body: record.body,
          signal: AbortSignal.timeout(10_000),
        });
        record.status = response.status;
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        record.status = 0;
      }
    }
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
