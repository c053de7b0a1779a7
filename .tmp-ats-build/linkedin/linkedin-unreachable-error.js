"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LinkedInUnreachableError = void 0;
/** No answer from LinkedIn: connection refused or reset, DNS, or our own request timeout. */
class LinkedInUnreachableError extends Error {
    name = 'LinkedInUnreachableError';
}
exports.LinkedInUnreachableError = LinkedInUnreachableError;
//# sourceMappingURL=linkedin-unreachable-error.js.map