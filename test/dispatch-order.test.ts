import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createResyncStarter, SMALL_RESYNC_JOBS, type ResyncStarter } from '../src/api/resync-starter';
import { openEmbeddedJobStore } from '../src/ats/embedded-store';
import type { JobStore } from '../src/ats/job-store';
import type { JobResyncNotification } from '../src/contract';
import {
  resolveTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../tools/dev/temporal-dev-server';
import { eventually } from './support/eventually';
import { uniqueTaskQueue } from './support/temporal';

/**
 * In a storm every worker slot is taken and the resyncs' tasks wait in Temporal's task queue. A resync of
 * one call's jobs goes ahead of the larger ones there (priority key 1), and each application is a fairness
 * key of its own. A dev server of its own with fairness on (`matching.enableFairness`, which implies the
 * priority matcher) dispatches the backlog as deployments that turn it on do, within each task queue
 * partition; no worker polls the queue until the test takes the first task itself.
 */
const ROOT = join(__dirname, '..');
const LARGE_APPS = ['urn:li:developerApplication:7100001', 'urn:li:developerApplication:7100002'];
const SMALL_APP = 'urn:li:developerApplication:7100003';
let server: TemporalDevServer;
let connection: Connection;
let client: Client;
let store: JobStore;

beforeAll(async () => {
  server = await startTemporalDevServer({
    cliPath: resolveTemporalCli(ROOT, process.env),
    startTimeoutMs: 90_000,
    // Temporal orders each partition of a task queue (4 by default) by itself; with one partition the
    // order a poller sees is the queue's order.
    dynamicConfig: {
      'matching.enableFairness': true,
      'matching.numTaskqueueReadPartitions': 1,
      'matching.numTaskqueueWritePartitions': 1,
    },
  });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  store = await openEmbeddedJobStore();
  for (const urn of [...LARGE_APPS, SMALL_APP]) {
    await store.ensureApplication({
      urn,
      clientId: `client-${urn.slice(-7)}`,
      clientSecret: `secret-${urn.slice(-7)}-long-enough`,
      integrationContext: 'urn:li:organization:2414183',
      companyName: 'Dispatch Order Inc',
    });
  }
  for (const urn of LARGE_APPS) await store.insertSyntheticJobs(urn, SMALL_RESYNC_JOBS + 1);
  await store.insertSyntheticJobs(SMALL_APP, 3);
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

async function backlogOf(taskQueue: string): Promise<number> {
  const described = await connection.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return Number(described.stats?.approximateBacklogCount ?? 0);
}

/** The workflow whose task a poller of `taskQueue` is handed first. */
async function firstDispatched(taskQueue: string): Promise<string | null | undefined> {
  const task = await connection.withDeadline(Date.now() + 30_000, () =>
    connection.workflowService.pollWorkflowTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      identity: 'dispatch-order-test',
    }),
  );
  return task.workflowExecution?.workflowId;
}

test('a resync of one call goes ahead of larger resyncs notified before it, in the task queue Temporal dispatches from', async () => {
  const taskQueue = uniqueTaskQueue('dispatch-order');
  const resyncs = starter(taskQueue);
  const now = Date.now();
  for (const urn of LARGE_APPS) await resyncs.start(syncAll(urn), now);
  const small = await resyncs.start(
    {
      developerApplicationUrn: SMALL_APP,
      type: 'RESYNC_JOBS',
      syncAllOpenJobs: false,
      externalJobPostingIds: ['syn-000001', 'syn-000002', 'syn-000003'],
    },
    now,
  );
  // All three first workflow tasks wait in the backlog before anyone polls.
  await eventually(async () => expect(await backlogOf(taskQueue)).toBe(3), 30_000);

  expect(await firstDispatched(taskQueue)).toBe(small.workflowId);
});

test('each resync is its application’s fairness key; one of at most one call’s jobs, a sync-all included, has priority 1 and a larger one the default', async () => {
  const taskQueue = uniqueTaskQueue('dispatch-keys');
  const resyncs = starter(taskQueue);
  const large = await resyncs.start(syncAll(LARGE_APPS[0]!), Date.now());
  const small = await resyncs.start(syncAll(SMALL_APP), Date.now());

  const largePriority = (await client.workflow.getHandle(large.workflowId).describe()).priority;
  const smallPriority = (await client.workflow.getHandle(small.workflowId).describe()).priority;
  expect(largePriority?.fairnessKey).toBe(LARGE_APPS[0]);
  expect(largePriority?.priorityKey ?? 0).toBe(0);
  expect(smallPriority).toMatchObject({ fairnessKey: SMALL_APP, priorityKey: 1 });
});
