import { createHash } from 'node:crypto';
import { linkedInJobPostingUrl, type LinkedInJobStatus } from '../linkedin/job-posting-status';
import type { SqlClient } from './sql-client';
import { epoch } from './sql-values';

/**
 * How readings of LinkedIn's job status are written into linkedin_job_status (src/ats/job-status-store.ts):
 * each only over a reading no newer, checked and written in one statement, and a Job Status Change
 * notification as a reading of when it was first received.
 */
export const NOTIFICATION_READING_SCHEMA_STATEMENTS: readonly string[] = [
  // When each distinct Job Status Change notification (by digest of what it says) was first received: a
  // delivery of it again is a reading of then, not of now (a notification carries no time of its own).
  `CREATE TABLE IF NOT EXISTS linkedin_status_notifications (
    developer_application_urn TEXT NOT NULL REFERENCES developer_applications (urn) ON DELETE CASCADE,
    external_job_posting_id TEXT COLLATE "C" NOT NULL,
    digest TEXT NOT NULL,
    first_received_at BIGINT NOT NULL,
    PRIMARY KEY (developer_application_urn, external_job_posting_id, digest)
  )`,
];

/** A reading as the rows of `jsonb_to_recordset` in `upsertStatuses`. */
function statusRows(statuses: readonly LinkedInJobStatus[]): string {
  return JSON.stringify(
    statuses.map((status) => ({
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
    })),
  );
}

/**
 * Writes the readings of `$4` (rows of `statusRows`) for application `$1`, source `$2`, read at
 * `checkedAt` (an SQL expression), into linkedin_job_status, each only over a reading no newer: the check
 * and the write are one statement, so of two readings written at once the newer stays. Returns the ids
 * written.
 */
const upsertStatuses = (checkedAt: string, from = '') =>
  `INSERT INTO linkedin_job_status AS s (developer_application_urn, external_job_posting_id, on_linkedin,
     job_posting_url, listing_status, listing_status_detail, linkedin_apply_status,
     linkedin_apply_status_detail, promotion_status, promotion_status_detail, listed_at, expire_at,
     location, raw_location, source, checked_at)
   SELECT $1, r.external_job_posting_id, r.on_linkedin, r.job_posting_url, r.listing_status,
          r.listing_status_detail, r.linkedin_apply_status, r.linkedin_apply_status_detail,
          r.promotion_status, r.promotion_status_detail, r.listed_at, r.expire_at, r.location,
          r.raw_location, $2, ${checkedAt}
     FROM ${from} jsonb_to_recordset($4::text::jsonb) AS r(
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
   WHERE s.checked_at <= EXCLUDED.checked_at
   RETURNING s.external_job_posting_id`;

/** What a notification says, as one text: the same notification delivered again has the same digest. */
function digestOf(status: LinkedInJobStatus): string {
  return createHash('sha256').update(JSON.stringify(status)).digest('hex');
}

/** Writes readings taken at `checkedAt`, each only over a reading no newer; returns the ids written. */
export async function recordReadings(
  db: SqlClient,
  urn: string,
  statuses: readonly LinkedInJobStatus[],
  source: 'DRIFT_CHECK' | 'NOTIFICATION',
  checkedAt: number,
): Promise<string[]> {
  if (statuses.length === 0) return [];
  // One statement for the whole page; the ids are unique per call (a page of the ATS, or one job).
  const { rows } = await db.query<{ external_job_posting_id: string }>(upsertStatuses('$3'), [
    urn,
    source,
    checkedAt,
    statusRows(statuses),
  ]);
  return rows.map((row) => row.external_job_posting_id);
}

/**
 * What a notification says, as a reading of when this very notification was first received: the time
 * remembered and the reading written in one statement.
 */
export async function recordNotificationReading(
  db: SqlClient,
  urn: string,
  status: LinkedInJobStatus,
  receivedAt: number,
): Promise<{ stored: boolean; readAt: number }> {
  const { rows } = await db.query<{ read_at: unknown; stored: unknown }>(
    `WITH seen AS (
       INSERT INTO linkedin_status_notifications AS n
         (developer_application_urn, external_job_posting_id, digest, first_received_at)
       VALUES ($1, $5, $6, $3)
       ON CONFLICT (developer_application_urn, external_job_posting_id, digest) DO UPDATE
         SET first_received_at = LEAST(n.first_received_at, EXCLUDED.first_received_at)
       RETURNING first_received_at
     ), stored AS (${upsertStatuses('seen.first_received_at', 'seen,')})
     SELECT (SELECT first_received_at FROM seen) AS read_at, (SELECT count(*) FROM stored) AS stored`,
    [urn, 'NOTIFICATION', receivedAt, statusRows([status]), status.externalJobPostingId, digestOf(status)],
  );
  const [row] = rows;
  return { stored: Number(row?.stored) > 0, readAt: epoch.parse(row?.read_at) };
}
