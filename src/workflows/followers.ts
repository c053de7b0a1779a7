import { CancellationScope, log, workflowInfo } from '@temporalio/workflow';
import type { JobResult, Operation, TaskReport } from '../contract';
import type { Ledger, TasksToFollow } from './ledger';
import { followTasksOf, type FollowResyncTasksInput } from './follow-resync-tasks';
import { followSummary, startFollower } from './resync-calls';
import { followerGroups, FOLLOW_IN_RESYNC_BYTES, tasksBytes } from './run-plan';

/**
 * Where a group's tasks are followed. `here`: in the resync itself (PATCH.followInResync), when this
 * workflow run is its last (everything listed is handed out) and the tasks it follows stay within
 * FOLLOW_IN_RESYNC_BYTES; otherwise by a follower child, which outlives a continue-as-new.
 */
export interface FollowPlace {
  /** Whether the resync follows tasks itself at all (patched). */
  followHere: boolean;
  /** Whether this workflow run is the resync's last: everything listed is handed out. */
  lastRun(): boolean;
  /** A report of tasks followed here, as a follower's signal would bring it. */
  report(report: TaskReport): void;
}

/**
 * What LinkedIn answered for a resync's batches, in its ledger and its log, and the follow-up of the tasks
 * it returned, a batch or a group of a run's batches (as the planner groups them) at a time: in the resync
 * itself where `FollowPlace` allows, otherwise by a follower child. Starts do not wait for Temporal's
 * acknowledgement, so the next batch goes at once; `started` awaits them.
 */
export class Followers {
  private readonly info = workflowInfo();
  /** Follower starts not yet acknowledged by Temporal. */
  private readonly starts = new Set<Promise<void>>();
  /** Follow-ups running in this workflow run. */
  private readonly here = new Set<Promise<unknown>>();
  /** The task bytes this workflow run has followed itself (at most FOLLOW_IN_RESYNC_BYTES). */
  private bytesHere = 0;

  constructor(
    private readonly resync: {
      urn: string;
      round: number;
      followUpEndsAt: number;
      syncAllOpenJobs: boolean;
    },
    private readonly ledger: Ledger,
    private readonly place?: FollowPlace,
  ) {}

  /**
   * Whether tasks are followed in this workflow run: it must not continue as new before they report (CREATEs
   * asked for once everything is handed out go in this run).
   */
  followingHere(): boolean {
    return this.here.size > 0;
  }

  /** Records one batch's answers and follows its tasks. */
  batch(batchNumber: number, results: JobResult[], operation: 'UPDATE' | 'CREATE', failed: boolean): void {
    for (const [op, tasks] of this.record(batchNumber, results, operation, failed))
      this.follow(op, tasks, batchNumber);
  }

  /**
   * Records a run's batches answered in whole (numbered from `firstBatchNumber`) and follows their tasks,
   * a follower for each group of batches the planner cuts (run-plan.ts).
   */
  run(
    firstBatchNumber: number,
    answers: ReadonlyArray<{ results: JobResult[]; failed: boolean }>,
    operation: 'UPDATE' | 'CREATE' = 'UPDATE',
  ): void {
    const tasks = answers.map(({ results, failed }, index) =>
      this.record(firstBatchNumber + index, results, operation, failed),
    );
    const groups = followerGroups(tasks.map((batch) => tasksBytes(batch.flatMap(([, pairs]) => pairs))));
    let start = 0;
    for (const size of groups) {
      const tasksOf = new Map<Operation, Array<[string, string]>>();
      for (const batch of tasks.slice(start, start + size))
        for (const [operation, pairs] of batch)
          tasksOf.set(operation, [...(tasksOf.get(operation) ?? []), ...pairs]);
      const first = firstBatchNumber + start;
      const last = Math.min(first + size, firstBatchNumber + tasks.length) - 1;
      for (const [operation, pairs] of tasksOf) this.follow(operation, pairs, first, last);
      start += size;
    }
  }

  /** Every follower started so far is acknowledged by Temporal. */
  async started(): Promise<void> {
    await Promise.all(this.starts);
  }

  /** What LinkedIn answered for one batch, logged and in the ledger; the tasks to follow, by operation. */
  private record(
    batchNumber: number,
    results: JobResult[],
    operation: 'UPDATE' | 'CREATE',
    failed: boolean,
  ): TasksToFollow {
    const jobs = results.length;
    if (this.resync.syncAllOpenJobs && operation === 'UPDATE') this.ledger.totals.requested += jobs;
    log.info('batch sent', {
      batch: batchNumber,
      operation,
      jobs,
      accepted: results.filter((result) => result.taskUrn !== undefined).length,
      rejected: results.filter((result) => result.fate === 'REJECTED').length,
    });
    return this.ledger.recordBatch(results, operation, failed);
  }

  /** Starts the follower of batches (by number) without waiting for it to start. */
  private follow(
    operation: Operation,
    tasks: Array<[string, string]>,
    batchNumber: number,
    lastBatchNumber = batchNumber,
  ): void {
    this.ledger.awaitingReports++;
    const { workflowId, firstExecutionRunId } = this.info;
    const { urn, round, followUpEndsAt } = this.resync;
    const input: FollowResyncTasksInput = {
      parentWorkflowId: workflowId,
      developerApplicationUrn: urn,
      operation,
      tasks,
      until: followUpEndsAt,
      round,
      resyncRunId: firstExecutionRunId,
    };
    const bytes = tasksBytes(tasks);
    const { place } = this;
    if (place?.followHere && place.lastRun() && this.bytesHere + bytes <= FOLLOW_IN_RESYNC_BYTES) {
      this.bytesHere += bytes;
      // Not cancellable, as a follower's start is not: following sent jobs is no call the deadline forbids.
      const following = CancellationScope.nonCancellable(() =>
        followTasksOf(
          input,
          (report) => place.report(report),
          followSummary(input, batchNumber, lastBatchNumber),
        ),
      );
      this.here.add(following);
      void following.then(
        () => this.here.delete(following),
        () => {
          // Not reported (the workflow is ending): its jobs stay sent, unconfirmed.
          this.here.delete(following);
          this.ledger.followerLost(tasks);
        },
      );
      return;
    }
    const start = startFollower(
      { resyncRunId: firstExecutionRunId, round, batchNumber, lastBatchNumber, operation },
      input,
    ).then(
      () => undefined,
      () => this.ledger.followerLost(tasks),
    );
    this.starts.add(start);
    void start.then(() => this.starts.delete(start));
  }
}
