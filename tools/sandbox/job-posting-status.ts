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

/**
 * The form LinkedIn shows `jobPostingInfo` in, when it is not the form it was sent in (its page promises
 * none): EXPANDED spells the region of a location out ("Austin, TX" → "Austin, Texas, United States"),
 * `listedAtShiftMs` moves listedAt (a time zone, say). For the application's jobs, only
 * `externalJobPostingIds` when given; whatever LinkedIn applies afterwards is shown in this form too.
 */
export const InfoForm = z.object({
  developerApplicationUrn: z.string().min(1),
  externalJobPostingIds: z.array(z.string().min(1)).optional(),
  location: z.literal('EXPANDED').optional(),
  listedAtShiftMs: z.number().int().optional(),
});
export type InfoForm = z.infer<typeof InfoForm>;

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
  /**
   * LinkedIn shows the application's listedAt and location in this form too (see `InfoForm`; a job in
   * several forms gets each); undefined: every job of the application as sent again.
   */
  showInfoAs(
    developerApplicationUrn: string,
    form: Omit<InfoForm, 'developerApplicationUrn'> | undefined,
  ): void;
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
  z.object({ showInfoAs: InfoForm }),
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
  } else if ('showInfoAs' in request) {
    const { developerApplicationUrn, ...form } = request.showInfoAs;
    knobs.showInfoAs(
      developerApplicationUrn,
      form.location === undefined && form.listedAtShiftMs === undefined ? undefined : form,
    );
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
  private forms = new Map<string, Array<Omit<InfoForm, 'developerApplicationUrn'>>>();
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

  showInfoAs(urn: string, form: Omit<InfoForm, 'developerApplicationUrn'> | undefined): void {
    if (form === undefined) this.forms.delete(urn);
    else this.forms.set(urn, [...(this.forms.get(urn) ?? []), form]);
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
    this.forms = new Map();
  }

  /** No delivery is attempted again (the sandbox is closing). */
  stop(): void {
    this.stopped = true;
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

/** Regions as the demo data abbreviates them, and as a page that spells them out shows them. */
const REGIONS: Record<string, string> = {
  CA: 'California, United States',
  NY: 'New York, United States',
  TX: 'Texas, United States',
  WA: 'Washington, United States',
  MA: 'Massachusetts, United States',
  IL: 'Illinois, United States',
  CO: 'Colorado, United States',
  GB: 'England, United Kingdom',
  DE: 'Germany',
  FR: 'France',
  NL: 'Netherlands',
  IE: 'Ireland',
  ON: 'Ontario, Canada',
  SG: 'Singapore',
  AU: 'Australia',
};

/** "Austin, TX" → "Austin, Texas, United States"; a location of another shape gains its country. */
export function expandedLocation(location: string): string {
  const parts = location.split(',').map((part) => part.trim());
  const region = REGIONS[parts[parts.length - 1] ?? ''];
  if (region !== undefined) return [...parts.slice(0, -1), region].join(', ');
  return `${location} (area)`;
}

function key(urn: string, id: string): string {
  return `${urn}\n${id}`;
}
