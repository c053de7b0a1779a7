import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import type { JobStore } from './ats/job-store';
import { openJobStore } from './ats/open-job-store';
import { loadConfig, type Config } from './config';
import { InProcessLanes } from './linkedin/application-lanes';
import { LinkedInClient } from './linkedin/client';
import { TaskPoller } from './linkedin/task-poller';
import { TokenCache } from './linkedin/token-cache';
import { createLogger } from './logger';
import { followUpTaskQueue } from './names';

export interface ResyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests share one); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Task follow-ups mostly wait; many can share a process. */
  maxConcurrentFollowUps?: number;
}

export interface ResyncWorkers {
  /** Resolves when both workers have stopped; rejects (after stopping the other) if one fails. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Two workers on one connection: the resync workflows with their ATS and posting activities, and the
 * task follow-up activities on a queue of their own, so long waits on LinkedIn never take a posting slot.
 */
export async function createResyncWorkers(options: ResyncWorkerOptions): Promise<ResyncWorkers> {
  const { listOpenJobIds, remainingOpenJobs, postBatch, followTasks } = createActivities(options.deps);
  const resync = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: { listOpenJobIds, remainingOpenJobs, postBatch },
  });
  const followUp = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: followUpTaskQueue(options.taskQueue),
    activities: { followTasks },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentFollowUps ?? 1_000,
  });
  const workers = [resync, followUp];
  const shutdown = () => {
    for (const worker of workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  return {
    shutdown,
    async run() {
      const runs = workers.map((worker) =>
        worker.run().catch((error: unknown) => {
          shutdown();
          throw error;
        }),
      );
      await Promise.all(runs);
    },
  };
}

export interface WorkerDepsOptions {
  jobStore: JobStore;
  linkedin: Config['linkedin'];
  requestTimeoutMs: number;
  taskPolling: Config['taskPolling'];
}

/** The process-wide pieces every activity shares: one token per application, lanes, the task poller. */
export function createWorkerDeps(options: WorkerDepsOptions): ActivityDeps {
  const linkedin = new LinkedInClient({ ...options.linkedin, requestTimeoutMs: options.requestTimeoutMs });
  const tokens = new TokenCache({ client: linkedin });
  return {
    jobStore: options.jobStore,
    linkedin,
    tokens,
    lanes: new InProcessLanes(),
    taskPoller: new TaskPoller({ linkedin, tokens, ...options.taskPolling }),
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'worker' });
  const jobStore = await openJobStore(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const workers = await createResyncWorkers({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: createWorkerDeps({
        jobStore,
        linkedin: config.linkedin,
        requestTimeoutMs: config.linkedinRequestTimeoutMs,
        taskPolling: config.taskPolling,
      }),
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => workers.shutdown());
    logger.info({ taskQueue: config.temporal.taskQueue }, 'worker started');
    await workers.run();
  } finally {
    await connection.close();
    await jobStore.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
