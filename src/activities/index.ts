import { followTasks } from './follow-tasks';
import { listOpenJobPage } from './list-open-job-ids';
import { postBatch } from './posting/post-batch';
import { postBatches } from './posting/post-batches';
import { recordOutcome } from './record-outcome';
import { remainingOpenJobs } from './remaining-open-jobs';
import type { ActivityDeps } from './deps';

export type { ActivityDeps } from './deps';
export type { FollowedTask, FollowTasksInput } from './follow-tasks';
export type { ListOpenJobIdsInput, OpenJobPage } from './list-open-job-ids';
export type { PostBatchInput, PostBatchOutput } from './posting/post-batch';
export type { PostBatchesInput, PostBatchesOutput } from './posting/post-batches';
export type { RemainingOpenJobsInput } from './remaining-open-jobs';

/** Activities are built from their dependencies; only the composition roots wire the real ones. */
export function createActivities(deps: ActivityDeps) {
  return {
    listOpenJobPage: listOpenJobPage(deps),
    recordOutcome: recordOutcome(deps),
    remainingOpenJobs: remainingOpenJobs(deps),
    postBatch: postBatch(deps),
    postBatches: postBatches(deps),
    /**
     * Runs of CREATE batches: postBatches under a name of its own, so a worker of a release before
     * creates-as-runs (whose postBatches knows UPDATE only) never takes one; it waits for a new worker.
     */
    postCreates: postBatches(deps),
    followTasks: followTasks(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export type { CheckDriftPageOutput, DriftActivities } from '../drift/activities';
