"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LinkedInApiError = void 0;
/** LinkedIn answered a whole call with an error status (linkedin.md §5 "whole-call errors"). */
class LinkedInApiError extends Error {
    status;
    serviceErrorCode;
    retryAfterMs;
    name = 'LinkedInApiError';
    constructor(status, message, serviceErrorCode, 
    /** From Retry-After, when LinkedIn sent one. */
    retryAfterMs) {
        super(message);
        this.status = status;
        this.serviceErrorCode = serviceErrorCode;
        this.retryAfterMs = retryAfterMs;
    }
}
exports.LinkedInApiError = LinkedInApiError;
//# sourceMappingURL=linkedin-api-error.js.map