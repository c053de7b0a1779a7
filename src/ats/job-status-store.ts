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

/**
 * The one table the service writes: what LinkedIn showed for each job when last asked (drift check) or
 * told (Job Status Change notification), so the ATS can show it. Its rows go with their application.
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
  /** Keeps the newest reading per job: an older one (a retried activity) never replaces a newer one. */
  record(
    developerApplicationUrn: string,
    statuses: readonly LinkedInJobStatus[],
    source: StatusSource,
    checkedAt: number,
  ): Promise<void>;
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
    async record(urn, statuses, source, checkedAt) {
      if (statuses.length === 0) return;
      const rows = statuses.map((status) => ({
        external_job_posting_id: status.externalJobPostingId,
        on_linkedin: status.onLinkedIn,
        // Only an https LinkedIn URL is kept; the readers of LinkedIn's answers warn of the others.
        job_posting_url: linkedInJobPostingUrl(status.jobPostingUrl) ?? null,
        listing_status: status.listingStatus,
        listing_status_detail: status.listingStatusDetail,
        linkedin_apply_status: status.linkedInApplyStatus,
        linkedin_apply_status_detail: status.linkedInApplyStatusDetail,
        promotion_status: status.promotionStatus,
        promotion_status_detail: status.promotionStatusDetail,
        listed_at: status.listedAt,
        expire_at: status.expireAt,
        location: status.location,
        raw_location: status.rawLocation,
      }));
      // One statement for the whole page; the ids are unique per call (a page of the ATS, or one job).
      await db.query(
        `INSERT INTO linkedin_job_status AS s (developer_application_urn, external_job_posting_id, on_linkedin,
           job_posting_url, listing_status, listing_status_detail, linkedin_apply_status,
           linkedin_apply_status_detail, promotion_status, promotion_status_detail, listed_at, expire_at,
           location, raw_location, source, checked_at)
         SELECT $1, r.external_job_posting_id, r.on_linkedin, r.job_posting_url, r.listing_status,
                r.listing_status_detail, r.linkedin_apply_status, r.linkedin_apply_status_detail,
                r.promotion_status, r.promotion_status_detail, r.listed_at, r.expire_at, r.location,
                r.raw_location, $2, $3
           FROM jsonb_to_recordset($4::text::jsonb) AS r(
                external_job_posting_id text, on_linkedin boolean, job_posting_url text, listing_status text,
                listing_status_detail jsonb, linkedin_apply_status text, linkedin_apply_status_detail jsonb,
                promotion_status text, promotion_status_detail jsonb, listed_at bigint, expire_at bigint,
                location text, raw_location text)
         ON CONFLICT (developer_application_urn, external_job_posting_id) DO UPDATE SET
           on_linkedin = EXCLUDED.on_linkedin,
           job_posting_url = EXCLUDED.job_posting_url,
           listing_status = EXCLUDED.listing_status,
           listing_status_detail = EXCLUDED.listing_status_detail,
           linkedin_apply_status = EXCLUDED.linkedin_apply_status,
           linkedin_apply_status_detail = EXCLUDED.linkedin_apply_status_detail,
           promotion_status = EXCLUDED.promotion_status,
           promotion_status_detail = EXCLUDED.promotion_status_detail,
           listed_at = EXCLUDED.listed_at,
           expire_at = EXCLUDED.expire_at,
           location = EXCLUDED.location,
           raw_location = EXCLUDED.raw_location,
           source = EXCLUDED.source,
           checked_at = EXCLUDED.checked_at
         WHERE s.checked_at <= EXCLUDED.checked_at`,
        [urn, source, checkedAt, JSON.stringify(rows)],
      );
    },

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
