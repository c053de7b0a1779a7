/**
 * A new release of the worker while resyncs run: the histories earlier releases recorded replay on this
 * build, and a live switch from the previous release (its API and worker, built from git history) to this
 * build, mid-resync, as a rolling deployment does it.
 */
import { join } from 'node:path';
import { deliver, postingCalls, slices } from './delivery';
import { createApplication, Ledger } from './ledger';
import { replayRecordedHistories } from './replay';
import { finish, type Scenario } from './scenario';

export const newRelease: Scenario = {
  name: 'new-release',
  title: 'a new release of the worker while resyncs run (recorded histories, live switch)',
  async run(context) {
    const { rig, current } = context;
    const replay = await replayRecordedHistories(context.root, join(current.distDir, 'workflows.bundle.js'));
    context.log(
      `replayed ${replay.histories} recorded histories (${replay.releases.join(', ')}): ${replay.failures.length} failed`,
    );
    const problems = replay.failures.map((failure) => `replay: ${failure}`);
    const previous = await context.previous();
    const all = await createApplication(
      rig,
      context.nextApplicationNumber(),
      'nr-a-',
      context.quick ? 1_000 : 1_500,
    );
    const some = await createApplication(rig, context.nextApplicationNumber(), 'nr-b-', 300);
    const ledger = new Ledger(rig);
    if ('unavailable' in previous) {
      problems.push(`live switch not run: ${previous.unavailable}`);
      return finish(context, ledger, {
        settleMs: 1_000,
        allowedFiveHundreds: false,
        problems,
        details: { replay },
      });
    }
    rig.sandbox.faults.setLatency('simpleJobPostings', 200);
    try {
      await Promise.all([rig.worker?.stop(), rig.api?.stop()]);
      const oldWorker = await rig.startWorker(previous);
      await rig.startApi(previous);
      context.log(`release ${previous.label} (API and worker) running; resyncs start on it`);
      const pieces = slices(some, 9, 30);
      const deliveries = [
        deliver(rig, ledger, all, 'all'),
        ...pieces.slice(0, 6).map((ids) => deliver(rig, ledger, some, ids)),
      ];
      await postingCalls(rig, all.urn, 4);
      // The rolling deployment: the new worker joins the task queue, then the old one drains and leaves.
      await rig.startWorker(current);
      await oldWorker.stop();
      await rig.api?.stop();
      await rig.startApi(current);
      context.log(`switched from ${previous.label} to ${current.label} mid-resync`);
      deliveries.push(...pieces.slice(6).map((ids) => deliver(rig, ledger, some, ids)));
      await Promise.all(deliveries);
      return await finish(context, ledger, {
        settleMs: 240_000,
        allowedFiveHundreds: false,
        problems,
        details: { replay, previousRelease: previous.label },
      });
    } finally {
      rig.sandbox.faults.setLatency('simpleJobPostings', 0);
    }
  },
};
