/**
 * How an activity turns what LinkedIn answered into Temporal's failures (type, retry or not, when), and how a
 * posting call a whole-call refusal names one job of is narrowed down (`sendNarrowing`). The failure types
 * themselves are in src/failures.ts.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { failureFor, readWholeCallError, type FailureReading } from '../linkedin/answers';
import type { ElementResult } from '../linkedin/client';
import type { JobPostingElement } from '../linkedin/elements';

export { DEFAULT_THROTTLE_DELAY_MS, isPermanentRefusal } from '../linkedin/answers';

/** A reading of `linkedin/answers.ts` as Temporal's failure: its type, and when (or whether) to retry. */
export function applicationFailure(reading: FailureReading): ApplicationFailure {
  return ApplicationFailure.create({
    type: reading.type,
    message: reading.message,
    nonRetryable: reading.retry === 'never',
    ...(reading.delayMs === undefined ? {} : { nextRetryDelay: reading.delayMs }),
  });
}

/**
 * Turns what the LinkedIn client threw into a Temporal failure with a stable type, so the retry policy
 * decides (see `ANSWER_RULES`): 429 waits for Retry-After, 5xx/network back off, refused credentials and
 * contract breaks stop. Anything else (a cancellation, a bug) passes as it is.
 */
export function toActivityFailure(error: unknown): unknown {
  const reading = failureFor(error);
  return reading ? applicationFailure(reading) : error;
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
