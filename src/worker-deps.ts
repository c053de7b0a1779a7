/**
 * The process-wide pieces a resync worker's activities share (src/worker.ts re-exports them): LinkedIn's
 * client with one token per application, the application lanes, the task poller.
 */
import type { ActivityDeps } from './activities';
import type { ApplicationRegistry, JobSource } from './ats/job-store';
import { PostgresLanes } from './ats/postgres-lanes';
import { createPostgresPool } from './ats/postgres-store';
import type { JobStatusStore } from './ats/job-status-store';
import type { CreateClaims } from './ats/create-claims';
import type { LinkedInConfig, StoreConfig } from './config';
import { InProcessLanes, type ApplicationLanes } from './linkedin/application-lanes';
import { LinkedInClient } from './linkedin/client';
import { TaskPoller } from './linkedin/task-poller';
import { TokenCache } from './linkedin/token-cache';
import { runtimeWorkerMetrics } from './observability/worker-metrics';
import type { WorkerTracing } from './observability/tracing-worker';

export interface WorkerDepsOptions {
  /** The application registry and the job source (one store holds both), with linkedin_job_status. */
  jobStore: ApplicationRegistry & JobSource & { jobStatuses?: JobStatusStore; creates?: CreateClaims };
  linkedin: LinkedInConfig['linkedin'];
  requestTimeoutMs: number;
  taskPolling: LinkedInConfig['taskPolling'];
  /** Chosen by the composition root: in this process, or shared with other workers (see `openLanes`). */
  lanes: ApplicationLanes;
  /** With tracing on: a span per LinkedIn exchange. */
  tracer?: WorkerTracing['tracer'];
}

/** The process-wide pieces every activity shares: one token per application, lanes, the task poller. */
export function createWorkerDeps(options: WorkerDepsOptions): ActivityDeps {
  const onAnswer = runtimeWorkerMetrics().linkedInAnswered;
  const linkedin = new LinkedInClient({
    ...options.linkedin,
    requestTimeoutMs: options.requestTimeoutMs,
    onAnswer,
    tracer: options.tracer,
  });
  const tokens = new TokenCache({ client: linkedin });
  return {
    applications: options.jobStore,
    jobs: options.jobStore,
    linkedin,
    tokens,
    lanes: options.lanes,
    taskPoller: new TaskPoller({ linkedin, tokens, ...options.taskPolling }),
    jobStatuses: options.jobStore.jobStatuses,
    creates: options.jobStore.creates,
    metrics: runtimeWorkerMetrics(),
  };
}

// Lane clients are held while LinkedIn answers: one per application posting from this process.
const LANE_POOL_SIZE = 50;

/**
 * The application lanes that go with the configured store: in memory beside the embedded store (one
 * process), advisory locks on their own pool beside a PostgreSQL store, so every worker process sharing it
 * shares the lanes.
 */
export function openLanes(config: Pick<StoreConfig, 'databaseUrl'>): {
  lanes: ApplicationLanes;
  close: () => Promise<void>;
} {
  if (!config.databaseUrl) return { lanes: new InProcessLanes(), close: () => Promise.resolve() };
  const pool = createPostgresPool(config.databaseUrl, { max: LANE_POOL_SIZE });
  return { lanes: new PostgresLanes(pool), close: () => pool.end() };
}
