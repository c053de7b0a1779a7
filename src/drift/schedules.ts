/**
 * One Temporal Schedule per application starts its drift checks. The ATS adds and removes applications in
 * its own table, so the worker keeps the schedules in step with it: at start and then every few minutes,
 * it creates the missing ones and deletes those of applications gone. Both are idempotent, so any number
 * of worker processes may do it at once.
 */
import { createHash } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import { DEVELOPER_APPLICATION_URN } from '../contract';
import { DRIFT_CHECK_WORKFLOW_TYPE, driftScheduleId, type DriftCheckInput } from '../contract/drift';
import { applicationPriority } from '../fairness';

export interface DriftScheduleOptions {
  taskQueue: string;
  /** How often each application is checked (DRIFT_CHECK_INTERVAL, default 6 h). */
  intervalMs: number;
  deadlineMs: number;
  followUpWindowMs: number;
  workflowIdPrefix?: string;
  largeResyncJobs?: number;
}

export interface DriftScheduleSync {
  created: string[];
  removed: string[];
  /** Schedules whose interval or action differed from the configuration, updated in place. */
  updated: string[];
}

/**
 * Where in the interval an application's checks fall: spread by a hash of its urn, so 10,000 schedules
 * never fire at the same second, and stable, so re-creating a schedule keeps its slot.
 */
export function driftOffsetMs(developerApplicationUrn: string, intervalMs: number): number {
  const seconds = Math.max(1, Math.floor(intervalMs / 1000));
  const hash = createHash('sha256').update(developerApplicationUrn).digest().readUInt32BE(0);
  return (hash % seconds) * 1000;
}

/**
 * A schedule's action with its priority. The client encodes `priority` (as it decodes it in a schedule's
 * description); its type for creating and updating leaves it out in @temporalio/client 1.24.
 */
type DriftScheduleAction = ScheduleOptions['action'] & { priority: Priority };

export function driftScheduleOptions(
  developerApplicationUrn: string,
  options: DriftScheduleOptions,
): ScheduleOptions & { action: DriftScheduleAction } {
  const prefix = options.workflowIdPrefix ?? '';
  const input: DriftCheckInput = {
    developerApplicationUrn,
    deadlineMs: options.deadlineMs,
    followUpWindowMs: options.followUpWindowMs,
    ...(options.largeResyncJobs === undefined ? {} : { largeResyncJobs: options.largeResyncJobs }),
  };
  const action: DriftScheduleAction = {
    type: 'startWorkflow',
    workflowType: DRIFT_CHECK_WORKFLOW_TYPE,
    // Temporal adds the scheduled time to it: drift-app-12345-2026-01-15T12:00:00Z.
    workflowId: driftScheduleId(developerApplicationUrn, prefix),
    taskQueue: options.taskQueue,
    args: [input],
    typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: developerApplicationUrn }],
    staticSummary: `Drift check of ${developerApplicationUrn}`,
    // The drift check and the repair resync it starts are its application's fairness key (fairness.ts).
    priority: applicationPriority(developerApplicationUrn),
  };
  return {
    scheduleId: driftScheduleId(developerApplicationUrn, prefix),
    spec: {
      intervals: [
        { every: options.intervalMs, offset: driftOffsetMs(developerApplicationUrn, options.intervalMs) },
      ],
    },
    action,
    // A check still running (a large application, a slow LinkedIn) is never doubled.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    state: { note: `LinkedIn drift checks of ${developerApplicationUrn}` },
  };
}

/**
 * Creates, updates and deletes schedules so there is exactly one per application of `urns`, each with the
 * interval and the action the configuration gives. The listing shows a schedule's interval, not its
 * action: a schedule not in `inStep` is described once and updated if its action differs (a deadline or a
 * task queue changed since it was created, or it predates the fairness key), then added to `inStep`. The
 * configuration is read at start, so a process that keeps one set describes each schedule once.
 */
export async function syncDriftSchedules(
  client: Client,
  urns: readonly string[],
  options: DriftScheduleOptions,
  inStep: Set<string> = new Set(),
): Promise<DriftScheduleSync> {
  const prefix = options.workflowIdPrefix ?? '';
  const wanted = new Map(urns.map((urn) => [driftScheduleId(urn, prefix), urn]));
  const existing = new Map<string, number | undefined>();
  const ours = new RegExp(`^${escape(prefix)}drift-app-\\d+$`);
  for await (const schedule of client.schedule.list()) {
    if (!ours.test(schedule.scheduleId)) continue;
    const every = schedule.spec?.intervals?.[0]?.every;
    existing.set(schedule.scheduleId, typeof every === 'number' ? every : undefined);
  }
  const sync: DriftScheduleSync = { created: [], removed: [], updated: [] };
  for (const [scheduleId, urn] of wanted) {
    const wantedOptions = driftScheduleOptions(urn, options);
    if (existing.has(scheduleId)) {
      if (await needsUpdate(client, scheduleId, existing.get(scheduleId), wantedOptions, inStep)) {
        await updateTo(client, scheduleId, wantedOptions);
        sync.updated.push(scheduleId);
      }
      inStep.add(scheduleId);
      continue;
    }
    try {
      await client.schedule.create(wantedOptions);
      sync.created.push(scheduleId);
      inStep.add(scheduleId);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      // Another worker created it first, or the listing (Temporal's visibility, which catches up after the
      // write) does not show one made before, perhaps by an older release: described and, if it is not as
      // wanted, updated, as a listed one is.
      if (await differsFromDescription(client, scheduleId, wantedOptions)) {
        await updateTo(client, scheduleId, wantedOptions);
        sync.updated.push(scheduleId);
      }
      inStep.add(scheduleId);
    }
  }
  for (const scheduleId of existing.keys()) {
    if (wanted.has(scheduleId)) continue;
    try {
      await client.schedule.getHandle(scheduleId).delete();
      sync.removed.push(scheduleId);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
    inStep.delete(scheduleId);
  }
  return sync;
}

async function updateTo(
  client: Client,
  scheduleId: string,
  wanted: ReturnType<typeof driftScheduleOptions>,
): Promise<void> {
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    ...previous,
    spec: wanted.spec,
    action: wanted.action,
  }));
}

/** Whether an existing schedule's interval, or (described once per `inStep`) its action, is not as wanted. */
async function needsUpdate(
  client: Client,
  scheduleId: string,
  every: number | undefined,
  wanted: ReturnType<typeof driftScheduleOptions>,
  inStep: ReadonlySet<string>,
): Promise<boolean> {
  if (every !== wanted.spec.intervals?.[0]?.every) return true;
  if (inStep.has(scheduleId)) return false;
  return differsFromDescription(client, scheduleId, wanted);
}

/** Whether the schedule, as Temporal describes it, has another interval or action than wanted. */
async function differsFromDescription(
  client: Client,
  scheduleId: string,
  wanted: ReturnType<typeof driftScheduleOptions>,
): Promise<boolean> {
  const { action, spec } = await client.schedule.getHandle(scheduleId).describe();
  const want = wanted.action;
  return (
    spec.intervals?.[0]?.every !== wanted.spec.intervals?.[0]?.every ||
    action.workflowType !== want.workflowType ||
    action.taskQueue !== want.taskQueue ||
    action.staticSummary !== want.staticSummary ||
    action.priority?.fairnessKey !== want.priority?.fairnessKey ||
    JSON.stringify(action.args) !== JSON.stringify(want.args)
  );
}

export interface DriftScheduleKeeper {
  /** Resolves after the first sync (or its failure, logged). */
  ready: Promise<void>;
  stop(): void;
}

/** Keeps the schedules in step with the ATS's applications, now and every `everyMs`. */
export function keepDriftSchedules(deps: {
  client: Client;
  listApplicationUrns: () => Promise<string[]>;
  options: DriftScheduleOptions;
  everyMs: number;
  log: (message: string, fields: Record<string, unknown>) => void;
}): DriftScheduleKeeper {
  let running: Promise<void> | undefined;
  // The schedules this process has seen with the action its configuration gives (syncDriftSchedules).
  const inStep = new Set<string>();
  const syncOnce = async () => {
    try {
      const urns = await deps.listApplicationUrns();
      const sync = await syncDriftSchedules(deps.client, urns, deps.options, inStep);
      if (sync.created.length + sync.removed.length + sync.updated.length > 0) {
        deps.log('drift schedules in step with the applications', {
          created: sync.created.length,
          removed: sync.removed.length,
          updated: sync.updated.length,
        });
      }
    } catch (error) {
      deps.log('drift schedules not synced; trying again later', { err: error });
    }
  };
  const tick = () => {
    running ??= syncOnce().finally(() => (running = undefined));
    return running;
  };
  const ready = tick();
  const timer = setInterval(() => void tick(), deps.everyMs);
  timer.unref();
  return { ready, stop: () => clearInterval(timer) };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
