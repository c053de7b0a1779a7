/**
 * The Temporal a storm runs on (`--temporal`): the CLI's dev server in memory (`dev`), or Temporal's server
 * on PostgreSQL as deployed (`production`: deploy/temporal/server.yaml, its schema and namespace made by
 * deploy/temporal's scripts, tools/temporal/production-server.ts), on a PostgreSQL cluster of its own, as
 * docker-compose.production.yml gives it one (temporal-postgres, apart from the ATS store's): so the ATS
 * store's and Temporal's database CPU are read apart.
 */
import { Client, Connection } from '@temporalio/client';
import { serviceDataConverter } from '../../src/payload-codec';
import { startPostgresCluster } from '../dev/postgres-cluster';
import {
  RESYNC_DISPATCH_CONFIG,
  resolveTemporalCli,
  startTemporalDevServer,
} from '../dev/temporal-dev-server';
import { projectRoot } from '../project-root';
import {
  DISPATCH_BY_PRIORITY_FILE,
  ensureTemporalServerBuild,
  startProductionTemporal,
} from '../temporal/production-server';
import { postgresCpuMs, processCpuMs, temporalServerCpuMs } from './measure';
import type { StormTemporal } from './storm-options';

/** A namespace of the service's own, as an operator creates one in production: not the dev server's. */
export const PRODUCTION_NAMESPACE = 'linkedin-resync';

/** Which Temporal ran, as the server itself reports it (written to the JSON and printed). */
export interface TemporalDescription {
  configuration: StormTemporal;
  serverVersion: string;
  persistenceStore: string;
  visibilityStore: string;
  historyShards: number;
  namespace: string;
  /** Whether the server dispatches by priority and fairness key (`--fairness`), or in order. */
  fairness: boolean;
  /** Every task queue's read and write partitions (`--partitions`, `--write-partitions`); Temporal's 4 where absent. */
  partitions: { read?: number; write?: number };
}

export interface StormTemporalServer {
  address: string;
  namespace: string;
  client: Client;
  description: TemporalDescription;
  /** The Temporal server process's CPU (ms): the dev server (the CLI), or `temporal-server start`. */
  cpuMs(): number | null;
  /** Its own PostgreSQL's CPU (ms, postmaster and backends); null on the dev server (none). */
  postgresCpuMs(): number | null;
}

export async function startStormTemporal(
  configuration: StormTemporal,
  fairness: boolean,
  stops: Array<() => Promise<unknown>>,
  partitions: { read?: number; write?: number } = {},
): Promise<StormTemporalServer> {
  const root = projectRoot();
  // --fairness dispatches as compose's dev Temporal and `npm run dev` do, and Temporal's server given
  // deploy/temporal/dispatch-by-priority.yaml (one write partition too); --partitions and
  // --write-partitions over it on the dev server.
  const effectivePartitions = {
    ...(fairness ? { write: RESYNC_DISPATCH_CONFIG['matching.numTaskqueueWritePartitions'] } : {}),
    ...partitions,
  };
  let server: { address: string; namespace: string; cpuMs(): number | null; postgresCpuMs(): number | null };
  if (configuration === 'production') {
    const build = ensureTemporalServerBuild((message) => console.log(`[storm] ${message}`));
    const postgres = await startPostgresCluster({ startTimeoutMs: 90_000 });
    stops.push(() => postgres.stop());
    const production = await startProductionTemporal({
      adminUrl: postgres.url,
      namespace: PRODUCTION_NAMESPACE,
      build,
      ...(fairness ? { dynamicConfigFile: DISPATCH_BY_PRIORITY_FILE } : {}),
    });
    stops.push(() => production.stop());
    server = {
      address: production.address,
      namespace: production.namespace,
      cpuMs: () => processCpuMs(production.pid),
      postgresCpuMs: () => postgresCpuMs(postgres.dataDir),
    };
  } else {
    const dev = await startTemporalDevServer({
      cliPath: resolveTemporalCli(root, process.env),
      startTimeoutMs: 90_000,
      dynamicConfig: {
        ...(fairness ? RESYNC_DISPATCH_CONFIG : {}),
        ...(effectivePartitions.read === undefined
          ? {}
          : { 'matching.numTaskqueueReadPartitions': effectivePartitions.read }),
        ...(effectivePartitions.write === undefined
          ? {}
          : { 'matching.numTaskqueueWritePartitions': effectivePartitions.write }),
      },
    });
    stops.push(() => dev.stop());
    server = {
      address: dev.address,
      namespace: 'default',
      cpuMs: temporalServerCpuMs,
      postgresCpuMs: () => null,
    };
  }
  const connection = await Connection.connect({ address: server.address });
  stops.push(() => connection.close());
  // Decodes compressed payloads (--compress) as the service's own clients do.
  const client = new Client({
    connection,
    namespace: server.namespace,
    dataConverter: serviceDataConverter(),
  });
  const [system, cluster] = await Promise.all([
    connection.workflowService.getSystemInfo({}),
    connection.workflowService.getClusterInfo({}),
  ]);
  return {
    ...server,
    client,
    description: {
      configuration,
      serverVersion: system.serverVersion ?? 'unknown',
      persistenceStore: cluster.persistenceStore ?? 'unknown',
      visibilityStore: cluster.visibilityStore ?? 'unknown',
      historyShards: cluster.historyShardCount ?? 0,
      namespace: server.namespace,
      fairness,
      partitions: effectivePartitions,
    },
  };
}

/** One line naming the Temporal that ran. */
export function describeTemporal(temporal: TemporalDescription): string {
  const what =
    temporal.configuration === 'production'
      ? `Temporal's server ${temporal.serverVersion} on PostgreSQL as deployed`
      : `the Temporal dev server (${temporal.serverVersion}, in memory)`;
  return (
    `${what}: persistence ${temporal.persistenceStore}, visibility ${temporal.visibilityStore}, ` +
    `${temporal.historyShards} history shard(s), namespace ${temporal.namespace}, ` +
    (temporal.fairness ? 'dispatch by priority and fairness key' : 'dispatch in order') +
    partitionsText(temporal.partitions)
  );
}

/** How the task queues were partitioned, when not as Temporal's default (4 read, 4 write). */
function partitionsText(partitions: { read?: number; write?: number } | undefined): string {
  if (partitions?.read === undefined && partitions?.write === undefined) return '';
  return `, task queue partitions: ${partitions.read ?? 4} read, ${partitions.write ?? 4} write`;
}
