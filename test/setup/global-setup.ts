import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { resolveTemporalCli, startTemporalDevServer } from '../../src/dev/temporal-dev-server';

/**
 * One real Temporal dev server for the whole run (in memory, on a free port) and one workflow bundle.
 * Test workers start after this and inherit both through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const [server, bundle] = await Promise.all([
    startTemporalDevServer({ cliPath: resolveTemporalCli(root, process.env) }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietLogger }),
  ]);
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'resync-bundle-')), 'workflows.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEMPORAL_TEST_ADDRESS = server.address;
  process.env.WORKFLOW_BUNDLE_PATH = bundlePath;
  (globalThis as { __temporalDevServer?: typeof server }).__temporalDevServer = server;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};
