import {
  allHandlersFinished,
  CancellationScope,
  condition,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type WorkflowInfo,
} from '@temporalio/workflow';
import type { JobResult, Operation, ResyncCarry, ResyncInput, ResyncResult, TaskReport } from '../contract';
import { DEVELOPER_APPLICATION_URN, MAX_JOBS_PER_CALL, RESYNC_OUTCOME } from '../contract/names';
import { PAYLOAD_BUDGET_BYTES } from '../contract/payload-budget';
import { deadlineFailure, deadlineMiss } from './deadline-failure';
import { JobSource, type JobSourceCarry, type ListOpenJobIds } from './job-source';
import { Ledger, type TasksToFollow } from './ledger';
import {
  answersTo,
  answersToRun,
  type RunAnswers,
  continueRun,
  countResync,
  deprecatePatches,
  listOpenJobIds,
  listOpenJobPage,
  PATCH,
  readUnlisted,
  RUN_REPORT_GRACE_MS,
  startFollower,
  startNewRound,
} from './resync-calls';
import {
  batchesOf,
  CARRIED_IDS_BYTES,
  FOLLOWER_BATCHES,
  followerGroups,
  MAX_BATCHES_PER_WORKFLOW_RUN,
  PAGE_IDS,
  planRuns,
  tasksBytes,
} from './run-plan';
import { notificationReceivedSignal, progressQuery, tasksReportedSignal } from './signals';

/**
 * Histories of the release before (without PATCH.runsByIds) cut runs in batches: 50 a run after which
 * the workflow run continues as new, up to 100 for the last. New runs are cut by the planner (run-plan.ts).
 */
const MAX_BATCHES_PER_ACTIVITY = 50;
const MAX_BATCHES_PER_FULL_RUN = 100;
/**
 * At the deadline, how long a run out may take to report the batches answered before it: it stops by itself
 * at the deadline, so this only bounds a report slowed by a loaded worker or server (1 s was too short).
 */
const RUN_SETTLE_MS = 5_000;
/** How long after the follow-up window the resync still listens for its followers' last reports. */
const REPORT_GRACE_MS = 30_000;

/** A run of batches once its activity reported: the batches answered before the deadline, if it came. */
interface SentRun extends RunAnswers {
  batches: string[][];
  firstBatchNumber: number;
}

/**
 * One run of a resync: its state (the ledger, the job source, what is in flight) and one short method a
 * step. `resyncJobs` drives it; the signal and query handlers read and feed the same state.
 */
export class Resync {
  private readonly info: WorkflowInfo = workflowInfo();
  private readonly urn: string;
  private readonly deadlineAt: number;
  private readonly followUpEndsAt: number;
  private readonly round: number;
  private readonly runs: number;
  private batchNumber: number;
  private readonly ledger: Ledger;
  private readonly source: JobSource;
  /** PATCH.runsByIds: runs recorded each as it reports, by id; a run's ids leave the source as it goes. */
  private readonly byIds: boolean;
  /** Jobs handed to a run that ended (out of time) before sending them. */
  private readonly notSent: string[] = [];
  private deadlinePassed: boolean;
  /** The batch being posted right now by postBatch, and its operation. */
  private inFlight: string[] = [];
  private inFlightOperation: 'UPDATE' | 'CREATE' = 'UPDATE';
  /**
   * Runs of batches (postBatches) by their first batch number, each with its jobs of unknown outcome: all of
   * them while it is out, none once it reported in time, the call it abandoned when out of time.
   */
  private readonly runsOut = new Map<number, string[]>();
  /** Runs that have not reported yet. */
  private runsUnreported = 0;
  private batchesThisRun = 0;
  private sendingDone = false;
  private laterDelivery: number | undefined;
  /** Follower starts not yet acknowledged by Temporal. */
  private readonly childStarts = new Set<Promise<void>>();

  constructor(private readonly input: ResyncInput) {
    deprecatePatches();
    this.urn = input.developerApplicationUrn;
    this.deadlineAt = input.receivedAt + input.deadlineMs;
    this.followUpEndsAt = input.receivedAt + Math.max(input.followUpWindowMs, input.deadlineMs);
    this.round = input.round ?? 0;
    const carry: ResyncCarry = input.carry ?? {
      runs: 0,
      batchNumber: 0,
      ...JobSource.fresh(input.syncAllOpenJobs),
      ...Ledger.fresh(input.syncAllOpenJobs ? 0 : input.externalJobPostingIds.length),
    };
    this.runs = carry.runs;
    this.batchNumber = carry.batchNumber;
    if (!this.info.typedSearchAttributes.get(DEVELOPER_APPLICATION_URN)) {
      // Started by hand without it: the Web UI and the log lines still name the application.
      upsertSearchAttributes([{ key: DEVELOPER_APPLICATION_URN, value: this.urn }]);
    }
    this.ledger = new Ledger(carry);
    this.byIds = patched(PATCH.runsByIds);
    this.source = new JobSource(input, carry, MAX_JOBS_PER_CALL, PAGE_IDS);
    this.deadlinePassed = Date.now() >= this.deadlineAt;
    setHandler(progressQuery, () => this.ledger.progress(this.source.allListed()));
    setHandler(notificationReceivedSignal, ({ receivedAt }) => this.onDelivery(receivedAt));
    setHandler(tasksReportedSignal, (report) => this.onReport(report));
  }

  /**
   * A delivery of the same notification while this round is still sending joins it; one that comes after
   * everything was sent, or after the deadline ended the sending, is a new request (the Temporal start
   * attaches to this run either way).
   */
  private onDelivery(receivedAt: number): void {
    const allSent =
      this.sendingDone ||
      this.deadlinePassed ||
      (this.source.exhausted() && this.abandoned().length === 0 && this.ledger.createQueue.length === 0);
    if (allSent && this.laterDelivery === undefined) this.laterDelivery = receivedAt;
  }

  private onReport(report: TaskReport): void {
    if ((report.round ?? 0) !== this.round) return;
    // A follower of an earlier execution of this workflow id (round 0 there too) is not ours.
    if (report.resyncRunId !== this.info.firstExecutionRunId) return;
    this.ledger.applyReport(report, this.deadlinePassed, (id) =>
      log.warn('CREATE asked again for a job already CREATEd or queued; it is not sent twice', {
        externalJobPostingId: id,
      }),
    );
  }

  /** LinkedIn asked again after this round was sent: the next round's reports are not this round's. */
  private newRound(receivedAt: number): Promise<never> {
    return startNewRound(this.input, receivedAt);
  }

  /** How long until the deadline; 0 once it passed. */
  timeLeft(): number {
    return Math.max(0, this.deadlineAt - Date.now());
  }

  deadlineReached(): void {
    this.deadlinePassed = true;
  }

  /** Whether anything was left to send (in flight, to CREATE, not listed or not sent yet). */
  unsent(): boolean {
    return (
      this.abandoned().length > 0 ||
      this.notSent.length > 0 ||
      this.ledger.createQueue.length > 0 ||
      !this.source.exhausted()
    );
  }

  /** The jobs sent or being sent whose outcome is not known (yet): the batch and the runs out. */
  private abandoned(): string[] {
    return [...this.inFlight, ...[...this.runsOut.values()].flat()];
  }

  /** Sends everything; returns once nothing is left to send and no report can bring a CREATE any more. */
  async sendEverything(): Promise<void> {
    for (;;) {
      if (this.ledger.createQueue.length > 0) {
        const { batch, taken } = this.ledger.nextCreateBatch(MAX_JOBS_PER_CALL);
        if (batch.length > 0) await this.post(batch, 'CREATE');
        this.ledger.dropCreateBatch(taken);
        continue;
      }
      if (this.byIds) {
        const runs = await this.nextRuns();
        if (runs) {
          this.source.listAhead(this.list());
          // Handed out: from now on the runs answer for their ids, whatever order they report in.
          this.source.advance(runs.flat(2));
          // All queued at once in the application's lane (a call at a time, no gap between runs), each
          // recorded as it reports; the first batch of the resync alone, so its follower starts at once.
          const ended = await Promise.all(runs.map((run) => this.sendAndRecord(run)));
          if (ended.some(Boolean)) await CancellationScope.current().cancelRequested;
          await this.continueAsNewIfLarge();
          continue;
        }
      }
      const run = this.byIds ? undefined : await this.nextRun();
      if (run) {
        this.source.listAhead(this.list());
        if (this.batchNumber === 0 && run.length > 1) {
          const first = this.sendRun(run.slice(0, 1));
          const rest = this.sendRun(run.slice(1));
          // Awaited below, unless the first one's cancellation (at the deadline) comes first.
          rest.catch(() => undefined);
          const outOfTime = this.recordRun(await first);
          if (this.recordRun(await rest) || outOfTime) await CancellationScope.current().cancelRequested;
        } else {
          await this.postRun(run);
        }
        await this.continueAsNewIfLarge();
        continue;
      }
      // All sent: a report may still ask for CREATEs, until the deadline.
      await condition(
        () =>
          this.ledger.createQueue.length > 0 ||
          this.ledger.awaitingReports <= 0 ||
          this.deadlinePassed ||
          this.laterDelivery !== undefined,
      );
      if (this.ledger.createQueue.length === 0) return;
    }
  }

  /** The listing activity: pages cut in bytes, or (histories of the release before) in ids. */
  private list(): ListOpenJobIds {
    return this.byIds ? listOpenJobPage(this.urn) : listOpenJobIds(this.urn);
  }

  /** The next runs of batches, as the planner cuts them from what is listed (run-plan.ts). */
  private nextRuns(): Promise<string[][][] | undefined> {
    const left = this.batchesLimit() - this.batchesThisRun;
    const firstAlone = this.batchNumber === 0;
    return this.source.nextRun(this.list(), (pending) => planRuns(pending, left, firstAlone));
  }

  /**
   * Sends a run and records it; the batches it left (its answers reached their budget) go as a run of
   * their own. Whether the deadline ended it.
   */
  private async sendAndRecord(batches: string[][]): Promise<boolean> {
    const sent = await this.sendRun(batches);
    const outOfTime = this.recordRun(sent);
    if (outOfTime || sent.leftOver.length === 0) return outOfTime;
    this.batchesThisRun -= sent.leftOver.length;
    return this.sendAndRecord(sent.leftOver);
  }

  /** The next run of batches as the release before cut it (its histories replay with it). */
  private async nextRun(): Promise<string[][] | undefined> {
    const size = this.runSize();
    return this.shorterUnlessLast(
      await this.source.nextRun(this.list(), (pending) => batchesOf(pending, size)),
    );
  }

  /** How many batches the next run takes: at most a postBatches activity's, and no more than this run's. */
  private runSize(): number {
    return Math.max(1, Math.min(MAX_BATCHES_PER_FULL_RUN, this.batchesLimit() - this.batchesThisRun));
  }

  /**
   * A run after which more is left to send (so the workflow run continues as new) keeps to
   * MAX_BATCHES_PER_ACTIVITY batches, besides the first batch of the resync.
   */
  private shorterUnlessLast(run: string[][] | undefined): string[][] | undefined {
    if (!run) return run;
    const jobs = run.reduce((sum, ids) => sum + ids.length, 0);
    if (this.source.endsWithin(jobs)) return run;
    return run.slice(0, MAX_BATCHES_PER_ACTIVITY + (this.batchNumber === 0 ? 1 : 0));
  }

  /** Batches per run of this workflow before it continues as new. */
  private batchesLimit(): number {
    return this.input.batchesPerRun ?? MAX_BATCHES_PER_WORKFLOW_RUN;
  }

  /**
   * Posts a run of UPDATE batches in one activity, back to back (LinkedIn's answer time, not a workflow
   * round trip, between two calls), then records each batch as `post` does: one "batch sent" line and the
   * followers of its tasks per batch.
   */
  private async postRun(batches: string[][]): Promise<void> {
    const outOfTime = this.recordRun(await this.sendRun(batches));
    if (outOfTime) await CancellationScope.current().cancelRequested;
  }

  /** Schedules a run's postBatches activity; what it answered, once it reports. */
  private async sendRun(batches: string[][]): Promise<SentRun> {
    const firstBatchNumber = this.batchNumber + 1;
    this.batchNumber += batches.length;
    this.batchesThisRun += batches.length;
    if (this.deadlineAt <= Date.now()) {
      // No time left: the run's jobs, handed out already, are not sent; the deadline timer ends it.
      if (this.byIds) this.notSent.push(...batches.flat());
      await CancellationScope.current().cancelRequested;
    }
    this.runsOut.set(firstBatchNumber, batches.flat());
    this.inFlightOperation = 'UPDATE';
    const { urn: developerApplicationUrn, deadlineAt } = this;
    this.runsUnreported++;
    const run = {
      developerApplicationUrn,
      batches,
      firstBatchNumber,
      deadlineAt,
      reportGraceMs: RUN_REPORT_GRACE_MS,
    };
    const answered = await answersToRun(
      this.byIds ? { ...run, maxResultBytes: PAYLOAD_BUDGET_BYTES } : run,
      this.byIds,
    ).finally(() => this.runsUnreported--);
    // Out of time: what may have reached LinkedIn unanswered is abandoned (of unknown outcome), the rest
    // never sent; the deadline timer ends it.
    if (answered.outOfTime) this.runsOut.set(firstBatchNumber, answered.outcomeUnknown);
    else this.runsOut.delete(firstBatchNumber);
    return { batches, firstBatchNumber, ...answered };
  }

  /**
   * Records a run's batches answered and starts their followers, one for up to FOLLOWER_BATCHES batches
   * together; then what was answered of the batch that was going, and the jobs never sent. Whether the
   * deadline ended the run.
   */
  private recordRun(sent: SentRun): boolean {
    const { batches, firstBatchNumber, answers, outOfTime } = sent;
    const tasks = answers.map(({ results, failed }, index) => {
      if (!this.byIds) this.source.advance(batches[index] ?? []);
      return this.record(firstBatchNumber + index, results, 'UPDATE', failed);
    });
    const groups = this.byIds
      ? followerGroups(tasks.map((batch) => tasksBytes(batch.flatMap(([, pairs]) => pairs))))
      : Array.from({ length: Math.ceil(tasks.length / FOLLOWER_BATCHES) }, () => FOLLOWER_BATCHES);
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
    if (sent.partial.length > 0) {
      const going = firstBatchNumber + answers.length;
      for (const [operation, pairs] of this.record(going, sent.partial, 'UPDATE', false))
        this.follow(operation, pairs, going);
    }
    this.notSent.push(...sent.notSent);
    return outOfTime;
  }

  /**
   * At the deadline, the runs that were out get a moment to report what was answered before it (their
   * activities end by themselves at the deadline); past that, the whole of a run is of unknown outcome.
   */
  async settleRun(): Promise<void> {
    if (this.runsUnreported > 0) await condition(() => this.runsUnreported === 0, RUN_SETTLE_MS);
  }

  /** Posts one batch, records what LinkedIn answered and starts the followers of its tasks. */
  private async post(ids: string[], operation: 'UPDATE' | 'CREATE'): Promise<void> {
    const batchNumber = ++this.batchNumber;
    this.batchesThisRun++;
    // No time left: nothing more goes to LinkedIn; the deadline timer ends the sending.
    if (this.deadlineAt <= Date.now()) await CancellationScope.current().cancelRequested;
    this.inFlight = ids;
    this.inFlightOperation = operation;
    const { urn: developerApplicationUrn, deadlineAt } = this;
    const batch = { developerApplicationUrn, ids, operation, batchNumber, deadlineAt };
    const answer = await answersTo(batch, () => this.deadlinePassed, this.byIds);
    if (answer === 'out of time') return;
    this.inFlight = [];
    for (const [op, tasks] of this.record(batchNumber, answer.results, operation, answer.failed))
      this.follow(op, tasks, batchNumber);
  }

  /** What LinkedIn answered for one batch, logged and in the ledger; the tasks to follow, by operation. */
  private record(
    batchNumber: number,
    results: JobResult[],
    operation: 'UPDATE' | 'CREATE',
    failed: boolean,
  ): TasksToFollow {
    const jobs = results.length;
    if (this.input.syncAllOpenJobs && operation === 'UPDATE') this.ledger.totals.requested += jobs;
    log.info('batch sent', {
      batch: batchNumber,
      operation,
      jobs,
      accepted: results.filter((result) => result.taskUrn !== undefined).length,
      rejected: results.filter((result) => result.fate === 'REJECTED').length,
    });
    return this.ledger.recordBatch(results, operation, failed);
  }

  /** Starts the follower of batches (by number) without waiting for it to start: the next batch goes at once. */
  private follow(
    operation: Operation,
    tasks: Array<[string, string]>,
    batchNumber: number,
    lastBatchNumber = batchNumber,
  ): void {
    this.ledger.awaitingReports++;
    const { workflowId, firstExecutionRunId } = this.info;
    const start = startFollower(
      { resyncRunId: firstExecutionRunId, round: this.round, batchNumber, lastBatchNumber, operation },
      {
        parentWorkflowId: workflowId,
        developerApplicationUrn: this.urn,
        operation,
        tasks,
        until: this.followUpEndsAt,
        round: this.round,
        resyncRunId: firstExecutionRunId,
      },
    ).then(
      () => undefined,
      () => this.ledger.followerLost(tasks),
    );
    this.childStarts.add(start);
    void start.then(() => this.childStarts.delete(start));
  }

  private async continueAsNewIfLarge(): Promise<void> {
    if (this.source.exhausted() && this.ledger.createQueue.length === 0) return;
    if (this.batchesThisRun < this.batchesLimit() && !workflowInfo().continueAsNewSuggested) return;
    await Promise.all(this.childStarts);
    const source = await this.source.carryListed(this.byIds ? CARRIED_IDS_BYTES : undefined);
    await continueRun(() => ({ ...this.input, carry: this.carry(source) }));
  }

  private carry(source: JobSourceCarry): ResyncCarry {
    return {
      runs: this.runs + 1,
      ...source,
      batchNumber: this.batchNumber,
      ...this.ledger.carry(),
    };
  }

  /**
   * Everything is sent: waits for LinkedIn's confirmations until the follow-up window closes (each
   * follower stops at the window's end and then reports; the last reports get time to arrive).
   */
  async awaitReports(): Promise<void> {
    this.sendingDone = true;
    await Promise.all(this.childStarts);
    await condition(
      () => this.ledger.awaitingReports <= 0 || this.laterDelivery !== undefined,
      Math.max(0, this.followUpEndsAt + REPORT_GRACE_MS - Date.now()),
    );
    if (this.laterDelivery !== undefined) await this.newRound(this.laterDelivery);
  }

  /** Ends the resync with its outcome: on the search attribute, in the metrics and in the result. */
  async finish(): Promise<ResyncResult> {
    this.ledger.settleUnreported();
    const outcome = this.ledger.outcome();
    upsertSearchAttributes([{ key: RESYNC_OUTCOME, value: outcome }]);
    await countResync(this.urn, outcome);
    log.info('resync finished', { outcome, totals: { ...this.ledger.totals } });
    await condition(allHandlersFinished);
    // A delivery that came while this round was ending is answered 200 too: checked in the same workflow
    // task as the completion, which Temporal refuses (and runs again) if one arrives in between.
    if (this.laterDelivery !== undefined) await this.newRound(this.laterDelivery);
    return this.ledger.result(this.urn, outcome, this.runs);
  }

  /** The deadline passed with jobs unsent: fails visibly, naming them (the ATS is read for the unlisted). */
  async failForDeadline(): Promise<never> {
    const unlisted = this.source.unlisted();
    // Read first: reports that come meanwhile are counted in the ledger's lateMissed below.
    const unlistedRead = unlisted && (await readUnlisted(this.urn, unlisted.after, this.input.deadlineMs));
    const miss = deadlineMiss({
      deadlineMs: this.input.deadlineMs,
      syncAllOpenJobs: this.input.syncAllOpenJobs,
      abandoned: this.abandoned(),
      abandonedOperation: this.inFlightOperation,
      createQueue: this.ledger.createQueue,
      missedEarlier: this.ledger.lateMissed,
      remaining: [...this.notSent, ...this.source.remaining()],
      unlisted: unlistedRead,
    });
    this.ledger.missDeadline(miss);
    // The result as the failure names it: a report during the awaits below changes neither.
    const failure = deadlineFailure(miss, this.ledger.result(this.urn, 'DEADLINE_EXCEEDED', this.runs));
    upsertSearchAttributes([{ key: RESYNC_OUTCOME, value: 'DEADLINE_EXCEEDED' }]);
    await countResync(this.urn, 'DEADLINE_EXCEEDED');
    log.warn('resync missed its deadline', {
      notSentCount: miss.notSentCount,
      outcomeUnknown: miss.abandoned.length,
    });
    // A delivery that came while this run was failing starts a new round rather than being lost.
    if (this.laterDelivery !== undefined) await this.newRound(this.laterDelivery);
    throw failure;
  }
}
