/**
 * What the ATS holds and LinkedIn's client reads: a customer's child application and its jobs. Plain
 * types, so the job store (src/ats) and LinkedIn's client (src/linkedin) share them without importing
 * each other.
 */

/** A customer's LinkedIn child application, provisioned by the ATS's parent application. */
export interface DeveloperApplication {
  /** `urn:li:developerApplication:{id}` */
  urn: string;
  clientId: string;
  clientSecret: string;
  /** `urn:li:organization:{id}` of the customer's company page, when known. */
  integrationContext: string | null;
  /** Used by LinkedIn when there is no integrationContext. */
  companyName: string;
}

export type JobStatus = 'OPEN' | 'CLOSED';

/** One job as the ATS holds it: the source of truth for what LinkedIn must show. */
export interface AtsJob {
  externalJobPostingId: string;
  developerApplicationUrn: string;
  status: JobStatus;
  title: string;
  /** HTML, with the few tags LinkedIn allows. */
  description: string;
  companyApplyUrl: string;
  /** Epoch milliseconds when the job entered the ATS. */
  listedAt: number;
  location: string;
  workplaceType: 'On-site' | 'Hybrid' | 'Remote' | null;
  employmentStatus: string | null;
  experienceLevel: string | null;
}
