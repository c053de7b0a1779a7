"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LinkedInCredentialsError = void 0;
const linkedin_api_error_1 = require("./linkedin-api-error");
/** The token endpoint refused the child application's client id or secret: no retry can fix that. */
class LinkedInCredentialsError extends linkedin_api_error_1.LinkedInApiError {
    name = 'LinkedInCredentialsError';
}
exports.LinkedInCredentialsError = LinkedInCredentialsError;
//# sourceMappingURL=linkedin-credentials-error.js.map