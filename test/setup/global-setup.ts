import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorkflowBundle } from '../../src/workflow-bundle';
import { resolveTemporalCli, startTemporalDevServer } from '../../tools/dev/temporal-dev-server';
import { startPostgresCluster } from '../../tools/dev/postgres-cluster';
import { freePort } from '../../tools/dev/ports';

/**
 * One real Temporal dev server for the whole run (in memory, on a free port) and one workflow bundle.
 * Test workers start after this and inherit both through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  // Tests run the workflows from a prebuilt bundle, built the way `npm run build` builds production's.
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'resync-bundle-')), 'workflows.js');
  // A throwaway PostgreSQL server for the job store tests; it must not outlive a failed setup.
  const postgresStarting = startPostgresCluster();
  const [server, , postgres] = await Promise.all([
    // With its Web UI, which the browser test opens.
    freePort().then((uiPort) =>
      startTemporalDevServer({ cliPath: resolveTemporalCli(root, process.env), uiPort }),
    ),
    buildWorkflowBundle(bundlePath),
    postgresStarting,
  ]).catch(async (error: unknown) => {
    await postgresStarting.then((cluster) => cluster.stop()).catch(() => undefined);
    throw error;
  });
  process.env.TEMPORAL_TEST_ADDRESS = server.address;
  process.env.TEMPORAL_TEST_UI_URL = server.uiUrl;
  process.env.WORKFLOW_BUNDLE_PATH = bundlePath;
  (globalThis as { __temporalDevServer?: typeof server }).__temporalDevServer = server;
  process.env.POSTGRES_TEST_URL = postgres.url;
  (globalThis as { __postgresCluster?: typeof postgres }).__postgresCluster = postgres;
}
