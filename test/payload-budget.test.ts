/**
 * Payloads are budgeted in bytes, not items: with ids of 200 characters (the longest the service accepts),
 * every payload a sync-all hands Temporal (inputs, results, heartbeats, failures, continue-as-new, child
 * inputs, signals) stays under the SDK's 512 KB warning, in every workflow run and follower.
 * Full stack: the resync on the Temporal dev server, the sandbox over HTTP, the job store.
 */
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { WORKFLOW_TYPE, type ResyncInput, type ResyncResult } from '../src/contract';
import { useEnvironment } from './support/environment';

const SDK_WARNING_BYTES = 512 * 1024;
const APP = {
  urn: 'urn:li:developerApplication:747474',
  clientId: 'budget-client-id',
  clientSecret: 'budget-client-secret',
  integrationContext: 'urn:li:organization:747474',
  companyName: 'Long Ids',
};
/** 194 characters, then a six-digit number: ids of exactly 200 characters. */
const PREFIX = `${'long-id-'.repeat(24)}x-`;

const env = useEnvironment();

interface Payload {
  where: string;
  bytes: number;
}

/** Every `payloads` list in an event (at any depth), with the bytes it carries. */
function payloadsOf(value: unknown, where: string, out: Payload[]): void {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (const item of value) payloadsOf(item, where, out);
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'payloads' && Array.isArray(item)) {
      const bytes = (item as Array<{ data?: Uint8Array | null }>).reduce(
        (sum, payload) => sum + (payload.data?.length ?? 0),
        0,
      );
      out.push({ where, bytes });
    } else payloadsOf(item, where, out);
  }
}

/** The events of one run, a few at a time: a history holding megabytes is more than one gRPC message. */
async function historyOf(workflowId: string, runId: string | undefined) {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await env().client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId, ...(runId === undefined ? {} : { runId }) },
      maximumPageSize: 1,
      ...(nextPageToken === undefined ? {} : { nextPageToken }),
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

/** The payloads of every run of the workflow (following continue-as-new) and of every child, recursively. */
async function allPayloads(workflowId: string, runId?: string): Promise<Payload[]> {
  const out: Payload[] = [];
  let next: string | undefined = runId;
  for (;;) {
    const events = await historyOf(workflowId, next);
    next = undefined;
    for (const event of events) {
      payloadsOf(event, `${workflowId} event ${String(event.eventId)} ${String(event.eventType)}`, out);
      const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId && child.runId) {
        await env()
          .client.workflow.getHandle(child.workflowId, child.runId)
          .result()
          .catch(() => undefined);
        out.push(...(await allPayloads(child.workflowId, child.runId)));
      }
      next = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? next;
    }
    if (!next) return out;
  }
}

test('a sync-all of ids of 200 characters over several workflow runs hands Temporal no payload over 512 KB', async () => {
  const jobs = 6_000;
  await env().jobStore.ensureApplication(APP);
  await env().jobStore.insertSyntheticJobs(APP.urn, jobs, { idPrefix: PREFIX, closedEvery: 0 });
  const ids = await env().jobStore.listOpenJobIds(APP.urn, { limit: jobs + 1 });
  expect(ids).toHaveLength(jobs);
  expect(ids.every((id) => id.length === 200)).toBe(true);
  env().sandbox.registerApplication({
    developerApplicationUrn: APP.urn,
    clientId: APP.clientId,
    clientSecret: APP.clientSecret,
    kind: 'child',
  });
  env().sandbox.seedExistingJobs(APP.urn, ids);
  env().sandbox.faults.acceptIdsUpTo(200);

  const workflowId = `${env().workflowIdPrefix}payload-budget-${randomUUID()}`;
  const handle = await env().client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: env().taskQueue,
    workflowId,
    args: [
      {
        developerApplicationUrn: APP.urn,
        syncAllOpenJobs: true,
        externalJobPostingIds: [],
        receivedAt: Date.now(),
        deadlineMs: 10 * 60_000,
        followUpWindowMs: 10 * 60_000,
        batchesPerRun: 30,
      } satisfies ResyncInput,
    ],
  });
  const result = (await handle.result()) as ResyncResult;
  expect(result.totals).toMatchObject({ requested: jobs, updated: jobs, rejected: 0 });
  expect(result.continuedAsNew).toBeGreaterThanOrEqual(1);

  const payloads = await allPayloads(workflowId);
  const largest = payloads.reduce((max, payload) => (payload.bytes > max.bytes ? payload : max));
  const top = [...payloads].sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  console.log(
    `largest payloads of ${payloads.length}:\n${top.map((p) => `${p.bytes} bytes: ${p.where}`).join('\n')}`,
  );
  expect(largest.bytes).toBeLessThan(SDK_WARNING_BYTES);
});
