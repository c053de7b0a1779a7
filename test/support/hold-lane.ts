// A worker process for test/postgres-lanes.test.ts: takes an application's lane on the database given and
// holds it, saying "holding", until the process ends.
import { Pool } from 'pg';
import { PostgresLanes } from '../../src/ats/postgres-lanes';

async function main(): Promise<void> {
  const [url, application, holderTimeoutMs] = process.argv.slice(2);
  if (url === undefined || application === undefined) throw new Error('usage: hold-lane <url> <application>');
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  const lanes = new PostgresLanes(pool, { holderTimeoutMs: Number(holderTimeoutMs) });
  await lanes.run(application, new AbortController().signal, () => {
    process.stdout.write('holding\n');
    return new Promise<never>(() => undefined);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
