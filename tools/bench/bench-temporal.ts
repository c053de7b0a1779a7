/**
 * What the intake and tenants benchmarks start first: the workflow bundle (built while the server starts,
 * as production's is prebuilt), a Temporal dev server and a client on it. Each part's stop goes on `stops`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildWorkflowBundle } from '../../src/workflow-bundle';
import { resolveTemporalCli, startTemporalDevServer } from '../dev/temporal-dev-server';
import { projectRoot } from '../project-root';
import { devServerConnectionOptions } from '../../src/temporal-connection';

export interface BenchTemporal {
  /** The dev server's address, for the workers' NativeConnection. */
  address: string;
  client: Client;
  /** The workflow bundle, for `workflowBundle: { codePath }`. */
  bundlePath: string;
}

export async function startBenchTemporal(
  stops: Array<() => Promise<unknown>>,
  name: string,
): Promise<BenchTemporal> {
  const bundleDir = mkdtempSync(join(tmpdir(), `${name}-bench-`));
  stops.push(() => Promise.resolve(rmSync(bundleDir, { recursive: true, force: true })));
  const bundlePath = join(bundleDir, 'workflows.js');
  const bundling = buildWorkflowBundle(bundlePath);
  // A failure surfaces once the server is up and can be stopped.
  bundling.catch(() => undefined);
  const server = await startTemporalDevServer({
    cliPath: resolveTemporalCli(projectRoot(), process.env),
    startTimeoutMs: 90_000,
  });
  stops.push(() => server.stop());
  await bundling;
  const connection = await Connection.connect(devServerConnectionOptions(server.address));
  stops.push(() => connection.close());
  return { address: server.address, client: new Client({ connection, namespace: 'default' }), bundlePath };
}
