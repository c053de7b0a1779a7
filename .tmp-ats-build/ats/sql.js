"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SCHEMA_STATEMENTS = void 0;
exports.applySchema = applySchema;
exports.createSqlJobStore = createSqlJobStore;
const zod_1 = require("zod");
/**
 * Idempotent schema. Job ids use the "C" collation so that keyset paging orders them by bytes, the same on
 * every server whatever its locale, and the same as a plain JavaScript sort for ASCII ids.
 */
exports.SCHEMA_STATEMENTS = [
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
];
async function applySchema(db) {
    for (const statement of exports.SCHEMA_STATEMENTS) {
        await db.query(statement);
    }
}
// Drivers differ on BIGINT: pg gives a string, PGlite a number, some setups a bigint.
const epochMillis = zod_1.z.union([zod_1.z.number(), zod_1.z.string(), zod_1.z.bigint()]).transform((value, ctx) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `not an epoch in milliseconds: ${String(value)}` });
        return zod_1.z.NEVER;
    }
    return n;
});
const applicationRow = zod_1.z.object({
    urn: zod_1.z.string(),
    client_id: zod_1.z.string(),
    client_secret: zod_1.z.string(),
    integration_context: zod_1.z.string().nullable(),
    company_name: zod_1.z.string(),
});
const jobRow = zod_1.z.object({
    developer_application_urn: zod_1.z.string(),
    external_job_posting_id: zod_1.z.string(),
    status: zod_1.z.enum(['OPEN', 'CLOSED']),
    title: zod_1.z.string(),
    description: zod_1.z.string(),
    company_apply_url: zod_1.z.string(),
    listed_at: epochMillis,
    location: zod_1.z.string(),
    workplace_type: zod_1.z.enum(['On-site', 'Hybrid', 'Remote']).nullable(),
    employment_status: zod_1.z.string().nullable(),
    experience_level: zod_1.z.string().nullable(),
});
const JOB_COLUMNS = `developer_application_urn, external_job_posting_id, status, title, description,
  company_apply_url, listed_at, location, workplace_type, employment_status, experience_level`;
function toApplication(row) {
    const r = applicationRow.parse(row);
    return {
        urn: r.urn,
        clientId: r.client_id,
        clientSecret: r.client_secret,
        integrationContext: r.integration_context,
        companyName: r.company_name,
    };
}
function toJob(row) {
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
function createSqlJobStore(db) {
    // PGlite throws when closed twice; shutdown paths may well call close() twice.
    let closing;
    return {
        async getApplication(urn) {
            const { rows } = await db.query(`SELECT urn, client_id, client_secret, integration_context, company_name
           FROM developer_applications WHERE urn = $1`, [urn]);
            return rows[0] === undefined ? undefined : toApplication(rows[0]);
        },
        async listOpenJobIds(urn, { after, limit }) {
            if (!Number.isSafeInteger(limit) || limit < 1) {
                throw new RangeError(`limit must be a positive integer, got ${limit}`);
            }
            // Keyset paging: '' sorts before every non-empty id, so one statement covers the first page too.
            const { rows } = await db.query(`SELECT external_job_posting_id FROM jobs
          WHERE developer_application_urn = $1 AND status = 'OPEN' AND external_job_posting_id > $2
          ORDER BY external_job_posting_id
          LIMIT $3`, [urn, after ?? '', limit]);
            return rows.map((row) => row.external_job_posting_id);
        },
        async loadJobs(urn, ids) {
            if (ids.length === 0)
                return [];
            const { rows } = await db.query(`SELECT ${JOB_COLUMNS} FROM jobs
          WHERE developer_application_urn = $1 AND external_job_posting_id = ANY($2::text[])
          ORDER BY external_job_posting_id`, [urn, [...ids]]);
            return rows.map(toJob);
        },
        close() {
            closing ??= db.close?.() ?? Promise.resolve();
            return closing;
        },
    };
}
//# sourceMappingURL=sql.js.map