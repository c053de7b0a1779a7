import { log, workflowInfo } from '@temporalio/workflow';
import type { JobResult, Operation } from '../contract';
import type { Ledger, TasksToFollow } from './ledger';
import { startFollower } from './resync-calls';
import { followerGroups, tasksBytes } from './run-plan';

/**
 * What LinkedIn answered for a resync's batches, in its ledger and its log, and the followers of the tasks
 * it returned: one follower a batch, or a group of a run's batches (as the planner groups them). Starts
 * do not wait for Temporal's acknowledgement, so the next batch goes at once; `started` awaits them.
 */
export class Followers {
  private readonly info = workflowInfo();
  /** Follower starts not yet acknowledged by Temporal. */
  private readonly starts = new Set<Promise<void>>();

  constructor(
    private readonly resync: {
      urn: string;
      round: number;
      followUpEndsAt: number;
      syncAllOpenJobs: boolean;
    },
    private readonly ledger: Ledger,
  ) {}

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
    const start = startFollower(
      { resyncRunId: firstExecutionRunId, round, batchNumber, lastBatchNumber, operation },
      {
        parentWorkflowId: workflowId,
        developerApplicationUrn: urn,
        operation,
        tasks,
        until: followUpEndsAt,
        round,
        resyncRunId: firstExecutionRunId,
      },
    ).then(
      () => undefined,
      () => this.ledger.followerLost(tasks),
    );
    this.starts.add(start);
    void start.then(() => this.starts.delete(start));
  }
}
