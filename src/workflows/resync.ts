import {
  allHandlersFinished,
  CancellationScope,
  condition,
  deprecatePatch,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type WorkflowInfo,
} from '@temporalio/workflow';
import type { ResyncCarry, ResyncInput, ResyncResult, TaskReport } from '../contract';
import { DEVELOPER_APPLICATION_URN, RESYNC_OUTCOME } from '../contract/names';
import { deadlineFailure, deadlineMiss } from './deadline-failure';
import { JobSource, type JobSourceCarry, type ListOpenJobIds } from './job-source';
import { BatchSender } from './batch-sender';
import { Followers } from './followers';
import { RoundRepeats } from './round-repeats';
import { Ledger } from './ledger';
import {
  continueRun,
  countResync,
  listOpenJobPage,
  PATCH,
  readUnlisted,
  startNewRound,
} from './resync-calls';
import { BATCH_SIZE, CARRIED_IDS_BYTES, MAX_BATCHES_PER_WORKFLOW_RUN, pageIds, planRuns } from './run-plan';
import {
  batchesAnsweredSignal,
  notificationReceivedSignal,
  progressQuery,
  tasksReportedSignal,
} from '../contract/signals';

/** How long after the follow-up window the resync still listens for its followers' last reports. */
const REPORT_GRACE_MS = 30_000;

/**
 * One run of a resync: its state (the ledger, the job source, what is in flight) and one short method a
 * step. `resyncJobs` drives it; the signal and query handlers read and feed the same state.
 */
export class Resync {
  private readonly info: WorkflowInfo = workflowInfo();
  /** Jobs a call (run-plan.ts): every batch, run and page of this resync is cut by it. */
  private readonly batchSize = BATCH_SIZE;
  private readonly urn: string;
  /** The listing activity: pages of at most `pageIds` ids and the payload budget's bytes. */
  private readonly list: ListOpenJobIds;
  private readonly deadlineAt: number;
  private readonly followUpEndsAt: number;
  private readonly round: number;
  private readonly runs: number;
  private readonly ledger: Ledger;
  private readonly source: JobSource;
  private deadlinePassed: boolean;
  private sendingDone = false;
  private laterDelivery: number | undefined;
  private readonly repeats: RoundRepeats;
  private readonly followers: Followers;
  private readonly sender: BatchSender;
  /** Before PATCH.firstBatchInRun, the resync's first batch went as a run of its own. */
  private readonly firstBatchAlone: boolean;

  constructor(private readonly input: ResyncInput) {
    this.urn = input.developerApplicationUrn;
    this.list = listOpenJobPage(this.urn);
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
    if (!this.info.typedSearchAttributes.get(DEVELOPER_APPLICATION_URN)) {
      // Started by hand without it: the Web UI and the log lines still name the application.
      upsertSearchAttributes([{ key: DEVELOPER_APPLICATION_URN, value: this.urn }]);
    }
    deprecatePatch(PATCH.runsByIds);
    this.repeats = new RoundRepeats(patched(PATCH.repeatsBounded), input);
    this.firstBatchAlone = !patched(PATCH.firstBatchInRun);
    this.ledger = new Ledger(carry);
    const { syncAllOpenJobs } = input;
    const { urn, round, followUpEndsAt, deadlineAt } = this;
    this.followers = new Followers({ urn, round, followUpEndsAt, syncAllOpenJobs }, this.ledger, {
      followHere: patched(PATCH.followInResync),
      lastRun: () => this.source.exhausted(),
      report: (report) => this.onReport(report),
    });
    const deadlinePassed = () => this.deadlinePassed;
    this.sender = new BatchSender({ urn, deadlineAt, deadlinePassed }, carry.batchNumber, this.followers);
    this.source = new JobSource(input, carry, this.batchSize, pageIds(this.batchSize));
    this.deadlinePassed = Date.now() >= this.deadlineAt;
    setHandler(progressQuery, () => this.ledger.progress(this.source.allListed()));
    setHandler(notificationReceivedSignal, ({ receivedAt }) => this.onDelivery(receivedAt));
    setHandler(tasksReportedSignal, (report) => this.onReport(report));
    setHandler(batchesAnsweredSignal, (answered) => this.sender.answered(answered));
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
      (this.source.exhausted() &&
        this.sender.abandoned().length === 0 &&
        this.ledger.createQueue.length === 0);
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
  private newRound(receivedAt: number, window = this.repeats.window): Promise<never> {
    return startNewRound(this.input, receivedAt, this.repeats.carried(window));
  }

  /** Whether a later delivery asks for a round that may start (round-repeats.ts). */
  private repeatRequested(): boolean {
    return this.laterDelivery !== undefined && this.repeats.next(this.laterDelivery) !== undefined;
  }

  /** Starts the round a later delivery asked for, when it may; otherwise logs that it is not redone. */
  private async repeatIfRequested(): Promise<void> {
    if (this.laterDelivery === undefined) return;
    const next = this.repeats.next(this.laterDelivery);
    if (next) await this.newRound(this.laterDelivery, next);
    const { windowSince } = this.repeats.window;
    log.warn('notification received again; carried out twice within its window already, not redone', {
      receivedAt: this.laterDelivery,
      windowSince,
    });
    // Answered, not redone: a later delivery is looked at afresh.
    this.laterDelivery = undefined;
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
      this.sender.abandoned().length > 0 ||
      this.sender.notSent.length > 0 ||
      this.ledger.createQueue.length > 0 ||
      !this.source.exhausted()
    );
  }

  /** Sends everything; returns once nothing is left to send and no report can bring a CREATE any more. */
  async sendEverything(): Promise<void> {
    for (;;) {
      if (this.ledger.createQueue.length > 0) {
        const { batch, taken } = this.ledger.nextCreateBatch(this.batchSize);
        if (batch.length > 0) await this.sender.post(batch, 'CREATE');
        this.ledger.dropCreateBatch(taken);
        continue;
      }
      const runs = await this.nextRuns();
      if (runs) {
        this.source.listAhead(this.list);
        // Handed out: from now on the runs answer for their ids, whatever order they report in.
        this.source.advance(runs.flat(2));
        // All queued at once in the application's lane (a call at a time, no gap between runs), each
        // recorded as its answers are signalled and as it reports.
        const ended = await Promise.all(runs.map((run) => this.sender.sendAndRecord(run)));
        if (ended.some(Boolean)) await CancellationScope.current().cancelRequested;
        await this.continueAsNewIfLarge();
        continue;
      }
      // All sent: a report may still ask for CREATEs, until the deadline.
      await condition(
        () =>
          this.ledger.createQueue.length > 0 ||
          this.ledger.awaitingReports <= 0 ||
          this.deadlinePassed ||
          this.repeatRequested(),
      );
      if (this.ledger.createQueue.length === 0) return;
    }
  }

  /** The next runs of batches, as the planner cuts them from what is listed (run-plan.ts). */
  private nextRuns(): Promise<string[][][] | undefined> {
    const left = this.batchesLimit() - this.sender.batchesThisRun;
    const firstAlone = this.firstBatchAlone && this.sender.batchNumber === 0;
    return this.source.nextRun(this.list, (pending) => planRuns(pending, left, firstAlone, this.batchSize));
  }

  /** Batches per run of this workflow before it continues as new. */
  private batchesLimit(): number {
    return this.input.batchesPerRun ?? MAX_BATCHES_PER_WORKFLOW_RUN;
  }

  /**
   * At the deadline, the runs that were out get a moment to report what was answered before it (their
   * activities end by themselves at the deadline); past that, the whole of a run is of unknown outcome.
   */
  settleRun(): Promise<void> {
    return this.sender.settle();
  }

  private async continueAsNewIfLarge(): Promise<void> {
    const createsToCarry = this.ledger.createQueue.length > 0 && !this.followers.followingHere();
    if (this.source.exhausted() && !createsToCarry) return;
    if (this.sender.batchesThisRun < this.batchesLimit() && !workflowInfo().continueAsNewSuggested) return;
    await this.followers.started();
    const source = await this.source.carryListed(CARRIED_IDS_BYTES);
    await continueRun(() => ({ ...this.input, carry: this.carry(source) }));
  }

  private carry(source: JobSourceCarry): ResyncCarry {
    return {
      runs: this.runs + 1,
      ...source,
      batchNumber: this.sender.batchNumber,
      ...this.ledger.carry(),
    };
  }

  /**
   * Everything is sent: waits for LinkedIn's confirmations until the follow-up window closes (each
   * follower stops at the window's end and then reports; the last reports get time to arrive).
   */
  async awaitReports(): Promise<void> {
    this.sendingDone = true;
    await this.followers.started();
    await condition(
      () => this.ledger.awaitingReports <= 0 || this.repeatRequested(),
      Math.max(0, this.followUpEndsAt + REPORT_GRACE_MS - Date.now()),
    );
    await this.repeatIfRequested();
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
    await this.repeatIfRequested();
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
      abandoned: this.sender.abandoned(),
      abandonedOperation: this.sender.operation,
      createQueue: this.ledger.createQueue,
      missedEarlier: this.ledger.lateMissed,
      remaining: [...this.sender.notSent, ...this.source.remaining()],
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
