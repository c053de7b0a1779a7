import { join } from 'node:path';
import type { Config } from '../config';
import { InProcessLanes, type ApplicationLanes } from '../linkedin/application-lanes';
import type { JobStore } from './job-store';
import type { SqlClient } from './sql';
import { openEmbeddedJobStore } from './embedded-store';
import { PostgresLanes } from './postgres-lanes';
import { createPostgresPool, openPostgresJobStore } from './postgres-store';

type StoreConfig = Pick<Config, 'databaseUrl' | 'dataDir'>;

// Lane clients are held while LinkedIn answers: one per application posting from this process.
const LANE_POOL_SIZE = 50;

/**
 * The embedded store (PGlite under the data directory) unless DATABASE_URL names a PostgreSQL server,
 * whose schema is created when missing. The embedded store belongs to one process: `npm run dev` runs the
 * API and the worker in one. Several API and worker processes may share a PostgreSQL store.
 */
export async function openJobStore(config: StoreConfig): Promise<JobStore & { db: SqlClient }> {
  if (config.databaseUrl) return openPostgresJobStore(config.databaseUrl);
  return openEmbeddedJobStore({ dataDir: join(config.dataDir, 'ats') });
}

/**
 * The job store and the application lanes that go with it: in memory beside the embedded store, advisory
 * locks on their own pool beside a PostgreSQL store, so every worker process sharing it shares the lanes.
 * Closing the store closes the lanes' pool too.
 */
export async function openJobStoreAndLanes(
  config: StoreConfig,
): Promise<{ jobStore: JobStore & { db: SqlClient }; lanes: ApplicationLanes }> {
  if (!config.databaseUrl) return { jobStore: await openJobStore(config), lanes: new InProcessLanes() };
  const store = await openPostgresJobStore(config.databaseUrl);
  const lanePool = createPostgresPool(config.databaseUrl, { max: LANE_POOL_SIZE });
  let closing: Promise<void> | undefined;
  const close = async () => {
    await Promise.all([store.close(), lanePool.end()]);
  };
  return {
    jobStore: { ...store, close: () => (closing ??= close()) },
    lanes: new PostgresLanes(lanePool),
  };
}
