import { z } from 'zod';
import type { SqlClient } from './sql-client';
import { epoch } from './sql-values';

/**
 * What drift checks noted of the jobs LinkedIn shows CHANGED, and whether a repair re-posted them, so a job
 * that still shows the same difference is not re-posted at every check (docs/drift.md). Beside
 * linkedin_job_status, in the same stores.
 */
export const CHANGED_REPAIRS_SCHEMA_STATEMENTS: readonly string[] = [
  // The last CHANGED difference a drift check found per job, and whether its repair re-posted the job: the
  // next check does not re-post a job that still shows the same difference (docs/drift.md).
  `CREATE TABLE IF NOT EXISTS linkedin_changed_repairs (
    developer_application_urn TEXT NOT NULL REFERENCES developer_applications (urn) ON DELETE CASCADE,
    external_job_posting_id TEXT COLLATE "C" NOT NULL,
    ats_listed_at BIGINT NOT NULL,
    ats_location TEXT NOT NULL,
    shown_listed_at BIGINT,
    shown_location TEXT,
    noted_by TEXT NOT NULL,
    noted_at BIGINT NOT NULL,
    repaired_at BIGINT,
    PRIMARY KEY (developer_application_urn, external_job_posting_id)
  )`,
];

/**
 * How a CHANGED job differs: the ATS's listedAt and location, and what LinkedIn showed for them (its
 * `rawLocation` when given, otherwise `location`; null when it showed none).
 */
export interface ChangedDifference {
  externalJobPostingId: string;
  atsListedAt: number;
  atsLocation: string;
  shownListedAt: number | null;
  shownLocation: string | null;
}

/** A difference a drift check noted; `repairedAt` once the check's repair re-posted the job. */
export interface NotedDifference extends ChangedDifference {
  notedBy: string;
  repairedAt: number | null;
}

export interface ChangedRepairs {
  /**
   * The CHANGED differences a drift check (`checkId`) found, before its repair: each replaces what was
   * noted for its job, not yet repaired.
   */
  noteDifferences(
    developerApplicationUrn: string,
    checkId: string,
    differences: readonly ChangedDifference[],
    at: number,
  ): Promise<void>;
  /** What is noted for these jobs (those with nothing noted are absent). */
  notedDifferences(developerApplicationUrn: string, ids: readonly string[]): Promise<NotedDifference[]>;
  /** What `checkId` noted for these jobs is marked re-posted (a later check's note is left alone). */
  markRepaired(
    developerApplicationUrn: string,
    checkId: string,
    ids: readonly string[],
    at: number,
  ): Promise<void>;
  /** Forgets what is noted for these jobs (LinkedIn shows what the ATS holds again). */
  forgetDifferences(developerApplicationUrn: string, ids: readonly string[]): Promise<void>;
}

const differenceRow = z.object({
  external_job_posting_id: z.string(),
  ats_listed_at: epoch,
  ats_location: z.string(),
  shown_listed_at: epoch.nullable(),
  shown_location: z.string().nullable(),
  noted_by: z.string(),
  repaired_at: epoch.nullable(),
});

function toNoted(row: unknown): NotedDifference {
  const r = differenceRow.parse(row);
  return {
    externalJobPostingId: r.external_job_posting_id,
    atsListedAt: r.ats_listed_at,
    atsLocation: r.ats_location,
    shownListedAt: r.shown_listed_at,
    shownLocation: r.shown_location,
    notedBy: r.noted_by,
    repairedAt: r.repaired_at,
  };
}

export function createSqlChangedRepairs(db: SqlClient): ChangedRepairs {
  return {
    async noteDifferences(urn, checkId, differences, at) {
      if (differences.length === 0) return;
      const rows = differences.map((d) => ({
        external_job_posting_id: d.externalJobPostingId,
        ats_listed_at: d.atsListedAt,
        ats_location: d.atsLocation,
        shown_listed_at: d.shownListedAt,
        shown_location: d.shownLocation,
      }));
      // One statement a page; the ids are unique per call (one page of the ATS).
      await db.query(
        `INSERT INTO linkedin_changed_repairs (developer_application_urn, external_job_posting_id,
           ats_listed_at, ats_location, shown_listed_at, shown_location, noted_by, noted_at, repaired_at)
         SELECT $1, r.external_job_posting_id, r.ats_listed_at, r.ats_location, r.shown_listed_at,
                r.shown_location, $2, $3, NULL
           FROM jsonb_to_recordset($4::text::jsonb) AS r(external_job_posting_id text, ats_listed_at bigint,
                ats_location text, shown_listed_at bigint, shown_location text)
         ON CONFLICT (developer_application_urn, external_job_posting_id) DO UPDATE SET
           ats_listed_at = EXCLUDED.ats_listed_at,
           ats_location = EXCLUDED.ats_location,
           shown_listed_at = EXCLUDED.shown_listed_at,
           shown_location = EXCLUDED.shown_location,
           noted_by = EXCLUDED.noted_by,
           noted_at = EXCLUDED.noted_at,
           repaired_at = NULL`,
        [urn, checkId, at, JSON.stringify(rows)],
      );
    },

    async notedDifferences(urn, ids) {
      if (ids.length === 0) return [];
      const { rows } = await db.query<unknown>(
        `SELECT external_job_posting_id, ats_listed_at, ats_location, shown_listed_at, shown_location,
                noted_by, repaired_at
           FROM linkedin_changed_repairs
          WHERE developer_application_urn = $1 AND external_job_posting_id = ANY($2::text[])
          ORDER BY external_job_posting_id`,
        [urn, [...ids]],
      );
      return rows.map(toNoted);
    },

    async markRepaired(urn, checkId, ids, at) {
      if (ids.length === 0) return;
      await db.query(
        `UPDATE linkedin_changed_repairs SET repaired_at = $3
          WHERE developer_application_urn = $1 AND noted_by = $2 AND external_job_posting_id = ANY($4::text[])`,
        [urn, checkId, at, [...ids]],
      );
    },

    async forgetDifferences(urn, ids) {
      if (ids.length === 0) return;
      await db.query(
        `DELETE FROM linkedin_changed_repairs
          WHERE developer_application_urn = $1 AND external_job_posting_id = ANY($2::text[])`,
        [urn, [...ids]],
      );
    },
  };
}
