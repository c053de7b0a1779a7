/**
 * Where a resync's time went, read from its workflow history (server times) and LinkedIn's side: its
 * start, workflow tasks and activities, each waiting and running, and the path from receipt to its last
 * UPDATE; then summarised over many resyncs.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { percentile } from './measure';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** Where one small resync's time went, from its history (server times) and LinkedIn's side. */
export interface Breakdown {
  /** Receipt to WorkflowExecutionStarted: the API's start call. */
  start: number;
  /** Each workflow task's schedule-to-start (waiting for a worker) and start-to-complete. */
  wftWait: number[];
  wftRun: number[];
  /** Activities by type: schedule-to-start and start-to-close. */
  activityWait: Record<string, number[]>;
  activityRun: Record<string, number[]>;
  /** Receipt to the last UPDATE answered, cut into its steps (ms). */
  path: Record<string, number>;
}

export function breakdownOf(history: History, receivedAt: number, lastUpdateAt: number): Breakdown {
  const at = new Map<number, number>();
  const names = new Map<number, string>();
  const out: Breakdown = { start: 0, wftWait: [], wftRun: [], activityWait: {}, activityRun: {}, path: {} };
  const path = out.path;
  const add = (key: string, value: number) => (path[key] = (path[key] ?? 0) + value);
  let postStarted: number | undefined;
  const push = (into: Record<string, number[]>, key: string, value: number) => (into[key] ??= []).push(value);
  for (const event of history.events ?? []) {
    const id = Number(event.eventId);
    const time = tsToMs(event.eventTime);
    at.set(id, time);
    const onPath = postStarted === undefined;
    if (event.workflowExecutionStartedEventAttributes) {
      out.start = time - receivedAt;
      add('start', out.start);
    }
    const wftStarted = event.workflowTaskStartedEventAttributes;
    if (wftStarted) {
      out.wftWait.push(time - (at.get(Number(wftStarted.scheduledEventId)) ?? time));
      if (onPath) add('wftWait', time - (at.get(Number(wftStarted.scheduledEventId)) ?? time));
    }
    const wftDone = event.workflowTaskCompletedEventAttributes;
    if (wftDone) {
      out.wftRun.push(time - (at.get(Number(wftDone.startedEventId)) ?? time));
      if (onPath) add('wftRun', time - (at.get(Number(wftDone.startedEventId)) ?? time));
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) names.set(id, scheduled.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const from = Number(started.scheduledEventId);
      const name = names.get(from) ?? '?';
      push(out.activityWait, name, time - (at.get(from) ?? time));
      if (onPath) add(`${name}Wait`, time - (at.get(from) ?? time));
      // The posting activity (postBatch, or postBatches for a run of calls) sends the last UPDATE.
      if ((name === 'postBatch' || name === 'postBatches') && onPath) {
        postStarted = time;
        add('postBatchToLastUpdate', lastUpdateAt - time);
      }
    }
    const done = event.activityTaskCompletedEventAttributes;
    if (done) {
      const name = names.get(Number(done.scheduledEventId)) ?? '?';
      push(out.activityRun, name, time - (at.get(Number(done.startedEventId)) ?? time));
      if (onPath) add(`${name}Run`, time - (at.get(Number(done.startedEventId)) ?? time));
    }
  }
  return out;
}

/** p50/p99/max of each segment over many resyncs (sums per resync for the repeated ones). */
export function summarise(breakdowns: readonly Breakdown[]) {
  const stat = (values: number[]) => ({
    p50: percentile(values, 0.5),
    p99: percentile(values, 0.99),
    max: percentile(values, 1),
  });
  const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
  const types = new Set(breakdowns.flatMap((b) => Object.keys(b.activityWait)));
  const steps = new Set(breakdowns.flatMap((b) => Object.keys(b.path)));
  const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / (values.length || 1));
  // The slowest 2 % of resyncs: which steps their time went to.
  const slowest = [...breakdowns]
    .sort((a, b) => sum(Object.values(b.path)) - sum(Object.values(a.path)))
    .slice(0, Math.max(1, Math.ceil(breakdowns.length / 50)));
  return {
    pathMean: Object.fromEntries(
      [...steps].map((step) => [step, mean(breakdowns.map((b) => b.path[step] ?? 0))]),
    ),
    pathMeanSlowest: Object.fromEntries(
      [...steps].map((step) => [step, mean(slowest.map((b) => b.path[step] ?? 0))]),
    ),
    pathP99: Object.fromEntries(
      [...steps].map((step) => [
        step,
        percentile(
          breakdowns.map((b) => b.path[step] ?? 0),
          0.99,
        ),
      ]),
    ),
    start: stat(breakdowns.map((b) => b.start)),
    workflowTasks: stat(breakdowns.map((b) => b.wftWait.length)),
    wftWaitEach: stat(breakdowns.flatMap((b) => b.wftWait)),
    wftWaitSum: stat(breakdowns.map((b) => sum(b.wftWait))),
    wftRunEach: stat(breakdowns.flatMap((b) => b.wftRun)),
    wftRunSum: stat(breakdowns.map((b) => sum(b.wftRun))),
    activities: Object.fromEntries(
      [...types].map((type) => [
        type,
        {
          wait: stat(breakdowns.flatMap((b) => b.activityWait[type] ?? [])),
          run: stat(breakdowns.flatMap((b) => b.activityRun[type] ?? [])),
        },
      ]),
    ),
  };
}
