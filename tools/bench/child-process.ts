/**
 * The child's side of a bench process driven over IPC (bench-worker.ts, tenants-worker.ts; the parent's
 * side is worker-process.ts): sending a message, and running `main` to an exit code that tells the parent
 * how it ended (0 done, 1 failed and said why, 2 parent gone, 3 a stop that hung).
 */

/** How long the process's stop may take before it exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 60_000;

/** One message to the parent, once it was handed to the IPC channel. */
export function sendToParent(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('a bench process must be started with an IPC channel (child_process.fork)'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

/** Bounded: a stop that hangs must not keep the benchmark waiting for this process. */
export function exitIfStopHangs(): void {
  setTimeout(() => process.exit(3), SHUTDOWN_TIMEOUT_MS).unref();
}

/** A worker that fails stops the process rather than leaving the benchmark waiting. */
export function stopIfWorkerFails(running: Promise<unknown>): void {
  running.catch((error: unknown) => {
    void sendToParent({ kind: 'error', message: `worker stopped: ${String(error)}` }).finally(() =>
      process.exit(1),
    );
  });
}

/** Runs the process's `main`: a failure goes to the parent as `{ kind: 'error', message }`. */
export function runChild(main: () => Promise<void>): void {
  // Parent gone: nothing to report to.
  process.once('disconnect', () => process.exit(2));
  main().then(
    () => process.exit(0),
    async (error: unknown) => {
      await sendToParent({
        kind: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }).catch(() => undefined);
      process.exit(1);
    },
  );
}
