/**
 * `npm run dev`: everything on one machine. The Temporal dev server (gRPC 7233, Web UI 8233, state under
 * .data/), the LinkedIn sandbox, the embedded ATS store with demo data, the worker and the API.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createTemporalClient } from '../../src/temporal-client';
import { temporalConnectionOptions } from '../../src/temporal-connection';
import { ensureSearchAttributes } from '../../src/search-attributes';
import { startApiServer } from '../../src/api/main';
import { signNotification } from '../../src/api/signature';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import { ConfigError, socketAddress } from '../../src/config';
import { formatDuration } from '../../src/duration';
import { createLogger } from '../../src/logger';
import type { LinkedInSandbox } from '../sandbox/linkedin-sandbox';
import { startDemoSandbox } from '../sandbox/demo-sandbox';
import { installWorkerRuntime, startResyncWorker } from '../../src/worker-composition';
import {
  RESYNC_DISPATCH_CONFIG,
  resolveTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from './temporal-dev-server';
import { projectRoot } from '../project-root';
import { DEV_WEBHOOK_SECRET, loadDevConfig, type DevConfig } from './config';
import { busyPortMessage, busyPortOf, firstBusyPort, StartAborted, Stops, type DevPort } from './lifecycle';
import { InProcessLanes } from '../../src/linkedin/application-lanes';

const ROOT = projectRoot();
const SAMPLE_INDIVIDUAL =
  '{"developerApplicationUrn":"urn:li:developerApplication:12345","externalJobPostingIds":["job-1234","job-2345","job-3456"],"syncAllOpenJobs":false,"type":"RESYNC_JOBS"}';
const SAMPLE_ALL_OPEN =
  '{"developerApplicationUrn":"urn:li:developerApplication:12345","syncAllOpenJobs":true,"type":"RESYNC_JOBS"}';

const stops = new Stops();

/** The ports `npm run dev` listens on, each with the variable that moves it. */
function devPorts(dev: DevConfig): DevPort[] {
  const config = dev.service;
  const ports: DevPort[] = [];
  if (dev.startTemporal) {
    ports.push({ variable: 'TEMPORAL_DEV_SERVER_PORT', port: dev.temporalPort, host: '127.0.0.1' });
    ports.push({ variable: 'TEMPORAL_DEV_UI_PORT', port: dev.temporalUiPort, host: '127.0.0.1' });
  }
  if (dev.sandboxPort !== undefined) {
    ports.push({ variable: 'SANDBOX_PORT', port: dev.sandboxPort, host: '127.0.0.1' });
  }
  ports.push(
    { variable: 'PORT', port: config.port, host: config.host ?? '0.0.0.0' },
    { variable: 'API_METRICS_PORT', port: config.apiMetrics.port, host: config.apiMetrics.host },
    { variable: 'WORKER_METRICS_PORT', port: config.workerMetricsPort, host: config.workerMetricsHost },
  );
  return ports;
}

async function main(): Promise<void> {
  const dev = loadDevConfig(process.env);
  const config = dev.service;
  // From the first moment: a signal during the start stops what started so far, and nothing else starts.
  const shutdown = (signal: string) => {
    if (stops.stopped) return;
    console.log(`\n${signal}: stopping…`);
    void stops.stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const ports = devPorts(dev);
  const busy = await firstBusyPort(ports);
  if (busy) {
    console.error(busyPortMessage(busy));
    process.exit(1);
  }
  try {
    await start(dev, config);
  } catch (error) {
    if (error instanceof StartAborted) return;
    await stops.stopAll();
    const port = busyPortOf(error, ports);
    console.error(port ? busyPortMessage(port) : error);
    process.exit(1);
  }
}

async function start(dev: DevConfig, config: DevConfig['service']): Promise<void> {
  const logger = createLogger(config.logLevel);
  const dataDir = resolve(ROOT, config.dataDir);
  mkdirSync(dataDir, { recursive: true });

  let temporal: TemporalDevServer | undefined;
  if (dev.startTemporal) {
    console.log(`Starting the Temporal dev server (gRPC ${dev.temporalPort}, Web UI ${dev.temporalUiPort})…`);
    if (dev.ignoredTemporalVariables.length > 0)
      console.log(
        `  (${dev.ignoredTemporalVariables.join(', ')} left aside: set TEMPORAL_ADDRESS or TEMPORAL_PROFILE to use that Temporal)`,
      );
    let stopServer: (() => Promise<void>) | undefined;
    let serverPid: number | undefined;
    // Should the launcher exit any other way, the dev server's group goes with it.
    process.once('exit', () => {
      if (serverPid !== undefined) {
        try {
          process.kill(-serverPid, 'SIGKILL');
        } catch {
          // Stopped already.
        }
      }
    });
    await stops.own('the Temporal dev server', () => stopServer?.() ?? Promise.resolve());
    temporal = await startTemporalDevServer({
      cliPath: resolveTemporalCli(ROOT, { TEMPORAL_CLI: dev.temporalCli }),
      port: dev.temporalPort,
      uiPort: dev.temporalUiPort,
      // With PAYLOAD_COMPRESSION=zlib the Web UI decodes through the API's codec server (its admin listener).
      ...(config.temporal.payloadCompression === 'zlib'
        ? {
            uiCodecEndpoint: `http://${socketAddress(
              ['0.0.0.0', '::'].includes(config.apiMetrics.host) ? '127.0.0.1' : config.apiMetrics.host,
              config.apiMetrics.port,
            )}/codec`,
          }
        : {}),
      dbFilename: join(dataDir, 'temporal.db'),
      // Resyncs of one call go ahead, each application a fair share (resync-starter.ts, docs/operations.md).
      dynamicConfig: RESYNC_DISPATCH_CONFIG,
      ownProcessGroup: true,
      onSpawn: (stop, pid) => {
        stopServer = stop;
        serverPid = pid;
      },
    });
  }
  const temporalAddress = temporal?.address ?? config.temporal.address;

  const jobStore = await openEmbeddedJobStore({ dataDir: join(dataDir, 'ats') });
  await stops.own('the job store', () => jobStore.close());
  const { seeded } = await jobStore.seedDemoData();
  if (seeded) console.log('Seeded the demo data into the embedded ATS store.');

  let sandbox: LinkedInSandbox | undefined;
  if (dev.sandboxPort !== undefined) {
    sandbox = await startDemoSandbox({ port: dev.sandboxPort, host: '127.0.0.1', taskCompletionMs: 2_000 });
    await stops.own('the LinkedIn sandbox', () => sandbox!.close());
  }

  // The launcher stops the worker itself, in order, on SIGINT and SIGTERM.
  installWorkerRuntime(
    logger.child({ component: 'worker' }),
    socketAddress(config.workerMetricsHost, config.workerMetricsPort),
    [],
  );
  // The worker connects as the API does: an external Temporal's API key and TLS included.
  const nativeConnection = await NativeConnection.connect(
    temporalConnectionOptions({ ...config.temporal, address: temporalAddress }),
  );
  await stops.own('the Temporal connection', () => nativeConnection.close());
  await ensureSearchAttributes(nativeConnection, config, logger.child({ component: 'worker' }));
  // The API's client (its connection is made lazily) also keeps the drift schedules.
  const client = createTemporalClient({ ...config.temporal, address: temporalAddress });
  const jobStatuses = jobStore.jobStatuses;
  const worker = await startResyncWorker({
    config,
    logger,
    connection: nativeConnection,
    jobStore,
    // One process: the lanes are in memory.
    lanes: new InProcessLanes(),
    listApplicationUrns: () => jobStatuses.listApplicationUrns(),
    client,
    scheduleSyncEveryMs: 60_000,
  });
  // A worker that fails stops everything, and the launcher with it.
  worker.running.catch(async (error: unknown) => {
    if (stops.stopped) return;
    console.error('the worker failed:', error);
    await stops.stopAll();
    process.exit(1);
  });
  await stops.own('the worker', async () => {
    worker.drain();
    await worker.running;
  });
  await stops.own('the API client', () => client.connection.close());
  const api = await startApiServer({
    config,
    client,
    jobStore,
    jobStatuses,
    logger: logger.child({ component: 'api' }),
  });
  await stops.own('the API', () => api.drain());
  // LinkedIn's side announces its changes (sandbox knobs) to this API, signed like LinkedIn would.
  sandbox?.drift.notifyTo({
    url: `http://127.0.0.1:${config.port}/webhooks/linkedin`,
    secret: config.webhookSecrets[0] ?? DEV_WEBHOOK_SECRET,
  });
  // Stopped first, before the API and its client; the worker's drain stops them too.
  await stops.own('the drift schedules', () => Promise.resolve(worker.stopSchedules()));
  await worker.schedulesReady;

  printWelcome({
    port: config.port,
    uiUrl: temporal?.uiUrl,
    sandboxUrl: sandbox?.url,
    secret: config.webhookSecrets[0] ?? DEV_WEBHOOK_SECRET,
    deadline: formatDuration(config.resyncDeadlineMs),
    driftInterval: formatDuration(config.driftCheckIntervalMs),
    apiMetricsUrl: api.metrics.url,
    workerMetricsPort: config.workerMetricsPort,
  });
}

function curlFor(port: number, secret: string, body: string): string {
  return [
    `curl -i -X POST http://localhost:${port}/webhooks/linkedin`,
    `  -H 'Content-Type: application/json'`,
    `  -H 'X-LI-Signature: ${signNotification(secret, body)}'`,
    `  --data-binary '${body}'`,
  ].join(' \\\n');
}

function printWelcome(options: {
  port: number;
  uiUrl: string | undefined;
  sandboxUrl: string | undefined;
  secret: string;
  deadline: string;
  driftInterval: string;
  apiMetricsUrl: string;
  workerMetricsPort: number;
}): void {
  const lines = [
    '',
    'Job resync is running.',
    `  API (webhook):      http://localhost:${options.port}/webhooks/linkedin`,
    `  Temporal Web UI:    ${options.uiUrl ?? '(external Temporal: see its own UI)'}`,
    `  LinkedIn sandbox:   ${options.sandboxUrl ?? '(real LinkedIn endpoints configured)'}`,
    `  Deadline per resync: ${options.deadline}`,
    `  Drift checks:       every ${options.driftInterval} per application (Web UI: Schedules; filter DriftFound="true")`,
    `  Metrics:            ${options.apiMetricsUrl}/metrics (API), http://localhost:${options.workerMetricsPort}/metrics (worker)`,
    '',
    "Send LinkedIn's sample notification (three jobs), signed with the dev secret:",
    '',
    curlFor(options.port, options.secret, SAMPLE_INDIVIDUAL),
    '',
    'Or every open job of the demo application:',
    '',
    curlFor(options.port, options.secret, SAMPLE_ALL_OPEN),
    '',
  ];
  if (options.sandboxUrl) {
    lines.push(
      "Then see what LinkedIn's side received:",
      '',
      `curl -s '${options.sandboxUrl}/_sandbox/elements?application=${DEMO_APPLICATION.urn}'`,
      '',
    );
  }
  if (options.uiUrl)
    lines.push(`and the resync in the Web UI: ${options.uiUrl}/namespaces/default/workflows`, '');
  if (options.sandboxUrl) {
    const drift = (knob: string, id: string) =>
      `curl -s -X POST ${options.sandboxUrl}/_sandbox/drift -d '{"${knob}":{"developerApplicationUrn":"${DEMO_APPLICATION.urn}","externalJobPostingId":"${id}"}}'`;
    lines.push(
      `Drift: the first check (within ${options.driftInterval}) finds the demo jobs LinkedIn's side lacks or still lists`,
      'and repairs them ("Drift check of N jobs: M repaired" in the log and the Web UI). To make one yourself:',
      '',
      '# LinkedIn stops listing a job and says so (JOB_POSTING_STATUS): repaired at once',
      drift('delist', 'job-1234'),
      '# LinkedIn silently loses a job: the next drift check repairs it',
      drift('forget', 'job-2345'),
      '# or check now:',
      `npm run resync -- drift ${DEMO_APPLICATION.urn}`,
      '',
    );
  }
  console.log(lines.join('\n'));
}

main().catch(async (error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  await stops.stopAll();
  process.exit(1);
});
