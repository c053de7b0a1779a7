/**
 * The tenants benchmark's second phase: one application's sync-all of many jobs started, then the small
 * resyncs beside it; what the large resync's runs and calls cost, and the small resyncs it could delay.
 */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { percentile, sleep } from './measure';
import { breakdownOf, summarise } from './resync-breakdown';
import { postingCalls } from './sandbox-process';
import { smallPhase } from './tenants-small-phase';
import { urnOf, type TenantsRig } from './tenants-rig';

/** Phase 2: the small resyncs' phase again, beside one application's sync-all of `--large` jobs. */
export async function besideLargeResync(rig: TenantsRig) {
  const { options, client, sandbox, large } = rig;
  console.log(`Phase 2: the same beside a sync-all of ${options.largeJobs} jobs`);
  const largeStarter = rig.starter('beside-');
  const largeStart = Date.now();
  const largeRun = await largeStarter.start(
    { developerApplicationUrn: urnOf(large), type: 'RESYNC_JOBS', syncAllOpenJobs: true },
    largeStart,
  );
  // Let the large resync get going before the small ones arrive.
  await sleep(5_000);
  const beside = await smallPhase(rig, 'beside-');
  console.log(`  p50 ${beside.p50Ms} ms, p99 ${beside.p99Ms} ms`);
  console.log(JSON.stringify({ ...beside, series: undefined }));
  const largeCalls = await postingCalls(sandbox.url, { application: urnOf(large) });
  const largeSentDuringWindow = largeCalls.length;
  const largeCallTimes = largeCalls.map((call) => [call.startedAt, call.endedAt - call.startedAt]);
  const largeHistory = breakdownOf(
    await client.workflow.getHandle(largeRun.workflowId).fetchHistory(),
    largeStart,
    0,
  );
  const largeWorkflowTasks = summarise([{ ...largeHistory, path: {} }]);
  const { runEdges, slowTasks } = await runsOf(client, largeRun.workflowId, largeStart);
  console.log(`  the large resync's current run: ${JSON.stringify(largeWorkflowTasks)}`);
  if (options.quick) {
    // It may have ended already (a fast machine).
    await client.workflow
      .getHandle(largeRun.workflowId)
      .terminate('bench: quick')
      .catch(() => undefined);
  } else await client.workflow.getHandle(largeRun.workflowId).result();
  const largeLastUpdateMs =
    Math.max(
      ...(await postingCalls(sandbox.url, { application: urnOf(large) })).map((call) => call.endedAt),
    ) - largeStart;
  console.log(`  the large resync's last UPDATE after ${Math.round(largeLastUpdateMs / 1000)} s`);
  // The small resyncs received while the large one was still sending: the ones it could delay. With a
  // fast LinkedIn it ends long before the window does, and the later small resyncs run as if alone.
  const sendingUntil = largeStart + largeLastUpdateMs;
  const overlapped = beside.series.latencies.flatMap(([at = Infinity, ms = Number.NaN]) =>
    beside.series.phaseStart + at <= sendingUntil && !Number.isNaN(ms) ? [ms] : [],
  );
  const besideWhileSending = {
    resyncs: overlapped.length,
    p50Ms: percentile(overlapped, 0.5),
    p99Ms: percentile(overlapped, 0.99),
  };
  console.log(
    `  received while it was sending: ${overlapped.length}, p50 ${besideWhileSending.p50Ms} ms, p99 ${besideWhileSending.p99Ms} ms`,
  );
  return {
    beside,
    besideWhileSending,
    large: {
      jobs: options.largeJobs,
      lastUpdateMs: largeLastUpdateMs,
      callsDuringSmallWindow: largeSentDuringWindow,
      currentRun: largeWorkflowTasks,
      callTimes: largeCallTimes,
      runEdges,
      slowTasks,
    },
  };
}

/** The large resync's runs, read from their histories (times in ms from `largeStart`). */
async function runsOf(client: Client, workflowId: string, largeStart: number) {
  // Each run's first and last events, to see what its continue-as-new costs.
  const runEdges: Array<Array<[number, string, number]>> = [];
  const slowTasks: Array<[number, number, string]> = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const events = (history.events ?? []).map((event): [number, string, number] => [
      Number(event.eventId),
      Object.keys(event).find((key) => key.endsWith('EventAttributes')) ?? '?',
      tsToMs(event.eventTime) - largeStart,
    ]);
    runEdges.push([...events.slice(0, 4), ...events.slice(-8)]);
    // Failed workflow tasks (with their cause) and slow ones: what the large resync's tasks cost.
    const started = new Map<number, number>();
    for (const event of history.events ?? []) {
      const time = tsToMs(event.eventTime) - largeStart;
      if (event.workflowTaskStartedEventAttributes) started.set(Number(event.eventId), time);
      const failed = event.workflowTaskFailedEventAttributes;
      if (failed) {
        const from = started.get(Number(failed.startedEventId)) ?? time;
        slowTasks.push([
          from,
          time - from,
          `failed: ${String(failed.cause)} ${failed.failure?.message ?? ''}`,
        ]);
      }
      const done = event.workflowTaskCompletedEventAttributes;
      if (done) {
        const from = started.get(Number(done.startedEventId)) ?? time;
        if (time - from >= 300) slowTasks.push([from, time - from, 'completed']);
      }
    }
  }
  return { runEdges, slowTasks };
}
