/**
 * How a SQL store seeds itself (see `StoreSeeding`): the demo data, applications and synthetic jobs, each
 * in as few statements as it takes, so PGlite and a PostgreSQL server seed alike.
 */
import {
  applyUrlPrefix,
  buildDemoJobs,
  DEMO_APPLICATION,
  jobContent,
  SECOND_DEMO_APPLICATION,
  type JobContent,
} from './demo-data';
import type { AtsJob, DeveloperApplication } from '../contract/ats-job';
import type { SqlClient } from './sql-client';

/**
 * Inserts an application and its jobs in one statement: the insert of the jobs depends on the insert of
 * the application, so a second run, or a run racing this one, adds nothing, and a crash leaves nothing half
 * seeded. No transaction needed, which matters on a pooled `pg` client.
 */
async function seedApplication(db: SqlClient, app: DeveloperApplication, jobs: AtsJob[]): Promise<boolean> {
  const records = jobs.map((job) => ({
    external_job_posting_id: job.externalJobPostingId,
    status: job.status,
    title: job.title,
    description: job.description,
    company_apply_url: job.companyApplyUrl,
    listed_at: job.listedAt,
    location: job.location,
    workplace_type: job.workplaceType,
    employment_status: job.employmentStatus,
    experience_level: job.experienceLevel,
  }));
  const { rows } = await db.query<{ inserted: boolean }>(
    `WITH app AS (
       INSERT INTO developer_applications (urn, client_id, client_secret, integration_context, company_name)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (urn) DO NOTHING
       RETURNING urn
     ), inserted_jobs AS (
       -- PostgreSQL runs a data-modifying WITH to completion even when nothing reads it.
       INSERT INTO jobs (developer_application_urn, external_job_posting_id, status, title, description,
                         company_apply_url, listed_at, location, workplace_type, employment_status,
                         experience_level)
       SELECT app.urn, j.external_job_posting_id, j.status, j.title, j.description, j.company_apply_url,
              j.listed_at, j.location, j.workplace_type, j.employment_status, j.experience_level
         FROM app
        CROSS JOIN jsonb_to_recordset($6::text::jsonb) AS j(
              external_job_posting_id text, status text, title text, description text,
              company_apply_url text, listed_at bigint, location text, workplace_type text,
              employment_status text, experience_level text)
       RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM app) AS inserted`,
    [
      app.urn,
      app.clientId,
      app.clientSecret,
      app.integrationContext,
      app.companyName,
      JSON.stringify(records),
    ],
  );
  return rows[0]?.inserted === true;
}

/** Adds jobs of known applications as they are; ids already held are left as they are. */
export async function addJobs(db: SqlClient, jobs: readonly AtsJob[]): Promise<void> {
  for (const job of jobs) {
    await db.query(
      `INSERT INTO jobs (developer_application_urn, external_job_posting_id, status, title, description,
                         company_apply_url, listed_at, location, workplace_type, employment_status,
                         experience_level)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (developer_application_urn, external_job_posting_id) DO NOTHING`,
      [
        job.developerApplicationUrn,
        job.externalJobPostingId,
        job.status,
        job.title,
        job.description,
        job.companyApplyUrl,
        job.listedAt,
        job.location,
        job.workplaceType,
        job.employmentStatus,
        job.experienceLevel,
      ],
    );
  }
}

/** Seeds both demo applications and their jobs; an application that already exists is left as it is. */
export async function seedDemoData(
  db: SqlClient,
  options: { now?: number } = {},
): Promise<{ seeded: boolean }> {
  const jobs = buildDemoJobs(options);
  let seeded = false;
  for (const app of [DEMO_APPLICATION, SECOND_DEMO_APPLICATION]) {
    const own = jobs.filter((job) => job.developerApplicationUrn === app.urn);
    if (await seedApplication(db, app, own)) seeded = true;
  }
  return { seeded };
}

/** Adds an application, or updates its credentials and company when it exists. */
export async function removeApplication(db: SqlClient, urn: string): Promise<void> {
  await db.query('DELETE FROM jobs WHERE developer_application_urn = $1', [urn]);
  await db.query('DELETE FROM developer_applications WHERE urn = $1', [urn]);
}

export async function ensureApplication(db: SqlClient, app: DeveloperApplication): Promise<void> {
  await db.query(
    `INSERT INTO developer_applications (urn, client_id, client_secret, integration_context, company_name)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (urn) DO UPDATE SET
       client_id = EXCLUDED.client_id,
       client_secret = EXCLUDED.client_secret,
       integration_context = EXCLUDED.integration_context,
       company_name = EXCLUDED.company_name`,
    [app.urn, app.clientId, app.clientSecret, app.integrationContext, app.companyName],
  );
}

// Synthetic jobs cycle through this many distinct contents; ids, URLs and dates stay unique.
const SYNTHETIC_VARIANTS = 240;
const ID_PLACEHOLDER = '{{externalJobPostingId}}';

/**
 * Inserts `count` valid jobs in one statement (generate_series), for large resync tests and benchmarks.
 * Ids are `${idPrefix}` + a zero-padded number from 1 (`syn-000001`), so id order is numeric order.
 * Every `closedEvery`-th job is CLOSED (none when 0 or absent). Ids that already exist are left as they are.
 */
export async function insertSyntheticJobs(
  db: SqlClient,
  developerApplicationUrn: string,
  count: number,
  options: { idPrefix?: string; closedEvery?: number; now?: number } = {},
): Promise<void> {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  if (count === 0) return;
  const { rows } = await db.query<{ company_name: string }>(
    'SELECT company_name FROM developer_applications WHERE urn = $1',
    [developerApplicationUrn],
  );
  const companyName = rows[0]?.company_name;
  if (companyName === undefined) {
    throw new Error(
      `unknown developer application ${developerApplicationUrn}; add it with ensureApplication`,
    );
  }
  const variants = Array.from({ length: SYNTHETIC_VARIANTS }, (_, index) =>
    jobContent(companyName, index, ID_PLACEHOLDER),
  );
  // Arrays of text only, with '' for null: every driver serialises those the same way.
  const column = (pick: (content: JobContent) => string | null) => variants.map((v) => pick(v) ?? '');
  await db.query(
    `INSERT INTO jobs (developer_application_urn, external_job_posting_id, status, title, description,
                       company_apply_url, listed_at, location, workplace_type, employment_status,
                       experience_level)
     SELECT $1, s.id,
            CASE WHEN $3::int > 0 AND s.g % $3::int = 0 THEN 'CLOSED' ELSE 'OPEN' END,
            ($7::text[])[s.v], replace(($8::text[])[s.v], $14::text, s.id), $6::text || s.id,
            $4::bigint - s.g::bigint * 60000, ($9::text[])[s.v], NULLIF(($10::text[])[s.v], ''),
            NULLIF(($11::text[])[s.v], ''), NULLIF(($12::text[])[s.v], '')
       FROM (SELECT g, $5::text || lpad(g::text, $13::int, '0') AS id, 1 + (g - 1) % $15::int AS v
               FROM generate_series(1, $2::int) AS g) AS s
     ON CONFLICT (developer_application_urn, external_job_posting_id) DO NOTHING`,
    [
      developerApplicationUrn,
      count,
      options.closedEvery ?? 0,
      Math.floor(options.now ?? Date.now()),
      options.idPrefix ?? 'syn-',
      applyUrlPrefix(companyName),
      column((v) => v.title),
      column((v) => v.description),
      column((v) => v.location),
      column((v) => v.workplaceType),
      column((v) => v.employmentStatus),
      column((v) => v.experienceLevel),
      Math.max(6, String(count).length),
      ID_PLACEHOLDER,
      SYNTHETIC_VARIANTS,
    ],
  );
}
