import type { Pool, PoolClient } from 'pg';
import { InProcessLanes, type ApplicationLanes } from '../linkedin/application-lanes';

// Hashed with the application urn into the advisory lock key; the prefix keeps these keys apart from
// other users of advisory locks on the same database.
const LANE_KEY_PREFIX = 'linkedin-job-resync: lane ';
const ABORTED = Symbol('aborted');

/**
 * Lanes shared by every worker process on one PostgreSQL store. A call holds a session-level advisory
 * lock on the application's key, on a pooled client kept for the call. PostgreSQL grants a contended lock
 * to its waiters in the order they asked, so lanes stay first come, first served across processes;
 * within a process the calls of one application queue in memory first, so each application needs at most
 * one connection per process.
 *
 * The pool should be the lanes' own: its clients are held while LinkedIn answers, and the job store's
 * queries must not wait behind them.
 */
export class PostgresLanes implements ApplicationLanes {
  private readonly local = new InProcessLanes();

  constructor(private readonly pool: Pool) {}

  run<T>(developerApplicationUrn: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    return this.local.run(developerApplicationUrn, signal, () =>
      this.runLocked(LANE_KEY_PREFIX + developerApplicationUrn, signal, work),
    );
  }

  private async runLocked<T>(key: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
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
        'SELECT pg_backend_pid() AS pid, pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [key],
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

    try {
      return await work();
    } finally {
      try {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
        done(false);
      } catch {
        done(true);
      }
    }
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

/** The promise's value, or ABORTED as soon as the signal is; the promise's own failure still rejects. */
function orAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}
