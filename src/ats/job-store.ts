import type { CreateClaims } from './create-claims';
import type { JobStatusStore } from './job-status-store';

/**
 * The ATS side of the integration: where the vendor's customers, their LinkedIn child applications and
 * their jobs live. Activities read through this port only; `worker.ts` chooses the implementation.
 */

export type { AtsJob, DeveloperApplication, JobStatus } from '../contract/ats-job';
import type { AtsJob, DeveloperApplication } from '../contract/ats-job';

/** The ATS's customers on LinkedIn: each child application's credentials and company. */
export interface ApplicationRegistry {
  getApplication(urn: string): Promise<DeveloperApplication | undefined>;
  /** Every application's urn and client secret, for the webhook's signature checks (one query). */
  listApplicationSecrets(): Promise<Array<{ urn: string; clientSecret: string }>>;
}

/** The customers' jobs, as a resync reads them. */
export interface JobSource {
  /** Open job ids of one application in ascending id order, strictly after `after` when given. */
  listOpenJobIds(urn: string, page: { after?: string | undefined; limit: number }): Promise<string[]>;
  /**
   * How many open jobs one application has, counted up to `atMost` (so a count costs the same however
   * many the application holds), reading no id: where a sync-all runs is decided by its size alone.
   */
  countOpenJobs(urn: string, atMost: number): Promise<number>;
  /** The jobs of one application among `ids` (open or closed); ids the ATS does not hold are absent. */
  loadJobs(urn: string, ids: readonly string[]): Promise<AtsJob[]>;
}

/** How a store fills itself for the demo, tests and benchmarks; the service never calls these. */
export interface StoreSeeding {
  /** Both demo applications and their jobs; an application that already exists is left as it is. */
  seedDemoData(options?: { now?: number }): Promise<{ seeded: boolean }>;
  /** Adds an application, or updates its credentials and company when it exists. */
  ensureApplication(app: DeveloperApplication): Promise<void>;
  /** Removes an application with its jobs and its LinkedIn statuses (a customer who left). */
  removeApplication(urn: string): Promise<void>;
  /** Adds jobs of known applications as they are; ids already held are left as they are. */
  addJobs(jobs: readonly AtsJob[]): Promise<void>;
  /** `count` valid synthetic jobs (see `insertSyntheticJobs` in demo-data.ts). */
  insertSyntheticJobs(
    urn: string,
    count: number,
    options?: { idPrefix?: string; closedEvery?: number; now?: number },
  ): Promise<void>;
}

/**
 * A store as it is opened: the registry and the job source the service reads, its seeding, and close.
 * The API needs the registry only, the activities both; neither sees how the store keeps its data.
 */
export interface JobStore extends ApplicationRegistry, JobSource, StoreSeeding {
  /** What LinkedIn last showed for each job (linkedin_job_status), kept beside the ATS tables. */
  jobStatuses: JobStatusStore;
  /** The CREATEs sent, per job, by every resync of an application (linkedin_creates). */
  creates: CreateClaims;
  close(): Promise<void>;
}
