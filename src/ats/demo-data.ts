import type { AtsJob, DeveloperApplication } from './job-store';
import type { SqlClient } from './sql';

/** The application of LinkedIn's own sample notifications, so they work as they are. */
export const DEMO_APPLICATION: DeveloperApplication = {
  urn: 'urn:li:developerApplication:12345',
  clientId: 'demo-child-client-id',
  clientSecret: 'demo-child-client-secret',
  integrationContext: 'urn:li:organization:2414183',
  companyName: 'Acme Robotics',
};

/**
 * A second customer for multi-application tests. No integrationContext (LinkedIn then uses the company
 * name), and job ids that overlap the demo application's (`job-1000`…`job-1035`): ids are only unique per
 * application.
 */
export const SECOND_DEMO_APPLICATION: DeveloperApplication = {
  urn: 'urn:li:developerApplication:67890',
  clientId: 'demo-second-client-id',
  clientSecret: 'demo-second-client-secret',
  integrationContext: null,
  companyName: 'Globex Logistics',
};

/** The ids in LinkedIn's sample individual-jobs notification; all open in the demo application. */
export const DEMO_SAMPLE_JOB_IDS: readonly string[] = ['job-1234', 'job-2345', 'job-3456'];

const ROLES = [
  'Software Engineer',
  'Backend Engineer',
  'Frontend Engineer',
  'Robotics Engineer',
  'Controls Engineer',
  'Mechanical Engineer',
  'Embedded Software Engineer',
  'Data Scientist',
  'Machine Learning Engineer',
  'Site Reliability Engineer',
  'Product Manager',
  'Product Designer',
  'Technical Writer',
  'QA Engineer',
  'Field Service Technician',
  'Manufacturing Engineer',
  'Supply Chain Analyst',
  'Account Executive',
  'Customer Success Manager',
  'Technical Recruiter',
  'Financial Analyst',
  'Marketing Manager',
  'Hardware Test Engineer',
  'Security Engineer',
] as const;

const LEVELS = [
  { title: (role: string) => `Junior ${role}`, experienceLevel: 'ENTRY_LEVEL', employmentStatus: null },
  { title: (role: string) => role, experienceLevel: 'ASSOCIATE', employmentStatus: null },
  { title: (role: string) => `Senior ${role}`, experienceLevel: 'MID_SENIOR_LEVEL', employmentStatus: null },
  { title: (role: string) => `Staff ${role}`, experienceLevel: 'MID_SENIOR_LEVEL', employmentStatus: null },
  {
    title: (role: string) => `${role} Intern`,
    experienceLevel: 'INTERNSHIP',
    employmentStatus: 'INTERNSHIP',
  },
  {
    title: (role: string) => `${role} Team Lead`,
    experienceLevel: 'MID_SENIOR_LEVEL',
    employmentStatus: null,
  },
] as const;

const LOCATIONS = [
  'San Francisco, CA',
  'New York, NY',
  'Austin, TX',
  'Seattle, WA',
  'Boston, MA',
  'Chicago, IL',
  'Denver, CO',
  'London, GB',
  'Manchester, GB',
  'Berlin, DE',
  'Munich, DE',
  'Paris, FR',
  'Amsterdam, NL',
  'Dublin, IE',
  'Toronto, ON',
  'Singapore, SG',
  'Sydney, AU',
] as const;

const WORKPLACE_TYPES = ['On-site', 'Hybrid', 'Remote'] as const;

const DUTIES = [
  'Own features from the first sketch to production and keep them healthy afterwards',
  'Work closely with customers to understand how our fleet is used on the warehouse floor',
  'Review designs and code with a small, experienced team',
  'Improve the reliability of systems that run around the clock',
  'Turn field data into decisions the whole company can act on',
  'Mentor colleagues and share what you learn in short written notes',
  'Plan work in two-week cycles and ship something every cycle',
  'Help us keep quality high while the team and the product grow',
];

const REQUIREMENTS = [
  'Several years of experience in a similar role, or equivalent practical work',
  'Clear written communication in English',
  'Curiosity about robots, logistics and how physical operations work',
  'Comfort with ambiguity and a habit of asking good questions',
  'Experience working with distributed, cross-functional teams',
  'A track record of finishing what you start',
];

/** What a job says, derived from its position only, so the same index always gives the same job. */
interface JobContent {
  title: string;
  description: string;
  location: string;
  workplaceType: AtsJob['workplaceType'];
  employmentStatus: string | null;
  experienceLevel: string | null;
}

// Table sizes are coprime-ish, so neighbouring jobs differ in every field.
function jobContent(companyName: string, index: number, id: string): JobContent {
  const role = ROLES[index % ROLES.length] ?? ROLES[0];
  // Shifting the level once per round of roles pairs every role with every level.
  const level = LEVELS[(index + Math.floor(index / ROLES.length)) % LEVELS.length] ?? LEVELS[1];
  const location = LOCATIONS[(index * 7 + 3) % LOCATIONS.length] ?? LOCATIONS[0];
  const title = level.title(role);
  // A few jobs leave the optional fields empty, as real ATS data does.
  const sparse = index % 23 === 22;
  const workplaceType = sparse ? null : (WORKPLACE_TYPES[index % WORKPLACE_TYPES.length] ?? 'On-site');
  const employmentStatus = sparse ? null : (level.employmentStatus ?? employmentFor(index));
  const experienceLevel = sparse ? null : level.experienceLevel;
  return {
    title,
    description: describe({ companyName, title, location, workplaceType, index, id }),
    location,
    workplaceType,
    employmentStatus,
    experienceLevel,
  };
}

function employmentFor(index: number): string {
  if (index % 11 === 3) return 'PART_TIME';
  if (index % 13 === 5) return 'CONTRACT';
  if (index % 19 === 7) return 'TEMPORARY';
  return 'FULL_TIME';
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** HTML using only the tags LinkedIn accepts: b, strong, u, i, br, p, ul, li. */
function describe(job: {
  companyName: string;
  title: string;
  location: string;
  workplaceType: AtsJob['workplaceType'];
  index: number;
  id: string;
}): string {
  const company = escapeHtml(job.companyName);
  const where = job.workplaceType === null ? job.location : `${job.location} (${job.workplaceType})`;
  // Step 5 is coprime with both list lengths, so the picked items never repeat.
  const pick = (list: readonly string[], count: number) =>
    Array.from({ length: count }, (_, k) => list[(job.index + k * 5) % list.length] ?? '');
  const items = (list: readonly string[]) => list.map((item) => `<li>${escapeHtml(item)}.</li>`).join('');
  return [
    `<p><strong>${company}</strong> is hiring a <b>${escapeHtml(job.title)}</b> in ${escapeHtml(where)}.</p>`,
    `<p>We build dependable machines and the software around them, and we want people who care about `,
    `doing that well.</p>`,
    `<p><u>What you will do</u></p><ul>${items(pick(DUTIES, 3))}</ul>`,
    `<p><u>What you bring</u></p><ul>${items(pick(REQUIREMENTS, 3))}</ul>`,
    `<p><i>${company} is an equal opportunity employer.</i><br>Job reference: ${escapeHtml(job.id)}</p>`,
  ].join('');
}

function applyUrlPrefix(companyName: string): string {
  const slug = companyName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `https://careers.${slug || 'company'}.example/jobs/`;
}

function buildJob(
  app: DeveloperApplication,
  id: string,
  index: number,
  status: AtsJob['status'],
  now: number,
): AtsJob {
  return {
    externalJobPostingId: id,
    developerApplicationUrn: app.urn,
    status,
    ...jobContent(app.companyName, index, id),
    companyApplyUrl: applyUrlPrefix(app.companyName) + encodeURIComponent(id),
    // Listed about 3 hours apart going back from `now`, never in the future.
    listedAt: now - (index + 1) * 3 * 60 * 60 * 1000 - (index % 60) * 1000,
  };
}

/**
 * Every demo job of both demo applications, exactly as `seedDemoData` stores them.
 * Demo application: the three sample ids plus `job-1000`…`job-1279` (`job-1234` among them), open except
 * every 40th of the range. Second application: `job-1000`…`job-1035`, every 9th closed.
 */
export function buildDemoJobs(options: { now?: number } = {}): AtsJob[] {
  const now = Math.floor(options.now ?? Date.now());
  const range = Array.from({ length: 280 }, (_, k) => `job-${1000 + k}`);
  const demoIds = [...DEMO_SAMPLE_JOB_IDS, ...range.filter((id) => !DEMO_SAMPLE_JOB_IDS.includes(id))];
  const demo = demoIds.map((id, index) => {
    const n = Number(id.slice('job-'.length));
    const closed = !DEMO_SAMPLE_JOB_IDS.includes(id) && n % 40 === 39;
    return buildJob(DEMO_APPLICATION, id, index, closed ? 'CLOSED' : 'OPEN', now);
  });
  const second = Array.from({ length: 36 }, (_, index) =>
    buildJob(
      SECOND_DEMO_APPLICATION,
      `job-${1000 + index}`,
      index + 7,
      index % 9 === 8 ? 'CLOSED' : 'OPEN',
      now,
    ),
  );
  return [...demo, ...second];
}

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
