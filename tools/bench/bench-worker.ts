/**
 * The benchmark's worker process: its own PGlite store seeded with N synthetic jobs, and the resync workers,
 * so its memory is measured apart from Temporal, the sandbox and the benchmark itself. Driven over IPC by
 * resync-benchmark.ts (see bench-protocol.ts); started with --expose-gc.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  type LogLevel,
  type LogMetadata,
} from '@temporalio/worker';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import { createResyncWorkers, createWorkerDeps, type ResyncWorkers } from '../../src/worker';
import type { FromWorker, MemorySnapshot, ToWorker, WorkerSetup } from './bench-protocol';
import { InProcessLanes } from '../../src/linkedin/application-lanes';
import { exitIfStopHangs, runChild, sendToParent, stopIfWorkerFails } from './child-process';
import { devServerConnectionOptions } from '../../src/temporal-connection';

const SETUP_TIMEOUT_MS = 60_000;
const LIST_PAGE = 10_000;

/**
 * Warnings the SDK gives for this setup that say nothing about the run: the follow-up worker has no
 * workflows, and createResyncWorkers names the workflow interceptor modules although the prebuilt bundle
 * (src/workflow-bundle.ts) already contains them.
 */
const EXPECTED_WARNINGS = ['No workflows registered', 'Ignoring WorkerOptions.interceptors.workflowModules'];

/** The SDK's warnings and errors, less the expected ones. */
class QuietLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (EXPECTED_WARNINGS.some((expected) => message.startsWith(expected))) return;
    super.log(level, message, meta);
  }
}

function send(message: FromWorker): Promise<void> {
  return sendToParent(message);
}

/** A field of /proc/self/status in bytes (Linux reports kB). */
function procStatusBytes(field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  const kb = Number(/(\d+)\s*kB/.exec(line ?? '')?.[1]);
  return Number.isFinite(kb) ? kb * 1024 : 0;
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so the next peak excludes seeding. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function snapshot(): MemorySnapshot {
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

class MemorySampler {
  max: MemorySnapshot = { rss: 0, heapUsed: 0 };
  samples = 0;
  private timer: NodeJS.Timeout | undefined;

  start(everyMs: number): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const now = snapshot();
    this.max = { rss: Math.max(this.max.rss, now.rss), heapUsed: Math.max(this.max.heapUsed, now.heapUsed) };
    this.samples++;
  }
}

function nextMessage(timeoutMs: number): Promise<ToWorker> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error(`no message from the benchmark within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: ToWorker) => {
      clearTimeout(timer);
      resolve(message);
    };
    process.once('message', onMessage);
  });
}

/** Waits for `kind` for as long as the benchmark likes; the parent bounds the run and kills us if needed. */
function requested(kind: 'measure' | 'finish'): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ToWorker) => {
      if (message.kind !== kind) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

async function seed(setup: WorkerSetup, jobStore: Awaited<ReturnType<typeof openEmbeddedJobStore>>) {
  const started = performance.now();
  await jobStore.ensureApplication(setup.application);
  await jobStore.insertSyntheticJobs(setup.application.urn, setup.jobCount);
  const seedMs = performance.now() - started;
  await jobStore.ensureApplication(setup.warmUp.application);
  await jobStore.insertSyntheticJobs(setup.warmUp.application.urn, setup.warmUp.jobCount);
  return {
    ids: await openJobIds(jobStore, setup.application.urn),
    warmUpIds: await openJobIds(jobStore, setup.warmUp.application.urn),
    seedMs,
  };
}

async function openJobIds(
  jobStore: Awaited<ReturnType<typeof openEmbeddedJobStore>>,
  urn: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const page = await jobStore.listOpenJobIds(urn, { after: ids[ids.length - 1], limit: LIST_PAGE });
    ids.push(...page);
    if (page.length < LIST_PAGE) return ids;
  }
}

async function main(): Promise<void> {
  const message = await nextMessage(SETUP_TIMEOUT_MS);
  if (message.kind !== 'setup') throw new Error(`expected setup, got ${message.kind}`);
  const setup = message;

  Runtime.install({
    logger: new QuietLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
  });

  collectGarbage();
  const atStart = snapshot();
  const jobStore = await openEmbeddedJobStore({ dataDir: setup.dataDir });
  collectGarbage();
  const storeOpened = snapshot();
  let connection: NativeConnection | undefined;
  let workers: ResyncWorkers | undefined;
  let running: Promise<void> | undefined;
  try {
    const { ids, warmUpIds, seedMs } = await seed(setup, jobStore);
    const seedPeakRss = procStatusBytes('VmHWM');
    collectGarbage();
    const afterSeed = snapshot();
    await send({ kind: 'seeded', ids, warmUpIds, seedMs, seedPeakRss, atStart, storeOpened, afterSeed });

    connection = await NativeConnection.connect(devServerConnectionOptions(setup.temporalAddress));
    workers = await createResyncWorkers({
      connection,
      namespace: setup.namespace,
      taskQueue: setup.taskQueue,
      workflowBundle: { codePath: setup.workflowBundlePath },
      deps: createWorkerDeps({
        jobStore,
        // One process: the lanes are in memory.
        lanes: new InProcessLanes(),
        linkedin: setup.linkedin,
        requestTimeoutMs: 30_000,
        taskPolling: { intervalMs: 250, maxIntervalMs: 2_000 },
      }),
    });
    running = workers.run();
    stopIfWorkerFails(running);
    // A production worker has served resyncs before: the measured one does not pay for the first one's
    // workflow code load, connections and the like.
    const measure = requested('measure');
    await send({ kind: 'polling' });
    await measure;

    collectGarbage();
    // The baseline is the RSS the kernel's peak counter restarts from, so the peak is never below it.
    const peakReset = resetPeakRss();
    const idle = { rss: procStatusBytes('VmRSS'), heapUsed: process.memoryUsage().heapUsed };
    const sampler = new MemorySampler();
    sampler.start(setup.sampleEveryMs);
    const cpuAtReady = process.cpuUsage();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const finish = requested('finish');
    await send({ kind: 'ready', idle, peakReset });

    await finish;
    sampler.stop();
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuAtReady);
    await send({
      kind: 'report',
      resyncPeakRss: procStatusBytes('VmHWM'),
      sampledMax: sampler.max,
      samples: sampler.samples,
      cpuMs: (cpu.user + cpu.system) / 1000,
      eventLoopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
      final: snapshot(),
    });
  } finally {
    exitIfStopHangs();
    workers?.shutdown();
    await running?.catch(() => undefined);
    await connection?.close();
    await jobStore.close();
  }
}

runChild(main);
