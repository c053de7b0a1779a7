/**
 * The element mapping: an ATS job becomes the SimpleJobPostings element LinkedIn expects (linkedin.md §5),
 * checked here against the sandbox's copy of LinkedIn's element rules, without a server.
 */
import { buildDemoJobs, DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../../src/ats/demo-data';
import type { AtsJob } from '../../src/ats/job-store';
import { jobElement, type JobPostingElement, type OperationType } from '../../src/linkedin/elements';
import { validateElement } from '../../tools/sandbox/element-rules';

const NOW = Date.UTC(2026, 0, 15, 9, 30);

function elementOf(job: AtsJob, operation: OperationType = 'UPDATE', application = DEMO_APPLICATION) {
  const mapped = jobElement(job, application, operation, NOW);
  if (!('element' in mapped)) throw new Error(`expected an element, got: ${mapped.problem}`);
  return mapped.element;
}

function demoJob(overrides: Partial<AtsJob> = {}): AtsJob {
  const job = buildDemoJobs({ now: NOW }).find((candidate) => candidate.externalJobPostingId === 'job-1234');
  if (job === undefined) throw new Error('the demo data has no job-1234');
  return { ...job, ...overrides };
}

test("every demo job of both applications maps, for every operation, to an element LinkedIn's rules accept", () => {
  const applications = new Map([DEMO_APPLICATION, SECOND_DEMO_APPLICATION].map((app) => [app.urn, app]));
  const jobs = buildDemoJobs({ now: NOW });
  expect(jobs.length).toBeGreaterThan(300);
  for (const job of jobs) {
    for (const operation of ['CREATE', 'UPDATE', 'CLOSE'] as const) {
      const element = elementOf(job, operation, applications.get(job.developerApplicationUrn));
      const { errors, wholeCallError, operation: read } = validateElement(element, NOW);
      expect({ id: job.externalJobPostingId, operation, read, errors, wholeCallError }).toEqual({
        id: job.externalJobPostingId,
        operation,
        read: operation,
        errors: [],
        wholeCallError: undefined,
      });
    }
  }
});

test('the company is named by the integration context when the application has one, else by name', () => {
  expect(elementOf(demoJob())).toMatchObject({ integrationContext: DEMO_APPLICATION.integrationContext });
  expect(elementOf(demoJob())).not.toHaveProperty('companyName');
  const second = elementOf(demoJob(), 'UPDATE', SECOND_DEMO_APPLICATION);
  expect(second).toMatchObject({ companyName: SECOND_DEMO_APPLICATION.companyName });
  expect(second).not.toHaveProperty('integrationContext');
});

test('text is trimmed, a listedAt ahead of the clock is sent as now, and empty optional fields are left out', () => {
  const element = elementOf(
    demoJob({
      title: '  Backend Engineer ',
      location: ' Berlin, Germany ',
      listedAt: NOW + 60_000,
      workplaceType: 'Remote',
      employmentStatus: null,
      experienceLevel: null,
    }),
  );
  const expected: Partial<JobPostingElement> = {
    title: 'Backend Engineer',
    location: 'Berlin, Germany',
    listedAt: NOW,
    workplaceTypes: ['Remote'],
  };
  expect(element).toMatchObject(expected);
  expect(element).not.toHaveProperty('employmentStatus');
  expect(element).not.toHaveProperty('experienceLevel');
});

test.each<[string, Partial<AtsJob>, string]>([
  ['an empty title', { title: '   ' }, 'title is empty'],
  ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title is longer than 200 characters'],
  ['a short description', { description: 'short' }, 'description is shorter than 100 characters'],
  ['an apply URL that is not http(s)', { companyApplyUrl: 'ftp://jobs.example' }, 'companyApplyUrl is not'],
  ['listedAt in seconds', { listedAt: 1_700_000_000 }, 'listedAt is not in epoch milliseconds'],
  ['an empty location', { location: '' }, 'location is empty'],
  ['an unknown employment status', { employmentStatus: 'GIG' }, 'employmentStatus is not a LinkedIn value'],
])('a job with %s is not sent: the reason is recorded instead', (_, overrides, reason) => {
  const mapped = jobElement(demoJob(overrides), DEMO_APPLICATION, 'UPDATE', NOW);
  expect(mapped).toEqual({ problem: expect.stringContaining(reason) as unknown });
});
