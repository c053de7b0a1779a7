/**
 * What a resync asks of Temporal besides posting (posting-calls.ts), each call with its options in one
 * place: the ATS activities it schedules, the followers it starts, how it continues as new. A change here
 * changes what the workflow commands: it goes behind `patched()` (docs/development.md).
 */
import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  log,
  makeContinueAsNewFunc,
  ParentClosePolicy,
  proxyActivities,
  startChild,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ResyncInput, ResyncOutcome, ResyncResult } from '../contract';
import { DEVELOPER_APPLICATION_URN } from '../contract/names';
import { ROUND_WINDOW_MEMO, type RoundWindow } from '../contract/repeats';
import { followerWorkflowId, type FollowerOf } from '../contract/workflow-ids';
import { RETRY as retry } from './retry';
import type { DeadlineMissInput } from './deadline-failure';
import { followResyncTasks, type FollowResyncTasksInput } from './follow-resync-tasks';
import type { ListOpenJobIds } from './job-source';

/**
 * The changes of the release after 3239503 share one patch id. They deploy, are deprecated and retire
 * together, and each marker costs every workflow run two events (the marker and its TemporalChangeVersion
 * upsert) and an update of its visibility record; in a storm of 500-job resyncs, five markers in place of
 * one were a sixth of the events (docs/benchmarks.md, the storm).
 */
const AFTER_3239503 = 'after-3239503';

/**
 * Changes to what this workflow commands, each behind the patch of its release (docs/development.md, the
 * patch lifecycle; CHANGELOG.md says which release added, deprecated and removed which).
 */
export const PATCH = {
  /**
   * Added in 3239503, deprecated now (its old branch is gone): runs are recorded (and followed) each as it
   * reports, their jobs by id, all of a workflow run's runs queued at once; a run's failure keeps what
   * LinkedIn answered before it; pages, runs, follower groups and carried ids are cut in bytes by the
   * planner (run-plan.ts); a run's activity ends at its answers' budget.
   */
  runsByIds: 'runs-recorded-by-ids',
  /**
   * Added now: a notification is carried out in full at most twice within its window (contract/repeats.ts);
   * a new round carries its window in its input and its memo.
   */
  repeatsBounded: AFTER_3239503,
  /**
   * Added now: a run's activity signals the batches LinkedIn answered as it goes (AnswerSignals), so each
   * group's follower starts within seconds of its answers, not when the run reports.
   */
  answersSignalled: AFTER_3239503,
  /** Added now: a CREATE batch goes as a run of one batch (postBatches), as every UPDATE does. */
  createsAsRuns: AFTER_3239503,
  /**
   * Added now: the resync's first batch goes in the first run with the others, not as a run of its own;
   * the run signals its answers (answersSignalled), which starts their follower. A resync of up to 25
   * batches is one postBatches activity and one follower, not two of each (docs/benchmarks.md, the storm).
   */
  firstBatchInRun: AFTER_3239503,
  /**
   * Added now: the resync's last workflow run follows the tasks of up to FOLLOW_IN_RESYNC_BYTES itself
   * (followTasks activities beside its posting) instead of starting follower children; a resync of a few
   * hundred jobs is then one workflow, half the workflow tasks it took (docs/benchmarks.md, the storm).
   */
  followInResync: AFTER_3239503,
} as const;

/** The signature of `resyncJobs`, which continues as new. */
type ResyncWorkflow = (input: ResyncInput) => Promise<ResyncResult>;

/** After a missed deadline the ATS is read for the jobs never listed, for at most this long. */
const MAX_REMAINING_READ_MS = 5 * 60_000;

const ats = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
  retry,
});

/** Pages of at most `limit` ids and the payload budget's bytes. */
export function listOpenJobPage(developerApplicationUrn: string): ListOpenJobIds {
  return (after, limit) => ats.listOpenJobPage({ developerApplicationUrn, after, limit });
}

/** What a follow-up is, for the Web UI: "Follow LinkedIn's tasks of batches 1–3 (250 UPDATE)". */
export function followSummary(
  input: Pick<FollowResyncTasksInput, 'tasks' | 'operation'>,
  batchNumber: number,
  lastBatchNumber = batchNumber,
): string {
  const batches =
    lastBatchNumber > batchNumber ? `batches ${batchNumber}–${lastBatchNumber}` : `batch ${batchNumber}`;
  return `Follow LinkedIn's tasks of ${batches} (${input.tasks.length} ${input.operation})`;
}

/**
 * Starts a batch's follower. The start is not cancellable: following sent jobs is no LinkedIn call the
 * deadline forbids.
 */
export function startFollower(
  follower: Omit<FollowerOf, 'resyncWorkflowId'> & { lastBatchNumber?: number },
  input: FollowResyncTasksInput,
): Promise<unknown> {
  const { batchNumber, operation, lastBatchNumber = batchNumber, ...named } = follower;
  return CancellationScope.nonCancellable(() =>
    startChild(followResyncTasks, {
      workflowId: followerWorkflowId({
        ...named,
        batchNumber,
        operation,
        resyncWorkflowId: input.parentWorkflowId,
      }),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: followSummary(input, batchNumber, lastBatchNumber),
      typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: input.developerApplicationUrn }],
      args: [input],
    }),
  );
}

/**
 * After a missed deadline, the open jobs never listed (reading the ATS is no LinkedIn call). Bounded: an
 * ATS outage must not keep the run from ending; it ends naming the jobs it knows of.
 */
export async function readUnlisted(
  developerApplicationUrn: string,
  after: string | undefined,
  deadlineMs: number,
): Promise<DeadlineMissInput['unlisted']> {
  const args = { developerApplicationUrn, after, sampleSize: 1_000 };
  const bound = Math.min(MAX_REMAINING_READ_MS, Math.max(10_000, deadlineMs));
  const options = {
    startToCloseTimeout: Math.min(60_000, bound),
    scheduleToCloseTimeout: bound,
    heartbeatTimeout: '30 seconds',
    retry,
  };
  return ats.remainingOpenJobs.executeWithOptions(options, [args]).catch((error: unknown) => {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('open jobs never listed could not be read', { error: error.cause?.message ?? '' });
    return 'unread' as const;
  });
}

/**
 * Resyncs by outcome, for the worker's /metrics. Counted by an activity, not by workflow code: a workflow
 * task that is retried (a follower's completion arriving as the resync completes) would count twice.
 */
export async function countResync(developerApplicationUrn: string, outcome: ResyncOutcome): Promise<void> {
  await CancellationScope.nonCancellable(() => ats.recordOutcome({ developerApplicationUrn, outcome })).catch(
    (error: unknown) => log.warn('outcome not counted', { error: String(error) }),
  );
}

/** The next run of this resync, with what it carries once every handler has finished. */
export async function continueRun(next: () => ResyncInput): Promise<never> {
  await condition(allHandlersFinished);
  return continueAsNew<ResyncWorkflow>(next());
}

/**
 * A new round: LinkedIn asked again after this round was sent (or missed its deadline), so everything is
 * sent again, with the deadline counted from the new receipt. The new round has no outcome yet, whatever
 * this one's was.
 */
export async function startNewRound(
  input: ResyncInput,
  receivedAt: number,
  roundWindow?: RoundWindow,
): Promise<never> {
  await condition(allHandlersFinished);
  log.info('notification received again after sending; starting a new round', { receivedAt });
  const next: ResyncInput = {
    developerApplicationUrn: input.developerApplicationUrn,
    syncAllOpenJobs: input.syncAllOpenJobs,
    externalJobPostingIds: input.externalJobPostingIds,
    receivedAt,
    deadlineMs: input.deadlineMs,
    followUpWindowMs: input.followUpWindowMs,
    ...(input.batchesPerRun === undefined ? {} : { batchesPerRun: input.batchesPerRun }),
    round: (input.round ?? 0) + 1,
    ...(roundWindow === undefined ? {} : { roundWindow }),
    ...(input.repeatWindowMs === undefined ? {} : { repeatWindowMs: input.repeatWindowMs }),
  };
  return makeContinueAsNewFunc<ResyncWorkflow>({
    typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: input.developerApplicationUrn }],
    ...(roundWindow === undefined ? {} : { memo: { [ROUND_WINDOW_MEMO]: roundWindow } }),
  })(next);
}
