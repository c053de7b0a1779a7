/**
 * The worker's /healthz and /readyz, served on its admin listener (src/metrics-server.ts, beside
 * /metrics). Ready means its Temporal pollers run: every Worker of the process reached RUNNING. Before
 * (connecting to Temporal, creating the workers) and once draining on SIGTERM, /readyz answers 503 saying
 * which. /healthz answers while the event loop does: a blocked loop answers nothing, which a probe's
 * timeout reads as a failure.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import {
  NativeConnection,
  TransportError,
  type NativeConnectionOptions,
  type State,
} from '@temporalio/worker';
import type { Logger } from './logger';
import { relayedMetrics, serveMetrics, type ProbeAnswer, type Probes } from './metrics-server';
import type { MetricsListener } from './config';

type Phase = { status: 'starting'; reason: string } | { status: 'running' } | { status: 'draining' };

export class WorkerProbes implements Probes {
  private phase: Phase = { status: 'starting', reason: 'starting' };
  private states: () => readonly State[] = () => [];
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor() {
    this.delay.enable();
  }

  /** Still starting: `reason` says on what (`connecting to Temporal at …: …`). */
  starting(reason: string): void {
    if (this.phase.status === 'starting') this.phase = { status: 'starting', reason };
  }

  /** The workers are created; ready once each reports RUNNING. */
  running(states: () => readonly State[]): void {
    if (this.phase.status === 'draining') return;
    this.states = states;
    this.phase = { status: 'running' };
  }

  /** SIGTERM: no longer ready, whatever the workers' states say. */
  draining(): void {
    this.phase = { status: 'draining' };
  }

  stop(): void {
    this.delay.disable();
  }

  healthz(): ProbeAnswer {
    // The worst event-loop delay since the last probe: what a request arriving then would have waited.
    const maxDelayMs = Math.round(this.delay.max / 1e6);
    this.delay.reset();
    return { ok: true, body: { status: 'ok', eventLoopDelayMs: maxDelayMs } };
  }

  readyz(): ProbeAnswer {
    const phase = this.phase;
    if (phase.status === 'draining') {
      return { ok: false, body: { status: 'draining', reason: 'SIGTERM: finishing the tasks in hand' } };
    }
    if (phase.status === 'starting') return { ok: false, body: { status: 'starting', reason: phase.reason } };
    const states = this.states();
    if (states.length > 0 && states.every((state) => state === 'RUNNING')) {
      return { ok: true, body: { status: 'ready', workers: states.length } };
    }
    const failed = states.includes('FAILED');
    return {
      ok: false,
      body: {
        status: failed ? 'failed' : states.includes('INITIALIZED') ? 'starting' : 'stopping',
        reason: `worker states: ${states.join(', ') || 'none'}`,
      },
    };
  }
}

/** How long the worker waits between attempts to reach a Temporal that is not up yet, at most. */
export const MAX_CONNECT_RETRY_MS = 10_000;

/**
 * Connects to Temporal, waiting for it while it cannot be reached at all (refused, no such host yet: a
 * stack starting together) with /readyz saying so; any other failure (TLS, credentials) is thrown at once.
 * Undefined when `stopped` fires first.
 */
export async function connectWhenReachable(
  options: NativeConnectionOptions,
  deps: { probes: WorkerProbes; logger: Logger; stopped: AbortSignal; sleep?: (ms: number) => Promise<void> },
): Promise<NativeConnection | undefined> {
  const sleep =
    deps.sleep ?? ((ms: number) => delay(ms, undefined, { signal: deps.stopped }).catch(() => undefined));
  const address = options.address ?? 'localhost:7233';
  for (let attempt = 1; !deps.stopped.aborted; attempt++) {
    deps.probes.starting(`connecting to Temporal at ${address}`);
    try {
      const connection = await NativeConnection.connect(options);
      if (!deps.stopped.aborted) return connection;
      await connection.close();
      return undefined;
    } catch (error) {
      if (!(error instanceof TransportError) || !error.message.includes('ConnectError')) throw error;
      const waitMs = Math.min(500 * 2 ** (attempt - 1), MAX_CONNECT_RETRY_MS);
      const reason = `Temporal at ${address} cannot be reached (${connectFailure(error.message)})`;
      deps.probes.starting(reason);
      deps.logger.warn({ attempt, retryInMs: waitMs }, `${reason}; trying again`);
      await sleep(waitMs);
    }
  }
  return undefined;
}

/** "Connection refused", "dns error": the words of tonic's error that say what failed. */
function connectFailure(message: string): string {
  return (
    /message: "([^"]{1,200})"/.exec(message)?.[1] ??
    /ConnectError\("([^"]{1,200})"/.exec(message)?.[1] ??
    'connect error'
  );
}

/**
 * The worker's admin listener (WORKER_METRICS_HOST:WORKER_METRICS_PORT): /metrics relays the SDK's
 * exporter on `sdkMetricsPort`; /healthz and /readyz answer from the probes. SIGINT and SIGTERM make it
 * unready at once and fire `stopped`, on which the worker drains.
 */
export async function serveWorkerAdmin(
  listener: MetricsListener,
  sdkMetricsPort: number,
  logger: Logger,
): Promise<{ probes: WorkerProbes; stopped: AbortSignal; close(): Promise<void> }> {
  const probes = new WorkerProbes();
  const server = await serveMetrics(
    relayedMetrics(`http://127.0.0.1:${sdkMetricsPort}/metrics`),
    listener,
    probes,
  );
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'draining');
      probes.draining();
      stop.abort();
    });
  }
  return {
    probes,
    stopped: stop.signal,
    close: async () => {
      probes.stop();
      await server.close();
    },
  };
}
