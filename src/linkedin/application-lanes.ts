import { LaneWaitTimeoutError } from './lane-wait-timeout-error';

export interface LaneOptions {
  /**
   * How long the call may wait for its turn (the time left before the resync's deadline). Past it the call
   * fails with LaneWaitTimeoutError and runs nothing; unbounded when omitted.
   */
  maxWaitMs?: number | undefined;
}

/**
 * LinkedIn asks that the batches of one child application go one after another. Every simpleJobPostings
 * call of the process runs inside its application's lane: a first-come, first-served lock, so two
 * resyncs of one application take turns call by call and neither starves. Different applications never
 * wait for each other.
 */
export interface ApplicationLanes {
  run<T>(
    developerApplicationUrn: string,
    signal: AbortSignal,
    work: () => Promise<T>,
    options?: LaneOptions,
  ): Promise<T>;
}

/**
 * Lanes for one worker process. The embedded job store allows a single process; several worker
 * processes share lanes through PostgreSQL advisory locks instead.
 */
export class InProcessLanes implements ApplicationLanes {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(
    developerApplicationUrn: string,
    signal: AbortSignal,
    work: () => Promise<T>,
    options: LaneOptions = {},
  ): Promise<T> {
    const previous = this.tails.get(developerApplicationUrn) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(developerApplicationUrn, tail);
    try {
      const wait = boundedWait(developerApplicationUrn, signal, options.maxWaitMs);
      try {
        await waitOrAbort(previous, wait.signal);
      } finally {
        wait.done();
      }
      return await work();
    } finally {
      release();
      // Whoever queued behind us still holds a reference to our tail; forget it only when we were last.
      if (this.tails.get(developerApplicationUrn) === tail) this.tails.delete(developerApplicationUrn);
    }
  }
}

/**
 * The caller's signal, also aborted with a LaneWaitTimeoutError once `maxWaitMs` has passed; `done()` stops
 * the clock once the turn came.
 */
export function boundedWait(
  developerApplicationUrn: string,
  signal: AbortSignal,
  maxWaitMs: number | undefined,
): { signal: AbortSignal; done: () => void } {
  if (maxWaitMs === undefined) return { signal, done: () => undefined };
  const bound = new AbortController();
  const timer = setTimeout(
    () => bound.abort(new LaneWaitTimeoutError(developerApplicationUrn, maxWaitMs)),
    Math.max(0, maxWaitMs),
  );
  return { signal: AbortSignal.any([signal, bound.signal]), done: () => clearTimeout(timer) };
}

function waitOrAbort(turn: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
