import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { PostgresLanes } from '../src/ats/postgres-lanes';
import { LaneWaitTimeoutError } from '../src/linkedin/lane-wait-timeout-error';
import { until } from './support/eventually';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { atLeast } from './support/timing';
import { spawnTypeScript } from './support/typescript-child';
import { within } from './support/within';

const APP_A = 'urn:li:developerApplication:1001';
const APP_B = 'urn:li:developerApplication:1002';

interface Interval {
  worker: string;
  start: number;
  end: number;
}

/** A promise to hold work open until the test lets it go. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * A TCP relay to the database that can go silent: it stops passing bytes either way but keeps both
 * connections open, as when a worker's host vanishes without closing anything.
 */
async function startRelay(targetUrl: string): Promise<{ url: string; silence(): void; close(): void }> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(Number(target.port), target.hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  const url = new URL(targetUrl);
  url.host = `127.0.0.1:${address.port}`;
  return {
    url: url.toString(),
    silence() {
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

// Short, so the tests of a vanished holder run in seconds; production's default is 30 s.
const HOLDER_TIMEOUT_MS = 2_000;

let database: TestDatabase;
// Two pools, as two worker processes would have, and a third to look at the server's locks.
let poolOne: Pool;
let poolTwo: Pool;
let observer: Pool;
let one: PostgresLanes;
let two: PostgresLanes;
// The same two processes with the short holder timeout.
let quickOne: PostgresLanes;
let quickTwo: PostgresLanes;
// A signal of its own per call, as every activity has.
const live = () => new AbortController().signal;

beforeAll(async () => {
  database = await createTestDatabase('lanes');
  poolOne = new Pool({ connectionString: database.url, max: 5 });
  poolTwo = new Pool({ connectionString: database.url, max: 5 });
  observer = new Pool({ connectionString: database.url, max: 1 });
  one = new PostgresLanes(poolOne);
  two = new PostgresLanes(poolTwo);
  quickOne = new PostgresLanes(poolOne, { holderTimeoutMs: HOLDER_TIMEOUT_MS });
  quickTwo = new PostgresLanes(poolTwo, { holderTimeoutMs: HOLDER_TIMEOUT_MS });
});

afterAll(async () => {
  await Promise.all([poolOne?.end(), poolTwo?.end(), observer?.end()]);
  await database?.drop();
});

async function advisoryLocks(): Promise<{ granted: number; waiting: number }> {
  const { rows } = await observer.query<{ granted: number; waiting: number }>(
    `SELECT count(*) FILTER (WHERE granted)::int AS granted, count(*) FILTER (WHERE NOT granted)::int AS waiting
       FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0] ?? { granted: 0, waiting: 0 };
}

/** The backend holding the one granted advisory lock. */
async function holderBackend(): Promise<number> {
  const { rows } = await observer.query<{ pid: number }>(
    `SELECT pid FROM pg_locks
      WHERE locktype = 'advisory' AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  if (rows.length !== 1 || rows[0] === undefined)
    throw new Error(`expected one holder, found ${rows.length}`);
  return rows[0].pid;
}

async function backendAlive(pid: number): Promise<boolean> {
  const { rows } = await observer.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
  return rows.length > 0;
}

/** A call holding the lane until the test opens the gate. */
async function holdLane(lanes: PostgresLanes, application = APP_A) {
  const held = gate();
  let started!: () => void;
  const holding = new Promise<void>((resolve) => (started = resolve));
  const call = lanes.run(application, live(), async () => {
    started();
    await held.opened;
    return 'holder finished';
  });
  await holding;
  return { call, release: () => held.open() };
}

afterEach(async () => {
  // Every test leaves the server without a held or awaited lane.
  await until(async () => {
    const locks = await advisoryLocks();
    return locks.granted === 0 && locks.waiting === 0;
  }, 'no advisory lock is held or awaited');
});

describe('PostgresLanes', () => {
  test("two worker processes never run one application's calls at the same time", async () => {
    const intervals: Interval[] = [];
    const call = (lanes: PostgresLanes, worker: string) =>
      lanes.run(APP_A, live(), async () => {
        const start = performance.now();
        await sleep(15);
        intervals.push({ worker, start, end: performance.now() });
      });

    await Promise.all(
      Array.from({ length: 6 }, (_, k) => [call(one, `one-${k}`), call(two, `two-${k}`)]).flat(),
    );

    expect(intervals).toHaveLength(12);
    const sorted = [...intervals].sort((a, b) => a.start - b.start);
    for (let k = 1; k < sorted.length; k++) {
      const [previous, next] = [sorted[k - 1], sorted[k]];
      if (previous === undefined || next === undefined) throw new Error('missing interval');
      expect(next.start).toBeGreaterThanOrEqual(previous.end);
    }
    expect(new Set(intervals.map((interval) => interval.worker.split('-')[0]))).toEqual(
      new Set(['one', 'two']),
    );
  });

  test('different applications run at the same time, in one process and across processes', async () => {
    const held = gate();
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    const first = one.run(APP_A, live(), async () => {
      started();
      await held.opened;
      return 'A';
    });
    await holding;

    // Both finish while A's call is still open: neither waits for it.
    await expect(two.run(APP_B, live(), () => Promise.resolve('B across processes'))).resolves.toBe(
      'B across processes',
    );
    await expect(one.run(APP_B, live(), () => Promise.resolve('B in the same process'))).resolves.toBe(
      'B in the same process',
    );
    held.open();
    await expect(first).resolves.toBe('A');
  });

  test('an aborted waiter leaves without taking the lock', async () => {
    const held = gate();
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    const first = one.run(APP_A, live(), async () => {
      started();
      await held.opened;
    });
    await holding;

    const controller = new AbortController();
    const work = jest.fn(() => Promise.resolve());
    const waiter = two.run(APP_A, controller.signal, work);
    await until(async () => (await advisoryLocks()).waiting === 1, 'the second process waits');

    controller.abort(new Error('activity cancelled'));
    await expect(waiter).rejects.toThrow('activity cancelled');
    // Its backend stopped waiting while the first call still holds the lane.
    await until(async () => (await advisoryLocks()).waiting === 0, 'the aborted waiter left the queue');
    expect(await advisoryLocks()).toEqual({ granted: 1, waiting: 0 });

    held.open();
    await first;
    expect(work).not.toHaveBeenCalled();
    await expect(two.run(APP_A, live(), () => Promise.resolve('next'))).resolves.toBe('next');
  });

  test('a signal aborted before the call rejects at once and runs nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already cancelled'));
    const work = jest.fn(() => Promise.resolve());
    await expect(one.run(APP_A, controller.signal, work)).rejects.toThrow('already cancelled');
    expect(work).not.toHaveBeenCalled();
  });

  test('a failing call releases the lane for the other process', async () => {
    await expect(one.run(APP_A, live(), () => Promise.reject(new Error('LinkedIn said no')))).rejects.toThrow(
      'LinkedIn said no',
    );
    await expect(two.run(APP_A, live(), () => Promise.resolve('after'))).resolves.toBe('after');
  });
});

describe('PostgresLanes when a holder is gone', () => {
  test('a holder whose connection is cut loses the lane at once to the process waiting for it', async () => {
    const holder = await holdLane(quickOne);
    try {
      const waiter = quickTwo.run(APP_A, live(), () => Promise.resolve('waiter ran'));
      await until(async () => (await advisoryLocks()).waiting === 1, 'the second process waits');

      const cutAt = performance.now();
      await observer.query('SELECT pg_terminate_backend($1)', [await holderBackend()]);
      await expect(within(waiter, 5_000, 'the waiter taking the lane')).resolves.toBe('waiter ran');
      expect(performance.now() - cutAt).toBeLessThan(HOLDER_TIMEOUT_MS);
    } finally {
      holder.release();
    }
    // The call under way when the lane went finishes, and its process takes the lane again afterwards.
    await expect(holder.call).resolves.toBe('holder finished');
    await expect(quickOne.run(APP_A, live(), () => Promise.resolve('again'))).resolves.toBe('again');
  });

  test('a holder whose host vanishes loses the lane within its holder timeout, and its call still returns', async () => {
    const relay = await startRelay(database.url);
    const pool = new Pool({ connectionString: relay.url, max: 1 });
    pool.on('error', () => undefined);
    const lanes = new PostgresLanes(pool, { holderTimeoutMs: HOLDER_TIMEOUT_MS });
    try {
      const holder = await holdLane(lanes);
      try {
        const backend = await holderBackend();
        relay.silence();
        const silencedAt = performance.now();
        const grantedAt = await within(
          quickTwo.run(APP_A, live(), () => Promise.resolve(performance.now())),
          20_000,
          'another process taking the lane of the vanished one',
        );
        expect(grantedAt - silencedAt).toBeLessThan(HOLDER_TIMEOUT_MS + 3_000);
        expect(await backendAlive(backend)).toBe(false);
      } finally {
        holder.release();
      }
      // Its unlock gets no answer either; the call's result does not wait for one past the holder timeout.
      await expect(
        within(holder.call, 3 * HOLDER_TIMEOUT_MS, "the vanished holder's call returning"),
      ).resolves.toBe('holder finished');
    } finally {
      relay.close();
      await pool.end();
    }
  });

  test('a holder process that is stopped (SIGSTOP) loses the lane within its holder timeout', async () => {
    const child = spawnTypeScript(join(__dirname, 'support', 'hold-lane.ts'), [
      database.url,
      APP_A,
      String(HOLDER_TIMEOUT_MS),
    ]);
    try {
      await until(
        () => Promise.resolve(child.output().includes('holding\n')),
        'the child holds the lane',
        60_000,
      );
      const backend = await holderBackend();
      const pid = child.child.pid;
      if (pid === undefined) throw new Error('the child has no pid');

      process.kill(pid, 'SIGSTOP');
      const stoppedAt = performance.now();
      const grantedAt = await within(
        quickTwo.run(APP_A, live(), () => Promise.resolve(performance.now())),
        20_000,
        'another process taking the lane of the stopped one',
      );
      expect(grantedAt - stoppedAt).toBeLessThan(HOLDER_TIMEOUT_MS + 3_000);
      // The server ended the stopped holder's session; the child never let go itself. The lock goes as the
      // session ends, so the backend may still be on its way out when the waiter gets the lane.
      await until(async () => !(await backendAlive(backend)), "the stopped holder's session ended", 5_000);
    } finally {
      child.child.kill('SIGCONT');
      child.child.kill('SIGKILL');
      await child.exited;
    }
  });

  test('a holder that is alive keeps its lane past the holder timeout', async () => {
    const intervals: Interval[] = [];
    const call = (lanes: PostgresLanes, worker: string, ms: number, started?: () => void) =>
      lanes.run(APP_A, live(), async () => {
        const start = performance.now();
        started?.();
        // A LinkedIn call slower than the holder timeout.
        await sleep(ms);
        intervals.push({ worker, start, end: performance.now() });
      });
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    const slow = call(quickOne, 'one', HOLDER_TIMEOUT_MS * 2, started);
    await holding;
    await Promise.all([slow, call(quickTwo, 'two', 0)]);

    const [first, second] = intervals;
    expect(first?.worker).toBe('one');
    expect(second?.start).toBeGreaterThanOrEqual(first?.end ?? Infinity);
  });

  test('a waiter in another process gives up at its bound with a clear error and runs nothing', async () => {
    const holder = await holdLane(one);
    try {
      const work = jest.fn(() => Promise.resolve());
      const startedAt = performance.now();
      const waiter = two.run(APP_A, live(), work, { maxWaitMs: 500 });
      const error: unknown = await within(waiter, 10_000, 'the bounded waiter giving up').catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LaneWaitTimeoutError);
      expect(String(error)).toContain(`the lane of ${APP_A} stayed taken for the 500 ms`);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(atLeast(500));
      expect(work).not.toHaveBeenCalled();
      // It left the server's queue; the holder still has the lane.
      await until(async () => (await advisoryLocks()).waiting === 0, 'the waiter left the queue');
      expect(await advisoryLocks()).toEqual({ granted: 1, waiting: 0 });
    } finally {
      holder.release();
    }
    await holder.call;
  });

  test('a waiter queued in the same process gives up at its bound too', async () => {
    const holder = await holdLane(one);
    try {
      const work = jest.fn(() => Promise.resolve());
      const waiter = one.run(APP_A, live(), work, { maxWaitMs: 300 });
      const error: unknown = await within(waiter, 10_000, 'the bounded waiter giving up').catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LaneWaitTimeoutError);
      expect(work).not.toHaveBeenCalled();
    } finally {
      holder.release();
    }
    await holder.call;
    await expect(one.run(APP_A, live(), () => Promise.resolve('next'), { maxWaitMs: 0 })).resolves.toBe(
      'next',
    );
  });
});
