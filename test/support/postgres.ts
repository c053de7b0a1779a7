import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openPostgresJobStore } from '../../src/ats/postgres-store';

/** The throwaway server the global setup started. */
export function postgresTestUrl(): string {
  const url = process.env.POSTGRES_TEST_URL;
  if (!url) throw new Error('POSTGRES_TEST_URL is not set: the Jest global setup starts PostgreSQL');
  return url;
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: postgresTestUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  /** Drops the database, closing whatever sessions are still on it. */
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server, so test files never see each other's rows. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(postgresTestUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** A fresh database (see `createTestDatabase`) with the demo data in it, as `npm run seed` stores it. */
export async function createDemoDatabase(prefix: string): Promise<TestDatabase> {
  const database = await createTestDatabase(prefix);
  const store = await openPostgresJobStore(database.url);
  try {
    await store.seedDemoData();
  } finally {
    await store.close();
  }
  return database;
}
