import { join } from 'node:path';
import type { Config } from '../config';
import type { JobStore } from './job-store';
import { openEmbeddedJobStore } from './embedded-store';

/**
 * The embedded store (PGlite under the data directory) unless DATABASE_URL names a PostgreSQL server.
 * The embedded store belongs to one process: `npm run dev` runs the API and the worker in one.
 */
export async function openJobStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<JobStore> {
  if (config.databaseUrl) {
    throw new Error('DATABASE_URL (PostgreSQL) is not supported yet; unset it to use the embedded store');
  }
  return openEmbeddedJobStore({ dataDir: join(config.dataDir, 'ats') });
}
