/**
 * `npm run dev`: everything on one machine. The Temporal dev server (gRPC 7233, Web UI 8233, state under
 * .data/), the LinkedIn sandbox, the embedded ATS store with demo data, the worker and the API.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { temporalLoggerFor } from '../../src/observability/temporal-logger';
import { createTemporalClient } from '../../src/temporal-client';
import { temporalConnectionOptions } from '../../src/temporal-connection';
import { ensureSearchAttributes } from '../../src/search-attributes';
import { startApiServer } from '../../src/api/main';
import { signNotification } from '../../src/api/signature';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import { socketAddress } from '../../src/config';
import { formatDuration } from '../../src/duration';
import { createLogger } from '../../src/logger';
import type { LinkedInSandbox } from '../sandbox/linkedin-sandbox';
import { startDemoSandbox } from '../sandbox/demo-sandbox';
import { createResyncWorkers, createWorkerDeps } from '../../src/worker';
import { resolveTemporalCli, startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';
import { projectRoot } from '../project-root';
import { DEV_WEBHOOK_SECRET, loadDevConfig } from './config';
import { keepDriftSchedules } from '../../src/drift/schedules';
import { InProcessLanes } from '../../src/linkedin/application-lanes';

const ROOT = projectRoot();
const SAMPLE_INDIVIDUAL =
  '{"developerApplicationUrn":"urn:li:developerApplication:12345","externalJobPostingIds":["job-1234","job-2345","job-3456"],"syncAllOpenJobs":false,"type":"RESYNC_JOBS"}';
const SAMPLE_ALL_OPEN =
  '{"developerApplicationUrn":"urn:li:developerApplication:12345","syncAllOpenJobs":true,"type":"RESYNC_JOBS"}';

async function main(): Promise<void> {
  const dev = loadDevConfig(process.env);
  const config = dev.service;
  const logger = createLogger(config.logLevel);
  const dataDir = resolve(ROOT, config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const stops: Array<() => Promise<unknown>> = [];

  let temporal: TemporalDevServer | undefined;
  if (dev.startTemporal) {
    console.log('Starting the Temporal dev server (gRPC 7233, Web UI 8233)…');
    if (dev.ignoredTemporalVariables.length > 0)
      console.log(
        `  (${dev.ignoredTemporalVariables.join(', ')} left aside: set TEMPORAL_ADDRESS or TEMPORAL_PROFILE to use that Temporal)`,
      );
    temporal = await startTemporalDevServer({
      cliPath: resolveTemporalCli(ROOT, { TEMPORAL_CLI: dev.temporalCli }),
      port: 7233,
      uiPort: 8233,
      dbFilename: join(dataDir, 'temporal.db'),
    });
    stops.push(() => temporal!.stop());
  }

  const jobStore = await openEmbeddedJobStore({ dataDir: join(dataDir, 'ats') });
  stops.push(() => jobStore.close());
  const { seeded } = await jobStore.seedDemoData();
  if (seeded) console.log('Seeded the demo data into the embedded ATS store.');

  let sandbox: LinkedInSandbox | undefined;
  if (dev.sandboxPort !== undefined) {
    sandbox = await startDemoSandbox({ port: dev.sandboxPort, host: '127.0.0.1', taskCompletionMs: 2_000 });
    stops.push(() => sandbox!.close());
  }

  Runtime.install({
    logger: temporalLoggerFor(logger.child({ component: 'worker' })),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} },
      metrics: {
        prometheus: {
          bindAddress: socketAddress(config.workerMetricsHost, config.workerMetricsPort),
          countersTotalSuffix: true,
        },
      },
    },
  });
  // The worker connects as the API does: an external Temporal's API key and TLS included.
  const nativeConnection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  await ensureSearchAttributes(nativeConnection, config, logger.child({ component: 'worker' }));
  const workers = await createResyncWorkers({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    serveLargeResyncs: true,
    deps: createWorkerDeps({
      jobStore,
      // One process: the lanes are in memory.
      lanes: new InProcessLanes(),
      linkedin: config.linkedin,
      requestTimeoutMs: config.linkedinRequestTimeoutMs,
      taskPolling: config.taskPolling,
    }),
  });
  const workerRun = workers.run();
  stops.unshift(async () => {
    workers.shutdown();
    await workerRun;
    await nativeConnection.close();
  });

  const client = createTemporalClient(config.temporal);
  const jobStatuses = jobStore.jobStatuses;
  const api = await startApiServer({
    config,
    client,
    jobStore,
    jobStatuses,
    logger: logger.child({ component: 'api' }),
  });
  stops.unshift(async () => {
    await api.drain();
    await client.connection.close();
  });
  // LinkedIn's side announces its changes (sandbox knobs) to this API, signed like LinkedIn would.
  sandbox?.drift.notifyTo({
    url: `http://127.0.0.1:${config.port}/webhooks/linkedin`,
    secret: config.webhookSecrets[0] ?? DEV_WEBHOOK_SECRET,
  });
  const schedules = keepDriftSchedules({
    client,
    listApplicationUrns: () => jobStatuses.listApplicationUrns(),
    options: {
      taskQueue: config.temporal.taskQueue,
      intervalMs: config.driftCheckIntervalMs,
      deadlineMs: config.resyncDeadlineMs,
      followUpWindowMs: config.followUpWindowMs,
      workflowIdPrefix: config.workflowIdPrefix,
      largeResyncJobs: config.largeResyncJobs,
    },
    everyMs: 60_000,
    log: (message, fields) => logger.info(fields, message),
  });
  stops.unshift(() => Promise.resolve(schedules.stop()));
  await schedules.ready;

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

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    for (const stop of stops) await stop().catch((error: unknown) => console.error(error));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await workerRun;
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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
