import { defaultPayloadConverter, type WorkflowHandle } from '@temporalio/client';

/** Whether the resync has scheduled a CREATE: a run (postBatches) or, before creates-as-runs, a batch. */
export async function schedulesCreate(handle: Pick<WorkflowHandle, 'fetchHistory'>): Promise<boolean> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.some((event) => {
    const input = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
    if (!input) return false;
    return defaultPayloadConverter.fromPayload<{ operation?: string }>(input).operation === 'CREATE';
  });
}
