import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { PostgresLanes } from '../src/ats/postgres-lanes';
import { createTestDatabase, type TestDatabase } from './support/postgres';

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

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

let database: TestDatabase;
// Two pools, as two worker processes would have, and a third to look at the server's locks.
let poolOne: Pool;
let poolTwo: Pool;
let observer: Pool;
let one: PostgresLanes;
let two: PostgresLanes;
// A signal of its own per call, as every activity has.
const live = () => new AbortController().signal;

beforeAll(async () => {
  database = await createTestDatabase('lanes');
  poolOne = new Pool({ connectionString: database.url, max: 5 });
  poolTwo = new Pool({ connectionString: database.url, max: 5 });
  observer = new Pool({ connectionString: database.url, max: 1 });
  one = new PostgresLanes(poolOne);
  two = new PostgresLanes(poolTwo);
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

afterEach(async () => {
  // Every test leaves the server without a held or awaited lane.
  await eventually(async () => {
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
    await eventually(async () => (await advisoryLocks()).waiting === 1, 'the second process waits');

    controller.abort(new Error('activity cancelled'));
    await expect(waiter).rejects.toThrow('activity cancelled');
    // Its backend stopped waiting while the first call still holds the lane.
    await eventually(async () => (await advisoryLocks()).waiting === 0, 'the aborted waiter left the queue');
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
