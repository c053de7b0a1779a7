import { Context } from '@temporalio/activity';
import type { ActivityDeps } from '../../activities/deps';
import { driftCheckIdOf, jobStatusesOf } from './job-statuses';

export interface RecordDriftRepairsInput {
  developerApplicationUrn: string;
  /** Jobs the check's repair re-posted for CHANGED. */
  externalJobPostingIds: string[];
}

/**
 * Marks the CHANGED differences this drift check noted for these jobs as re-posted
 * (linkedin_changed_repairs): a later check that finds the same difference reports "LinkedIn shows …"
 * instead of sending the job again.
 */
export function recordDriftRepairs(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  return async (input: RecordDriftRepairsInput): Promise<void> => {
    const checkId = driftCheckIdOf(Context.current().info);
    await jobStatusesOf(deps).markRepaired(
      input.developerApplicationUrn,
      checkId,
      input.externalJobPostingIds,
      now(),
    );
  };
}
