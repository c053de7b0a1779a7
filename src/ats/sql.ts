import { z } from 'zod';
import {
  addJobs,
  ensureApplication,
  insertSyntheticJobs,
  removeApplication,
  seedDemoData,
} from './sql-seeding';
import type { AtsJob, DeveloperApplication, JobStore } from './job-store';
import type { SqlClient } from './sql-client';
import { CHANGED_REPAIRS_SCHEMA_STATEMENTS } from './changed-repairs';
import { createSqlJobStatusStore, JOB_STATUS_SCHEMA_STATEMENTS } from './job-status-store';
import { CREATE_CLAIM_SCHEMA_STATEMENTS, createSqlCreateClaims } from './create-claims';

export type { SqlClient } from './sql-client';

/**
 * Idempotent schema. Job ids use the "C" collation so that keyset paging orders them by bytes, the same on
 * every server whatever its locale, and the same as a plain JavaScript sort for ASCII ids.
 */
export const SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS developer_applications (
    urn TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    integration_context TEXT,
    company_name TEXT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS jobs (
    developer_application_urn TEXT NOT NULL REFERENCES developer_applications (urn) ON DELETE CASCADE,
    external_job_posting_id TEXT COLLATE "C" NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    company_apply_url TEXT NOT NULL,
    listed_at BIGINT NOT NULL,
    location TEXT NOT NULL,
    workplace_type TEXT CHECK (workplace_type IN ('On-site', 'Hybrid', 'Remote')),
    employment_status TEXT,
    experience_level TEXT,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (developer_application_urn, external_job_posting_id)
  )`,
  // Serves listOpenJobIds without reading closed jobs; the primary key serves loadJobs.
  `CREATE INDEX IF NOT EXISTS jobs_open_by_application
    ON jobs (developer_application_urn, external_job_posting_id)
    WHERE status = 'OPEN'`,
  ...JOB_STATUS_SCHEMA_STATEMENTS,
  ...CHANGED_REPAIRS_SCHEMA_STATEMENTS,
  ...CREATE_CLAIM_SCHEMA_STATEMENTS,
];

export async function applySchema(db: SqlClient): Promise<void> {
  for (const statement of SCHEMA_STATEMENTS) {
    await db.query(statement);
  }
}

// Drivers differ on BIGINT: pg gives a string, PGlite a number, some setups a bigint.
const epochMillis = z.union([z.number(), z.string(), z.bigint()]).transform((value, ctx) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: `not an epoch in milliseconds: ${String(value)}` });
    return z.NEVER;
  }
  return n;
});

const applicationRow = z.object({
  urn: z.string(),
  client_id: z.string(),
  client_secret: z.string(),
  integration_context: z.string().nullable(),
  company_name: z.string(),
});

const applicationSecretRow = applicationRow.pick({ urn: true, client_secret: true });

const jobRow = z.object({
  developer_application_urn: z.string(),
  external_job_posting_id: z.string(),
  status: z.enum(['OPEN', 'CLOSED']),
  title: z.string(),
  description: z.string(),
  company_apply_url: z.string(),
  listed_at: epochMillis,
  location: z.string(),
  workplace_type: z.enum(['On-site', 'Hybrid', 'Remote']).nullable(),
  employment_status: z.string().nullable(),
  experience_level: z.string().nullable(),
});

const JOB_COLUMNS = `developer_application_urn, external_job_posting_id, status, title, description,
  company_apply_url, listed_at, location, workplace_type, employment_status, experience_level`;

function toApplication(row: unknown): DeveloperApplication {
  const r = applicationRow.parse(row);
  return {
    urn: r.urn,
    clientId: r.client_id,
    clientSecret: r.client_secret,
    integrationContext: r.integration_context,
    companyName: r.company_name,
  };
}

function toJob(row: unknown): AtsJob {
  const r = jobRow.parse(row);
  return {
    externalJobPostingId: r.external_job_posting_id,
    developerApplicationUrn: r.developer_application_urn,
    status: r.status,
    title: r.title,
    description: r.description,
    companyApplyUrl: r.company_apply_url,
    listedAt: r.listed_at,
    location: r.location,
    workplaceType: r.workplace_type,
    employmentStatus: r.employment_status,
    experienceLevel: r.experience_level,
  };
}

/** A JobStore over any SqlClient; the schema must already be applied (see `applySchema`). */
export function createSqlJobStore(db: SqlClient): JobStore {
  // PGlite throws when closed twice; shutdown paths may well call close() twice.
  let closing: Promise<void> | undefined;
  return {
    jobStatuses: createSqlJobStatusStore(db),
    creates: createSqlCreateClaims(db),

    async getApplication(urn) {
      const { rows } = await db.query<unknown>(
        `SELECT urn, client_id, client_secret, integration_context, company_name
           FROM developer_applications WHERE urn = $1`,
        [urn],
      );
      return rows[0] === undefined ? undefined : toApplication(rows[0]);
    },

    async listApplicationSecrets() {
      const { rows } = await db.query<unknown>(`SELECT urn, client_secret FROM developer_applications`);
      return rows.map((row) => {
        const r = applicationSecretRow.parse(row);
        return { urn: r.urn, clientSecret: r.client_secret };
      });
    },

    async listOpenJobIds(urn, { after, limit }) {
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new RangeError(`limit must be a positive integer, got ${limit}`);
      }
      // Keyset paging: '' sorts before every non-empty id, so one statement covers the first page too.
      const { rows } = await db.query<{ external_job_posting_id: string }>(
        `SELECT external_job_posting_id FROM jobs
          WHERE developer_application_urn = $1 AND status = 'OPEN' AND external_job_posting_id > $2
          ORDER BY external_job_posting_id
          LIMIT $3`,
        [urn, after ?? '', limit],
      );
      return rows.map((row) => row.external_job_posting_id);
    },

    async countOpenJobs(urn, atMost) {
      if (!Number.isSafeInteger(atMost) || atMost < 1) {
        throw new RangeError(`atMost must be a positive integer, got ${atMost}`);
      }
      // The partial index's entries, up to the bound: one row answered, not one per job.
      const { rows } = await db.query<{ open: number | string }>(
        `SELECT count(*)::int AS open FROM (
           SELECT 1 FROM jobs WHERE developer_application_urn = $1 AND status = 'OPEN' LIMIT $2
         ) AS counted`,
        [urn, atMost],
      );
      return Number(rows[0]?.open ?? 0);
    },

    async loadJobs(urn, ids) {
      if (ids.length === 0) return [];
      const { rows } = await db.query<unknown>(
        `SELECT ${JOB_COLUMNS} FROM jobs
          WHERE developer_application_urn = $1 AND external_job_posting_id = ANY($2::text[])
          ORDER BY external_job_posting_id`,
        [urn, [...ids]],
      );
      return rows.map(toJob);
    },

    seedDemoData: (options) => seedDemoData(db, options),
    ensureApplication: (app) => ensureApplication(db, app),
    removeApplication: (urn) => removeApplication(db, urn),
    addJobs: (jobs) => addJobs(db, jobs),
    insertSyntheticJobs: (urn, count, options) => insertSyntheticJobs(db, urn, count, options),

    close() {
      closing ??= db.close?.() ?? Promise.resolve();
      return closing;
    },
  };
}
