"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.readRawBody = readRawBody;
const http_error_1 = require("./http-error");
/** Reads the request's exact bytes (the signature is over them), refusing more than `limit`. */
async function readRawBody(req, limit) {
    const tooLarge = () => new http_error_1.HttpError(413, `the body is larger than the ${limit} bytes a notification may have`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
        req.resume();
        throw tooLarge();
    }
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
        size += chunk.length;
        if (size > limit) {
            req.resume();
            throw tooLarge();
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks, size);
}
//# sourceMappingURL=raw-body.js.map