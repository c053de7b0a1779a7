import { join } from 'node:path';
import type { Config } from '../config';
import type { JobStore } from './job-store';
import { openEmbeddedJobStore } from './embedded-store';
import { openPostgresJobStore } from './postgres-store';

/**
 * The embedded store (PGlite under the data directory) unless DATABASE_URL names a PostgreSQL server,
 * whose schema is created when missing. The embedded store belongs to one process: `npm run dev` runs the
 * API and the worker in one. Several API and worker processes may share a PostgreSQL store.
 */
export async function openJobStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<JobStore> {
  if (config.databaseUrl) return openPostgresJobStore(config.databaseUrl);
  return openEmbeddedJobStore({ dataDir: join(config.dataDir, 'ats') });
}
