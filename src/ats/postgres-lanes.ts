import type { Pool, PoolClient } from 'pg';
import {
  boundedWait,
  InProcessLanes,
  type ApplicationLanes,
  type LaneOptions,
} from '../linkedin/application-lanes';

// Hashed with the application urn into the advisory lock key; the prefix keeps these keys apart from
// other users of advisory locks on the same database.
const LANE_KEY_PREFIX = 'linkedin-job-resync: lane ';
const ABORTED = Symbol('aborted');

export interface PostgresLanesOptions {
  /**
   * A holder that sends nothing for this long loses its lane: the server ends its session, which releases
   * the lock. A live holder sends a heartbeat three times as often.
   */
  holderTimeoutMs?: number;
}

/** A vanished or frozen holder frees its lane within this: a small part of a resync's 30 minutes. */
export const DEFAULT_HOLDER_TIMEOUT_MS = 30_000;

/**
 * Lanes shared by every worker process on one PostgreSQL store. A call holds a session-level advisory
 * lock on the application's key, on a pooled client kept for the call. PostgreSQL grants a contended lock
 * to its waiters in the order they asked, so lanes stay first come, first served across processes;
 * within a process the calls of one application queue in memory first, so each application needs at most
 * one connection per process.
 *
 * A holder that is gone must not keep the lane. TCP keep-alive cannot tell: the holder's kernel answers
 * the probes of a process that is stopped or hung, and Node sets neither the probes' interval nor their
 * count (Linux then probes for over eleven minutes). A lease row with an expiry would work too, but costs a
 * write per renewal and trusts the clocks of every worker. So the server ends the session instead: the
 * holder's session runs with `idle_session_timeout` (PostgreSQL 14 or later) and sends `SELECT 1` while its
 * call runs, so a session that goes silent for `holderTimeoutMs` (host gone, connection cut, process
 * frozen) is closed by the server and its lock released. A waiter that vanished costs no more: it is
 * busy while waiting, and once granted the lane it goes silent and is ended the same way.
 *
 * The pool should be the lanes' own: its clients are held while LinkedIn answers, and the job store's
 * queries must not wait behind them.
 */
export class PostgresLanes implements ApplicationLanes {
  private readonly local = new InProcessLanes();
  private readonly holderTimeoutMs: number;

  constructor(
    private readonly pool: Pool,
    options: PostgresLanesOptions = {},
  ) {
    this.holderTimeoutMs = options.holderTimeoutMs ?? DEFAULT_HOLDER_TIMEOUT_MS;
  }

  async run<T>(
    developerApplicationUrn: string,
    signal: AbortSignal,
    work: () => Promise<T>,
    options: LaneOptions = {},
  ): Promise<T> {
    // One clock for the whole wait: the queue in this process, a pooled connection, then the lock.
    const wait = boundedWait(developerApplicationUrn, signal, options.maxWaitMs);
    try {
      return await this.local.run(developerApplicationUrn, wait.signal, () =>
        this.runLocked(LANE_KEY_PREFIX + developerApplicationUrn, wait, work),
      );
    } finally {
      wait.done();
    }
  }

  private async runLocked<T>(
    key: string,
    { signal, done: turnCame }: { signal: AbortSignal; done: () => void },
    work: () => Promise<T>,
  ): Promise<T> {
    const client = await connectOrAbort(this.pool, signal);
    // A checked-out client reports a lost connection as an event on itself, which would crash the process
    // without a listener. The lock went with the session; the call already under way goes on.
    const ignore = () => undefined;
    client.on('error', ignore);
    // Closing the session (destroy) releases every lock it still holds.
    const done = (destroy: boolean) => {
      client.off('error', ignore);
      client.release(destroy);
    };

    let abandoned = false;
    try {
      const { rows } = await client.query<{ pid: number; locked: boolean }>(
        `SELECT pg_backend_pid() AS pid, set_config('idle_session_timeout', $2, false),
                pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [key, `${this.holderTimeoutMs}ms`],
      );
      const first = rows[0];
      if (first === undefined) throw new Error('pg_try_advisory_lock returned no row');
      if (!first.locked) {
        if (signal.aborted) throw signal.reason as Error;
        const waiting = client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
        if ((await orAborted(waiting, signal)) === ABORTED) {
          abandoned = true;
          void this.abandon(first.pid, waiting, done);
          throw signal.reason as Error;
        }
      }
    } catch (error) {
      if (!abandoned) done(true);
      throw error;
    }

    turnCame();
    const heartbeat = this.heartbeat(client);
    try {
      return await work();
    } finally {
      if (await heartbeat.stop()) done(true);
      else {
        try {
          // Back in the pool, an idle client is the pool's to close, not the server's.
          await answeredWithin(
            client.query(
              `SELECT pg_advisory_unlock(hashtextextended($1, 0)), set_config('idle_session_timeout', '0', false)`,
              [key],
            ),
            this.holderTimeoutMs,
          );
          done(false);
        } catch {
          done(true);
        }
      }
    }
  }

  /**
   * Keeps the holder's session from looking idle while its call runs. A heartbeat that fails or goes
   * unanswered for the holder timeout means the session is gone, or soon will be, and the lane with it: the
   * call already under way goes on, and its result does not wait for a connection that no longer answers.
   */
  /** `stop()` answers whether the session was lost. */
  private heartbeat(client: PoolClient): { stop(): Promise<boolean> } {
    let stopped = false;
    let lost = false;
    let beat: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      timer = setTimeout(() => {
        beat = answeredWithin(client.query('SELECT 1'), this.holderTimeoutMs).then(
          () => (stopped ? undefined : schedule()),
          () => {
            lost = true;
          },
        );
      }, this.holderTimeoutMs / 3);
    };
    schedule();
    return {
      async stop() {
        stopped = true;
        clearTimeout(timer);
        await beat;
        return lost;
      },
    };
  }

  /** Stops the backend's wait, then closes the session, whether or not the lock came first. */
  private async abandon(pid: number, waiting: Promise<unknown>, done: (destroy: boolean) => void) {
    await Promise.all([
      this.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined),
      waiting.catch(() => undefined),
    ]);
    done(true);
  }
}

async function connectOrAbort(pool: Pool, signal: AbortSignal): Promise<PoolClient> {
  if (signal.aborted) throw signal.reason as Error;
  const connecting = pool.connect();
  const outcome = await orAborted(connecting, signal);
  if (outcome === ABORTED) {
    // The pool hands the client over later; give it straight back.
    void connecting.then(
      (client) => client.release(),
      () => undefined,
    );
    throw signal.reason as Error;
  }
  return outcome;
}

/** The query's result, or a failure once `ms` passed without an answer (the client is then destroyed). */
async function answeredWithin<T>(query: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the lane session within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([query, silent]);
  } finally {
    clearTimeout(timer);
  }
}

/** The promise's value, or ABORTED as soon as the signal is; the promise's own failure still rejects. */
function orAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}
