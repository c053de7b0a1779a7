/**
 * One-shot: puts the demo applications and their jobs into the job store the configuration names
 * (PostgreSQL when DATABASE_URL is set). Run before the API and the worker, as the `seed` service of the
 * sandbox stack (docker-compose.sandbox.yml) does; a second run leaves existing applications as they are.
 * The demo applications' client secrets are published in this repository, so it runs in development
 * only (NODE_ENV=development): never against a production store.
 */
import { ConfigError, loadSeedConfig } from '../config';
import { createLogger } from '../logger';
import { openJobStore } from './open-job-store';

const SEED_OUTSIDE_DEVELOPMENT =
  'refused: the demo applications carry client secrets published in this repository, so they are seeded in development only (NODE_ENV=development: npm run dev, the sandbox stack)';

async function main(): Promise<void> {
  const config = loadSeedConfig(process.env);
  if (!config.development) throw new ConfigError(SEED_OUTSIDE_DEVELOPMENT);
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
  // A configuration problem is a sentence for the operator, not a stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
