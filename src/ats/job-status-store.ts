import { z } from 'zod';
import {
  APPLY_STATUSES,
  DETAIL_ERROR_TYPES,
  LISTING_STATUSES,
  PROMOTION_STATUSES,
  linkedInJobPostingUrl,
  type LinkedInJobStatus,
} from '../linkedin/job-posting-status';
import type { JobStatus } from '../contract/ats-job';
import { type ChangedRepairs, createSqlChangedRepairs } from './changed-repairs';
import type { SqlClient } from './sql-client';
import { epoch } from './sql-values';
import {
  NOTIFICATION_READING_SCHEMA_STATEMENTS,
  recordNotificationReading,
  recordReadings,
} from './status-readings';

/**
 * What LinkedIn showed for each job when last asked (drift check) or told (Job Status Change
 * notification), so the ATS can show it, and when each notification was first received (status-readings.ts).
 * Their rows go with their application.
 */
export const JOB_STATUS_SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS linkedin_job_status (
    developer_application_urn TEXT NOT NULL REFERENCES developer_applications (urn) ON DELETE CASCADE,
    external_job_posting_id TEXT COLLATE "C" NOT NULL,
    on_linkedin BOOLEAN NOT NULL,
    job_posting_url TEXT,
    listing_status TEXT,
    listing_status_detail JSONB,
    linkedin_apply_status TEXT,
    linkedin_apply_status_detail JSONB,
    promotion_status TEXT,
    promotion_status_detail JSONB,
    listed_at BIGINT,
    expire_at BIGINT,
    location TEXT,
    raw_location TEXT,
    source TEXT NOT NULL CHECK (source IN ('DRIFT_CHECK', 'NOTIFICATION')),
    checked_at BIGINT NOT NULL,
    PRIMARY KEY (developer_application_urn, external_job_posting_id)
  )`,
  ...NOTIFICATION_READING_SCHEMA_STATEMENTS,
];

export type StatusSource = 'DRIFT_CHECK' | 'NOTIFICATION';

export interface StoredJobStatus extends LinkedInJobStatus {
  developerApplicationUrn: string;
  source: StatusSource;
  /** Epoch ms when LinkedIn said it. */
  checkedAt: number;
}

/** What a drift check compares for one ATS job. */
export interface JobToCheck {
  externalJobPostingId: string;
  status: JobStatus;
  listedAt: number;
  location: string;
}

export interface JobStatusStore extends ChangedRepairs {
  /**
   * Keeps the newest reading per job, `checkedAt` being when LinkedIn was asked: an older one (a drift
   * check's answer to a question asked before a notification came) never replaces a newer one, and the
   * same reading again (a retried activity) is written again. Returns the ids written.
   */
  record(
    developerApplicationUrn: string,
    statuses: readonly LinkedInJobStatus[],
    source: StatusSource,
    checkedAt: number,
  ): Promise<string[]>;
  /**
   * What a Job Status Change notification says, as a reading of when this very notification was first
   * received (`readAt`): a delivery of it again, however late, never replaces what was read since.
   * `stored` when it is the newest reading of the job (written, or written before by the same delivery).
   */
  recordNotification(
    developerApplicationUrn: string,
    status: LinkedInJobStatus,
    receivedAt: number,
  ): Promise<{ stored: boolean; readAt: number }>;
  get(developerApplicationUrn: string, externalJobPostingId: string): Promise<StoredJobStatus | undefined>;
  /** Every job of the application, open or closed, in id order, strictly after `after`. */
  listJobsToCheck(
    developerApplicationUrn: string,
    page: { after?: string | undefined; limit: number },
  ): Promise<JobToCheck[]>;
  /** Every application the ATS holds, in urn order. */
  listApplicationUrns(): Promise<string[]>;
}

const detail = z
  .unknown()
  .transform((value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value))
  .pipe(
    z
      .object({
        errorCode: z.number().nullable(),
        errorType: z.enum(DETAIL_ERROR_TYPES).nullable(),
        statusMessage: z.string().nullable(),
      })
      .nullable(),
  );

const statusRow = z.object({
  developer_application_urn: z.string(),
  external_job_posting_id: z.string(),
  on_linkedin: z.boolean(),
  job_posting_url: z.string().nullable(),
  listing_status: z.enum(LISTING_STATUSES).nullable(),
  listing_status_detail: detail,
  linkedin_apply_status: z.enum(APPLY_STATUSES).nullable(),
  linkedin_apply_status_detail: detail,
  promotion_status: z.enum(PROMOTION_STATUSES).nullable(),
  promotion_status_detail: detail,
  listed_at: epoch.nullable(),
  expire_at: epoch.nullable(),
  location: z.string().nullable(),
  raw_location: z.string().nullable(),
  source: z.enum(['DRIFT_CHECK', 'NOTIFICATION']),
  checked_at: epoch,
});

const jobRow = z.object({
  external_job_posting_id: z.string(),
  status: z.enum(['OPEN', 'CLOSED']),
  listed_at: epoch,
  location: z.string(),
});

function toStored(row: unknown): StoredJobStatus {
  const r = statusRow.parse(row);
  return {
    developerApplicationUrn: r.developer_application_urn,
    externalJobPostingId: r.external_job_posting_id,
    onLinkedIn: r.on_linkedin,
    // A row written before URLs were checked is served without one that is no https LinkedIn URL.
    jobPostingUrl: linkedInJobPostingUrl(r.job_posting_url) ?? null,
    listingStatus: r.listing_status,
    listingStatusDetail: r.listing_status_detail,
    linkedInApplyStatus: r.linkedin_apply_status,
    linkedInApplyStatusDetail: r.linkedin_apply_status_detail,
    promotionStatus: r.promotion_status,
    promotionStatusDetail: r.promotion_status_detail,
    listedAt: r.listed_at,
    expireAt: r.expire_at,
    location: r.location,
    rawLocation: r.raw_location,
    source: r.source,
    checkedAt: r.checked_at,
  };
}

/** The status table over the job store's own SQL client (PGlite or PostgreSQL). */
export function createSqlJobStatusStore(db: SqlClient): JobStatusStore {
  return {
    ...createSqlChangedRepairs(db),
    record: (urn, statuses, source, checkedAt) => recordReadings(db, urn, statuses, source, checkedAt),
    recordNotification: (urn, status, receivedAt) => recordNotificationReading(db, urn, status, receivedAt),

    async get(urn, id) {
      const { rows } = await db.query<unknown>(
        `SELECT * FROM linkedin_job_status WHERE developer_application_urn = $1 AND external_job_posting_id = $2`,
        [urn, id],
      );
      return rows[0] === undefined ? undefined : toStored(rows[0]);
    },

    async listJobsToCheck(urn, { after, limit }) {
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new RangeError(`limit must be a positive integer, got ${limit}`);
      }
      const { rows } = await db.query<unknown>(
        `SELECT external_job_posting_id, status, listed_at, location FROM jobs
          WHERE developer_application_urn = $1 AND external_job_posting_id > $2
          ORDER BY external_job_posting_id
          LIMIT $3`,
        [urn, after ?? '', limit],
      );
      return rows.map((row) => {
        const r = jobRow.parse(row);
        return {
          externalJobPostingId: r.external_job_posting_id,
          status: r.status,
          listedAt: r.listed_at,
          location: r.location,
        };
      });
    },

    async listApplicationUrns() {
      const { rows } = await db.query<{ urn: string }>('SELECT urn FROM developer_applications ORDER BY urn');
      return rows.map((row) => row.urn);
    },
  };
}
