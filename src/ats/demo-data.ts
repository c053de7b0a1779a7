import type { AtsJob, DeveloperApplication } from '../contract/ats-job';

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
export interface JobContent {
  title: string;
  description: string;
  location: string;
  workplaceType: AtsJob['workplaceType'];
  employmentStatus: string | null;
  experienceLevel: string | null;
}

// Table sizes are coprime-ish, so neighbouring jobs differ in every field.
export function jobContent(companyName: string, index: number, id: string): JobContent {
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

export function applyUrlPrefix(companyName: string): string {
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
