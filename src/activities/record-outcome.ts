import { Context } from '@temporalio/activity';
import type { JobResult, ResyncOutcome } from '../contract';
import type { ActivityDeps } from './deps';

/** Counts how a resync ended, for the worker's /metrics (once per resync, unlike workflow code). */
export function recordOutcome(deps: Pick<ActivityDeps, 'metrics'> = {}) {
  return (input: { developerApplicationUrn: string; outcome: ResyncOutcome }): Promise<void> => {
    const { taskQueue } = Context.current().info;
    deps.metrics?.resyncEnded(taskQueue, input.developerApplicationUrn, input.outcome);
    return Promise.resolve();
  };
}

/** Jobs sent and rejected, for the worker's /metrics (src/observability/worker-metrics.ts). */
export function countOutcomes(
  deps: Pick<ActivityDeps, 'metrics'>,
  context: Context,
  application: string,
  results: readonly JobResult[],
): void {
  deps.metrics?.jobsAnswered(context.info.taskQueue, application, results);
}
