import { z } from 'zod';
import type { AtsJob, DeveloperApplication } from '../contract/ats-job';

export type OperationType = 'CREATE' | 'UPDATE' | 'CLOSE';

/** A SimpleJobPostings element (linkedin.md §5). Every operation, CLOSE included, carries the whole job. */
export interface JobPostingElement {
  externalJobPostingId: string;
  jobPostingOperationType: OperationType;
  integrationContext?: string;
  companyName?: string;
  title?: string;
  description?: string;
  companyApplyUrl?: string;
  listedAt?: number;
  location?: string;
  workplaceTypes?: string[];
  employmentStatus?: string;
  experienceLevel?: string;
}

const EMPLOYMENT_STATUSES = [
  'FULL_TIME',
  'PART_TIME',
  'CONTRACT',
  'INTERNSHIP',
  'TEMPORARY',
  'VOLUNTEER',
  'OTHER',
] as const;
const EXPERIENCE_LEVELS = [
  'ENTRY_LEVEL',
  'MID_SENIOR_LEVEL',
  'DIRECTOR',
  'EXECUTIVE',
  'INTERNSHIP',
  'ASSOCIATE',
  'NOT_APPLICABLE',
] as const;

/**
 * The ATS's job checked against LinkedIn's rules before it is sent: a job that breaks them is recorded
 * as rejected with the reason, instead of costing a call LinkedIn would refuse.
 */
const SendableJob = z.object({
  // No length limit here: LinkedIn's pages disagree (200 or 75 characters), so its answer decides.
  externalJobPostingId: z.string().min(1),
  title: z
    .string()
    .trim()
    .min(1, { error: 'title is empty' })
    .max(200, { error: 'title is longer than 200 characters' }),
  description: z
    .string()
    .min(100, { error: 'description is shorter than 100 characters' })
    .max(25_000, { error: 'description is longer than 25,000 characters' }),
  companyApplyUrl: z.url({ protocol: /^https?$/, error: 'companyApplyUrl is not an http(s) URL' }),
  listedAt: z.number().int().min(1e12, { error: 'listedAt is not in epoch milliseconds' }),
  location: z.string().trim().min(1, { error: 'location is empty' }),
  employmentStatus: z
    .enum(EMPLOYMENT_STATUSES, { error: 'employmentStatus is not a LinkedIn value' })
    .nullable(),
  experienceLevel: z.enum(EXPERIENCE_LEVELS, { error: 'experienceLevel is not a LinkedIn value' }).nullable(),
});

export type ElementOrProblem = { element: JobPostingElement } | { problem: string };

function owner(
  application: DeveloperApplication,
): Pick<JobPostingElement, 'integrationContext' | 'companyName'> {
  return application.integrationContext
    ? { integrationContext: application.integrationContext }
    : { companyName: application.companyName };
}

/** The full job for UPDATE, CREATE or CLOSE, or why the ATS's data cannot be sent. */
export function jobElement(
  job: AtsJob,
  application: DeveloperApplication,
  operation: OperationType,
  now: number,
): ElementOrProblem {
  const checked = SendableJob.safeParse(job);
  if (!checked.success) {
    return {
      problem: `the ATS's job cannot be sent: ${checked.error.issues.map((issue) => issue.message).join('; ')}`,
    };
  }
  const element: JobPostingElement = {
    externalJobPostingId: job.externalJobPostingId,
    jobPostingOperationType: operation,
    ...owner(application),
    title: job.title.trim(),
    description: job.description,
    companyApplyUrl: job.companyApplyUrl,
    // LinkedIn refuses a listedAt in the future; a clock ahead in the ATS must not block the job.
    listedAt: Math.min(job.listedAt, now),
    location: job.location.trim(),
  };
  if (job.workplaceType) element.workplaceTypes = [job.workplaceType];
  if (job.employmentStatus) element.employmentStatus = job.employmentStatus;
  if (job.experienceLevel) element.experienceLevel = job.experienceLevel;
  return { element };
}

/**
 * CLOSE is a whole re-post of the job: "re-post the job using the same externalJobPostingId value, but
 * set jobPostingOperationType to CLOSE" (Close Jobs,
 * https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/close-jobs), and the OpenAPI file
 * requires companyApplyUrl, externalJobPostingId, jobPostingOperationType, description, title, listedAt and
 * location on every element (linkedin-developers/job-posting-development-tools,
 * OpenAPI-specification/job_posting_v2.yaml, closeJobPostingFoundationSchemaExample).
 */
export function closeElement(job: AtsJob, application: DeveloperApplication, now: number): ElementOrProblem {
  return jobElement(job, application, 'CLOSE', now);
}
