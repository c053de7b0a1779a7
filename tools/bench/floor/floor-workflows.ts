/**
 * The least a workflow can be that does work in an activity: `activities` no-op activities one after
 * the other, then done. What Temporal and the SDK cost per workflow task and activity on this machine,
 * apart from what the resync does (floor-benchmark.ts).
 */
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function floorWorkflow(activities: number): Promise<void> {
  for (let i = 0; i < activities; i++) await noop();
}
