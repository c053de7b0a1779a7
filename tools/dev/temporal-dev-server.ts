import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/contract';
import { devServerConnectionOptions } from '../../src/temporal-connection';
import { freePort } from './ports';

export interface TemporalDevServerOptions {
  cliPath: string;
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; no UI when omitted. */
  uiPort?: number;
  /** The codec server the Web UI decodes payloads with (`--ui-codec-endpoint`); none when absent. */
  uiCodecEndpoint?: string;
  /** SQLite file; in memory when omitted. */
  dbFilename?: string;
  /** How long the server may take to answer; 2 cores can be slow. */
  startTimeoutMs?: number;
  /** Register the workflows' search attributes (the default); false: a namespace as a new cluster has it. */
  searchAttributes?: boolean;
  /** Where the server's own output goes; discarded when omitted. */
  onOutput?: (chunk: string) => void;
  /**
   * Run it in a process group of its own, stopped as a group (`npm run dev`): a terminal's Ctrl-C then
   * reaches the launcher alone, which stops the service before Temporal; nothing the CLI starts is left.
   */
  ownProcessGroup?: boolean;
  /** Dynamic configuration values beyond the version check's (`--dynamic-config-value key=value`). */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Called once the process exists, before it serves: a launcher stopped meanwhile can still stop it. */
  onSpawn?: (stop: () => Promise<void>, pid: number | undefined) => void;
}

/**
 * How a Temporal that serves the resyncs dispatches them (compose's dev Temporal and `npm run dev` run with
 * it; the storm's `--fairness` too): by their priority and fairness keys (src/api/resync-starter.ts,
 * docs/operations.md "Dispatch order"), into one partition of each task queue.
 *
 * Temporal keeps priority and fairness within a task queue partition, of which a queue has 4 by default:
 * a small resync's first workflow task lands in one of them, behind nothing, and still waits until a poll
 * reaches that partition, while the polls that reach the other three take the storm's tasks. One write
 * partition puts every new task in one order. The read partitions stay at 4, as Temporal reduces a queue's
 * partitions (the write partitions first; the read ones only once the others' backlogs have drained), so
 * the tasks a server wrote into the others before (a deployment upgraded with a backlog) are still read;
 * polls that find their partition empty are forwarded to the one that holds the tasks. In a 200 × 500 storm
 * the small resyncs' first workflow task waited 110-118 ms (mean) against 360-666 ms with 4
 * (docs/benchmarks.md).
 */
export const RESYNC_DISPATCH_CONFIG = {
  'matching.enableFairness': true,
  'matching.numTaskqueueWritePartitions': 1,
} as const satisfies Record<string, string | number | boolean>;

export interface TemporalDevServer {
  address: string;
  port: number;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

/** The Temporal CLI chosen by `scripts/setup.mjs` (or named by TEMPORAL_CLI). */
export function resolveTemporalCli(projectRoot: string, env: NodeJS.ProcessEnv): string {
  if (env.TEMPORAL_CLI) return env.TEMPORAL_CLI;
  try {
    return readFileSync(join(projectRoot, '.data', 'temporal-cli-path'), 'utf8').trim();
  } catch {
    throw new Error('Temporal CLI not set up: run `node scripts/setup.mjs` (npm test and npm run dev do)');
  }
}

/**
 * Starts `temporal server start-dev` and resolves once its frontend answers. The version check is off so
 * the server makes no outbound call.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const port = options.port ?? (await freePort());
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'error',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
  ];
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {}))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  if (options.searchAttributes ?? true)
    args.push(...SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]));
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.uiPort !== undefined && options.uiCodecEndpoint !== undefined)
    args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);

  const child = spawn(options.cliPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  const group = options.ownProcessGroup ?? false;
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 50) output.shift();
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = () => stopProcess(child, exited, group);
  options.onSpawn?.(stop, child.pid);

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    signal(child, 'SIGKILL', group);
    await exited;
    throw new Error(`Temporal dev server did not start: ${(error as Error).message}\n${output.join('')}`, {
      cause: error,
    });
  }
  return {
    address,
    port,
    uiUrl: options.uiPort === undefined ? undefined : `http://localhost:${options.uiPort}`,
    stop,
  };
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    try {
      const connection = await Connection.connect({
        ...devServerConnectionOptions(address),
        connectTimeout: 1_000,
      });
      try {
        await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}));
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The process, or its whole group when it leads one (whatever it started goes with it). */
function signal(child: ChildProcess, name: NodeJS.Signals, group: boolean): void {
  try {
    if (group && child.pid !== undefined) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // Gone already.
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<void>, group: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    // Its group may outlive it: nothing of it stays.
    if (group) signal(child, 'SIGKILL', group);
    return;
  }
  signal(child, 'SIGTERM', group);
  const killer = setTimeout(() => signal(child, 'SIGKILL', group), 10_000);
  await exited;
  clearTimeout(killer);
  if (group) signal(child, 'SIGKILL', group);
}
