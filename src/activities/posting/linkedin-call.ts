import { ApplicationFailure } from '@temporalio/activity';
import type { DeveloperApplication } from '../../ats/job-store';
import { FailureType } from '../../failures';
import type { ElementResult } from '../../linkedin/client';
import type { JobPostingElement } from '../../linkedin/elements';
import type { ActivityDeps } from '../deps';

export interface CallLimits {
  /** The resync's deadline (epoch ms): no call starts at or after it, and an answer after it is abandoned. */
  notAfter: number;
  cancellation: AbortSignal;
  /** Runs right before each request leaves. */
  onCall?: (() => void) | undefined;
}

/**
 * One batch_create call in the application's lane (waiting for the lane counts against the deadline too),
 * with the application's token, renewed once if LinkedIn refuses it.
 */
export function postElements(
  deps: ActivityDeps,
  app: DeveloperApplication,
  elements: JobPostingElement[],
  limits: CallLimits,
): Promise<ElementResult[]> {
  const now = deps.now ?? Date.now;
  const call = () =>
    deps.tokens.withToken(
      app,
      (token) => postBeforeDeadline(deps, token, elements, limits),
      limits.cancellation,
    );
  return deps.lanes.run(app.urn, limits.cancellation, call, { maxWaitMs: limits.notAfter - now() });
}

async function postBeforeDeadline(
  deps: ActivityDeps,
  token: string,
  elements: JobPostingElement[],
  limits: CallLimits,
): Promise<ElementResult[]> {
  const left = limits.notAfter - (deps.now ?? Date.now)();
  if (left <= 0) {
    throw ApplicationFailure.nonRetryable(
      'the resync deadline passed before this call could start',
      FailureType.ResyncDeadlineExceeded,
    );
  }
  // An answer still outstanding at the deadline is abandoned with the call.
  const deadline = AbortSignal.timeout(left);
  limits.onCall?.();
  try {
    return await deps.linkedin.postJobs(token, elements, AbortSignal.any([limits.cancellation, deadline]));
  } catch (error) {
    if (deadline.aborted && !limits.cancellation.aborted) {
      throw ApplicationFailure.create({
        message: 'the resync deadline passed while LinkedIn was answering; the call was abandoned',
        type: FailureType.ResyncDeadlineExceeded,
        nonRetryable: true,
        // Its jobs may have reached LinkedIn.
        details: [{ callOut: true }],
      });
    }
    throw error;
  }
}
