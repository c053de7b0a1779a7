import type { TemporalDevServer } from '../../src/dev/temporal-dev-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __temporalDevServer?: TemporalDevServer }).__temporalDevServer?.stop();
}
