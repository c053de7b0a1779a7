/**
 * The resync workers of one process: the main queue's pair (resyncs, task follow-ups) and, when asked, the
 * large queue's pair, on one connection (src/worker.ts re-exports them; src/worker-composition.ts composes
 * them with their dependencies and the drift schedules).
 */
import { Worker, type NativeConnection, type State, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { createDriftActivities } from './drift/activities';
import { followUpTaskQueue, largeResyncTaskQueue } from './contract';
import { applicationLogAttributes } from './observability/activity-interceptors';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from './workflow-bundle';
import type { WorkerTracing } from './observability/tracing-worker';
import { serviceDataConverter, type PayloadCompression } from './payload-codec';

const SHUTDOWN_GRACE = '10 seconds';

export interface ResyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests share one); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Task follow-ups mostly wait; many can share a process. */
  maxConcurrentFollowUps?: number;
  /** Activity slots of the TASK_QUEUE worker (the SDK's default, 100, when absent). */
  maxConcurrentActivities?: number;
  /** Also serve `<taskQueue>-large` (`largeResyncTaskQueue`), where resyncs of many jobs start. */
  serveLargeResyncs?: boolean;
  tracing?: WorkerTracing; // activity interceptors and the workflow span sink; none when absent
  /** PAYLOAD_COMPRESSION: whether the workers write compressed payloads ('off' when absent); they read them always. */
  payloadCompression?: PayloadCompression;
}

/**
 * What the large resyncs' workers hold at once. A large resync posts one call at a time, so a few slots
 * serve several; they are apart from the main worker's slots and workflow thread, never taken from them.
 * Its followers (one per batch: 1,000 for 100,000 jobs) only read LinkedIn's task status, which may lag:
 * a few follow-ups at a time, the rest waiting on Temporal, keep them from crowding the event loop the
 * small resyncs' activities share (docs/operations.md).
 */
export const LARGE_RESYNC_SLOTS = { workflowTasks: 10, activities: 20, followUps: 20 } as const;

/**
 * Workflow tasks the main queue's worker holds at once (the SDK's default is 40). Its workflows run on one
 * thread, so tasks held beyond what that thread and the round trips to Temporal keep busy only wait there,
 * in the order they came, while the tasks Temporal still holds are dispatched by priority and fairness key
 * (src/api/resync-starter.ts). In a 200 × 500 storm, with 8 slots rather than 40, the small resyncs' p99
 * went from 3.6-5.5 s to 1.7-4.0 s, and the storm's throughput did not move (docs/benchmarks.md). At 8 a
 * worker still completes some 160 workflow tasks a second at 50 ms a round trip to Temporal Cloud, some
 * 8,000 jobs a second.
 */
export const RESYNC_WORKFLOW_TASK_SLOTS = 8;

export interface ResyncWorkers {
  /** Resolves when every worker has stopped; rejects (after stopping the others) if one fails. */
  run(): Promise<void>;
  shutdown(): void;
  /** Each Worker's state: all RUNNING once their pollers run (the worker's /readyz). */
  states(): State[];
}

/**
 * Two workers on one connection: the resync workflows with their ATS and posting activities, and the
 * task follow-up activities on a queue of their own, so long waits on LinkedIn never take a posting slot.
 * With `serveLargeResyncs`, the same two for `<taskQueue>-large`: each Worker runs its workflows on a
 * thread of its own, with slots of its own.
 */
export async function createResyncWorkers(options: ResyncWorkerOptions): Promise<ResyncWorkers> {
  const workers = await createWorkerPair(options, options.taskQueue, {
    maxConcurrentWorkflowTaskExecutions: RESYNC_WORKFLOW_TASK_SLOTS,
    ...(options.maxConcurrentActivities === undefined
      ? {}
      : { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities }),
  });
  if (options.serveLargeResyncs) {
    workers.push(
      ...(await createWorkerPair(
        options,
        largeResyncTaskQueue(options.taskQueue),
        {
          maxConcurrentWorkflowTaskExecutions: LARGE_RESYNC_SLOTS.workflowTasks,
          maxConcurrentActivityTaskExecutions: LARGE_RESYNC_SLOTS.activities,
        },
        LARGE_RESYNC_SLOTS.followUps,
      )),
    );
  }
  const shutdown = () => {
    for (const worker of workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  return {
    shutdown,
    states: () => workers.map((worker) => worker.getState()),
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

async function createWorkerPair(
  options: ResyncWorkerOptions,
  taskQueue: string,
  slots: Pick<WorkerOptions, 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'>,
  followUps = options.maxConcurrentFollowUps ?? 1_000,
): Promise<Worker[]> {
  const {
    listOpenJobPage,
    remainingOpenJobs,
    postBatch,
    postBatches,
    postCreates,
    followTasks,
    recordOutcome,
  } = createActivities(options.deps);
  const activityInterceptors = [applicationLogAttributes, ...(options.tracing?.activity ?? [])];
  const dataConverter = serviceDataConverter(options.payloadCompression);
  const resync = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue,
    dataConverter,
    ...slots,
    // A prebuilt bundle has the workflow interceptors built in (see workflow-bundle.ts).
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle, interceptors: { activity: activityInterceptors } }
      : {
          workflowsPath: WORKFLOWS_PATH,
          interceptors: {
            activity: activityInterceptors,
            workflowModules: WORKFLOW_INTERCEPTOR_MODULES,
          },
        }),
    ...(options.tracing ? { sinks: options.tracing.sinks } : {}),
    activities: {
      listOpenJobPage,
      remainingOpenJobs,
      postBatch,
      postBatches,
      postCreates,
      recordOutcome,
      ...createDriftActivities(options.deps),
    },
    // On SIGTERM in-flight activities get this long to finish; then they are cancelled and handed back.
    shutdownGraceTime: SHUTDOWN_GRACE,
    // postBatches heartbeats its answers after a call: at most this much of them is lost to a crash.
    maxHeartbeatThrottleInterval: '1 second',
  });
  const followUp = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: followUpTaskQueue(taskQueue),
    dataConverter,
    activities: { followTasks },
    interceptors: { activity: activityInterceptors },
    maxConcurrentActivityTaskExecutions: followUps,
    shutdownGraceTime: SHUTDOWN_GRACE,
  });
  return [resync, followUp];
}
