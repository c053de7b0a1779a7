import { DatabaseError, Pool, type PoolClient, type PoolConfig } from 'pg';
import type { JobStore } from './job-store';
import { applySchema, createSqlJobStore } from './sql';
import type { SqlClient } from './sql-client';

// Any fixed text: the schema lock only has to be the same for every process that opens the store.
const SCHEMA_LOCK = 'linkedin-job-resync: schema';

/**
 * The store's pool gives up on a server that does not accept a connection within this, and the server
 * ends any statement of the store running longer (the store's statements take milliseconds): a stuck
 * database fails requests visibly instead of holding them, and their connections, forever.
 */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
export const POSTGRES_STATEMENT_TIMEOUT_MS = 15_000;

/**
 * A `pg` pool on `url`. The URL is checked here because a malformed one would otherwise surface as an
 * error that carries the whole URL, password included, into whatever logs it.
 */
export function createPostgresPool(url: string, options: Omit<PoolConfig, 'connectionString'> = {}): Pool {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // No `cause`: Node's URL error keeps the input.
  }
  if (parsed === undefined || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
    throw new Error('DATABASE_URL is not a postgres:// or postgresql:// URL');
  }
  const pool = new Pool({ ...options, connectionString: url });
  // An idle client whose server went away is dropped by the pool; the next query connects again or fails
  // visibly. Without a listener the event would crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * node-postgres never puts the query's parameters in an error, but the server's `detail` may quote a whole
 * row ("Failing row contains (…)"), client secret included. The code, table, column and constraint still
 * say what went wrong.
 */
function withoutRowValues(error: unknown): unknown {
  if (error instanceof DatabaseError) error.detail = undefined;
  return error;
}

/** A pooled client as a SqlClient, for statements that must run on one session. */
function sessionClient(client: PoolClient): SqlClient {
  return {
    async query<T>(text: string, params?: unknown[]) {
      try {
        const result = await client.query(text, params);
        return { rows: result.rows as T[] };
      } catch (error) {
        throw withoutRowValues(error);
      }
    },
  };
}

/**
 * The job store on a PostgreSQL server: the same schema and statements as the embedded store. Several
 * processes may open it at once; creating the schema is serialised by an advisory lock, since concurrent
 * `CREATE TABLE IF NOT EXISTS` of one table can fail. Errors are node-postgres's own, which carry neither
 * the query parameters nor the password, less the server's `detail` (see `withoutRowValues`).
 */
export async function openPostgresJobStore(
  url: string,
  options: Omit<PoolConfig, 'connectionString'> = {},
): Promise<JobStore> {
  return createSqlJobStore(await openPostgresDatabase(url, options));
}

/** The store's database: its pool (with the store's timeouts) as a SqlClient, the schema in place. */
export async function openPostgresDatabase(
  url: string,
  options: Omit<PoolConfig, 'connectionString'> = {},
): Promise<SqlClient> {
  const pool = createPostgresPool(url, {
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    statement_timeout: POSTGRES_STATEMENT_TIMEOUT_MS,
    ...options,
  });
  try {
    await withSchemaLock(pool, (session) => applySchema(session));
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db: SqlClient = {
    async query<T>(text: string, params?: unknown[]) {
      try {
        const result = await pool.query(text, params);
        return { rows: result.rows as T[] };
      } catch (error) {
        throw withoutRowValues(error);
      }
    },
    close: () => pool.end(),
  };
  return db;
}

async function withSchemaLock(pool: Pool, work: (session: SqlClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  // A checked-out client reports a lost connection as an event on itself, which would crash the process
  // without a listener; the failing query reports it anyway.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [SCHEMA_LOCK]);
    await work(sessionClient(client));
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [SCHEMA_LOCK]);
  } catch (error) {
    // Closing the session is what surely releases its lock.
    client.off('error', ignore);
    client.release(true);
    throw error;
  }
  client.off('error', ignore);
  client.release();
}
