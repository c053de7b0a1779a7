import { randomUUID } from 'node:crypto';
import { JobResyncNotification } from '../../src/contract';
import { workflowIdFor } from '../../src/api/workflow-id';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { createApp } from '../../src/api/app';
import { createResyncStarter } from '../../src/api/resync-starter';
import { createJobStatusChanges } from '../../src/api/job-status';
import type { JobStatusStore } from '../../src/ats/job-status-store';
import { signNotification } from '../../src/api/signature';
import { buildDemoJobs, DEMO_APPLICATION } from '../../src/ats/demo-data';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import type { JobStore } from '../../src/ats/job-store';
import { createLogger, type Logger } from '../../src/logger';
import { ApiMetrics } from '../../src/api/metrics';
import { serveMetrics, type MetricsServer } from '../../src/metrics-server';
import {
  DEMO_APPLICATIONS,
  demoHeldJobIds,
  demoJobIds,
  registerDemoApplications,
} from '../../tools/sandbox/demo-sandbox';
import {
  startLinkedInSandbox,
  type LinkedInSandbox,
  type LinkedInSandboxOptions,
} from '../../tools/sandbox/linkedin-sandbox';
import { createResyncWorkers, createWorkerDeps, type ResyncWorkers } from '../../src/worker';
import { serve } from './serve';
import { testClient, testNativeConnection, uniqueTaskQueue, workflowBundle } from './temporal';
import { InProcessLanes } from '../../src/linkedin/application-lanes';
import type { PayloadCompression } from '../../src/payload-codec';

export const WEBHOOK_SECRET = 'test_client_secret';
/** The parent application of the tests' webhook: a challenge naming it gets WEBHOOK_SECRET's answer. */
export const PARENT_APPLICATION_ID = '1000';

export interface TestEnvironmentOptions {
  deadlineMs?: number;
  followUpWindowMs?: number;
  /** LinkedIn calls that get no answer within this fail (a hung connection). */
  requestTimeoutMs?: number;
  taskPollIntervalMs?: number;
  sandbox?: LinkedInSandboxOptions;
  /** Another Temporal server than the run's shared one. */
  temporalAddress?: string;
  /** Serves the status endpoints (`/resyncs`) behind this bearer token. */
  adminToken?: string;
  /** Where the API logs (silent when omitted). */
  logger?: Logger;
  /** Serve the API's Prometheus metrics on a listener of their own (`metricsUrl`), as the API does. */
  metrics?: boolean;
  /** Accept Job Status Change notifications (JOB_POSTING_STATUS) on the webhook. */
  jobStatusChanges?: boolean;
  /** PAYLOAD_COMPRESSION of the workers and the API's client ('off' when absent). */
  payloadCompression?: PayloadCompression;
}

/** Everything real: PGlite job store with demo data, the LinkedIn sandbox, a worker, the API over HTTP. */
export interface TestEnvironment {
  client: Client;
  sandbox: LinkedInSandbox;
  jobStore: JobStore;
  /** linkedin_job_status in the same store. */
  jobStatuses: JobStatusStore;
  taskQueue: string;
  /** This environment's WORKFLOW_ID_PREFIX: test files share one Temporal server, never a resync. */
  workflowIdPrefix: string;
  /** The workflow id the API gives a notification body. */
  workflowIdOf(body: string): string;
  apiUrl: string;
  /** The API's metrics listener, e.g. http://127.0.0.1:9465 (with `metrics`): scrape `${metricsUrl}/metrics`. */
  metricsUrl: string | undefined;
  /** POSTs a notification to the webhook, signed with the test secret unless a signature is given. */
  notify(body: string, signature?: string | null): Promise<Response>;
  /** Shuts the workers down as SIGTERM does (in-flight activities get the grace time), and waits. */
  stopWorkers(): Promise<void>;
  /** New workers on the same task queue, as a restarted worker process (of another PAYLOAD_COMPRESSION if given). */
  startWorkers(options?: { payloadCompression?: PayloadCompression }): Promise<void>;
  /**
   * Puts the demo jobs on LinkedIn's side as a customer's LinkedIn looks (see `seedLinkedInAsACustomersLooks`):
   * what the sandbox holds after `reset()`.
   */
  seedSandboxWithDemoJobs(): void;
  close(): Promise<void>;
}

/**
 * The tests' LinkedIn behaves as a customer's does, not as a kind one would: a task takes a couple of
 * seconds (the task poller backs off several times before it ends), and a token lives 65 s, so with the
 * token cache renewing a minute before expiry every few seconds of a test run on a renewed token.
 */
export const CUSTOMER_LIKE_LINKEDIN = { taskCompletionMs: 2_000, tokenTtlSeconds: 65 } as const;

/**
 * LinkedIn's copy of the demo jobs as a customer's drifts: every 25th demo job is missing (an UPDATE of it
 * fails and the resync CREATEs it; never one of LinkedIn's sample ids), and jobs closed in the ATS are
 * closed on LinkedIn too (a CLOSE of one is answered "already closed").
 */
export function seedLinkedInAsACustomersLooks(sandbox: LinkedInSandbox): void {
  for (const app of DEMO_APPLICATIONS) {
    const held = new Set(demoHeldJobIds(app.urn));
    const jobs = buildDemoJobs().filter(
      (job) => job.developerApplicationUrn === app.urn && held.has(job.externalJobPostingId),
    );
    const ids = (status: string) =>
      jobs.filter((job) => job.status === status).map((job) => job.externalJobPostingId);
    sandbox.seedExistingJobs(app.urn, ids('OPEN'), 'OPEN');
    sandbox.seedExistingJobs(app.urn, ids('CLOSED'), 'CLOSED');
  }
}

/** LinkedIn's sandbox as a customer's looks (above), the demo applications registered with it. */
export async function startCustomerLikeSandbox(): Promise<LinkedInSandbox> {
  const sandbox = await startLinkedInSandbox({ ...CUSTOMER_LIKE_LINKEDIN });
  registerDemoApplications(sandbox);
  seedLinkedInAsACustomersLooks(sandbox);
  return sandbox;
}

/** Demo jobs of the application that LinkedIn lacks in `seedLinkedInAsACustomersLooks`. */
export function demoJobsMissingOnLinkedIn(developerApplicationUrn = DEMO_APPLICATION.urn): string[] {
  const held = new Set(demoHeldJobIds(developerApplicationUrn));
  return demoJobIds(developerApplicationUrn).filter((id) => !held.has(id));
}

export async function startTestEnvironment(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const jobStore = await openEmbeddedJobStore({});
  await jobStore.seedDemoData();
  const sandbox = await startLinkedInSandbox({ ...CUSTOMER_LIKE_LINKEDIN, ...options.sandbox });
  // A reset is LinkedIn forgetting every job: what the service recorded of its CREATEs goes with it. The
  // embedded store runs its statements in order, so the next resync's claims come after this one.
  const resetLinkedIn = sandbox.reset.bind(sandbox);
  sandbox.reset = () => {
    resetLinkedIn();
    void jobStore.creates.forgetAll();
  };
  registerDemoApplications(sandbox);
  const seedSandboxWithDemoJobs = () => seedLinkedInAsACustomersLooks(sandbox);
  seedSandboxWithDemoJobs();

  const taskQueue = uniqueTaskQueue('resync');
  const workflowIdPrefix = `t${randomUUID().slice(0, 8)}-`;
  const connection: NativeConnection = await testNativeConnection(options.temporalAddress);
  const startWorkers = async (payloadCompression = options.payloadCompression) => {
    const workers: ResyncWorkers = await createResyncWorkers({
      connection,
      namespace: 'default',
      taskQueue,
      ...(payloadCompression === undefined ? {} : { payloadCompression }),
      workflowBundle: workflowBundle(),
      deps: createWorkerDeps({
        jobStore,
        linkedin: { apiUrl: sandbox.apiUrl, tokenUrl: sandbox.tokenUrl },
        // One process: the lanes are in memory.
        lanes: new InProcessLanes(),
        requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
        taskPolling: { intervalMs: options.taskPollIntervalMs ?? 100, maxIntervalMs: 1_000 },
      }),
    });
    return { workers, running: workers.run() };
  };
  let current: { workers: ResyncWorkers; running: Promise<void> } | undefined = await startWorkers();
  const stopWorkers = async () => {
    if (!current) return;
    const { workers, running } = current;
    current = undefined;
    workers.shutdown();
    await running;
  };

  const client = testClient(options.temporalAddress, options.payloadCompression);
  const jobStatuses = jobStore.jobStatuses;
  const metrics = options.metrics ? new ApiMetrics() : undefined;
  const app = createApp({
    webhookSecrets: [WEBHOOK_SECRET],
    parentApplicationId: PARENT_APPLICATION_ID,
    // The demo store of `npm run dev`: its applications' published secrets sign, as they do there.
    development: true,
    jobStore,
    logger: options.logger ?? createLogger('silent'),
    ...(metrics ? { metrics } : {}),
    ...(options.adminToken ? { admin: { token: options.adminToken, client }, jobStatuses } : {}),
    ...(options.jobStatusChanges
      ? {
          jobStatusChanges: createJobStatusChanges(
            { client, jobStore, logger: options.logger ?? createLogger('silent') },
            {
              taskQueue,
              deadlineMs: options.deadlineMs ?? 30 * 60_000,
              followUpWindowMs: options.followUpWindowMs ?? 60 * 60_000,
              workflowIdPrefix,
              startTimeoutMs: 4_000,
            },
          ),
        }
      : {}),
    resyncs: createResyncStarter(client, {
      taskQueue,
      deadlineMs: options.deadlineMs ?? 30 * 60_000,
      followUpWindowMs: options.followUpWindowMs ?? 60 * 60_000,
      workflowIdPrefix,
      startTimeoutMs: 4_000,
    }),
  });
  const api = await serve(app.callback());
  const apiUrl = api.url;
  const metricsServer: MetricsServer | undefined = metrics
    ? await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 })
    : undefined;

  return {
    client,
    sandbox,
    jobStore,
    jobStatuses,
    taskQueue,
    workflowIdPrefix,
    workflowIdOf: (body) => workflowIdFor(JobResyncNotification.parse(JSON.parse(body)), workflowIdPrefix),
    apiUrl,
    metricsUrl: metricsServer?.url,
    seedSandboxWithDemoJobs,
    stopWorkers,
    async startWorkers(restart) {
      await stopWorkers();
      current = await startWorkers(restart?.payloadCompression ?? options.payloadCompression);
    },
    notify: (body, signature) =>
      fetch(`${apiUrl}/webhooks/linkedin`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(signature === null
            ? {}
            : { 'X-LI-Signature': signature ?? signNotification(WEBHOOK_SECRET, body) }),
        },
        body,
      }),
    async close() {
      await api.close();
      await metricsServer?.close();
      await stopWorkers();
      await connection.close();
      await client.connection.close();
      await sandbox.close();
      await jobStore.close();
    },
  };
}

/** LinkedIn's two sample payloads, byte for byte (linkedin.md §1). */
export const SAMPLE_INDIVIDUAL =
  '{"developerApplicationUrn":"urn:li:developerApplication:12345","externalJobPostingIds":["job-1234","job-2345","job-3456"],"syncAllOpenJobs":false,"type":"RESYNC_JOBS"}';
export const SAMPLE_ALL_OPEN =
  '{"developerApplicationUrn":"urn:li:developerApplication:12345","syncAllOpenJobs":true,"type":"RESYNC_JOBS"}';

/**
 * One environment for the enclosing describe (or file), with LinkedIn put back in its seeded state (no
 * record, no faults, every demo job held) before each test.
 */
export function useEnvironment(options: TestEnvironmentOptions = {}): () => TestEnvironment {
  let env: TestEnvironment | undefined;
  beforeAll(async () => {
    env = await startTestEnvironment(options);
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(() => {
    const current = get();
    current.sandbox.reset();
    current.seedSandboxWithDemoJobs();
  });
  const get = () => {
    if (!env) throw new Error('the test environment did not start');
    return env;
  };
  return get;
}
