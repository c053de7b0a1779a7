/**
 * The least a workflow can be that does work in an activity: `activities` no-op activities one after
 * the other, then done. What Temporal and the SDK cost per workflow task and activity on this machine,
 * apart from what the resync does (floor-benchmark.ts). With `bytes`, each activity answers that many
 * bytes of urn-like strings, the next takes them as its input and the workflow returns the last: what
 * the bytes a resync carries through Temporal cost (its answers, follow-up input, follow-up result and
 * result).
 */
import { proxyActivities } from '@temporalio/workflow';

export interface FloorActivities {
  noop(carried: string[] | undefined, bytes: number): Promise<string[] | undefined>;
}

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/** With `resultsOnly`, the answers go no further: nothing is carried to the next activity or returned. */
export async function floorWorkflow(
  activities: number,
  bytes = 0,
  resultsOnly = false,
): Promise<string[] | undefined> {
  let carried: string[] | undefined;
  for (let i = 0; i < activities; i++) {
    const answer = await noop(carried, bytes);
    if (!resultsOnly) carried = answer;
  }
  return carried;
}
