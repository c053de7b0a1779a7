/**
 * `npm run bench -- --intake [--seconds 15] [--connections 8] [--traced]`: does the API add anything to
 * accepting a notification? Signed notifications POSTed to the webhook, then the same workflow started by a bare client
 * `signalWithStart`, each side for the same time at the same concurrency, on one Temporal dev server with
 * the worker running (the resyncs started are posted to the sandbox meanwhile). autocannon drives the
 * webhook; the bare client runs the same number of loops, each starting its next workflow once the last
 * call returned. `--traced`: both trace as in production, to an OTLP receiver in the bench
 * (intake-tracing.ts).
 * Figures go to .data/bench/intake-<time>.json.
 */
import autocannon from 'autocannon';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApp } from '../../src/api/app';
import { createResyncStarter } from '../../src/api/resync-starter';
import { signNotification } from '../../src/api/signature';
import { workflowIdFor } from '../../src/api/workflow-id';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import { canonicalRequest, DEVELOPER_APPLICATION_URN, summaryOf, WORKFLOW_TYPE } from '../../src/contract';
import { InProcessLanes } from '../../src/linkedin/application-lanes';
import { createLogger } from '../../src/logger';
import { createResyncWorkers, createWorkerDeps } from '../../src/worker';
import { notificationReceivedSignal } from '../../src/contract/signals';
import { startLinkedInSandbox } from '../sandbox/linkedin-sandbox';
import { projectRoot } from '../project-root';
import { startBenchTemporal } from './bench-temporal';
import { percentile } from './measure';
import { DEADLINE_MS, FOLLOW_UP_WINDOW_MS } from './settings';
import { devServerConnectionOptions } from '../../src/temporal-connection';
import { benchTracing } from './intake-tracing';

const SECRET = 'intake-bench-webhook-secret';

interface Side {
  side: string;
  requests: number;
  failed: number;
  perSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/**
 * autocannon POSTs to the webhook for `ms` on `connections` connections. LinkedIn signs each delivery, so
 * every request is built anew: its own notification (its own resync) and its own signature.
 */
async function cannonWebhook(url: string, connections: number, ms: number): Promise<Side> {
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: ms / 1000,
    method: 'POST',
    requests: [
      {
        setupRequest: (request) => {
          const body = JSON.stringify(notificationFor('webhook', next++));
          return {
            ...request,
            body,
            headers: {
              ...request.headers,
              'content-type': 'application/json',
              'x-li-signature': signNotification(SECRET, body),
            },
          };
        },
      },
    ],
  });
  const answered = result['2xx'] + result.non2xx;
  // Connection errors and timeouts are requests that failed too.
  const requests = answered + result.errors;
  return {
    side: 'webhook (signed POST)',
    requests,
    failed: requests - result['2xx'],
    perSecond: requests / result.duration,
    p50Ms: answered === 0 ? null : result.latency.p50,
    p99Ms: answered === 0 ? null : result.latency.p99,
  };
}

/** Sends `send(n)` from `connections` loops for `ms`; each loop sends its next request once answered. */
async function load(
  side: string,
  connections: number,
  ms: number,
  send: (n: number) => Promise<boolean>,
): Promise<Side> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const endAt = Date.now() + ms;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < endAt) {
        const at = performance.now();
        const ok = await send(next++).catch(() => false);
        latencies.push(performance.now() - at);
        if (!ok) failed++;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  return {
    side,
    requests: latencies.length,
    failed,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** One notification per request, each its own resync: a job LinkedIn holds and an id of its own. */
function notificationFor(side: string, n: number) {
  return {
    developerApplicationUrn: DEMO_APPLICATION.urn,
    externalJobPostingIds: ['job-1234', `intake-${side}-${n}`],
    syncAllOpenJobs: false,
    type: 'RESYNC_JOBS' as const,
  };
}

export async function runIntakeBenchmark(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      intake: { type: 'boolean' },
      seconds: { type: 'string', default: '15' },
      connections: { type: 'string', default: '8' },
      traced: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const ms = Number(values.seconds) * 1000;
  const connections = Number(values.connections);
  const startedAt = new Date();
  const stops: Array<() => Promise<unknown>> = [];
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
    const { address, client, bundlePath } = await startBenchTemporal(stops, 'intake');
    const tracing = await benchTracing(values.traced, client, stops);

    const sandbox = await startLinkedInSandbox({ taskCompletionMs: 200 });
    stops.push(() => sandbox.close());
    sandbox.registerApplication({
      developerApplicationUrn: DEMO_APPLICATION.urn,
      clientId: DEMO_APPLICATION.clientId,
      clientSecret: DEMO_APPLICATION.clientSecret,
      kind: 'child',
    });
    sandbox.seedExistingJobs(DEMO_APPLICATION.urn, ['job-1234']);
    const store = await openEmbeddedJobStore({});
    stops.push(() => store.close());
    await store.seedDemoData();

    const taskQueue = 'intake-bench';
    const native = await NativeConnection.connect(devServerConnectionOptions(address));
    stops.push(() => native.close());
    const workers = await createResyncWorkers({
      connection: native,
      namespace: 'default',
      taskQueue,
      workflowBundle: { codePath: bundlePath },
      ...(tracing.worker ? { tracing: tracing.worker } : {}),
      deps: createWorkerDeps({
        tracer: tracing.tracer,
        jobStore: store,
        linkedin: { apiUrl: sandbox.apiUrl, tokenUrl: sandbox.tokenUrl },
        lanes: new InProcessLanes(),
        requestTimeoutMs: 10_000,
        taskPolling: { intervalMs: 500, maxIntervalMs: 2_000 },
      }),
    });
    const running = workers.run();
    stops.push(async () => {
      workers.shutdown();
      await running;
    });

    const starterOptions = {
      taskQueue,
      deadlineMs: DEADLINE_MS,
      followUpWindowMs: FOLLOW_UP_WINDOW_MS,
      startTimeoutMs: 10_000,
    };
    const app = createApp({
      webhookSecrets: [SECRET],
      jobStore: store,
      logger: createLogger('silent'),
      resyncs: createResyncStarter(tracing.client, {
        ...starterOptions,
        workflowIdPrefix: 'intake-webhook-',
      }),
      tracer: tracing.tracer,
    });
    const http = createServer((req, res) => void app.callback()(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => http.close(resolve)));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/webhooks/linkedin`;

    console.log(
      `Intake: ${connections} connections, ${ms / 1000} s a side, the worker running, tracing ${values.traced ? 'on' : 'off'}`,
    );
    const webhook = await cannonWebhook(url, connections, ms);
    const bare = await load('bare signalWithStart', connections, ms, async (n) => {
      const notification = notificationFor('bare', n);
      const request = canonicalRequest(notification);
      const receivedAt = Date.now();
      await client.workflow.signalWithStart(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowIdFor(notification, 'intake-bare-'),
        args: [{ ...request, receivedAt, deadlineMs: DEADLINE_MS, followUpWindowMs: FOLLOW_UP_WINDOW_MS }],
        signal: notificationReceivedSignal,
        signalArgs: [{ receivedAt }],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: request.developerApplicationUrn }],
        staticSummary: summaryOf(request),
      });
      return true;
    });

    const sides = [webhook, bare];
    if (values.traced) console.log(`spans exported: ${tracing.spans()}`);
    const fmt = (value: number | null) => (value === null ? '–' : value.toFixed(1));
    const rows = [
      ['side', 'requests', 'failed', 'per s', 'p50 ms', 'p99 ms'],
      ...sides.map((s) => [
        s.side,
        String(s.requests),
        String(s.failed),
        fmt(s.perSecond),
        fmt(s.p50Ms),
        fmt(s.p99Ms),
      ]),
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
    console.log(
      `\n${rows.map((row) => row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ')).join('\n')}`,
    );
    console.log(
      `\nload average (1, 5, 15 min): ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    );
    const outDir = join(projectRoot(), '.data', 'bench');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `intake-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    const report = {
      startedAt,
      machine: { cpus: cpus().length, loadavg: loadavg() },
      connections,
      ms,
      sides,
    };
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Figures written to ${outFile}`);
    if (sides.some((s) => s.failed > 0)) process.exitCode = 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
  }
}
