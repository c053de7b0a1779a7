/**
 * The tenants benchmark's worker process: the ATS store (in-memory PGlite) seeded with the benchmark's
 * applications, and the resync workers as `node dist/worker.js` runs them (main and large pairs), on a CPU
 * of their own: the benchmark's load and LinkedIn's stand-in run in other processes. Driven over IPC by
 * tenants-benchmark.ts (see tenants-protocol.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import { InProcessLanes } from '../../src/linkedin/application-lanes';
import { createResyncWorkers, createWorkerDeps, type ResyncWorkers } from '../../src/worker';
import type {
  FromTenantsWorker,
  PhaseFigures,
  TenantsWorkerSetup,
  ToTenantsWorker,
} from './tenants-protocol';
import { exitIfStopHangs, runChild, sendToParent, stopIfWorkerFails } from './child-process';
import { devServerConnectionOptions } from '../../src/temporal-connection';

const SETUP_TIMEOUT_MS = 60_000;
const LIST_PAGE = 10_000;
const TICK_MS = 100;

function send(message: FromTenantsWorker): Promise<void> {
  return sendToParent(message);
}

function setupMessage(): Promise<TenantsWorkerSetup> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('no setup from the benchmark in time')),
      SETUP_TIMEOUT_MS,
    );
    process.once('message', (message: ToTenantsWorker) => {
      clearTimeout(timer);
      if (message.kind === 'setup') resolve(message);
      else reject(new Error(`expected setup, got ${message.kind}`));
    });
  });
}

function cpuMs(usage = process.cpuUsage()): number {
  return (usage.user + usage.system) / 1000;
}

/** The event loop's delay and lateness and the CPU used from `phaseStart` to `phaseEnd`. */
class PhaseMeter {
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });
  private stalls: Array<[number, number]> = [];
  private ticker: NodeJS.Timeout | undefined;
  private cpuAtStart = process.cpuUsage();
  private startedAt = 0;

  start(): number {
    this.delay.reset();
    this.delay.enable();
    this.stalls = [];
    this.cpuAtStart = process.cpuUsage();
    this.startedAt = Date.now();
    let expected = this.startedAt + TICK_MS;
    this.ticker = setInterval(() => {
      const now = Date.now();
      if (now - expected >= 50) this.stalls.push([now, now - expected]);
      expected = now + TICK_MS;
    }, TICK_MS);
    return this.startedAt;
  }

  end(): PhaseFigures {
    clearInterval(this.ticker);
    this.delay.disable();
    const ms = (ns: number) => Math.round(ns / 1e6);
    return {
      kind: 'phase',
      cpuMs: cpuMs(process.cpuUsage(this.cpuAtStart)),
      elapsedMs: Date.now() - this.startedAt,
      eventLoopDelayMs: {
        p50: ms(this.delay.percentile(50)),
        p99: ms(this.delay.percentile(99)),
        max: ms(this.delay.max),
      },
      stalls: this.stalls,
    };
  }
}

async function main(): Promise<void> {
  const setup = await setupMessage();
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: {
      logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${setup.metricsPort}` } },
    },
  });
  const store = await openEmbeddedJobStore({});
  let connection: NativeConnection | undefined;
  let workers: ResyncWorkers | undefined;
  let running: Promise<void> | undefined;
  try {
    const ids: Record<string, string[]> = {};
    for (const { application, jobs } of setup.applications) {
      await store.ensureApplication(application);
      await store.insertSyntheticJobs(application.urn, jobs);
      const listed: string[] = [];
      for (;;) {
        const page = await store.listOpenJobIds(application.urn, { after: listed.at(-1), limit: LIST_PAGE });
        listed.push(...page);
        if (page.length < LIST_PAGE) break;
      }
      ids[application.urn] = listed;
    }
    await send({ kind: 'seeded', ids });

    connection = await NativeConnection.connect(devServerConnectionOptions(setup.temporalAddress));
    workers = await createResyncWorkers({
      connection,
      namespace: setup.namespace,
      taskQueue: setup.taskQueue,
      serveLargeResyncs: setup.serveLargeResyncs,
      workflowBundle: { codePath: setup.workflowBundlePath },
      deps: createWorkerDeps({
        jobStore: store,
        // One worker process: the lanes are in memory.
        lanes: new InProcessLanes(),
        linkedin: setup.linkedin,
        requestTimeoutMs: 30_000,
        taskPolling: { intervalMs: 1_000, maxIntervalMs: 5_000 },
      }),
    });
    running = workers.run();
    stopIfWorkerFails(running);

    const meter = new PhaseMeter();
    const finished = new Promise<void>((resolve) => {
      process.on('message', (message: ToTenantsWorker) => {
        if (message.kind === 'phaseStart') void send({ kind: 'phaseStarted', at: meter.start() });
        else if (message.kind === 'phaseEnd') void send(meter.end());
        else if (message.kind === 'cpu') void send({ kind: 'cpu', cpuMs: cpuMs() });
        else if (message.kind === 'finish') resolve();
      });
    });
    await send({ kind: 'ready' });
    await finished;
  } finally {
    exitIfStopHangs();
    workers?.shutdown();
    await running?.catch(() => undefined);
    await connection?.close();
    await store.close();
  }
}

runChild(main);
