import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { createResyncStarter, type ResyncStarter } from '../src/api/resync-starter';
import { getResyncStatus, listResyncs } from '../src/api/resyncs';
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../src/ats/demo-data';
import { openEmbeddedJobStore } from '../src/ats/embedded-store';
import { largeResyncTaskQueue, WORKFLOW_TYPE, type JobResyncNotification } from '../src/contract';
import { followUpTaskQueue } from '../src/contract/names';
import {
  DRIFT_CHECK_WORKFLOW_TYPE,
  type DriftCheckInput,
  type DriftCheckResult,
} from '../src/contract/drift';
import { InProcessLanes } from '../src/linkedin/application-lanes';
import type { resyncJobs } from '../src/workflows';
import type { FollowResyncTasksInput } from '../src/workflows/follow-resync-tasks';
import { createResyncWorkers, createWorkerDeps, LARGE_RESYNC_SLOTS, type ResyncWorkers } from '../src/worker';
import { demoJobsMissingOnLinkedIn, startTestEnvironment, type TestEnvironment } from './support/environment';
import { eventually } from './support/eventually';
import { followUpsIn } from './support/follow-ups';
import { applicationWith } from './support/synthetic-application';
import { testNativeConnection, workflowBundle } from './support/temporal';
import { atLeast } from './support/timing';
import { within } from './support/within';

/**
 * Resyncs of many jobs start on a task queue of their own (`<TASK_QUEUE>-large`), served by workers of
 * their own in the same process: a workflow thread and slots apart, so one application's 100,000-job resync
 * never holds up the small ones.
 */
let env: TestEnvironment;
let connection: NativeConnection;
let workers: ResyncWorkers;
let running: Promise<void>;
let openJobs: string[];
let large: string;

beforeAll(async () => {
  env = await startTestEnvironment();
  // The environment's workers serve its main queue only; these are the production set with the large queue.
  await env.stopWorkers();
  large = largeResyncTaskQueue(env.taskQueue);
  connection = await testNativeConnection();
  workers = await createResyncWorkers({
    connection,
    namespace: 'default',
    taskQueue: env.taskQueue,
    serveLargeResyncs: true,
    // One posting slot on the main queue: whatever holds it holds every small resync.
    maxConcurrentActivities: 1,
    workflowBundle: workflowBundle(),
    deps: createWorkerDeps({
      jobStore: env.jobStore,
      lanes: new InProcessLanes(),
      linkedin: { apiUrl: env.sandbox.apiUrl, tokenUrl: env.sandbox.tokenUrl },
      // A held call must keep its slot for the whole test, not time out and give it back.
      requestTimeoutMs: 120_000,
      taskPolling: { intervalMs: 100, maxIntervalMs: 1_000 },
    }),
  });
  running = workers.run();
  openJobs = await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 10_000 });
});

afterEach(() => env.sandbox.faults.clear());

afterAll(async () => {
  workers?.shutdown();
  await running;
  await connection?.close();
  await env?.close();
});

function starter(minJobs: number, jobs = env.jobStore): ResyncStarter {
  return createResyncStarter(env.client, {
    taskQueue: env.taskQueue,
    deadlineMs: 30 * 60_000,
    followUpWindowMs: 60 * 60_000,
    workflowIdPrefix: `${env.workflowIdPrefix}large-${minJobs}-`,
    startTimeoutMs: 4_000,
    large: { minJobs, jobs },
  });
}

const syncAll: JobResyncNotification = {
  developerApplicationUrn: DEMO_APPLICATION.urn,
  type: 'RESYNC_JOBS',
  syncAllOpenJobs: true,
};

const listed = (ids: string[], urn = DEMO_APPLICATION.urn): JobResyncNotification => ({
  developerApplicationUrn: urn,
  type: 'RESYNC_JOBS',
  syncAllOpenJobs: false,
  externalJobPostingIds: ids,
});

async function taskQueueOf(client: Client, workflowId: string): Promise<string> {
  return (await client.workflow.getHandle(workflowId).describe()).taskQueue;
}

async function taskQueuesOf(client: Client, query: string): Promise<string[]> {
  const queues: string[] = [];
  for await (const execution of client.workflow.list({ query })) queues.push(execution.taskQueue);
  return queues;
}

test('a sync-all of an application with more open jobs than the limit starts on the large queue and is served there, followers included', async () => {
  // Followed in groups of up to 25 batches: the first group's tasks pass what the resync follows itself
  // (FOLLOW_IN_RESYNC_BYTES), and a follower takes them; the last batch's fit, and the resync follows them.
  const open = 2_600;
  const app = await applicationWith(env, open);
  const { workflowId } = await starter(open - 1).start(
    { ...syncAll, developerApplicationUrn: app.urn },
    Date.now(),
  );

  expect(await taskQueueOf(env.client, workflowId)).toBe(large);
  const result = await env.client.workflow.getHandle<typeof resyncJobs>(workflowId).result();
  expect(result.totals.sent).toBe(open);
  expect(result.totals.confirmed).toBe(result.totals.sent);
  // The tasks the resync follows itself: on its queue's follow-up queue.
  const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const followUpQueues = followUpsIn(events).map((followUp) => followUp.taskQueue);
  expect(followUpQueues.length).toBeGreaterThan(0);
  expect(new Set(followUpQueues)).toEqual(new Set([followUpTaskQueue(large)]));
  // The followers are children: they run on their parent's queue, their activities on its follow-up queue.
  await eventually(async () => {
    const followers = await taskQueuesOf(
      env.client,
      `WorkflowType = 'followResyncTasks' AND WorkflowId STARTS_WITH '${workflowId}'`,
    );
    expect(followers.length).toBeGreaterThan(0);
    expect(new Set(followers)).toEqual(new Set([large]));
  });
  // The status API and the CLI (`list`, `watch`) find it as any other resync.
  const status = await getResyncStatus(env.client, workflowId, { page: 1, pageSize: 0 });
  expect(status?.status).toBe('COMPLETED');
  await eventually(async () => {
    const listedIds = (await listResyncs(env.client, { application: app.urn, limit: 100 })).map(
      (item) => item.workflowId,
    );
    expect(listedIds).toContain(workflowId);
  });
});

test('a sync-all of an application with no more open jobs than the limit starts on the main queue, its jobs counted without reading an id', async () => {
  const asked: string[] = [];
  const recording = new Proxy(env.jobStore, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        asked.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });

  const { workflowId } = await starter(openJobs.length, recording).start(syncAll, Date.now());

  // One bounded count: a sync-all of 500 jobs no longer reads 500 ids into the API to size it.
  expect(asked).toEqual(['countOpenJobs']);
  expect(await taskQueueOf(env.client, workflowId)).toBe(env.taskQueue);
  const result = await env.client.workflow.getHandle<typeof resyncJobs>(workflowId).result();
  expect(result.totals.sent).toBe(openJobs.length);
});

test('a notification listing more ids than the limit starts on the large queue, one listing no more on the main queue', async () => {
  const ids = openJobs.slice(0, 3);

  const over = await starter(2).start(listed(ids), Date.now());
  const within3 = await starter(3).start(listed(ids), Date.now());

  expect(await taskQueueOf(env.client, over.workflowId)).toBe(large);
  expect(await taskQueueOf(env.client, within3.workflowId)).toBe(env.taskQueue);
  for (const { workflowId } of [over, within3]) {
    expect((await env.client.workflow.getHandle<typeof resyncJobs>(workflowId).result()).totals.sent).toBe(
      ids.length,
    );
  }
});

test('with LARGE_RESYNC_JOBS 0 every resync starts on the main queue', async () => {
  const { workflowId } = await starter(0).start(listed(openJobs.slice(0, 3)), Date.now());

  expect(await taskQueueOf(env.client, workflowId)).toBe(env.taskQueue);
  expect((await env.client.workflow.getHandle<typeof resyncJobs>(workflowId).result()).totals.sent).toBe(3);
});

test('a sync-all whose size the store cannot tell starts on the main queue rather than failing', async () => {
  const closed = await openEmbeddedJobStore({});
  await closed.close();

  const { workflowId } = await starter(1, closed).start(syncAll, Date.now());

  expect(await taskQueueOf(env.client, workflowId)).toBe(env.taskQueue);
  expect((await env.client.workflow.getHandle<typeof resyncJobs>(workflowId).result()).totals.sent).toBe(
    openJobs.length,
  );
});

test('a large resync that continues as new keeps every run on the large queue', async () => {
  const workflowId = `${env.workflowIdPrefix}large-continued`;
  // One batch a run: the sync-all continues as new after each of its batches.
  await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: large,
    workflowId,
    args: [
      {
        developerApplicationUrn: DEMO_APPLICATION.urn,
        syncAllOpenJobs: true,
        externalJobPostingIds: [],
        receivedAt: Date.now(),
        deadlineMs: 30 * 60_000,
        followUpWindowMs: 60 * 60_000,
        batchesPerRun: 1,
      },
    ],
  });

  const result = await env.client.workflow.getHandle<typeof resyncJobs>(workflowId).result();
  expect(result.totals.sent).toBe(openJobs.length);
  await eventually(async () => {
    const runs = await taskQueuesOf(env.client, `WorkflowId = '${workflowId}'`);
    expect(runs.length).toBeGreaterThan(1);
    expect(new Set(runs)).toEqual(new Set([large]));
  });
});

test("a small resync completes while the large queue's resyncs hold their LinkedIn calls", async () => {
  // The large application's posting calls get no answer until released: its activities keep their slots.
  const gate = env.sandbox.faults.hold('simpleJobPostings', { application: DEMO_APPLICATION.urn });
  const largeRun = await starter(2).start(listed(openJobs.slice(0, 3)), Date.now());
  await gate.reached;

  const smallIds = ['job-1000', 'job-1001'];
  const small = await starter(2).start(listed(smallIds, SECOND_DEMO_APPLICATION.urn), Date.now());
  const result = await within(
    env.client.workflow.getHandle<typeof resyncJobs>(small.workflowId).result(),
    20_000,
    'the small resync completing beside the held large one',
  );

  expect(result.totals.sent).toBe(smallIds.length);
  expect(await taskQueueOf(env.client, small.workflowId)).toBe(env.taskQueue);
  // The large one was held throughout, and finishes once LinkedIn answers.
  expect(gate.waiting).toBe(1);
  gate.release();
  expect(
    (await env.client.workflow.getHandle<typeof resyncJobs>(largeRun.workflowId).result()).totals.sent,
  ).toBe(3);
});

test("the large queue's follow-ups read LinkedIn's task status a bounded number at a time, the others waiting on Temporal", async () => {
  // LinkedIn's task status answers nothing until released: each follow-up keeps its slot meanwhile.
  const gate = env.sandbox.faults.hold('simpleJobPostingTasks', { application: DEMO_APPLICATION.urn });
  const bound = LARGE_RESYNC_SLOTS.followUps;
  const followers = await Promise.all(
    Array.from({ length: bound + 5 }, (_, i) => {
      const input: FollowResyncTasksInput = {
        parentWorkflowId: `${env.workflowIdPrefix}no-such-resync`,
        developerApplicationUrn: DEMO_APPLICATION.urn,
        operation: 'UPDATE',
        tasks: [[`urn:li:simpleJobPostingTask:${900_000 + i}`, `job-${i}`]],
        until: Date.now() + 10 * 60_000,
      };
      return env.client.workflow.start('followResyncTasks', {
        taskQueue: large,
        workflowId: `${env.workflowIdPrefix}large-follower-${i}`,
        args: [input],
      });
    }),
  );
  await gate.reached;
  const { PENDING_ACTIVITY_STATE_STARTED: STARTED, PENDING_ACTIVITY_STATE_SCHEDULED: SCHEDULED } =
    temporal.api.enums.v1.PendingActivityState;

  try {
    // The five left over wait for a slot, not for a worker to poll them: seconds after they were scheduled.
    await eventually(async () => {
      const pending = (
        await Promise.all(
          followers.map(async (handle) => (await handle.describe()).raw.pendingActivities ?? []),
        )
      ).flat();
      expect(pending.filter((activity) => activity.state === STARTED)).toHaveLength(bound);
      const waiting = pending.filter((activity) => activity.state === SCHEDULED);
      expect(waiting).toHaveLength(5);
      for (const activity of waiting) {
        expect(Date.now() - tsToMs(activity.scheduledTime)).toBeGreaterThanOrEqual(atLeast(2_000));
      }
    });
  } finally {
    gate.release();
    await Promise.all(followers.map((handle) => handle.terminate('test over').catch(() => undefined)));
  }
});

test.each([
  ['LARGE_RESYNC_JOBS 1', 'large', 1],
  ['the default LARGE_RESYNC_JOBS (1,000)', 'main', undefined],
] as const)(
  "with %s, a drift check's repair of its few drifted jobs runs on the %s queue",
  async (_limit, queue, largeResyncJobs) => {
    // LinkedIn as a customer's looks: every 25th demo job missing, so the check repairs several at once.
    env.sandbox.reset();
    env.seedSandboxWithDemoJobs();
    const missing = demoJobsMissingOnLinkedIn();
    expect(missing.length).toBeGreaterThan(1);
    const input: DriftCheckInput = {
      developerApplicationUrn: DEMO_APPLICATION.urn,
      deadlineMs: 60_000,
      followUpWindowMs: 60_000,
      ...(largeResyncJobs === undefined ? {} : { largeResyncJobs }),
    };

    const result = (await env.client.workflow.execute(DRIFT_CHECK_WORKFLOW_TYPE, {
      taskQueue: env.taskQueue,
      workflowId: `${env.workflowIdPrefix}drift-${queue}`,
      args: [input],
    })) as DriftCheckResult;

    expect(result.repairWorkflowIds).toHaveLength(1);
    expect(result.drifted.NOT_LISTED).toBeGreaterThan(1);
    expect(result.repaired.NOT_LISTED).toBe(result.drifted.NOT_LISTED);
    const repairId = result.repairWorkflowIds[0] ?? '';
    expect(await taskQueueOf(env.client, repairId)).toBe(queue === 'large' ? large : env.taskQueue);
  },
);
