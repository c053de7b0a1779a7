import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../failures';
import { readWholeCallError } from '../linkedin/answers';
import type { ElementResult } from '../linkedin/client';
import type { JobPostingElement } from '../linkedin/elements';
import { LinkedInApiError } from '../linkedin/linkedin-api-error';
import { LinkedInCredentialsError } from '../linkedin/linkedin-credentials-error';
import { LinkedInContractError } from '../linkedin/linkedin-contract-error';
import { LinkedInUnreachableError } from '../linkedin/linkedin-unreachable-error';
import { LaneWaitTimeoutError } from '../linkedin/lane-wait-timeout-error';

/** When LinkedIn throttles without saying for how long. */
export const DEFAULT_THROTTLE_DELAY_MS = 30_000;

/**
 * Whether a whole-call answer is a permanent refusal: recorded per job, never retried
 * (403, 404 and the other 4xx; 401 and 429 are handled apart).
 */
export function isPermanentRefusal(error: unknown): error is LinkedInApiError {
  if (error instanceof LinkedInCredentialsError) return true;
  return (
    error instanceof LinkedInApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 401 &&
    error.status !== 429
  );
}

/**
 * Turns what the LinkedIn client threw into a Temporal failure with a stable type, so the retry policy
 * decides: 429 waits for Retry-After, 5xx/network back off, refused credentials and contract breaks stop.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof LinkedInCredentialsError) {
    return ApplicationFailure.nonRetryable(error.message, FailureType.LinkedInCredentialsRejected);
  }
  if (error instanceof LinkedInApiError) {
    if (error.status === 429) {
      return ApplicationFailure.create({
        type: FailureType.LinkedInThrottled,
        message: `LinkedIn throttled the call (429): ${error.message}`,
        nextRetryDelay: error.retryAfterMs ?? DEFAULT_THROTTLE_DELAY_MS,
      });
    }
    if (error.status === 401) {
      return ApplicationFailure.retryable(
        `LinkedIn refused the token (401, serviceErrorCode ${error.serviceErrorCode ?? 'none'}): ${error.message}`,
        FailureType.LinkedInTokenRejected,
      );
    }
    if (error.status >= 500) {
      return ApplicationFailure.retryable(
        `LinkedIn failed (${error.status}): ${error.message}`,
        FailureType.LinkedInUnavailable,
      );
    }
    return ApplicationFailure.nonRetryable(
      `LinkedIn refused the call (${error.status}): ${error.message}`,
      FailureType.LinkedInRequestRejected,
    );
  }
  if (error instanceof LinkedInUnreachableError) {
    return ApplicationFailure.retryable(error.message, FailureType.LinkedInUnavailable);
  }
  if (error instanceof LaneWaitTimeoutError) {
    return ApplicationFailure.nonRetryable(error.message, FailureType.ResyncDeadlineExceeded);
  }
  if (error instanceof LinkedInContractError) {
    return ApplicationFailure.nonRetryable(error.message, FailureType.LinkedInContractViolation);
  }
  return error;
}

/**
 * Sends one call's elements, and reads a whole-call refusal the way LinkedIn documents it (see
 * `readWholeCallError`): a refusal naming one job answers for that job alone and the others are sent
 * again; a CLOSE call answered 409 is that job's answer, or, for several jobs, each goes alone to learn
 * which one it was. Any other refusal is thrown as it is.
 */
export async function sendNarrowing(
  elements: readonly JobPostingElement[],
  send: (elements: JobPostingElement[]) => Promise<ElementResult[]>,
): Promise<ElementResult[]> {
  try {
    return await send([...elements]);
  } catch (error) {
    const operation = elements[0]?.jobPostingOperationType ?? '';
    const ids = elements.map((element) => element.externalJobPostingId);
    const answer = readWholeCallError(error, operation, ids);
    if (answer.kind === 'whole-call') throw error;
    if (answer.kind === 'close-conflict') {
      if (elements.length === 1) return [{ ok: false, status: answer.status, message: answer.message }];
      const answers: ElementResult[] = [];
      for (const element of elements) answers.push(...(await sendNarrowing([element], send)));
      return answers;
    }
    const rest = elements.filter((_, index) => index !== answer.index);
    const others = rest.length === 0 ? [] : await sendNarrowing(rest, send);
    const named: ElementResult = { ok: false, status: answer.status, message: answer.message };
    return [...others.slice(0, answer.index), named, ...others.slice(answer.index)];
  }
}
