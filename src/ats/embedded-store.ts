import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
// The CommonJS build of PGlite loads fine with require(); it fetches its WASM and fs helpers with dynamic
// import() itself, which Node allows natively and Jest only with NODE_OPTIONS=--experimental-vm-modules.
import { PGlite } from '@electric-sql/pglite';
import type { JobStore } from './job-store';
import { applySchema, createSqlJobStore } from './sql';

export interface EmbeddedJobStoreOptions {
  /** A directory to keep the database in (created if missing); in memory when undefined. */
  dataDir?: string | undefined;
}

/** The default ATS database when no DATABASE_URL is set: PostgreSQL in WASM, in process. */
export async function openEmbeddedJobStore(options: EmbeddedJobStoreOptions = {}): Promise<JobStore> {
  if (options.dataDir === undefined) return openStore(await PGlite.create(), () => Promise.resolve());
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const release = await lockDataDir(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir });
  } catch (error) {
    await release();
    throw error;
  }
  return openStore(db, release);
}

async function openStore(db: PGlite, release: () => Promise<void>): Promise<JobStore> {
  try {
    await applySchema(db);
  } catch (error) {
    await db.close();
    await release();
    throw error;
  }
  const store = createSqlJobStore(db);
  let closing: Promise<void> | undefined;
  return { ...store, close: () => (closing ??= store.close().finally(release)) };
}

/** Data directories this process has open: a second open here is refused like one from another process. */
const openHere = new Set<string>();

/**
 * PGlite keeps no lock of its own: two processes on one directory each see only the rows they wrote. So
 * the directory gets a lock file beside it holding the owner's pid, created exclusively. As PostgreSQL
 * does with postmaster.pid, a lock whose pid is gone, or is ours or our parent's (a restarted container
 * reuses its pids), was left by a crash and is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${dataDir}.lock`;
  if (openHere.has(dataDir)) throw inUse(dataDir, process.pid);
  const mine = `${process.pid}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lockFile, mine, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
    }
    const owner = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && isAnotherLiveProcess(owner)) throw inUse(dataDir, owner);
    await unlink(lockFile).catch(() => undefined);
  }
  openHere.add(dataDir);
  return async () => {
    if (!openHere.delete(dataDir)) return;
    // Only our own lock: never one another process took over meanwhile.
    if ((await readFile(lockFile, 'utf8').catch(() => '')) === mine)
      await unlink(lockFile).catch(() => undefined);
  };
}

function isAnotherLiveProcess(pid: number): boolean {
  if (pid === process.pid || pid === process.ppid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dataDir: string, pid: number): Error {
  return new Error(
    `the embedded job store ${dataDir} is already open in process ${pid}; it serves one process only. ` +
      'Stop that process, or set DATABASE_URL to a PostgreSQL server to run several API or worker processes.',
  );
}
