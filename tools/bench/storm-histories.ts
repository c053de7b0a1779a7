/**
 * Temporal's side of a storm, read from the histories of its workflows: every run (resyncs, their
 * follow-up children, continue-as-new runs) of the storm's applications, listed from visibility, each
 * history fetched and its event types counted; and each resync's receipt time from its input.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DRIFT_CHECK_WORKFLOW_TYPE } from '../../src/contract/drift';
import { WORKFLOW_TYPE } from '../../src/contract';
import { mapLimited, within } from './measure';
import { addHistory, emptyCounts, type FirstTaskTimes, type TemporalCounts } from './storm-figures';
import { RPC_TIMEOUT_MS } from './settings';

/** The application id in a resync's (or its follower's) workflow id. */
const APPLICATION_IN_ID = /resync-app-(\d+)-/;

export interface StormHistories {
  counts: TemporalCounts;
  /** Runs by workflow type. */
  runsByType: Record<string, number>;
  /** Per application urn: the receipt time its resync's input carries (epoch ms). */
  receivedAt: Map<string, number>;
  /** Per application urn: its resync's first workflow task, scheduled and started (epoch ms). */
  firstTasks: Map<string, FirstTaskTimes>;
}

const millisOf = (event: temporal.api.history.v1.IHistoryEvent | undefined): number | undefined =>
  event?.eventTime
    ? Number(event.eventTime.seconds ?? 0) * 1000 + Math.floor((event.eventTime.nanos ?? 0) / 1e6)
    : undefined;

/** A first run's first workflow task: when it was scheduled and when a worker was handed it. */
function firstTaskOf(events: temporal.api.history.v1.IHistoryEvent[]): FirstTaskTimes | undefined {
  const Type = temporal.api.enums.v1.EventType;
  if (events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId) return undefined;
  const scheduled = events.find((event) => event.eventType === Type.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  const started = events.find((event) => event.eventType === Type.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const scheduledAt = millisOf(scheduled);
  const startedAt = millisOf(started);
  return scheduledAt === undefined || startedAt === undefined ? undefined : { scheduledAt, startedAt };
}

function eventName(event: temporal.api.history.v1.IHistoryEvent): string {
  return temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'EVENT_TYPE_UNSPECIFIED';
}

/** Counts every run started since `since` whose workflow id names one of `applicationIds`. */
export async function readStormHistories(
  client: Client,
  since: number,
  applicationIds: ReadonlySet<string>,
): Promise<StormHistories> {
  const runs: Array<{ workflowId: string; runId: string; type: string }> = [];
  const query = `StartTime >= "${new Date(since - 1_000).toISOString()}"`;
  for await (const execution of client.workflow.list({ query })) {
    if (execution.type === DRIFT_CHECK_WORKFLOW_TYPE) continue;
    const application = APPLICATION_IN_ID.exec(execution.workflowId)?.[1];
    if (application === undefined || !applicationIds.has(application)) continue;
    runs.push({ workflowId: execution.workflowId, runId: execution.runId, type: execution.type });
  }
  const counts = emptyCounts();
  const runsByType: Record<string, number> = {};
  const receivedAt = new Map<string, number>();
  const firstTasks = new Map<string, FirstTaskTimes>();
  await mapLimited(runs, 8, async (run) => {
    runsByType[run.type] = (runsByType[run.type] ?? 0) + 1;
    const history = await within(
      RPC_TIMEOUT_MS,
      `the history of ${run.workflowId}`,
      client.workflow.getHandle(run.workflowId, run.runId).fetchHistory(),
    );
    const bytes = temporal.api.history.v1.History.encode(history).finish().length;
    const events = history.events ?? [];
    addHistory(counts, events.map(eventName), bytes);
    if (run.type !== WORKFLOW_TYPE) return;
    const payload = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) return;
    const input = defaultPayloadConverter.fromPayload<{
      developerApplicationUrn?: string;
      receivedAt?: number;
    }>(payload);
    if (input.developerApplicationUrn === undefined || input.receivedAt === undefined) return;
    const first = firstTaskOf(events);
    if (first) firstTasks.set(input.developerApplicationUrn, first);
    const known = receivedAt.get(input.developerApplicationUrn);
    // A continue-as-new run carries the first receipt; keep the earliest seen.
    receivedAt.set(input.developerApplicationUrn, Math.min(known ?? Infinity, input.receivedAt));
  });
  return { counts, runsByType, receivedAt, firstTasks };
}

/** Heartbeats the worker sent Temporal: Core's request counter for RecordActivityTaskHeartbeat. */
export async function heartbeatsSent(metricsUrl: string): Promise<number | null> {
  let text: string;
  try {
    const answer = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
    text = await answer.text();
  } catch {
    return null;
  }
  return heartbeatsIn(text);
}

/**
 * The heartbeats a worker's Prometheus exposition counts: 0 when it counts Core's requests and none was a
 * heartbeat (Core has no series for an operation never called), null when it counts no request at all.
 */
export function heartbeatsIn(exposition: string): number | null {
  let requests = false;
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!/^temporal_request(_total)?\{/.test(line)) continue;
    requests = true;
    if (!line.includes('operation="RecordActivityTaskHeartbeat')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return requests ? total : null;
}
