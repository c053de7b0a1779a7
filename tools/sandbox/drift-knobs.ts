/**
 * The knobs that make LinkedIn's side drift from the ATS (see job-posting-status.ts), the forms its
 * answers take, and what `POST /_sandbox/drift` turns of them.
 */
import { z } from 'zod';

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
