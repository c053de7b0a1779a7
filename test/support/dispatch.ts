import type { Client, ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createResyncStarter, SMALL_RESYNC_JOBS, type ResyncStarter } from '../../src/api/resync-starter';
import type { JobStore } from '../../src/ats/job-store';
import type { JobResyncNotification } from '../../src/contract';
import { eventually } from './eventually';

/**
 * What the dispatch tests share (test/dispatch-order.test.ts on the dev server, test/production-dispatch.test.ts
 * on Temporal's server as deployed): resyncs started as the API starts them into a queue no worker polls,
 * the queue's backlog, and the test taking the tasks itself, one poll at a time.
 */
const NORMAL = temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL;

export async function backlogOf(
  connection: ConnectionLike,
  namespace: string,
  taskQueue: string,
): Promise<number> {
  const described = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return Number(described.stats?.approximateBacklogCount ?? 0);
}

/** The workflow whose task the next poller of `taskQueue` is handed; undefined when none comes in 30 s. */
async function nextDispatched(
  connection: ConnectionLike,
  namespace: string,
  taskQueue: string,
): Promise<string | null | undefined> {
  const task = await connection.withDeadline(Date.now() + 30_000, () =>
    connection.workflowService.pollWorkflowTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: NORMAL },
      identity: 'dispatch-test',
    }),
  );
  return task.workflowExecution?.workflowId;
}

/** Takes `count` tasks from the queue, one poll each. */
export async function dispatchedFrom(
  connection: ConnectionLike,
  namespace: string,
  taskQueue: string,
  count: number,
): Promise<Array<string | null | undefined>> {
  const dispatched: Array<string | null | undefined> = [];
  for (let i = 0; i < count; i++) dispatched.push(await nextDispatched(connection, namespace, taskQueue));
  return dispatched;
}

/** Applications with more jobs than one call holds (`large`) and with 3 (`small`), in the job store. */
export async function seedDispatchApplications(
  store: JobStore,
  large: string[],
  small: string[],
): Promise<void> {
  for (const urn of [...large, ...small]) {
    await store.ensureApplication({
      urn,
      clientId: `client-${urn.slice(-7)}`,
      clientSecret: `secret-${urn.slice(-7)}-long-enough`,
      integrationContext: 'urn:li:organization:2414183',
      companyName: 'Dispatch Order Inc',
    });
  }
  for (const urn of large) await store.insertSyntheticJobs(urn, SMALL_RESYNC_JOBS + 1);
  for (const urn of small) await store.insertSyntheticJobs(urn, 3);
}

/** The API's resync starter, into `taskQueue` (and its large resyncs' queue) of the client's namespace. */
export function dispatchStarter(client: Client, store: JobStore, taskQueue: string): ResyncStarter {
  return createResyncStarter(client, {
    taskQueue,
    deadlineMs: 30 * 60_000,
    followUpWindowMs: 60 * 60_000,
    startTimeoutMs: 10_000,
    workflowIdPrefix: `${taskQueue}-`,
    large: { minJobs: 1_000, jobs: store },
  });
}

/**
 * The large applications' sync-alls, then the small ones' resyncs of their 3 jobs, all received at once;
 * resolves with the small resyncs' workflow ids once every first workflow task waits in the backlog.
 */
export async function startLargeThenSmall(
  client: Client,
  store: JobStore,
  taskQueue: string,
  large: string[],
  small: string[],
): Promise<string[]> {
  const resyncs = dispatchStarter(client, store, taskQueue);
  const now = Date.now();
  const syncAll = (urn: string): JobResyncNotification => ({
    developerApplicationUrn: urn,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: true,
  });
  for (const urn of large) await resyncs.start(syncAll(urn), now);
  const smallIds: string[] = [];
  for (const urn of small) {
    const started = await resyncs.start(
      {
        developerApplicationUrn: urn,
        type: 'RESYNC_JOBS',
        syncAllOpenJobs: false,
        externalJobPostingIds: ['syn-000001', 'syn-000002', 'syn-000003'],
      },
      now,
    );
    smallIds.push(started.workflowId);
  }
  await eventually(
    async () =>
      expect(await backlogOf(client.connection, client.options.namespace, taskQueue)).toBe(
        large.length + small.length,
      ),
    60_000,
  );
  return smallIds;
}
