/**
 * The parent's side of a bench's worker process (bench-worker.ts, tenants-worker.ts): fork, messages with
 * bounded waits, stop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { FromWorker, ToWorker } from './bench-protocol';
import { within } from './measure';

interface Message {
  kind: string;
}

/** The child running the worker, with bounded waits for each of its messages. */
export class BenchWorker<To extends Message = ToWorker, From extends Message = FromWorker> {
  private readonly child: ChildProcess;
  private readonly inbox: From[] = [];
  private wake: (() => void) | undefined;
  private exitDescription: string | undefined;
  private finishing = false;
  private readonly exited: Promise<void>;
  /** Rejects when the worker fails or exits before it was asked to finish. */
  readonly failed: Promise<never>;

  constructor(entry: string) {
    this.child = fork(entry, [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let fail: (error: Error) => void = () => undefined;
    this.failed = new Promise<never>((_, reject) => (fail = reject));
    this.failed.catch(() => undefined);
    this.child.on('message', (message: From) => {
      this.inbox.push(message);
      if (message.kind === 'error') fail(new Error(`the bench worker failed: ${errorMessage(message)}`));
      this.wake?.();
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitDescription = signal === null ? `code ${code}` : `signal ${signal}`;
        if (!this.finishing)
          fail(new Error(`the bench worker exited unexpectedly (${this.exitDescription})`));
        this.wake?.();
        resolve();
      });
    });
  }

  /** The child's process id (for its CPU time in /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: To): void {
    if (message.kind === 'finish') this.finishing = true;
    this.child.send(message);
  }

  async next<K extends From['kind']>(kind: K, timeoutMs: number): Promise<Extract<From, { kind: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.inbox.shift();
      if (message !== undefined) {
        if (message.kind === 'error') throw new Error(`the bench worker failed: ${errorMessage(message)}`);
        if (message.kind !== kind)
          throw new Error(`expected ${kind} from the bench worker, got ${message.kind}`);
        return message as Extract<From, { kind: K }>;
      }
      if (this.exitDescription !== undefined) {
        throw new Error(`the bench worker exited (${this.exitDescription}) before sending ${kind}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no ${kind} from the bench worker within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  kill(): void {
    this.finishing = true;
    this.child.kill('SIGKILL');
  }

  /** Waits for the exit the worker was asked for, then kills it if it is still there. */
  async stop(graceMs: number): Promise<void> {
    if (this.exitDescription === undefined && graceMs > 0) {
      await within(graceMs, 'the bench worker exit', this.exited).catch(() => undefined);
    }
    if (this.exitDescription === undefined) {
      this.finishing = true;
      this.child.kill('SIGKILL');
      await within(10_000, 'the bench worker kill', this.exited).catch(() => undefined);
    }
  }
}

function errorMessage(message: Message): string {
  return String((message as { message?: unknown }).message);
}
