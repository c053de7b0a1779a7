import { CancellationScope, condition, log, patched } from '@temporalio/workflow';
import { PATCH } from './resync-calls';
import { expandBatch } from '../contract/posted-batch';
import type { BatchesAnswered } from '../contract/signals';
import { FOLLOWER_BATCHES } from './run-plan';
import { PAYLOAD_BUDGET_BYTES } from '../contract/payload-budget';
import type { Followers } from './followers';
import { answersTo, answersToRun, RUN_REPORT_GRACE_MS, type RunAnswers } from './posting-calls';

/**
 * At the deadline, how long a run out may take to report the batches answered before it: it stops by itself
 * at the deadline, so this only bounds a report slowed by a loaded worker or server (1 s was too short).
 */
const RUN_SETTLE_MS = 5_000;
/** How long a run's answered batches wait for more before its activity signals them (AnswerSignals). */
const SIGNAL_WAIT_MS = 2_000;

/** How a batch goes: UPDATE, or CREATE for jobs LinkedIn lacks (CLOSE is the activity's, per job). */
type SentAs = 'UPDATE' | 'CREATE';

/** A run of batches once its activity reported: the batches answered before the deadline, if it came. */
interface SentRun extends RunAnswers {
  batches: string[][];
  firstBatchNumber: number;
  operation: SentAs;
}

/**
 * Sends a resync's batches, numbered in order: runs of UPDATE batches (a postBatches activity each) and
 * single CREATE batches (postBatch); records what LinkedIn answered through the followers; and keeps what
 * has no answer yet (the batch and the runs out, the jobs a run ended before sending), which a missed
 * deadline names.
 */
export class BatchSender {
  /** The last batch's number in this resync. */
  batchNumber: number;
  /** Batches sent in this workflow run (it continues as new after the planner's number). */
  batchesThisRun = 0;
  /** Jobs handed to a run that ended (out of time) before sending them. */
  readonly notSent: string[] = [];
  /** The operation of the jobs of unknown outcome. */
  operation: 'UPDATE' | 'CREATE' = 'UPDATE';
  /** The batch being posted right now by postBatch. */
  private inFlight: string[] = [];
  /**
   * Runs of batches (postBatches) by their first batch number, each with its jobs of unknown outcome: all of
   * them while it is out, none once it reported in time, the call it abandoned when out of time.
   */
  private readonly runsOut = new Map<number, string[]>();
  /** Runs that have not reported yet. */
  private runsUnreported = 0;
  /** The batches of each run out, by its first batch number, and how many of its first were recorded. */
  private readonly runBatches = new Map<
    number,
    { batches: string[][]; recorded: number; operation: SentAs }
  >();
  /** PATCH.answersSignalled: runs signal their batches as LinkedIn answers them. */
  private readonly answersSignalled: boolean;
  /** PATCH.createsAsRuns: a CREATE batch goes as a run of one batch (postBatches), as UPDATEs do. */
  private readonly createsAsRuns: boolean;

  constructor(
    private readonly resync: {
      urn: string;
      deadlineAt: number;
      deadlinePassed: () => boolean;
    },
    batchNumber: number,
    private readonly followers: Followers,
  ) {
    this.batchNumber = batchNumber;
    this.answersSignalled = patched(PATCH.answersSignalled);
    this.createsAsRuns = patched(PATCH.createsAsRuns);
  }

  /**
   * A run's activity signalled batches LinkedIn answered (PATCH.answersSignalled): each is recorded and
   * followed now, once, by its number; the run's report then records only the rest.
   */
  answered({ run, from, batches }: BatchesAnswered): void {
    const out = this.runBatches.get(run);
    if (!out || from > out.recorded) return;
    const start = out.recorded;
    const fresh = batches
      .slice(start - from)
      .map((posted, index) => expandBatch(out.batches[start + index] ?? [], posted));
    if (fresh.length === 0) return;
    this.followers.run(run + start, fresh, out.operation);
    out.recorded = start + fresh.length;
    this.runsOut.set(run, out.batches.slice(out.recorded).flat());
  }

  /** The jobs sent or being sent whose outcome is not known (yet): the batch and the runs out. */
  abandoned(): string[] {
    return [...this.inFlight, ...[...this.runsOut.values()].flat()];
  }

  /**
   * Sends a run and records it; the batches it left (its answers reached their budget) go as a run of
   * their own. Whether the deadline ended it.
   */
  async sendAndRecord(batches: string[][], operation: SentAs = 'UPDATE'): Promise<boolean> {
    const sent = await this.sendRun(batches, operation);
    const outOfTime = this.recordRun(sent);
    if (outOfTime || sent.leftOver.length === 0) return outOfTime;
    this.batchesThisRun -= sent.leftOver.length;
    return this.sendAndRecord(sent.leftOver, operation);
  }

  /** Schedules a run's postBatches activity; what it answered, once it reports. */
  private async sendRun(batches: string[][], operation: SentAs): Promise<SentRun> {
    const firstBatchNumber = this.batchNumber + 1;
    this.batchNumber += batches.length;
    this.batchesThisRun += batches.length;
    if (this.resync.deadlineAt <= Date.now()) {
      // No time left: the run's jobs, handed out already, are not sent; the deadline timer ends it.
      this.notSent.push(...batches.flat());
      await CancellationScope.current().cancelRequested;
    }
    this.runsOut.set(firstBatchNumber, batches.flat());
    this.runBatches.set(firstBatchNumber, { batches, recorded: 0, operation });
    this.operation = operation;
    const { urn: developerApplicationUrn, deadlineAt } = this.resync;
    this.runsUnreported++;
    const answered = await answersToRun({
      developerApplicationUrn,
      batches,
      firstBatchNumber,
      deadlineAt,
      reportGraceMs: RUN_REPORT_GRACE_MS,
      maxResultBytes: PAYLOAD_BUDGET_BYTES,
      operation,
      ...(this.answersSignalled
        ? {
            signalAnswers: {
              run: firstBatchNumber,
              maxBatches: FOLLOWER_BATCHES,
              maxBytes: PAYLOAD_BUDGET_BYTES,
              maxWaitMs: SIGNAL_WAIT_MS,
            },
          }
        : {}),
    }).finally(() => this.runsUnreported--);
    // Out of time: what may have reached LinkedIn unanswered is abandoned (of unknown outcome), the rest
    // never sent; the deadline timer ends it.
    if (answered.outOfTime) this.runsOut.set(firstBatchNumber, answered.outcomeUnknown);
    else this.runsOut.delete(firstBatchNumber);
    return { batches, firstBatchNumber, operation, ...answered };
  }

  /**
   * Records a run's batches answered and starts their followers, one for up to FOLLOWER_BATCHES batches
   * together; then what was answered of the batch that was going, and the jobs never sent. Whether the
   * deadline ended the run.
   */
  private recordRun(sent: SentRun): boolean {
    const { firstBatchNumber, answers, answeredFrom, outOfTime, operation } = sent;
    const recorded = this.runBatches.get(firstBatchNumber)?.recorded ?? 0;
    this.runBatches.delete(firstBatchNumber);
    if (answeredFrom > recorded)
      log.error('a run reported batches signalled but not recorded', {
        firstBatchNumber,
        answeredFrom,
        recorded,
      });
    // The batches signalled were recorded as they came; the report records the rest.
    const skip = Math.max(0, recorded - answeredFrom);
    this.followers.run(firstBatchNumber + answeredFrom + skip, answers.slice(skip), operation);
    if (sent.partial.length > 0)
      this.followers.batch(firstBatchNumber + answeredFrom + answers.length, sent.partial, operation, false);
    this.notSent.push(...sent.notSent);
    return outOfTime;
  }

  /**
   * At the deadline, the runs that were out get a moment to report what was answered before it (their
   * activities end by themselves at the deadline); past that, the whole of a run is of unknown outcome.
   */
  async settle(): Promise<void> {
    if (this.runsUnreported > 0) await condition(() => this.runsUnreported === 0, RUN_SETTLE_MS);
  }

  /** Posts one batch, records what LinkedIn answered and starts the followers of its tasks. */
  async post(ids: string[], operation: SentAs): Promise<void> {
    if (this.createsAsRuns) {
      // A run of one batch, as every UPDATE goes; out of time, the deadline timer ends the sending.
      if (await this.sendAndRecord([ids], operation)) await CancellationScope.current().cancelRequested;
      return;
    }
    const batchNumber = ++this.batchNumber;
    this.batchesThisRun++;
    // No time left: nothing more goes to LinkedIn; the deadline timer ends the sending.
    if (this.resync.deadlineAt <= Date.now()) await CancellationScope.current().cancelRequested;
    this.inFlight = ids;
    this.operation = operation;
    const { urn: developerApplicationUrn, deadlineAt } = this.resync;
    const batch = { developerApplicationUrn, ids, operation, batchNumber, deadlineAt };
    const answer = await answersTo(batch, this.resync.deadlinePassed);
    if (answer === 'out of time') return;
    this.inFlight = [];
    this.followers.batch(batchNumber, answer.results, operation, answer.failed);
  }
}
