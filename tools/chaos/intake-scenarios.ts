/** Scenarios at the webhook: one notification delivered 100 times at once; bad input under load. */
import { badDeliveries, type BadDelivery } from './bad-notifications';
import { deliver, post, slices } from './delivery';
import { createApplication, Ledger, notificationBody } from './ledger';
import type { Rig } from './rig';
import { finish, pause, type Scenario } from './scenario';

/** Two notifications, each delivered 100 times at once, then 100 times again once their resyncs ended. */
export const redelivery: Scenario = {
  name: 'redelivery',
  title: 'the same notification delivered 100 times at once, and again after it finished',
  async run(context) {
    const { rig } = context;
    const all = await createApplication(rig, context.nextApplicationNumber(), 'rd-a-', 400);
    const some = await createApplication(rig, context.nextApplicationNumber(), 'rd-b-', 200);
    const ids = slices(some, 1, 60)[0] ?? [];
    const ledger = new Ledger(rig);
    const wave = () =>
      Promise.all(
        Array.from({ length: 100 }, () => [
          deliver(rig, ledger, all, 'all'),
          deliver(rig, ledger, some, ids),
        ]).flat(),
      );
    await wave();
    const firstSettled = await rig.settled([all.urn, some.urn], 180_000);
    context.log('first wave done; delivering both notifications 100 times again');
    await wave();
    const result = await finish(context, ledger, { settleMs: 180_000, allowedFiveHundreds: false });
    // At least one run per notification and wave; a delivery that comes once everything was sent starts
    // another round (a run of its own), by design.
    const runs = Object.values(result.runs).reduce((sum, n) => sum + n, 0);
    if (!firstSettled) result.problems.push('the first wave did not end within 180 s');
    result.details = { deliveriesPerWave: 200, resyncRuns: runs };
    return result;
  },
};

/** Runs `tasks` with at most `concurrency` at a time. */
async function pool<T>(tasks: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Malformed, unsigned and oversized notifications (fast-check, seeded) interleaved with good ones, 16 at a
 * time: no bad one answered 500 (or accepted), no good one lost, the API alive and /healthz ok throughout.
 */
export const badInput: Scenario = {
  name: 'bad-input',
  title: 'malformed, unsigned and oversized notifications (fast-check) among good ones under load',
  async run(context) {
    const { rig } = context;
    const app = await createApplication(rig, context.nextApplicationNumber(), 'bi-', 600);
    const ledger = new Ledger(rig);
    const seed = Date.now() % 1_000_000_007;
    const badCount = context.quick ? 300 : 900;
    const good = slices(app, context.quick ? 20 : 50, 10);
    const bad = badDeliveries(badCount, seed, app.urn, notificationBody(app, good[0] ?? []));
    const every = Math.max(1, Math.floor(bad.length / good.length));
    const tasks: Array<() => Promise<unknown>> = [];
    const refused: Array<{ kind: string; status: number; bytes: number; sample: string }> = [];
    const byKind: Record<string, Record<string, number>> = {};
    bad.forEach((delivery, index) => {
      tasks.push(() => sendBad(rig, ledger, delivery, refused, byKind));
      const ids = index % every === 0 ? good[index / every] : undefined;
      if (ids !== undefined) tasks.push(() => deliver(rig, ledger, app, ids));
    });
    let healthFailures = 0;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        if (!(await rig.healthy())) healthFailures += 1;
        await pause(500);
      }
    })();
    await pool(tasks, 16);
    probing = false;
    await probe;
    const problems = refused
      .map((r) => `bad input (${r.kind}, ${r.bytes} bytes) answered ${r.status}: ${r.sample}`)
      .slice(0, 10);
    if (healthFailures > 0) problems.push(`/healthz failed ${healthFailures} times during the load`);
    if (!(await rig.healthy())) problems.push('/healthz is not ok after the load');
    return finish(context, ledger, {
      settleMs: 180_000,
      allowedFiveHundreds: false,
      problems,
      details: {
        seed,
        badDeliveries: bad.length,
        goodNotifications: good.length,
        badAnswersByKind: byKind,
        healthFailures,
      },
    });
  },
};

async function sendBad(
  rig: Rig,
  ledger: Ledger,
  delivery: BadDelivery,
  refused: Array<{ kind: string; status: number; bytes: number; sample: string }>,
  byKind: Record<string, Record<string, number>>,
): Promise<void> {
  const status = await post(rig.webhookUrl, delivery.body, delivery.headers);
  ledger.answeredBad(status);
  const kind = (byKind[delivery.kind] ??= {});
  kind[String(status)] = (kind[String(status)] ?? 0) + 1;
  // Bad input is refused with a 4xx (or accepted when the contract reads it plainly after all): never a
  // 500, never a dropped connection.
  const accepted = status === 200 && delivery.mayBeAccepted === true;
  if (!accepted && (status < 400 || status >= 500)) {
    refused.push({
      kind: delivery.kind,
      status,
      bytes: delivery.body.length,
      sample: delivery.body.subarray(0, 120).toString('utf8'),
    });
  }
}
