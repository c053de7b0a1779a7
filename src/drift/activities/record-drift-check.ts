import { Context } from '@temporalio/activity';
import type { ActivityDeps } from '../../activities/deps';
import type { DriftKind } from './drift-kinds';

export interface RecordDriftCheckInput {
  developerApplicationUrn: string;
  checked: number;
  repaired: Record<DriftKind, number>;
  /** Most of the application's listed jobs differed: its CHANGED jobs were not repaired (docs/drift.md). */
  comparisonDisagrees?: boolean;
}

/** Counts a finished drift check for the worker's /metrics (once, unlike workflow code). */
export function recordDriftCheck(deps: Pick<ActivityDeps, 'metrics'> = {}) {
  return (input: RecordDriftCheckInput): Promise<void> => {
    const { taskQueue } = Context.current().info;
    deps.metrics?.driftChecked(taskQueue, input.developerApplicationUrn, input);
    return Promise.resolve();
  };
}
