/**
 * One phase of small resyncs: the small applications' notifications spread over the window, each one's
 * time from receipt to its last UPDATE answered by LinkedIn's side, where that time went, and what the
 * worker, the sandbox and this process spent meanwhile.
 */
import { mapLimited, percentile, processCpuMs, sleep } from './measure';
import { breakdownOf, summarise, type Breakdown } from './resync-breakdown';
import { postingCalls } from './sandbox-process';
import { sampleSlots } from './slot-sampler';
import { REPLY_TIMEOUT_MS, urnOf, type TenantsRig } from './tenants-rig';

/** Small notifications spread over the window; each one's time from receipt to its last UPDATE answered. */
export async function smallPhase(rig: TenantsRig, prefix: string) {
  const { options, client, worker, sandbox, smalls, metricsPort } = rig;
  const starter = rig.starter(prefix);
  const received = new Map<string, number>();
  const workflowIds = new Map<string, string>();
  const handles: Array<Promise<unknown>> = [];
  // The worker's event loop and CPU over the phase; this process's and the sandbox's CPU beside.
  worker.send({ kind: 'phaseStart' });
  await worker.next('phaseStarted', REPLY_TIMEOUT_MS);
  const slots = sampleSlots(`http://127.0.0.1:${metricsPort}/metrics`, 250);
  const cpuBefore = process.cpuUsage();
  const sandboxCpuBefore = processCpuMs(sandbox.pid);
  const phaseStart = Date.now();
  for (const [index, id] of smalls.entries()) {
    const due = phaseStart + (index * options.windowMs) / smalls.length;
    if (due > Date.now()) await sleep(due - Date.now());
    const urn = urnOf(id);
    const receivedAt = Date.now();
    received.set(urn, receivedAt);
    const started = await starter.start(
      { developerApplicationUrn: urn, type: 'RESYNC_JOBS', syncAllOpenJobs: true },
      receivedAt,
    );
    workflowIds.set(urn, started.workflowId);
    handles.push(client.workflow.getHandle(started.workflowId).result());
  }
  await Promise.all(handles);
  const phaseMs = Date.now() - phaseStart;
  const cpu = process.cpuUsage(cpuBefore);
  const sandboxCpuAfter = processCpuMs(sandbox.pid);
  worker.send({ kind: 'phaseEnd' });
  const workerPhase = await worker.next('phase', REPLY_TIMEOUT_MS);
  const slotUse = await slots();
  const lastUpdate = new Map<string, number>();
  for (const call of await postingCalls(sandbox.url, { since: phaseStart })) {
    const urn = call.developerApplicationUrn;
    if (urn === null || !received.has(urn) || call.status !== 200) continue;
    lastUpdate.set(urn, Math.max(lastUpdate.get(urn) ?? 0, call.endedAt));
  }
  const latencies = [...received].map(([urn, at]) => (lastUpdate.get(urn) ?? Number.NaN) - at);
  const missing = latencies.filter((value) => Number.isNaN(value)).length;
  const measured = latencies.filter((value) => !Number.isNaN(value));
  const breakdowns: Breakdown[] = [];
  await mapLimited([...workflowIds], 8, async ([urn, workflowId]) => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    breakdowns.push(breakdownOf(history, received.get(urn) ?? 0, lastUpdate.get(urn) ?? 0));
  });
  const perSecond = (cpuMs: number | null) => (cpuMs === null ? null : Math.round(cpuMs / (phaseMs / 1000)));
  return {
    resyncs: received.size,
    missing,
    p50Ms: percentile(measured, 0.5),
    p99Ms: percentile(measured, 0.99),
    maxMs: percentile(measured, 1),
    where: summarise(breakdowns),
    /** The worker process's. */
    eventLoopDelayMs: workerPhase.eventLoopDelayMs,
    /** The worker process's CPU time (ms) a second of the phase. */
    processCpuPerSecondMs: Math.round(workerPhase.cpuMs / (workerPhase.elapsedMs / 1000)),
    sandboxCpuPerSecondMs:
      sandboxCpuBefore === null || sandboxCpuAfter === null
        ? null
        : perSecond(sandboxCpuAfter - sandboxCpuBefore),
    benchCpuPerSecondMs: perSecond((cpu.user + cpu.system) / 1000),
    slotsUsed: slotUse,
    series: {
      /** [ms from the phase's start to receipt, ms to the last UPDATE] */
      latencies: [...received].map(([urn, at]) => [
        at - phaseStart,
        (lastUpdate.get(urn) ?? Number.NaN) - at,
      ]),
      /** [ms from the phase's start, ms the worker's 100 ms tick was late] when late by 50 ms or more */
      stalls: workerPhase.stalls.map(([at, late]) => [at - phaseStart, late]),
      phaseStart,
    },
  };
}
