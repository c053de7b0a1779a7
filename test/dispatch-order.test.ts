import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createResyncStarter, SMALL_RESYNC_JOBS, type ResyncStarter } from '../src/api/resync-starter';
import { openEmbeddedJobStore } from '../src/ats/embedded-store';
import type { JobStore } from '../src/ats/job-store';
import type { JobResyncNotification } from '../src/contract';
import {
  RESYNC_DISPATCH_CONFIG,
  resolveTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../tools/dev/temporal-dev-server';
import { eventually } from './support/eventually';
import { uniqueTaskQueue } from './support/temporal';

/**
 * In a storm every worker slot is taken and the resyncs' tasks wait in Temporal's task queue. A resync of
 * one call's jobs goes ahead of the larger ones there (priority key 1), and each application is a fairness
 * key of its own. A dev server of its own, configured as compose's dev Temporal and `npm run dev` run it
 * (`RESYNC_DISPATCH_CONFIG`: fairness on, which implies the priority matcher, and one write partition a task
 * queue, since Temporal orders each partition by itself), dispatches the backlog as they do; no worker polls
 * the queue until the test takes the tasks itself.
 */
const ROOT = join(__dirname, '..');
const LARGE_APPS = Array.from({ length: 8 }, (_, i) => `urn:li:developerApplication:71000${10 + i}`);
const SMALL_APPS = Array.from({ length: 3 }, (_, i) => `urn:li:developerApplication:71001${10 + i}`);
let server: TemporalDevServer;
let connection: Connection;
let client: Client;
let store: JobStore;

beforeAll(async () => {
  server = await startTemporalDevServer({
    cliPath: resolveTemporalCli(ROOT, process.env),
    startTimeoutMs: 90_000,
    dynamicConfig: RESYNC_DISPATCH_CONFIG,
  });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  store = await openEmbeddedJobStore();
  for (const urn of [...LARGE_APPS, ...SMALL_APPS]) {
    await store.ensureApplication({
      urn,
      clientId: `client-${urn.slice(-7)}`,
      clientSecret: `secret-${urn.slice(-7)}-long-enough`,
      integrationContext: 'urn:li:organization:2414183',
      companyName: 'Dispatch Order Inc',
    });
  }
  for (const urn of LARGE_APPS) await store.insertSyntheticJobs(urn, SMALL_RESYNC_JOBS + 1);
  for (const urn of SMALL_APPS) await store.insertSyntheticJobs(urn, 3);
}, 120_000);

afterAll(async () => {
  await store?.close();
  await connection?.close();
  await server?.stop();
});

function starter(taskQueue: string): ResyncStarter {
  return createResyncStarter(client, {
    taskQueue,
    deadlineMs: 30 * 60_000,
    followUpWindowMs: 60 * 60_000,
    startTimeoutMs: 10_000,
    workflowIdPrefix: `${taskQueue}-`,
    large: { minJobs: 1_000, jobs: store },
  });
}

const syncAll = (urn: string): JobResyncNotification => ({
  developerApplicationUrn: urn,
  type: 'RESYNC_JOBS',
  syncAllOpenJobs: true,
});

async function backlogOf(taskQueue: string, on: Connection = connection): Promise<number> {
  const described = await on.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return Number(described.stats?.approximateBacklogCount ?? 0);
}

/** The workflow whose task the next poller of `taskQueue` on `on` is handed. */
async function nextDispatched(
  taskQueue: string,
  on: Connection = connection,
): Promise<string | null | undefined> {
  const task = await on.withDeadline(Date.now() + 30_000, () =>
    on.workflowService.pollWorkflowTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      identity: 'dispatch-order-test',
    }),
  );
  return task.workflowExecution?.workflowId;
}

test('resyncs of one call go ahead of larger resyncs notified before them, in the task queue Temporal dispatches from', async () => {
  const taskQueue = uniqueTaskQueue('dispatch-order');
  const resyncs = starter(taskQueue);
  const now = Date.now();
  for (const urn of LARGE_APPS) await resyncs.start(syncAll(urn), now);
  const small: string[] = [];
  for (const urn of SMALL_APPS) {
    const started = await resyncs.start(
      {
        developerApplicationUrn: urn,
        type: 'RESYNC_JOBS',
        syncAllOpenJobs: false,
        externalJobPostingIds: ['syn-000001', 'syn-000002', 'syn-000003'],
      },
      now,
    );
    small.push(started.workflowId);
  }
  // Every first workflow task waits in the backlog before anyone polls.
  const all = LARGE_APPS.length + SMALL_APPS.length;
  await eventually(async () => expect(await backlogOf(taskQueue)).toBe(all), 30_000);

  // With Temporal's 4 write partitions the tasks would be spread over four orders, and a poll handed
  // whatever heads the partition it reaches: the three small resyncs would rarely come first.
  const first: Array<string | null | undefined> = [];
  for (let i = 0; i < SMALL_APPS.length; i++) first.push(await nextDispatched(taskQueue));
  expect(first.sort()).toEqual([...small].sort());
});

test('each resync is its application’s fairness key; one of at most one call’s jobs, a sync-all included, has priority 1 and a larger one the default', async () => {
  const taskQueue = uniqueTaskQueue('dispatch-keys');
  const resyncs = starter(taskQueue);
  const large = await resyncs.start(syncAll(LARGE_APPS[0]!), Date.now());
  const small = await resyncs.start(syncAll(SMALL_APPS[0]!), Date.now());

  const largePriority = (await client.workflow.getHandle(large.workflowId).describe()).priority;
  const smallPriority = (await client.workflow.getHandle(small.workflowId).describe()).priority;
  expect(largePriority?.fairnessKey).toBe(LARGE_APPS[0]);
  expect(largePriority?.priorityKey ?? 0).toBe(0);
  expect(smallPriority).toMatchObject({ fairnessKey: SMALL_APPS[0], priorityKey: 1 });
});

test('a server given one write partition still reads what it wrote into four: an upgrade with a backlog loses no task', async () => {
  // The previous release's dev Temporal (fairness on, Temporal's 4 partitions) with a backlog on its file,
  // about three tasks in four outside the partition this release writes to, then restarted on that file
  // as this release runs it: every task is still dispatched.
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-upgrade-'));
  const dbFilename = join(dir, 'temporal.db');
  const cliPath = resolveTemporalCli(ROOT, process.env);
  const taskQueue = uniqueTaskQueue('dispatch-upgrade');
  const ids = Array.from({ length: 12 }, (_, i) => `${taskQueue}-${i}`);
  try {
    const before = await startTemporalDevServer({
      cliPath,
      startTimeoutMs: 90_000,
      dbFilename,
      dynamicConfig: { 'matching.enableFairness': true },
    });
    const beforeConnection = await Connection.connect({ address: before.address });
    try {
      const beforeClient = new Client({ connection: beforeConnection });
      for (const workflowId of ids)
        await beforeClient.workflow.start('resyncJobs', { taskQueue, workflowId, args: [] });
      // Each task is in a partition's backlog, not still on its way to one, when the server stops.
      await eventually(
        async () => expect(await backlogOf(taskQueue, beforeConnection)).toBe(ids.length),
        30_000,
      );
    } finally {
      await beforeConnection.close();
      await before.stop();
    }

    const after = await startTemporalDevServer({
      cliPath,
      startTimeoutMs: 90_000,
      dbFilename,
      dynamicConfig: RESYNC_DISPATCH_CONFIG,
    });
    const afterConnection = await Connection.connect({ address: after.address });
    try {
      const dispatched: Array<string | null | undefined> = [];
      for (let i = 0; i < ids.length; i++) dispatched.push(await nextDispatched(taskQueue, afterConnection));
      expect(dispatched.sort()).toEqual([...ids].sort());
    } finally {
      await afterConnection.close();
      await after.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
