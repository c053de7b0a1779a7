import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
// The CommonJS build of PGlite loads fine with require(); it fetches its WASM and fs helpers with dynamic
// import() itself, which Node allows natively and Jest only with NODE_OPTIONS=--experimental-vm-modules.
import { PGlite } from '@electric-sql/pglite';
import type { JobStore } from './job-store';
import { applySchema, createSqlJobStore } from './sql';
import type { SqlClient } from './sql';

export interface EmbeddedJobStoreOptions {
  /** A directory to keep the database in (created if missing); in memory when undefined. */
  dataDir?: string | undefined;
}

/** The default ATS database when no DATABASE_URL is set: PostgreSQL in WASM, in process. */
export async function openEmbeddedJobStore(
  options: EmbeddedJobStoreOptions = {},
): Promise<JobStore & { db: SqlClient }> {
  let db: PGlite;
  if (options.dataDir === undefined) {
    db = await PGlite.create();
  } else {
    const dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true });
    db = await PGlite.create({ dataDir });
  }
  try {
    await applySchema(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { ...createSqlJobStore(db), db };
}
