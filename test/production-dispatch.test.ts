import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { openEmbeddedJobStore } from '../src/ats/embedded-store';
import type { JobStore } from '../src/ats/job-store';
import { startProductionTemporal, type ProductionTemporal } from '../tools/temporal/production-server';
import { backlogOf, dispatchedFrom, seedDispatchApplications, startLargeThenSmall } from './support/dispatch';
import { eventually } from './support/eventually';
import { postgresTestUrl } from './support/postgres';
import { uniqueTaskQueue } from './support/temporal';

/**
 * Dispatch by priority on Temporal's server as deployed (1.30.4 on PostgreSQL, deploy/temporal/server.yaml),
 * turned on as docs/operations.md says: the server given deploy/temporal/dispatch-by-priority.yaml
 * (TEMPORAL_DYNAMIC_CONFIG_FILE). An operator turns it on on a server that already runs resyncs, and so with
 * tasks waiting in its queues. No worker polls; the test takes the tasks itself.
 */
const ROOT = join(__dirname, '..');
const DISPATCH_FILE = join(ROOT, 'deploy', 'temporal', 'dispatch-by-priority.yaml');
const NAMESPACE = 'linkedin-resync';
const LARGE_APPS = Array.from({ length: 8 }, (_, i) => `urn:li:developerApplication:72000${10 + i}`);
const SMALL_APPS = Array.from({ length: 3 }, (_, i) => `urn:li:developerApplication:72001${10 + i}`);
let server: ProductionTemporal;
let store: JobStore;

beforeAll(async () => {
  server = await startProductionTemporal({
    adminUrl: postgresTestUrl(),
    namespace: NAMESPACE,
    historyShards: 4,
  });
  store = await openEmbeddedJobStore();
  await seedDispatchApplications(store, LARGE_APPS, SMALL_APPS);
}, 240_000);

afterAll(async () => {
  await store?.close();
  await server?.stop();
});

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return await work(new Client({ connection, namespace: NAMESPACE }));
  } finally {
    await connection.close();
  }
}

/**
 * The history service's transfer tasks still naming `taskQueue`. Until they are gone (deleted once matching
 * has taken them, at the queue's next checkpoint), a restarted server would hand matching the same tasks
 * again, and the test would pass whether or not what waited in matching's backlog is still read.
 */
async function transferTasksOf(taskQueue: string): Promise<number> {
  const pg = new PgClient({ connectionString: server.persistenceUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ count: string }>(
      'SELECT count(*) FROM transfer_tasks WHERE position($1::bytea in data) > 0',
      [Buffer.from(taskQueue)],
    );
    return Number(rows[0]!.count);
  } finally {
    await pg.end();
  }
}

test('turned on with tasks waiting: every task written before is still dispatched', async () => {
  // The server as shipped, dispatching in order, with first workflow tasks waiting in its queue.
  const taskQueue = uniqueTaskQueue('dispatch-turned-on');
  const ids = Array.from({ length: 12 }, (_, i) => `${taskQueue}-${i}`);
  await withClient(async (client) => {
    for (const workflowId of ids)
      await client.workflow.start('resyncJobs', { taskQueue, workflowId, args: [] });
    await eventually(async () => {
      expect(await backlogOf(client.connection, NAMESPACE, taskQueue)).toBe(ids.length);
      expect(await transferTasksOf(taskQueue)).toBe(0);
    }, 120_000);
  });

  // Without matching.enableMigration in the file, none of the 12 came again: fairness reads its own tables.
  await server.restart({ dynamicConfigFile: DISPATCH_FILE });
  const dispatched = await withClient((client) =>
    dispatchedFrom(client.connection, NAMESPACE, taskQueue, ids.length),
  );
  expect(dispatched.sort()).toEqual([...ids].sort());
}, 400_000);

test('with the file, resyncs of one call go ahead of larger resyncs notified before them', async () => {
  await server.restart({ dynamicConfigFile: DISPATCH_FILE });
  const taskQueue = uniqueTaskQueue('dispatch-priority');
  await withClient(async (client) => {
    const small = await startLargeThenSmall(client, store, taskQueue, LARGE_APPS, SMALL_APPS);
    const first = await dispatchedFrom(client.connection, NAMESPACE, taskQueue, SMALL_APPS.length);
    expect(first.sort()).toEqual([...small].sort());
  });
}, 400_000);
