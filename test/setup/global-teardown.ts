import type { PostgresCluster } from '../../tools/dev/postgres-cluster';
import type { TemporalDevServer } from '../../tools/dev/temporal-dev-server';

export default async function globalTeardown(): Promise<void> {
  try {
    await (globalThis as { __temporalDevServer?: TemporalDevServer }).__temporalDevServer?.stop();
  } finally {
    await (globalThis as { __postgresCluster?: PostgresCluster }).__postgresCluster?.stop();
  }
}
