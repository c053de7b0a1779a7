/**
 * What LinkedIn shows for a job right now: the Job Posting Status API and the Job Status Change
 * notification read into one shape. Sources:
 * - Check Job Posting Statuses (https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/check-job-posting-status):
 *   `GET /v2/jobPostingStatus?ids=…` with the child application's token, at most 100 jobs a request,
 *   414 over 4 KB of query string, 1,000,000 calls a day per application;
 * - Job Status Change Notifications (https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/job-status-change-notifications):
 *   `type: JOB_POSTING_STATUS`, `developerApplicationUrn` and `externalJobPostingId` required;
 * - the field list and enum values of linkedin/talent-solutions-java-sdk (`jobpostingstatus/*.java`), which
 *   maps any value it does not know to UNKNOWN: so do we, a new value is never a broken answer.
 */
import { z } from 'zod';
import { boundedId, developerApplicationUrn } from '../contract/notification';
import { droppedJobPostingUrl, linkedInJobPostingUrl } from './job-posting-url';

export { droppedJobPostingUrl, linkedInJobPostingUrl, MAX_JOB_POSTING_URL_LENGTH } from './job-posting-url';

/** LinkedIn's limit on one jobPostingStatus request. */
export const MAX_JOBS_PER_STATUS_CALL = 100;

export const LISTING_STATUSES = ['LISTED', 'NOT_LISTED', 'IN_PROGRESS', 'UNKNOWN'] as const;
export const APPLY_STATUSES = ['ENABLED', 'NOT_ENABLED', 'IN_PROGRESS', 'UNKNOWN'] as const;
export const PROMOTION_STATUSES = ['PROMOTED', 'NOT_PROMOTED', 'UNKNOWN'] as const;
export const DETAIL_ERROR_TYPES = ['CUSTOMER_ERROR', 'PARTNER_ERROR', 'LINKEDIN_ERROR', 'UNKNOWN'] as const;

export type ListingStatus = (typeof LISTING_STATUSES)[number];
export type LinkedInApplyStatus = (typeof APPLY_STATUSES)[number];
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];
export type DetailErrorType = (typeof DETAIL_ERROR_TYPES)[number];

/** A value of the enum, UNKNOWN for any other string, null when absent. */
function tolerantEnum<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .unknown()
    .optional()
    .transform((value): T[number] | null =>
      value === undefined || value === null
        ? null
        : typeof value === 'string' && values.includes(value)
          ? value
          : 'UNKNOWN',
    );
}

/**
 * The longest text of a job's status the service keeps (a location, a status message): it is stored,
 * compared, logged and shown in summaries. LinkedIn's are a line long.
 */
export const MAX_STATUS_TEXT_LENGTH = 1_000;

/**
 * How a status is read: LinkedIn's status answers `tolerantly` (a text over the limit reads as absent, as
 * an unknown value does), a notification `strictly` (a text over the limit is refused, naming the field,
 * as its ids are).
 */
type Reading = 'tolerantly' | 'strictly';

/** A text of the status: null when absent or blank; over MAX_STATUS_TEXT_LENGTH, see `Reading`. */
function readText(value: unknown, field: string, reading: Reading, ctx: z.RefinementCtx): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (value.length <= MAX_STATUS_TEXT_LENGTH) return value;
  if (reading === 'strictly') {
    ctx.addIssue({
      code: 'custom',
      message: `${field} is longer than ${MAX_STATUS_TEXT_LENGTH} characters (${value.length})`,
    });
  }
  return null;
}

const optionalText = (field: string, reading: Reading) =>
  z
    .unknown()
    .optional()
    .transform((value, ctx) => readText(value, field, reading, ctx));

const JobPostingUrl = z
  .unknown()
  .optional()
  .transform((value) => linkedInJobPostingUrl(value) ?? null);

const optionalEpoch = z
  .unknown()
  .optional()
  .transform((value) =>
    typeof value === 'number' && Number.isSafeInteger(value)
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : null,
  );

export interface StatusDetail {
  errorCode: number | null;
  errorType: DetailErrorType | null;
  statusMessage: string | null;
}

const statusDetail = (field: string, reading: Reading) =>
  z
    .unknown()
    .optional()
    .transform((value, ctx): StatusDetail | null => {
      if (typeof value !== 'object' || value === null) return null;
      const detail = value as Record<string, unknown>;
      const code = detail.errorCode;
      return {
        errorCode: typeof code === 'number' && Number.isInteger(code) ? code : null,
        errorType: tolerantEnum(DETAIL_ERROR_TYPES).parse(detail.errorType),
        statusMessage: readText(detail.statusMessage, `${field}.statusMessage`, reading, ctx),
      };
    });

const jobPostingInfo = (reading: Reading) =>
  z
    .unknown()
    .optional()
    .transform(
      (value, ctx): { listedAt: number | null; expireAt: number | null; location: string | null } => {
        const info = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
        return {
          listedAt: optionalEpoch.parse(info.listedAt),
          expireAt: optionalEpoch.parse(info.expireAt),
          location: readText(info.location, 'jobPostingInfo.location', reading, ctx),
        };
      },
    );

/** The fields a job's status carries, in the status API's answer and in a notification alike. */
const statusFields = (reading: Reading) => ({
  jobPostingUrl: JobPostingUrl,
  listingStatus: tolerantEnum(LISTING_STATUSES),
  listingStatusDetail: statusDetail('listingStatusDetail', reading),
  linkedInApplyStatus: tolerantEnum(APPLY_STATUSES),
  linkedInApplyStatusDetail: statusDetail('linkedInApplyStatusDetail', reading),
  promotionStatus: tolerantEnum(PROMOTION_STATUSES),
  promotionStatusDetail: statusDetail('promotionStatusDetail', reading),
  jobPostingInfo: jobPostingInfo(reading),
  /** The location as the partner sent it (JobPostingStatusField.java); `location` is LinkedIn's reading. */
  rawLocation: optionalText('rawLocation', reading),
});

const JobStatusFields = z.object(statusFields('tolerantly'));

/** What LinkedIn shows for one job, as the service keeps it. */
export interface LinkedInJobStatus {
  externalJobPostingId: string;
  /** False when LinkedIn answered that it holds no such job. */
  onLinkedIn: boolean;
  jobPostingUrl: string | null;
  listingStatus: ListingStatus | null;
  listingStatusDetail: StatusDetail | null;
  linkedInApplyStatus: LinkedInApplyStatus | null;
  linkedInApplyStatusDetail: StatusDetail | null;
  promotionStatus: PromotionStatus | null;
  promotionStatusDetail: StatusDetail | null;
  listedAt: number | null;
  expireAt: number | null;
  location: string | null;
  rawLocation: string | null;
}

function toStatus(id: string, fields: z.infer<typeof JobStatusFields>): LinkedInJobStatus {
  return {
    externalJobPostingId: id,
    onLinkedIn: true,
    jobPostingUrl: fields.jobPostingUrl,
    listingStatus: fields.listingStatus,
    listingStatusDetail: fields.listingStatusDetail,
    linkedInApplyStatus: fields.linkedInApplyStatus,
    linkedInApplyStatusDetail: fields.linkedInApplyStatusDetail,
    promotionStatus: fields.promotionStatus,
    promotionStatusDetail: fields.promotionStatusDetail,
    ...fields.jobPostingInfo,
    rawLocation: fields.rawLocation,
  };
}

/** A job LinkedIn does not hold: no result for it, or an error entry. */
export function absentStatus(externalJobPostingId: string): LinkedInJobStatus {
  return {
    externalJobPostingId,
    onLinkedIn: false,
    jobPostingUrl: null,
    listingStatus: null,
    listingStatusDetail: null,
    linkedInApplyStatus: null,
    linkedInApplyStatusDetail: null,
    promotionStatus: null,
    promotionStatusDetail: null,
    listedAt: null,
    expireAt: null,
    location: null,
    rawLocation: null,
  };
}

/** Told of a `jobPostingUrl` that was dropped (not an https LinkedIn URL): the job, and the URL cut short. */
export type DroppedUrlListener = (externalJobPostingId: string, jobPostingUrl: string) => void;

/** `{results: {id: {...}}, statuses, errors}`, as JobPostingStatusResponse.java declares it. */
export const JobPostingStatusResponse = z.object({
  results: z.record(z.string(), z.unknown()),
  statuses: z.record(z.string(), z.unknown()).optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
});

/**
 * One status per asked id: LinkedIn's result read tolerantly, or absent when LinkedIn has none (an
 * `errors` entry or nothing at all). A result that is not an object reads as a job with no known status.
 */
export function readJobPostingStatuses(
  response: z.infer<typeof JobPostingStatusResponse>,
  ids: readonly string[],
  onDroppedUrl?: DroppedUrlListener,
): LinkedInJobStatus[] {
  return ids.map((id) => {
    if (!Object.hasOwn(response.results, id)) return absentStatus(id);
    const result = response.results[id];
    const dropped = droppedJobPostingUrl((result as { jobPostingUrl?: unknown } | null)?.jobPostingUrl);
    if (dropped !== undefined) onDroppedUrl?.(id, dropped);
    const parsed = JobStatusFields.safeParse(result ?? {});
    return toStatus(id, parsed.success ? parsed.data : JobStatusFields.parse({}));
  });
}

/** The query string of one jobPostingStatus call (ids repeated, as the SDK's JobPostingClientImpl sends them). */
export function jobStatusQuery(ids: readonly string[]): string {
  return ids.map((id) => `ids=${encodeURIComponent(id)}`).join('&');
}

/**
 * Splits ids into requests of at most 100 jobs whose query string stays within 4 KB.
 */
export function jobStatusChunks(ids: readonly string[], maxBytes = 4096): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const id of ids) {
    const part = `ids=${encodeURIComponent(id)}`.length;
    if (current.length > 0 && (current.length >= MAX_JOBS_PER_STATUS_CALL || size + 1 + part > maxBytes)) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    size += current.length === 0 ? part : part + 1;
    current.push(id);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export const JOB_POSTING_STATUS_TYPE = 'JOB_POSTING_STATUS';

/**
 * A Job Status Change notification. Only the three required fields are required; the statuses, when the
 * notification carries them, are read like the status API's (the page's table lists `jobPostingInfo` and
 * `jobPostingUrl`; the rest of its fields are read the same way when present).
 */
export const JobStatusChangeNotification = z
  .object({
    developerApplicationUrn: developerApplicationUrn(
      'developerApplicationUrn',
      'developerApplicationUrn is required',
    ),
    type: z.literal(JOB_POSTING_STATUS_TYPE),
    // At most MAX_ID_LENGTH characters: the id is logged, summarized and stored.
    externalJobPostingId: boundedId('externalJobPostingId', 'externalJobPostingId is required').min(1, {
      error: 'externalJobPostingId must not be empty',
    }),
    ...statusFields('strictly'),
  })
  .transform((notification) => ({
    developerApplicationUrn: notification.developerApplicationUrn,
    externalJobPostingId: notification.externalJobPostingId,
    status: toStatus(notification.externalJobPostingId, notification),
    /** Whether it says where the listing stands; when not, the service asks the status API. */
    carriesListingStatus: notification.listingStatus !== null,
  }));
export type JobStatusChangeNotification = z.output<typeof JobStatusChangeNotification>;
