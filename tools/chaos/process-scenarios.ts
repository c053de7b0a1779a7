/** Scenarios that take the service's own processes away: the worker killed, Temporal stopped. */
import { deliver, postingCalls, slices } from './delivery';
import { createApplication, Ledger } from './ledger';
import { finish, pause, type Scenario } from './scenario';

/** The worker SIGKILLed mid-resync (twice without --quick) and started again. */
export const workerKill: Scenario = {
  name: 'worker-kill',
  title: 'the worker SIGKILLed mid-resync and restarted',
  async run(context) {
    const { rig } = context;
    const all = await createApplication(
      rig,
      context.nextApplicationNumber(),
      'wk-a-',
      context.quick ? 1_000 : 2_000,
    );
    const some = await createApplication(rig, context.nextApplicationNumber(), 'wk-b-', 200);
    const ledger = new Ledger(rig);
    rig.sandbox.faults.setLatency('simpleJobPostings', 250);
    try {
      const deliveries = [
        deliver(rig, ledger, all, 'all'),
        ...slices(some, 8, 25).map((ids) => deliver(rig, ledger, some, ids)),
      ];
      const kills: Array<{ afterCalls: number; downMs: number }> = [];
      for (const round of context.quick ? [1] : [1, 2]) {
        await postingCalls(rig, all.urn, round === 1 ? 4 : 3);
        const started = Date.now();
        await rig.worker?.kill();
        context.log(`worker SIGKILLed (round ${round}) mid-resync; starting it again`);
        await rig.startWorker(context.current);
        kills.push({ afterCalls: round === 1 ? 4 : 3, downMs: Date.now() - started });
      }
      await Promise.all(deliveries);
      return await finish(context, ledger, {
        settleMs: 240_000,
        allowedFiveHundreds: false,
        details: { kills },
      });
    } finally {
      rig.sandbox.faults.setLatency('simpleJobPostings', 0);
    }
  },
};

/**
 * The Temporal dev server stopped mid-resync while notifications keep arriving, then started again on its
 * SQLite file. Deliveries answered 500 meanwhile are delivered again, as LinkedIn does.
 */
export const temporalRestart: Scenario = {
  name: 'temporal-restart',
  title: 'the Temporal dev server (SQLite file) stopped and restarted mid-resync and mid-intake',
  async run(context) {
    const { rig } = context;
    const all = await createApplication(
      rig,
      context.nextApplicationNumber(),
      'tr-a-',
      context.quick ? 1_000 : 1_500,
    );
    const intake = await createApplication(rig, context.nextApplicationNumber(), 'tr-b-', 800);
    const ledger = new Ledger(rig);
    rig.sandbox.faults.setLatency('simpleJobPostings', 200);
    const deliveries: Array<Promise<number>> = [];
    let intakeOn = true;
    const intakeLoop = (async () => {
      // A new notification every 150 ms, each LinkedIn's own delivery loop, before, during and after.
      for (const ids of slices(intake, 80, 10)) {
        if (!intakeOn) break;
        deliveries.push(deliver(rig, ledger, intake, ids, { giveUpAfterMs: 180_000 }));
        await pause(150);
      }
    })();
    const downs: number[] = [];
    try {
      deliveries.push(deliver(rig, ledger, all, 'all', { giveUpAfterMs: 180_000 }));
      await postingCalls(rig, all.urn, 3);
      const stopped = Date.now();
      await rig.stopTemporal();
      context.log('Temporal dev server stopped mid-resync and mid-intake');
      await pause(context.quick ? 3_000 : 8_000);
      await rig.startTemporal();
      downs.push(Date.now() - stopped);
      context.log(`Temporal dev server back after ${((Date.now() - stopped) / 1000).toFixed(1)} s`);
      await pause(2_000);
      intakeOn = false;
      await intakeLoop;
      await Promise.all(deliveries);
      return await finish(context, ledger, {
        settleMs: 240_000,
        allowedFiveHundreds: true,
        details: { temporalDownMs: downs },
      });
    } finally {
      intakeOn = false;
      rig.sandbox.faults.setLatency('simpleJobPostings', 0);
    }
  },
};
