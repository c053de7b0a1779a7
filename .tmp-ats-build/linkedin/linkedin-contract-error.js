"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.LinkedInContractError = void 0;
/** LinkedIn answered 2xx with a body that is not the documented shape: retrying will not fix it. */
class LinkedInContractError extends Error {
    name = 'LinkedInContractError';
}
exports.LinkedInContractError = LinkedInContractError;
//# sourceMappingURL=linkedin-contract-error.js.map