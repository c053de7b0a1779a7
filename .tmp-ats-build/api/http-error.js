"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.HttpError = void 0;
/** An answer the API gives on purpose: `errorMessage` is shown to the caller (LinkedIn). */
class HttpError extends Error {
    status;
    errorMessage;
    name = 'HttpError';
    constructor(status, errorMessage) {
        super(errorMessage);
        this.status = status;
        this.errorMessage = errorMessage;
    }
}
exports.HttpError = HttpError;
//# sourceMappingURL=http-error.js.map