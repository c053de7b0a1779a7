/**
 * The tenants benchmark's last phase: many applications' drift schedules created, fired and synced, and
 * what they cost a worker that has nothing else to do.
 */
import { driftScheduleOptions, syncDriftSchedules } from '../../src/drift/schedules';
import { mapLimited, sleep } from './measure';
import { DEADLINE_MS, FOLLOW_UP_WINDOW_MS } from './settings';
import { urnOf, type TenantsRig } from './tenants-rig';

/** The worker's idle CPU without and with the drift schedules of many applications. */
export async function idleSchedules(rig: TenantsRig) {
  const { options, client, taskQueue, workerCpuMs } = rig;
  console.log(`Idle worker: ${options.idleMs / 1000} s without schedules, then with ${options.schedules}`);
  const idleCpu = async () => {
    const before = await workerCpuMs();
    await sleep(options.idleMs);
    return ((await workerCpuMs()) - before) / (options.idleMs / 1000);
  };
  const idleWithout = await idleCpu();
  const scheduleOptions = {
    taskQueue,
    intervalMs: 6 * 3_600_000,
    deadlineMs: DEADLINE_MS,
    followUpWindowMs: FOLLOW_UP_WINDOW_MS,
    workflowIdPrefix: 'bench-',
  };
  const createStart = Date.now();
  const scheduleUrns = Array.from({ length: options.schedules }, (_, i) => urnOf(8_000_000 + i));
  await mapLimited(scheduleUrns, 20, (urn) =>
    client.schedule.create(driftScheduleOptions(urn, scheduleOptions)),
  );
  const createMs = Date.now() - createStart;
  await sleep(5_000);
  const checksBefore = (await client.workflow.count('WorkflowType = "driftCheck"')).count;
  const idleWith = await idleCpu();
  // Schedules spread over 6 h fire about 0.46 checks a second (of applications the store lacks here).
  const checksDuringIdle = (await client.workflow.count('WorkflowType = "driftCheck"')).count - checksBefore;
  const syncStart = Date.now();
  const sync = await syncDriftSchedules(client, scheduleUrns, scheduleOptions);
  const syncPassMs = Date.now() - syncStart;
  return {
    count: options.schedules,
    createMs,
    idleCpuMsPerSecondWithout: idleWithout,
    idleCpuMsPerSecondWith: idleWith,
    driftChecksFiredDuringIdle: checksDuringIdle,
    syncPassMs,
    syncChanges: sync.created.length + sync.removed.length + sync.updated.length,
  };
}
