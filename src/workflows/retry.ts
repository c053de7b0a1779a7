import { FailureType, NON_RETRYABLE_FAILURES } from '../failures';

/**
 * The retry policy of a resync's activities: backoff from 1 s to 30 s, no retry of a refusal for good or
 * of a missed deadline. Their attempts never outlive the deadline (each call sets its own bounds).
 */
export const RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES, FailureType.ResyncDeadlineExceeded],
};
