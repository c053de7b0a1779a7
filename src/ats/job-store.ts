/**
 * The ATS side of the integration: where the vendor's customers, their LinkedIn child applications and
 * their jobs live. Activities read through this port only; `worker.ts` chooses the implementation.
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

export interface JobStore {
  getApplication(urn: string): Promise<DeveloperApplication | undefined>;
  /** Every application's urn and client secret, for the webhook's signature checks (one query). */
  listApplicationSecrets(): Promise<Array<{ urn: string; clientSecret: string }>>;
  /** Open job ids of one application in ascending id order, strictly after `after` when given. */
  listOpenJobIds(urn: string, page: { after?: string | undefined; limit: number }): Promise<string[]>;
  /** The jobs of one application among `ids` (open or closed); ids the ATS does not hold are absent. */
  loadJobs(urn: string, ids: readonly string[]): Promise<AtsJob[]>;
  close(): Promise<void>;
}
