"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.NON_RETRYABLE_FAILURES = exports.FailureType = void 0;
/**
 * Every failure type the service raises, in one place. Temporal sees them as `ApplicationFailure.type`;
 * operators see them in the Web UI; retry policies list the non-retryable ones.
 */
exports.FailureType = {
    /** The deadline timer fired before every job was sent. */
    ResyncDeadlineExceeded: 'ResyncDeadlineExceeded',
    /** 429: retried after LinkedIn's Retry-After. */
    LinkedInThrottled: 'LinkedInThrottled',
    /** 5xx, 504, network error or timeout: retried with backoff. */
    LinkedInUnavailable: 'LinkedInUnavailable',
    /** 401: the token was refused; a fresh one is fetched before the retry. */
    LinkedInTokenRejected: 'LinkedInTokenRejected',
    /** The token endpoint refused the child application's credentials. */
    LinkedInCredentialsRejected: 'LinkedInCredentialsRejected',
    /** 403, 404 and other whole-call 4xx: retrying cannot help. */
    LinkedInRequestRejected: 'LinkedInRequestRejected',
    /** LinkedIn answered with a body that is not the documented shape. */
    LinkedInContractViolation: 'LinkedInContractViolation',
    /** The notification names an application the ATS does not know. */
    UnknownApplication: 'UnknownApplication',
};
/** Failures that no retry can fix. */
exports.NON_RETRYABLE_FAILURES = [
    exports.FailureType.LinkedInCredentialsRejected,
    exports.FailureType.LinkedInRequestRejected,
    exports.FailureType.LinkedInContractViolation,
    exports.FailureType.UnknownApplication,
];
//# sourceMappingURL=failures.js.map