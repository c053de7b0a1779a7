/**
 * One-shot: puts the demo applications and their jobs into the job store the configuration names
 * (PostgreSQL when DATABASE_URL is set). Run before the API and the worker, as the `seed` service of
 * docker-compose.yml does; a second run leaves existing applications as they are.
 */
import { loadSeedConfig } from '../config';
import { createLogger } from '../logger';
import { openJobStore } from './open-job-store';

async function main(): Promise<void> {
  const config = loadSeedConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'seed' });
  const store = await openJobStore(config);
  try {
    const { seeded } = await store.seedDemoData();
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
