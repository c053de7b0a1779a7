import { ApplicationFailure } from '@temporalio/common';
import type { DeadlineExceededDetails, ResyncResult } from '../contract';
import { fitting } from '../contract/payload-budget';
import { FailureType } from '../failures';
import type { MissedJobs } from './ledger';

/** What the resync knew was still to send when its deadline passed. */
export interface DeadlineMissInput {
  deadlineMs: number;
  syncAllOpenJobs: boolean;
  /** The batch in flight, abandoned unanswered (LinkedIn may have received it), and its operation. */
  abandoned: readonly string[];
  abandonedOperation: 'UPDATE' | 'CREATE';
  /** Jobs waiting to be CREATEd. */
  createQueue: readonly string[];
  /**
   * Jobs a report found LinkedIn lacks after the deadline, while the resync was ending: their CREATE was
   * never sent (the ledger counted them missed already).
   */
  missedEarlier?: readonly string[] | undefined;
  /** Jobs known and not sent (see `JobSource.remaining`). */
  remaining: readonly string[];
  /** Open jobs never listed, read from the ATS after the deadline; 'unread' when it could not be read. */
  unlisted?: { count: number; sample: readonly string[] } | 'unread' | undefined;
}

export interface DeadlineMiss extends MissedJobs {
  message: string;
}

/** How many jobs a sample names in the failure's message. */
const SHOWN = 10;
/** How many not-sent ids the failure's details list, and in how many bytes at most (each list). */
const LISTED = 1_000;
const LISTED_BYTES = 64 * 1024;

/** The jobs a missed deadline leaves unsent or of unknown outcome, and the sentence that says so. */
export function deadlineMiss(input: DeadlineMissInput): DeadlineMiss {
  const abandoned = new Set(input.abandoned);
  const missedEarlier = input.missedEarlier ?? [];
  const notSent = [...missedEarlier, ...input.createQueue].filter((id) => !abandoned.has(id));
  const fromCreateQueue = notSent.length;
  notSent.push(...input.remaining.filter((id) => !abandoned.has(id)));
  let notSentCount = notSent.length;
  if (typeof input.unlisted === 'object') {
    notSent.push(...input.unlisted.sample);
    notSentCount += input.unlisted.count;
  }
  const unique = [...new Set(notSent)];
  notSentCount += unique.length - notSent.length;
  // A sync-all learns what was requested as it lists: the jobs never sent count as requested too.
  const requestedDelta = input.syncAllOpenJobs
    ? notSentCount - fromCreateQueue + (input.abandonedOperation === 'UPDATE' ? abandoned.size : 0)
    : 0;
  return {
    notSent: unique,
    notSentCount,
    abandoned: [...abandoned],
    missedEarlier,
    requestedDelta,
    message: describe(input, unique, notSentCount, abandoned.size),
  };
}

function describe(input: DeadlineMissInput, notSent: string[], count: number, abandoned: number): string {
  const plural = (n: number) => `${n} job${n === 1 ? '' : 's'}`;
  return [
    `the ${Math.round(input.deadlineMs / 1000)} s deadline passed with ${plural(count)} not sent`,
    count > 0 ? `: ${notSent.slice(0, SHOWN).join(', ')}${count > SHOWN ? ', …' : ''}` : '',
    input.unlisted === 'unread' ? ' (and the ATS could not be read for the open jobs never listed)' : '',
    abandoned > 0
      ? `; ${plural(abandoned)} in a call abandoned unanswered (LinkedIn may have received them)`
      : '',
  ].join('');
}

/** The failure a resync ends with when its deadline passed before everything was sent. */
export function deadlineFailure(miss: DeadlineMiss, result: ResyncResult): ApplicationFailure {
  const details: DeadlineExceededDetails = {
    notSent: fitting(miss.notSent.slice(0, LISTED), LISTED_BYTES),
    notSentCount: miss.notSentCount,
    // All of them in the result's totals (outcomeUnknown); here as many as the bytes allow.
    outcomeUnknown: fitting(miss.abandoned, LISTED_BYTES),
    result,
  };
  return ApplicationFailure.create({
    type: FailureType.ResyncDeadlineExceeded,
    nonRetryable: true,
    message: miss.message,
    details: [details],
  });
}
