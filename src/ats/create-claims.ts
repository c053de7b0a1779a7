import { z } from 'zod';
import type { SqlClient } from './sql-client';
import { epoch } from './sql-values';

/**
 * The CREATEs the service sent, per application and job, whoever sent them: every resync of an application
 * (notifications, drift and status repairs, rounds, several workers) claims a job here, in the application's
 * lane, before its CREATE leaves, so a job LinkedIn lacks is CREATEd once. A claim is released when
 * LinkedIn took nothing of it (a refusal, a throttle), and lapses after CREATE_CLAIM_TTL_MS: a CREATE still
 * unconfirmed by then is taken as lost.
 */
export const CREATE_CLAIM_SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS linkedin_creates (
    developer_application_urn TEXT NOT NULL REFERENCES developer_applications (urn) ON DELETE CASCADE,
    external_job_posting_id TEXT COLLATE "C" NOT NULL,
    sent_by TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (developer_application_urn, external_job_posting_id)
  )`,
];

/**
 * How long a claim stops another CREATE of the job: LinkedIn's tasks usually end within 5 minutes (Check
 * Job Operation Task Status); an hour covers a slow day, and after it a lost CREATE may be sent again.
 */
export const CREATE_CLAIM_TTL_MS = 60 * 60_000;

/** A CREATE another resync sent already. */
export interface CreateSentBefore {
  externalJobPostingId: string;
  sentBy: string;
  sentAt: number;
}

export interface CreateClaims {
  /**
   * Claims the jobs for `sentBy` (the resync's workflow id): those with no claim, or a lapsed one, or one of
   * `sentBy`'s own. The rest were CREATEd by another resync lately, and are not to be CREATEd again.
   */
  claim(
    developerApplicationUrn: string,
    ids: readonly string[],
    sentBy: string,
    now: number,
  ): Promise<{ claimed: string[]; sentBefore: CreateSentBefore[] }>;
  /** LinkedIn took none of these CREATEs: another resync (or a retry) may send them. */
  release(developerApplicationUrn: string, ids: readonly string[], sentBy: string): Promise<void>;
  /** LinkedIn's side was reset (a sandbox between tests): every claim is forgotten. */
  forgetAll(): Promise<void>;
}

const claimRow = z.object({
  external_job_posting_id: z.string(),
  sent_by: z.string(),
  sent_at: epoch,
});

export function createSqlCreateClaims(db: SqlClient): CreateClaims {
  return {
    async claim(urn, ids, sentBy, now) {
      if (ids.length === 0) return { claimed: [], sentBefore: [] };
      // One statement: a row is taken only if free, lapsed or the caller's own, whatever runs beside it.
      const { rows } = await db.query<{ external_job_posting_id: string }>(
        `INSERT INTO linkedin_creates (developer_application_urn, external_job_posting_id, sent_by, sent_at)
           SELECT $1, id, $3, $4 FROM unnest($2::text[]) AS id
         ON CONFLICT (developer_application_urn, external_job_posting_id) DO UPDATE
           SET sent_by = EXCLUDED.sent_by, sent_at = EXCLUDED.sent_at
           WHERE linkedin_creates.sent_at < $5 OR linkedin_creates.sent_by = EXCLUDED.sent_by
         RETURNING external_job_posting_id`,
        [urn, [...ids], sentBy, now, now - CREATE_CLAIM_TTL_MS],
      );
      const claimed = new Set(rows.map((row) => row.external_job_posting_id));
      const others = ids.filter((id) => !claimed.has(id));
      if (others.length === 0) return { claimed: [...claimed], sentBefore: [] };
      const held = await db.query<unknown>(
        `SELECT external_job_posting_id, sent_by, sent_at FROM linkedin_creates
          WHERE developer_application_urn = $1 AND external_job_posting_id = ANY($2::text[])`,
        [urn, others],
      );
      const sentBefore = held.rows.map((row) => {
        const r = claimRow.parse(row);
        return { externalJobPostingId: r.external_job_posting_id, sentBy: r.sent_by, sentAt: r.sent_at };
      });
      return { claimed: ids.filter((id) => claimed.has(id)), sentBefore };
    },

    async forgetAll() {
      await db.query(`DELETE FROM linkedin_creates`);
    },

    async release(urn, ids, sentBy) {
      if (ids.length === 0) return;
      await db.query(
        `DELETE FROM linkedin_creates
          WHERE developer_application_urn = $1 AND external_job_posting_id = ANY($2::text[]) AND sent_by = $3`,
        [urn, [...ids], sentBy],
      );
    },
  };
}
