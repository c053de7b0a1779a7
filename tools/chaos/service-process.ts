/**
 * The service's own entry points (the built dist/worker.js and dist/api/main.js, or a previous release's)
 * as child processes, so a scenario can SIGKILL one and start it again. Their output goes to a log file
 * each; the last lines are kept to explain a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ServiceProcessOptions {
  /** worker-1, api-2…: names the log file. */
  name: string;
  /** The script to run with node, e.g. <dist>/worker.js. */
  script: string;
  cwd: string;
  env: Record<string, string>;
  logDir: string;
  /** Node's own flags before the script (e.g. the storm bench's `--cpu-prof`). */
  nodeArgs?: string[];
}

export class ServiceProcess {
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly tail: string[] = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedWith: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(readonly options: ServiceProcessOptions) {
    this.log = createWriteStream(join(options.logDir, `${options.name}.log`), { flags: 'a' });
    this.child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.log.write(chunk);
      this.tail.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.tail.length > 400) this.tail.splice(0, this.tail.length - 400);
      for (const wake of this.waiters) wake();
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitedWith = { code, signal };
        this.log.end();
        for (const wake of this.waiters) wake();
        resolve({ code, signal });
      });
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** The process id, for reading its CPU and memory from /proc. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitedWith === undefined;
  }

  lastLines(count = 30): string {
    return this.tail.slice(-count).join('\n');
  }

  /** Resolves once a line of output contains `text`; fails when the process exits or time runs out. */
  async waitForLine(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.tail.some((line) => line.includes(text))) return;
      if (this.exitedWith !== undefined)
        throw new Error(`${this.name} exited before "${text}":\n${this.lastLines()}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${this.name}: no "${text}" within ${timeoutMs} ms:\n${this.lastLines()}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** SIGKILL: no drain, no goodbye, as a crashed host. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, as a deployment stops a process; SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
