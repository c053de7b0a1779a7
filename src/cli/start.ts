/** `start`: a resync started on Temporal directly, as the webhook would start it. */
import type { Client } from '@temporalio/client';
import type { JobResyncNotification } from '../contract';
import { createResyncStarter } from '../api/resync-starter';
import { notificationOf, parse, type Output } from './args';

const START_TIMEOUT_MS = 10_000;

/** Starts a resync on Temporal as the webhook would (same workflow id and options), received now. */
export async function startResync(
  notification: JobResyncNotification,
  deps: {
    client: Client;
    out: Output;
    taskQueue: string;
    namespace: string;
    deadlineMs: number;
    followUpWindowMs: number;
    webUiUrl: string;
    workflowIdPrefix?: string;
    /** LARGE_RESYNC_JOBS: a list of more ids starts on the large queue (a sync-all stays: no store here). */
    largeResyncJobs?: number;
  },
): Promise<number> {
  const starter = createResyncStarter(deps.client, {
    taskQueue: deps.taskQueue,
    deadlineMs: deps.deadlineMs,
    followUpWindowMs: deps.followUpWindowMs,
    workflowIdPrefix: deps.workflowIdPrefix ?? '',
    startTimeoutMs: START_TIMEOUT_MS,
    ...(deps.largeResyncJobs === undefined ? {} : { large: { minJobs: deps.largeResyncJobs } }),
  });
  const started = await starter.start(notification, Date.now());
  const link = `${deps.webUiUrl}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(started.workflowId)}`;
  deps.out.write(
    [
      // Signal-with-start: a resync of the same request that is still running is joined, not duplicated.
      `resync running: ${started.workflowId}${started.runId ? ` (run ${started.runId})` : ''}`,
      `  Web UI: ${link}`,
      `  watch:  npm run resync -- watch ${started.workflowId}`,
      '',
    ].join('\n'),
  );
  return 0;
}

export function parseStartArgs(args: readonly string[]): JobResyncNotification {
  const { values } = parse(args, {
    application: { type: 'string' },
    all: { type: 'boolean' },
    ids: { type: 'string' },
  });
  return notificationOf(values);
}
