"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_THROTTLE_DELAY_MS = void 0;
exports.isPermanentRefusal = isPermanentRefusal;
exports.toActivityFailure = toActivityFailure;
const activity_1 = require("@temporalio/activity");
const failures_1 = require("../failures");
const linkedin_api_error_1 = require("../linkedin/linkedin-api-error");
const linkedin_contract_error_1 = require("../linkedin/linkedin-contract-error");
const linkedin_unreachable_error_1 = require("../linkedin/linkedin-unreachable-error");
/** When LinkedIn throttles without saying for how long. */
exports.DEFAULT_THROTTLE_DELAY_MS = 30_000;
/**
 * Whether a whole-call answer is a permanent refusal: recorded per job, never retried
 * (403, 404 and the other 4xx; 401 and 429 are handled apart).
 */
function isPermanentRefusal(error) {
    return (error instanceof linkedin_api_error_1.LinkedInApiError &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 401 &&
        error.status !== 429);
}
/**
 * Turns what the LinkedIn client threw into a Temporal failure with a stable type, so the retry policy
 * decides: 429 waits for Retry-After, 5xx/network back off, contract breaks stop.
 */
function toActivityFailure(error) {
    if (error instanceof linkedin_api_error_1.LinkedInApiError) {
        if (error.status === 429) {
            return activity_1.ApplicationFailure.create({
                type: failures_1.FailureType.LinkedInThrottled,
                message: `LinkedIn throttled the call (429): ${error.message}`,
                nextRetryDelay: error.retryAfterMs ?? exports.DEFAULT_THROTTLE_DELAY_MS,
            });
        }
        if (error.status === 401) {
            return activity_1.ApplicationFailure.retryable(`LinkedIn refused the token (401, serviceErrorCode ${error.serviceErrorCode ?? 'none'}): ${error.message}`, failures_1.FailureType.LinkedInTokenRejected);
        }
        if (error.status >= 500) {
            return activity_1.ApplicationFailure.retryable(`LinkedIn failed (${error.status}): ${error.message}`, failures_1.FailureType.LinkedInUnavailable);
        }
        return activity_1.ApplicationFailure.nonRetryable(`LinkedIn refused the call (${error.status}): ${error.message}`, failures_1.FailureType.LinkedInRequestRejected);
    }
    if (error instanceof linkedin_unreachable_error_1.LinkedInUnreachableError) {
        return activity_1.ApplicationFailure.retryable(error.message, failures_1.FailureType.LinkedInUnavailable);
    }
    if (error instanceof linkedin_contract_error_1.LinkedInContractError) {
        return activity_1.ApplicationFailure.nonRetryable(error.message, failures_1.FailureType.LinkedInContractViolation);
    }
    return error;
}
//# sourceMappingURL=failures.js.map