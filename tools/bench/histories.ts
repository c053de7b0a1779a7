/** Figures from the workflow histories: the continue-as-new chain, its follow-up children, batch timing. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ResyncResult } from '../../src/contract';
import type { BatchCycle, RunHistory, SizeResult } from './figures';
import { mapLimited, percentile, within } from './measure';
import { MAX_RUNS, RPC_TIMEOUT_MS } from './settings';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** protobufjs gives 64-bit integers as Long objects (or numbers). */
function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** The event's type as the history names it, without the `EVENT_TYPE_` prefix. */
function eventName(event: HistoryEvent): string {
  return (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'UNKNOWN').replace('EVENT_TYPE_', '');
}

function eventMs(event: HistoryEvent | undefined): number | null {
  const time = event?.eventTime;
  if (!time) return null;
  return toNumber(time.seconds) * 1000 + (time.nanos ?? 0) / 1e6;
}

/** Medians over the runs' events: each id-linked pair (scheduled → started → completed) is measured. */
function batchCycleOf(runsEvents: HistoryEvent[][]): BatchCycle {
  const postScheduled: number[] = [];
  const postQueue: number[] = [];
  const postRun: number[] = [];
  const childStart: number[] = [];
  const wftQueue: number[] = [];
  const wftRun: number[] = [];
  let workflowTasks = 0;
  for (const events of runsEvents) {
    const byId = new Map(events.map((event) => [toNumber(event.eventId), event]));
    const since = (event: HistoryEvent, earlierId: number | { toNumber(): number } | null | undefined) => {
      const end = eventMs(event);
      const start = eventMs(byId.get(toNumber(earlierId)));
      return end === null || start === null ? null : end - start;
    };
    const push = (list: number[], value: number | null) => {
      if (value !== null) list.push(value);
    };
    for (const event of events) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (isPostingName(scheduled?.activityType?.name)) push(postScheduled, eventMs(event));
      const started = event.activityTaskStartedEventAttributes;
      if (started && isPostBatch(byId.get(toNumber(started.scheduledEventId)))) {
        push(postQueue, since(event, started.scheduledEventId));
      }
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed && isPostBatch(byId.get(toNumber(completed.scheduledEventId)))) {
        push(postRun, since(event, completed.startedEventId));
      }
      const child = event.childWorkflowExecutionStartedEventAttributes;
      if (child) push(childStart, since(event, child.initiatedEventId));
      const wftStarted = event.workflowTaskStartedEventAttributes;
      if (wftStarted) push(wftQueue, since(event, wftStarted.scheduledEventId));
      const wftCompleted = event.workflowTaskCompletedEventAttributes;
      if (wftCompleted) {
        workflowTasks++;
        push(wftRun, since(event, wftCompleted.startedEventId));
      }
    }
  }
  const cycles = postScheduled.slice(1).map((at, i) => at - (postScheduled[i] ?? at));
  return {
    cycleMs: percentile(cycles, 0.5),
    postScheduleToStartMs: percentile(postQueue, 0.5),
    postStartToCloseMs: percentile(postRun, 0.5),
    childStartMs: percentile(childStart, 0.5),
    workflowTaskScheduleToStartMs: percentile(wftQueue, 0.5),
    workflowTaskStartToCloseMs: percentile(wftRun, 0.5),
    workflowTasksPerBatch: postScheduled.length > 0 ? workflowTasks / postScheduled.length : null,
  };
}

/** A posting activity: one batch (postBatch) or a run of batches (postBatches). */
function isPostingName(name: string | null | undefined): boolean {
  return name === 'postBatch' || name === 'postBatches' || name === 'postCreates';
}

function isPostBatch(event: HistoryEvent | undefined): boolean {
  return isPostingName(event?.activityTaskScheduledEventAttributes?.activityType?.name);
}

/** The largest activity result of a run, as its payloads are encoded in the history. */
function largestActivityResult(events: HistoryEvent[]): number {
  let largest = 0;
  for (const event of events) {
    const result = event.activityTaskCompletedEventAttributes?.result;
    if (result) largest = Math.max(largest, temporal.api.common.v1.Payloads.encode(result).finish().length);
  }
  return largest;
}

export async function fetchHistory(client: Client, workflowId: string, runId?: string): Promise<History> {
  return within(
    RPC_TIMEOUT_MS,
    `the history of ${workflowId}`,
    client.workflow.getHandle(workflowId, runId).fetchHistory(),
  );
}

function historyBytes(history: History): number {
  return temporal.api.history.v1.History.encode(history).finish().length;
}

/**
 * The first run's first events up to the second posting activity's start: each event's type (and activity
 * type) with its time from the workflow's start, where the time before the first call goes.
 */
function startupOf(events: HistoryEvent[]): Array<{ event: string; ms: number }> {
  const start = eventMs(events[0]);
  if (start === null) return [];
  const byId = new Map(events.map((event) => [toNumber(event.eventId), event]));
  const startup: Array<{ event: string; ms: number }> = [];
  let postingStarts = 0;
  for (const event of events) {
    const scheduledId =
      event.activityTaskStartedEventAttributes?.scheduledEventId ??
      event.activityTaskCompletedEventAttributes?.scheduledEventId;
    const activity = (scheduledId === undefined ? event : byId.get(toNumber(scheduledId)))
      ?.activityTaskScheduledEventAttributes?.activityType?.name;
    startup.push({
      event: `${eventName(event)}${activity ? ` ${activity}` : ''}`,
      ms: (eventMs(event) ?? start) - start,
    });
    if (event.activityTaskStartedEventAttributes && isPostingName(activity) && ++postingStarts === 2) break;
  }
  return startup;
}

/**
 * The first continue-as-new: the first run's events from its last posting activity's completion, then the
 * second run's until its first posting activity was scheduled, in ms from that completion.
 */
function continueAsNewOf(
  first: HistoryEvent[],
  second: HistoryEvent[],
): Array<{ event: string; ms: number }> {
  const byId = new Map(first.map((event) => [toNumber(event.eventId), event]));
  const completions = first.filter((event) => {
    const id = event.activityTaskCompletedEventAttributes?.scheduledEventId;
    return (
      id !== undefined &&
      isPostingName(byId.get(toNumber(id))?.activityTaskScheduledEventAttributes?.activityType?.name)
    );
  });
  const last = completions[completions.length - 1];
  const from = eventMs(last);
  if (!last || from === null) return [];
  const tail = first
    .slice(first.indexOf(last))
    .map((event) => ({ event: eventName(event), ms: (eventMs(event) ?? from) - from }));
  const head: Array<{ event: string; ms: number }> = [];
  for (const event of second) {
    head.push({ event: `next run: ${eventName(event)}`, ms: (eventMs(event) ?? from) - from });
    if (event.activityTaskScheduledEventAttributes) break;
  }
  return [...tail, ...head];
}

/** Every run of the continue-as-new chain, from the first, following each run's ContinuedAsNew event. */
export async function chainFigures(
  client: Client,
  workflowId: string,
  firstRunId: string,
  resync: ResyncResult,
  jobs: number,
): Promise<{ figures: NonNullable<SizeResult['workflow']>; childIds: string[] }> {
  const runs: RunHistory[] = [];
  const childIds: string[] = [];
  const runsEvents: HistoryEvent[][] = [];
  const byEventType: Record<string, { events: number; bytes: number }> = {};
  let runId: string | undefined = firstRunId;
  while (runId !== undefined && runs.length < MAX_RUNS) {
    const history = await fetchHistory(client, workflowId, runId);
    const events = history.events ?? [];
    runsEvents.push(events);
    for (const event of events) {
      const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'UNKNOWN';
      const entry = (byEventType[type] ??= { events: 0, bytes: 0 });
      entry.events++;
      entry.bytes += temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
    }
    const description = await within(
      RPC_TIMEOUT_MS,
      'describe',
      client.workflow.getHandle(workflowId, runId).describe(),
    );
    runs.push({
      runId,
      events: events.length,
      bytes: historyBytes(history),
      serverHistoryBytes: description.historySize ?? null,
      childrenStarted: events.filter((event) => event.startChildWorkflowExecutionInitiatedEventAttributes)
        .length,
    });
    for (const event of events) {
      const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (id) childIds.push(id);
    }
    const next = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    runId = next ?? undefined;
  }
  const totalEvents = runs.reduce((sum, run) => sum + run.events, 0);
  const totalBytes = runs.reduce((sum, run) => sum + run.bytes, 0);
  const figures = {
    outcome: resync.outcome,
    totals: resync.totals,
    continuedAsNew: resync.continuedAsNew,
    runs,
    totalEvents,
    totalBytes,
    largestRunEvents: Math.max(...runs.map((run) => run.events)),
    largestRunBytes: Math.max(...runs.map((run) => run.bytes)),
    largestActivityResultBytes: Math.max(0, ...runsEvents.map(largestActivityResult)),
    eventsPer1kJobs: (totalEvents * 1000) / jobs,
    bytesPer1kJobs: (totalBytes * 1000) / jobs,
    batchCycle: batchCycleOf(runsEvents),
    startup: startupOf(runsEvents[0] ?? []),
    continueAsNew: continueAsNewOf(runsEvents[0] ?? [], runsEvents[1] ?? []),
    byEventType,
  };
  return { figures, childIds };
}

/** The follow-up children the runs started (found in their histories), from their own histories. */
export async function followUpFigures(
  client: Client,
  childIds: string[],
  jobs: number,
): Promise<NonNullable<SizeResult['followUps']>> {
  const children = await mapLimited(childIds, 8, async (id) => {
    const history = await fetchHistory(client, id);
    const events = history.events ?? [];
    return {
      events: events.length,
      bytes: historyBytes(history),
      completed: events[events.length - 1]?.workflowExecutionCompletedEventAttributes != null,
    };
  });
  const totalEvents = children.reduce((sum, child) => sum + child.events, 0);
  const totalBytes = children.reduce((sum, child) => sum + child.bytes, 0);
  return {
    children: children.length,
    completed: children.filter((child) => child.completed).length,
    totalEvents,
    totalBytes,
    largestEvents: Math.max(0, ...children.map((child) => child.events)),
    largestBytes: Math.max(0, ...children.map((child) => child.bytes)),
    eventsPer1kJobs: (totalEvents * 1000) / jobs,
    bytesPer1kJobs: (totalBytes * 1000) / jobs,
  };
}
