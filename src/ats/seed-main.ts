/**
 * One-shot: puts the demo applications and their jobs into the job store the configuration names
 * (PostgreSQL when DATABASE_URL is set). Run before the API and the worker, as the `seed` service of
 * docker-compose.yml does; a second run leaves existing applications as they are.
 */
import { loadSeedConfig } from '../config';
import { createLogger } from '../logger';
import { seedDemoData } from './demo-data';
import type { JobStore } from './job-store';
import { openJobStore } from './open-job-store';
import type { SqlClient } from './sql';

/** The SQL stores carry their client beside the port; the port itself does not promise one. */
function hasSqlClient(store: JobStore): store is JobStore & { db: SqlClient } {
  if (!('db' in store)) return false;
  const db = store.db;
  return typeof db === 'object' && db !== null && 'query' in db && typeof db.query === 'function';
}

async function main(): Promise<void> {
  const config = loadSeedConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'seed' });
  const store = await openJobStore(config);
  try {
    if (!hasSqlClient(store)) throw new Error('the configured job store offers no SQL client to seed');
    const { seeded } = await seedDemoData(store.db);
    logger.info(
      { store: config.databaseUrl ? 'postgresql' : 'embedded' },
      seeded ? 'demo data seeded' : 'demo data already present',
    );
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
