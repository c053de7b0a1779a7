import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import type { DeveloperApplication } from '../../ats/job-store';
import { JobResult } from '../../contract';
import { compactJob, type PostedBatch, type RunAnsweredDetails } from '../../contract/posted-batch';
import { FailureType, NON_RETRYABLE_FAILURES } from '../../failures';
import { BatchProgress } from './batch-progress';
import { applicationOf, HEARTBEAT_EVERY_MS, type ActivityDeps } from '../deps';
import { whileHeartbeating } from '../heartbeat';
import { toActivityFailure } from '../activity-failures';
import { planBatch, type PlannedCall } from './batch-plan';
import { postPlanned, type Attempt } from './post-batch';
import { countOutcomes } from '../record-outcome';
import type { AnswerSignalling } from '../../contract/signals';
import { AnswerSignals } from './answer-signals';

export interface PostBatchesInput {
  developerApplicationUrn: string;
  /**
   * Batches of ≤ 100 ids, sent in this order with `operation` (UPDATE when absent; CLOSE for jobs closed
   * in the ATS whatever it is).
   */
  batches: string[][];
  operation?: 'UPDATE' | 'CREATE';
  /** The resync's deadline (epoch ms): no LinkedIn call starts at or after it. */
  notAfter: number;
  /**
   * The bytes the answers may take: the run ends before a batch that could pass them (its result and its
   * heartbeat stay within the payload budget), and the batches not sent go back to the workflow.
   */
  maxResultBytes?: number;
  /** When given, batches answered are signalled to the workflow as the run goes (AnswerSignals). */
  signalAnswers?: AnswerSignalling;
}

export interface PostBatchesOutput {
  /**
   * One per batch sent and not signalled, in order from batch `signalled`: all given, or the first ones
   * when `maxResultBytes` ended the run.
   */
  batches: PostedBatch[];
  /** How many of the run's first batches were signalled (absent: none), and so are not in `batches`. */
  signalled?: number;
}

const Posted = z.union([
  z.object({ jobs: z.array(z.union([z.string(), JobResult.omit({ externalJobPostingId: true })])) }),
  z.object({ failed: z.string(), failureType: z.string().optional() }),
]);

/**
 * What one attempt leaves to the next, as heartbeat details: the batches answered (never sent again) and
 * the progress of the batch that was out (a retry sends only what LinkedIn did not answer of it).
 */
const RunProgress = z.object({
  done: z.array(Posted),
  current: z.unknown(),
});

/**
 * Sends a run of batches back to back in the application's lane, so the time between LinkedIn's answer
 * and the next call is the worker's alone, not a round trip through the workflow: the next batch's jobs
 * are loaded while the current call is out, and after a call the answers so far are heartbeated. Each
 * batch is posted as postBatch posts it (same plan, same per-element retry record); a batch refused for
 * good is that batch's result and the run goes on.
 */
export function postBatches(deps: ActivityDeps) {
  return async (input: PostBatchesInput): Promise<PostBatchesOutput> => {
    const context = Context.current();
    const { attempt } = context.info;
    const prior = RunProgress.safeParse(context.info.heartbeatDetails);
    const done: PostedBatch[] = prior.success ? prior.data.done.slice(0, input.batches.length) : [];
    let current = BatchProgress.resume(
      { attempt, heartbeatDetails: prior.success ? prior.data.current : undefined },
      input.operation ?? 'UPDATE',
      input.batches[done.length] ?? [],
    );
    // The first beat a HEARTBEAT_EVERY_MS in (whileHeartbeating), not after the first call.
    let beatAt = Date.now();
    const details = (final: boolean) => {
      beatAt = Date.now();
      return { done, current: current.details(final) };
    };
    const run: Run = { input, done, attempt, current: () => current, going: (next) => (current = next) };
    try {
      return await whileHeartbeating(details, (beat) =>
        // After a call, the answers so far: at most once a HEARTBEAT_EVERY_MS, which is as often as the SDK
        // passes details on to Temporal (the worker's heartbeat throttle); encoding them is the costly part.
        postRun(deps, run, () => {
          if (Date.now() - beatAt >= HEARTBEAT_EVERY_MS) beat();
        }),
      );
    } catch (error) {
      throw withAnswered(toActivityFailure(error), done, current);
    }
  };
}

/** A run being posted: its input, the batches answered, and the batch going (with what it answered). */
interface Run {
  input: PostBatchesInput;
  done: PostedBatch[];
  attempt: number;
  current: () => BatchProgress;
  going: (progress: BatchProgress) => void;
}

/** Posts the run's batches not answered yet, one after another, within its answers' byte budget. */
async function postRun(deps: ActivityDeps, run: Run, beatAfterCall: () => void): Promise<PostBatchesOutput> {
  const { input, done, attempt } = run;
  const context = Context.current();
  const app = await applicationOf(deps, input.developerApplicationUrn);
  const operation = input.operation ?? 'UPDATE';
  const afresh = () => BatchProgress.resume({ attempt, heartbeatDetails: undefined }, operation, []);
  // The first batch with what an earlier attempt left of it; every later one afresh.
  const preparing = prepareAhead(deps, app, input.batches[done.length], run.current(), operation);
  const answered = new AnsweredBytes(done);
  const signals = input.signalAnswers && new AnswerSignals(input.signalAnswers, 0);
  // What an earlier attempt answered may not have been signalled: again (the workflow records it once).
  done.forEach((posted, index) => signals?.add(index, posted));
  try {
    await postEach(deps, app, run, { answered, signals, beatAfterCall, afresh }, preparing);
  } finally {
    await signals?.settle();
  }
  const sent = input.batches.slice(0, done.length);
  context.log.info('batches posted', { batches: sent.length, jobs: jobCount(sent) });
  if (!signals) return { batches: done };
  return { batches: done.slice(signals.delivered), signalled: signals.delivered };
}

/** The run's batches not answered yet, one after another, until the run ends or its answers' budget. */
async function postEach(
  deps: ActivityDeps,
  app: DeveloperApplication,
  run: Run,
  step: {
    answered: AnsweredBytes;
    signals: AnswerSignals | undefined;
    beatAfterCall: () => void;
    afresh: () => BatchProgress;
  },
  first: ReturnType<typeof prepareAhead>,
): Promise<void> {
  const { input, done } = run;
  const { answered, signals, beatAfterCall, afresh } = step;
  const context = Context.current();
  let preparing = first;
  for (let index = done.length; index < input.batches.length; index++) {
    if (answered.wouldPass(input.maxResultBytes)) break;
    const ids = input.batches[index] ?? [];
    const { progress, calls } = await preparing;
    run.going(progress);
    const attemptOf = { progress, beat: beatAfterCall, cancellation: context.cancellationSignal };
    const posting = postOne(deps, app, { ...input, ids }, calls, attemptOf);
    // The next batch is read and planned once this call has left (the request is written within this
    // turn of the event loop): done before, the ATS's and the mapping's work would delay the call.
    const next = input.batches[index + 1];
    preparing = afterThisTurn(() => prepareAhead(deps, app, next, afresh(), input.operation ?? 'UPDATE'));
    const posted = await posting;
    done.push(posted);
    answered.add(posted);
    signals?.add(index, posted);
    // Answered: nothing of the next batch is to be resumed until it goes.
    run.going(afresh());
    beatAfterCall();
  }
}

/**
 * Whatever ends the run, what LinkedIn answered goes to the workflow with the failure: the batches
 * answered, what was answered of the batch that was going (by id) and whether a call of it was out. Read
 * when Temporal retries no more (the deadline, a retry that would come after it, a refusal for good): what
 * was sent is reported as sent, the call out as of unknown outcome, the rest as not sent.
 */
function withAnswered(failure: unknown, done: PostedBatch[], current: BatchProgress): unknown {
  if (!(failure instanceof ApplicationFailure)) return failure;
  const details: RunAnsweredDetails = {
    answered: done,
    partial: [...current.answered].map(([id, result]) => [id, compactJob(result)]),
    callOut: callWasOut(failure),
  };
  // The same failure (its type, retry and Retry-After) with these details.
  const { message, type, nonRetryable } = failure;
  return new ApplicationFailure(message, type, nonRetryable, [details], undefined, retryDelayOf(failure));
}

/** The failure's Retry-After, if it has one (the SDK's Duration type reads as unresolved to the linter). */
function retryDelayOf(failure: ApplicationFailure): number | string | undefined {
  const delay: unknown = (failure as { nextRetryDelay?: unknown }).nextRetryDelay;
  return typeof delay === 'number' || typeof delay === 'string' ? delay : undefined;
}

function callWasOut(failure: ApplicationFailure): boolean {
  const first: unknown = failure.details?.[0];
  return typeof first === 'object' && first !== null && 'callOut' in first && first.callOut === true;
}

/** The bytes of the batches answered, and whether one more like the largest could pass a budget. */
class AnsweredBytes {
  private bytes = 2;
  private largest = 0;

  constructor(done: readonly PostedBatch[]) {
    for (const posted of done) this.add(posted);
  }

  add(posted: PostedBatch): void {
    const bytes = JSON.stringify(posted).length + 1;
    this.bytes += bytes;
    this.largest = Math.max(this.largest, bytes);
  }

  wouldPass(budget: number | undefined): boolean {
    return budget !== undefined && this.largest > 0 && this.bytes + this.largest > budget;
  }
}

/** `read`, once the current turn of the event loop (and the I/O it started) is over. */
function afterThisTurn<T>(read: () => Promise<T>): Promise<T> {
  const later = new Promise<void>((resolve) => setImmediate(resolve)).then(read);
  later.catch(() => undefined);
  return later;
}

/**
 * The next batch's calls, its jobs read and mapped (into `progress`) while the current call is out; a
 * failure surfaces when awaited.
 */
function prepareAhead(
  deps: ActivityDeps,
  app: DeveloperApplication,
  ids: readonly string[] | undefined,
  progress: BatchProgress,
  operation: 'UPDATE' | 'CREATE',
): Promise<{ progress: BatchProgress; calls: PlannedCall[] }> {
  if (ids === undefined || ids.length === 0) return Promise.resolve({ progress, calls: [] });
  const preparing = deps.jobs.loadJobs(app.urn, ids).then((jobs) => {
    const now = (deps.now ?? Date.now)();
    const plan = { externalJobPostingIds: ids, operation };
    return { progress, calls: planBatch(plan, jobs, app, progress, now) };
  });
  preparing.catch(() => undefined);
  return preparing;
}

async function postOne(
  deps: ActivityDeps,
  app: DeveloperApplication,
  batch: PostBatchesInput & { ids: string[] },
  calls: readonly PlannedCall[],
  attempt: Attempt,
): Promise<PostedBatch> {
  const { developerApplicationUrn, notAfter, ids } = batch;
  try {
    const results = await postPlanned(
      deps,
      app,
      {
        developerApplicationUrn,
        externalJobPostingIds: ids,
        operation: batch.operation ?? 'UPDATE',
        notAfter,
      },
      calls,
      attempt,
    );
    countOutcomes(deps, Context.current(), developerApplicationUrn, results);
    return { jobs: results.map(compactJob) };
  } catch (error) {
    const failure = toActivityFailure(error);
    if (refusedForGood(failure)) return { failed: failure.message, failureType: failure.type ?? undefined };
    throw error;
  }
}

/** A batch LinkedIn or the ATS refused for good: its jobs are rejected and the next batch goes. */
function refusedForGood(failure: unknown): failure is ApplicationFailure {
  if (!(failure instanceof ApplicationFailure)) return false;
  if (failure.type === FailureType.ResyncDeadlineExceeded) return false;
  return failure.nonRetryable || NON_RETRYABLE_FAILURES.some((type) => type === failure.type);
}

function jobCount(batches: readonly string[][]): number {
  return batches.reduce((sum, ids) => sum + ids.length, 0);
}
