/**
 * The storm's notifications, as LinkedIn sends them: each application's Job Resync Notification signed over
 * its raw bytes and POSTed to the built API, spread evenly over the window, delivered again (after 1, 2,
 * 4 s) while the answer is not 200. Then waiting for every resync to end.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { signNotification } from '../../src/api/signature';
import { post as postSigned } from '../chaos/delivery';
import { workflowIdFor } from '../../src/api/workflow-id';
import type { DeadlineExceededDetails, ResyncResult } from '../../src/contract';
import { mapLimited, sleep, within } from './measure';
import { STORM_WEBHOOK_SECRET } from './storm-rig';

export interface Notice {
  urn: string;
  /** Explicit ids (a small resync), or every open job. */
  ids: readonly string[] | 'all';
}

export interface Delivery {
  notice: Notice;
  workflowId: string;
  sentAt: number;
  /** When the API answered 200 (or gave up). */
  answeredAt: number;
  attempts: number;
  status: number;
}

/** A resync's end: its result, or the deadline failure's details, or why neither could be read. */
export interface Ending {
  result?: ResyncResult;
  deadline?: DeadlineExceededDetails;
  error?: string;
}

const MAX_ATTEMPTS = 5;

function bodyOf(notice: Notice): string {
  return JSON.stringify(
    notice.ids === 'all'
      ? { developerApplicationUrn: notice.urn, syncAllOpenJobs: true, type: 'RESYNC_JOBS' }
      : {
          developerApplicationUrn: notice.urn,
          externalJobPostingIds: notice.ids,
          syncAllOpenJobs: false,
          type: 'RESYNC_JOBS',
        },
  );
}

/** One signed POST (tools/chaos/delivery.ts): the status, or 0 when no answer came. */
function post(url: string, body: string): Promise<number> {
  return postSigned(url, body, { 'X-LI-Signature': signNotification(STORM_WEBHOOK_SECRET, body) });
}

/** Sends every notice, the i-th at `start + i × spreadMs / n`, each without waiting for the others. */
export async function notify(
  url: string,
  notices: readonly Notice[],
  spreadMs: number,
  prefix: string,
): Promise<Delivery[]> {
  const start = Date.now();
  const sends = notices.map(async (notice, index) => {
    await sleep(Math.max(0, start + (index * spreadMs) / notices.length - Date.now()));
    const body = bodyOf(notice);
    const sentAt = Date.now();
    let status = 0;
    let attempts = 0;
    for (let pause = 1_000; attempts < MAX_ATTEMPTS; pause *= 2) {
      attempts++;
      status = await post(url, body);
      if (status === 200 || status === 400 || status === 401) break;
      await sleep(pause);
    }
    const request = JSON.parse(body) as Parameters<typeof workflowIdFor>[0];
    return {
      notice,
      workflowId: workflowIdFor(request, prefix),
      sentAt,
      answeredAt: Date.now(),
      attempts,
      status,
    };
  });
  return Promise.all(sends);
}

/** Waits for each resync answered 200 to end (at most `timeoutMs` in all); how each ended. */
export async function endings(
  client: Client,
  deliveries: readonly Delivery[],
  timeoutMs: number,
): Promise<Map<string, Ending>> {
  const ends = new Map<string, Ending>();
  const until = Date.now() + timeoutMs;
  await mapLimited(
    deliveries.filter((delivery) => delivery.status === 200),
    64,
    async ({ notice, workflowId }) => {
      try {
        const left = Math.max(1_000, until - Date.now());
        const result: unknown = await within(
          left,
          workflowId,
          client.workflow.getHandle(workflowId).result(),
        );
        ends.set(notice.urn, { result: result as ResyncResult });
      } catch (error) {
        const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
        if (cause instanceof ApplicationFailure && cause.type === 'ResyncDeadlineExceeded')
          ends.set(notice.urn, { deadline: cause.details?.[0] as DeadlineExceededDetails });
        else ends.set(notice.urn, { error: error instanceof Error ? error.message : String(error) });
      }
    },
  );
  return ends;
}

/** Waits until none of the storm's workflows runs (the followers end after the last UPDATE). */
export async function quiet(client: Client, prefix: string, timeoutMs: number): Promise<boolean> {
  const query = `WorkflowId STARTS_WITH "${prefix}resync-app-" AND ExecutionStatus = "Running"`;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const running = await client.workflow.count(query).then(
      (answer) => answer.count,
      () => -1,
    );
    if (running === 0) return true;
    await sleep(1_000);
  }
  return false;
}
