import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { openEmbeddedJobStore } from '../src/ats/embedded-store';
import type { JobStore } from '../src/ats/job-store';
import {
  RESYNC_DISPATCH_CONFIG,
  resolveTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../tools/dev/temporal-dev-server';
import {
  backlogOf,
  dispatchedFrom,
  dispatchStarter,
  seedDispatchApplications,
  startLargeThenSmall,
} from './support/dispatch';
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
const run = promisify(execFile);

/**
 * The history service's transfer tasks on the dev server's file still naming `taskQueue` (read with Debian's
 * sqlite3, which `node scripts/setup.mjs --for-tests` installs). Until they are gone (deleted once matching
 * has taken them, at the queue's next checkpoint), a restarted server would hand matching the same tasks
 * again, and the test would pass whether or not what waited in matching's backlog is still read.
 */
async function transferTasksOf(dbFilename: string, taskQueue: string): Promise<number> {
  const { stdout } = await run('sqlite3', [
    '-readonly',
    dbFilename,
    `SELECT count(*) FROM transfer_tasks WHERE instr(data, CAST('${taskQueue}' AS BLOB)) > 0;`,
  ]);
  return Number(stdout.trim());
}

beforeAll(async () => {
  server = await startTemporalDevServer({
    cliPath: resolveTemporalCli(ROOT, process.env),
    startTimeoutMs: 90_000,
    dynamicConfig: RESYNC_DISPATCH_CONFIG,
  });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  store = await openEmbeddedJobStore();
  await seedDispatchApplications(store, LARGE_APPS, SMALL_APPS);
}, 120_000);

afterAll(async () => {
  await store?.close();
  await connection?.close();
  await server?.stop();
});

test('resyncs of one call go ahead of larger resyncs notified before them, in the task queue Temporal dispatches from', async () => {
  const taskQueue = uniqueTaskQueue('dispatch-order');
  // Every first workflow task waits in the backlog before anyone polls.
  const small = await startLargeThenSmall(client, store, taskQueue, LARGE_APPS, SMALL_APPS);

  // With Temporal's 4 write partitions the tasks would be spread over four orders, and a poll handed
  // whatever heads the partition it reaches: the three small resyncs would rarely come first.
  const first = await dispatchedFrom(connection, 'default', taskQueue, SMALL_APPS.length);
  expect(first.sort()).toEqual([...small].sort());
});

test('each resync is its application’s fairness key; one of at most one call’s jobs, a sync-all included, has priority 1 and a larger one the default', async () => {
  const taskQueue = uniqueTaskQueue('dispatch-keys');
  const resyncs = dispatchStarter(client, store, taskQueue);
  const syncAll = (urn: string) =>
    resyncs.start({ developerApplicationUrn: urn, type: 'RESYNC_JOBS', syncAllOpenJobs: true }, Date.now());
  const large = await syncAll(LARGE_APPS[0]!);
  const small = await syncAll(SMALL_APPS[0]!);

  const largePriority = (await client.workflow.getHandle(large.workflowId).describe()).priority;
  const smallPriority = (await client.workflow.getHandle(small.workflowId).describe()).priority;
  expect(largePriority?.fairnessKey).toBe(LARGE_APPS[0]);
  expect(largePriority?.priorityKey ?? 0).toBe(0);
  expect(smallPriority).toMatchObject({ fairnessKey: SMALL_APPS[0], priorityKey: 1 });
});

test('a server given one write partition still reads what it wrote into four: an upgrade with a backlog loses no task', async () => {
  // The previous release's dev Temporal (fairness on, Temporal's 4 partitions) with a backlog on its file,
  // about three tasks in four outside the partition this release writes to, then restarted on that file
  // as this release runs it: every task is still dispatched. With the read partitions lowered to 1 as
  // well, 7 of the 12 never came.
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
      // Its history checkpoints every second, not every 30: the transfer tasks go sooner (below).
      dynamicConfig: { 'matching.enableFairness': true, 'history.transferProcessorUpdateAckInterval': '1s' },
    });
    const beforeConnection = await Connection.connect({ address: before.address });
    try {
      const beforeClient = new Client({ connection: beforeConnection });
      for (const workflowId of ids)
        await beforeClient.workflow.start('resyncJobs', { taskQueue, workflowId, args: [] });
      // Each task is in a partition's backlog, not still on its way to one, when the server stops, and
      // history holds none to hand matching again after the restart.
      await eventually(async () => {
        expect(await backlogOf(beforeConnection, 'default', taskQueue)).toBe(ids.length);
        expect(await transferTasksOf(dbFilename, taskQueue)).toBe(0);
      }, 60_000);
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
      const dispatched = await dispatchedFrom(afterConnection, 'default', taskQueue, ids.length);
      expect(dispatched.sort()).toEqual([...ids].sort());
    } finally {
      await afterConnection.close();
      await after.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
