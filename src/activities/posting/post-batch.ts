import { Context } from '@temporalio/activity';
import type { JobResult } from '../../contract';
import { BatchProgress } from './batch-progress';
import { applyAnswers, batchResults, planBatch, refuseCall, type PlannedCall } from './batch-plan';
import { applicationOf, type ActivityDeps } from '../deps';
import { whileHeartbeating } from '../heartbeat';
import { applicationFailure, sendNarrowing, toActivityFailure } from '../activity-failures';
import { postElements } from './linkedin-call';
import { countOutcomes } from '../record-outcome';
import { claimCreates, releaseUntaken } from './create-once';
import type { AtsJob, DeveloperApplication } from '../../ats/job-store';
import type { FailureReading } from '../../linkedin/answers';

export interface PostBatchInput {
  developerApplicationUrn: string;
  externalJobPostingIds: string[];
  /** UPDATE for a resync; CREATE for jobs LinkedIn turned out not to have. Closed jobs always go as CLOSE. */
  operation: 'UPDATE' | 'CREATE';
  /** The resync's deadline (epoch ms): no LinkedIn call starts at or after it. */
  notAfter: number;
}

export interface PostBatchOutput {
  results: JobResult[];
}

/**
 * Re-posts one batch (≤ 100 ids): open jobs with the given operation, jobs closed in the ATS with CLOSE
 * (the ATS is the truth), one operation type per call and calls one after another. Bodies are loaded here,
 * so the workflow's history holds ids and outcomes only.
 */
export function postBatch(deps: ActivityDeps) {
  return async (input: PostBatchInput): Promise<PostBatchOutput> => {
    const context = Context.current();
    const progress = BatchProgress.resume(context.info, input.operation, input.externalJobPostingIds);
    const results = await whileHeartbeating(
      (final) => progress.details(final),
      (beat) => post(deps, input, { progress, beat, cancellation: context.cancellationSignal }),
    ).catch((error: unknown) => {
      throw toActivityFailure(error);
    });
    countOutcomes(deps, context, input.developerApplicationUrn, results);
    context.log.info('batch posted', {
      operation: input.operation,
      jobs: input.externalJobPostingIds.length,
      accepted: results.filter((result) => result.taskUrn !== undefined).length,
      rejected: results.filter((result) => result.fate === 'REJECTED').length,
    });
    return { results };
  };
}

export interface Attempt {
  progress: BatchProgress;
  beat: () => void;
  cancellation: AbortSignal;
}

/**
 * Each call of the batch (the UPDATE or CREATE call, the CLOSE call) and each element is its own unit of
 * retry: what LinkedIn answered is kept in the heartbeat details, and a retried attempt sends only what
 * has no answer yet. Steps resumed within one activity rather than one activity a call: the workflow's
 * commands stay as they are (running resyncs replay), history does not grow with calls, and the same
 * record serves the elements LinkedIn refused for a while inside a 200.
 */
async function post(deps: ActivityDeps, input: PostBatchInput, attempt: Attempt): Promise<JobResult[]> {
  const app = await applicationOf(deps, input.developerApplicationUrn);
  const jobs = await deps.jobs.loadJobs(app.urn, input.externalJobPostingIds);
  return postLoaded(deps, app, input, jobs, attempt);
}

/** Posts one batch whose jobs are loaded already (postBatches loads the next while this one is sent). */
export async function postLoaded(
  deps: ActivityDeps,
  app: DeveloperApplication,
  input: PostBatchInput,
  jobs: readonly AtsJob[],
  attempt: Attempt,
): Promise<JobResult[]> {
  const now = (deps.now ?? Date.now)();
  return postPlanned(deps, app, input, planBatch(input, jobs, app, attempt.progress, now), attempt);
}

/**
 * Posts one batch planned already (`planBatch` with `attempt.progress`): postBatches plans the next batch
 * while the current call is out.
 */
export async function postPlanned(
  deps: ActivityDeps,
  app: DeveloperApplication,
  input: PostBatchInput,
  calls: readonly PlannedCall[],
  attempt: Attempt,
): Promise<JobResult[]> {
  let refusedForNow: FailureReading | undefined;
  for (const call of calls) {
    const refused = await send(deps, app, call, input.notAfter, attempt);
    refusedForNow ??= refused;
  }
  if (refusedForNow) throw applicationFailure(refusedForNow);
  return batchResults(input.externalJobPostingIds, attempt.progress.answered);
}

/**
 * One planned call, narrowed when LinkedIn names a job; returns the failure of an element refused for now.
 * A CREATE call's jobs are claimed first (`claimCreates`); the claims of the jobs LinkedIn took nothing of
 * are released after it.
 */
async function send(
  deps: ActivityDeps,
  app: DeveloperApplication,
  planned: PlannedCall,
  notAfter: number,
  { progress, beat, cancellation }: Attempt,
): Promise<FailureReading | undefined> {
  const call = await claimCreates(deps, app, planned, progress);
  if (call.elements.length === 0) return undefined;
  const onCall = (part: readonly { externalJobPostingId: string }[]) => () => {
    for (const element of part) progress.unanswered.add(element.externalJobPostingId);
    beat();
  };
  try {
    const answers = await sendNarrowing(call.elements, (part) =>
      postElements(deps, app, part, {
        notAfter,
        cancellation,
        onCall: call.createsJobs ? onCall(part) : undefined,
      }),
    );
    const refused = applyAnswers(call, answers, progress);
    // Refused (for good, or for now): LinkedIn holds none of these.
    await releaseUntaken(deps, app, call, (id) => progress.answered.get(id)?.fate !== 'CREATED');
    return refused;
  } catch (error) {
    if (refuseCall(call, error, progress)) {
      await releaseUntaken(deps, app, call, () => true);
      return undefined;
    }
    // Only the jobs whose request may have left can be on LinkedIn.
    await releaseUntaken(deps, app, call, (id) => !progress.unanswered.has(id)).catch(() => undefined);
    throw error;
  }
}
