/**
 * The repository's files in Node processes of their own, for tests that need more than one process: a
 * TypeScript file compiled on require with SWC (as Jest's transform does), a built file (dist/…js) as `node`
 * runs it. `ServiceProcesses` runs the service's entry points (the API, the worker) as production does:
 * only the environment given, their output collected, their last lines in a failure, all ended at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { until as waitUntil } from './eventually';

const ROOT = join(__dirname, '..', '..');

// Compiles .ts files on require with SWC, as Jest's transform does, then runs the file named first.
const RUN_TYPESCRIPT = `
const { transformFileSync } = require('@swc/core');
require.extensions['.ts'] = (module, file) =>
  module._compile(
    transformFileSync(file, {
      swcrc: false,
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    }).code,
    file,
  );
process.env.RUN_AS_MAIN ? require('node:module').runMain() : require(process.argv[1]);
`;

export interface TypeScriptChild {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** The same, line by line, empty lines left out. */
  lines(): string[];
  /** Resolves with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Run as Node's main module, so a file's `require.main === module` entry point (main()) runs. */
  asMain?: boolean;
  /** A pipe by default (a child that waits for its stdin to end); `ignore` as a service runs. */
  stdin?: 'pipe' | 'ignore';
}

/** Runs a file of this repository (.ts from source, or built .js) in a Node process of its own. */
export function spawnTypeScript(
  file: string,
  args: string[] = [],
  options: SpawnOptions = {},
): TypeScriptChild {
  const typescript = file.endsWith('.ts');
  const child = spawn(
    process.execPath,
    typescript ? ['-e', RUN_TYPESCRIPT, file, ...args] : [file, ...args],
    {
      cwd: ROOT,
      // Only the environment given: what a process reads is what the test says.
      env: {
        PATH: process.env.PATH ?? '',
        ...options.env,
        ...(typescript && options.asMain ? { RUN_AS_MAIN: '1' } : {}),
      },
      stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, lines: () => output.split('\n').filter(Boolean), exited };
}

export interface ServiceProcess extends TypeScriptChild {
  name: string;
}

/** The service's processes a test file starts: an entry point (src/…ts or a built …js) each. */
export class ServiceProcesses {
  readonly all: ServiceProcess[] = [];

  constructor(
    private readonly options: {
      /** How long `until` waits when not told (otherwise the shared `until`'s). */
      timeoutMs?: number;
      /** Said on a timeout of `until`, after the processes' last lines (a server's log, say). */
      moreOnTimeout?: () => string;
    } = {},
  ) {}

  /** Starts `file` as its main module, as `node` runs an entry point, with only `env`. */
  start(name: string, file: string, env: Record<string, string>): ServiceProcess {
    const running = { name, ...spawnTypeScript(file, [], { env, asMain: true, stdin: 'ignore' }) };
    this.all.push(running);
    return running;
  }

  /** Polls with the shared `until`; on a timeout each process's last lines say why. */
  async until(
    check: () => boolean | Promise<boolean>,
    what: string,
    timeoutMs = this.options.timeoutMs,
  ): Promise<void> {
    try {
      await waitUntil(check, what, timeoutMs);
    } catch (error) {
      const logs = this.all.map((p) => `${p.name}:\n${p.lines().slice(-20).join('\n')}`).join('\n');
      const more = this.options.moreOnTimeout?.() ?? '';
      throw new Error(`${(error as Error).message}\n${logs}${more}`, { cause: error });
    }
  }

  /** Until `running` wrote `text` (a log line's message in quotes: '"worker started"'). */
  waitForOutput(running: ServiceProcess, text: string, timeoutMs?: number): Promise<void> {
    return this.until(() => running.output().includes(text), `${running.name}: ${text}`, timeoutMs);
  }

  /** Until the API on `port` answers its /readyz with 200. */
  apiReady(port: number, timeoutMs?: number): Promise<void> {
    const ready = () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.status === 200,
        () => false,
      );
    return this.until(ready, `the API on ${port} is ready`, timeoutMs);
  }

  /** Ends every process (SIGKILL: the test is over) and waits for their exits. */
  async killAll(): Promise<void> {
    for (const running of this.all) running.child.kill('SIGKILL');
    await Promise.all(this.all.map((running) => running.exited));
  }
}

/**
 * Runs an entry point to its end: its exit code and what it wrote. One that does not end on its own within
 * `timeoutMs` is ended, and reported still running (code null).
 */
export async function runToExit(
  file: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string }> {
  const running = spawnTypeScript(file, [], { env, asMain: true, stdin: 'ignore' });
  const giveUp = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  const code = await running.exited;
  clearTimeout(giveUp);
  return { code, output: running.output() };
}
