"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SIGNATURE_PREFIX = void 0;
exports.hmacSha256Hex = hmacSha256Hex;
exports.challengeResponse = challengeResponse;
exports.signNotification = signNotification;
exports.verifySignature = verifySignature;
const node_crypto_1 = require("node:crypto");
/** The prefix LinkedIn's documentation attaches to the HMAC of a notification. */
exports.SIGNATURE_PREFIX = 'hmacsha256=';
function hmacSha256Hex(secret, data) {
    return (0, node_crypto_1.createHmac)('sha256', secret).update(data).digest('hex');
}
/** The answer to LinkedIn's ownership check (linkedin.md §2). */
function challengeResponse(secret, challengeCode) {
    return hmacSha256Hex(secret, challengeCode);
}
/**
 * The X-LI-Signature value LinkedIn most likely sends: hex HMAC over `hmacsha256=` + the raw body.
 * Used by the sandbox's notification sender and by tests.
 */
function signNotification(secret, rawBody) {
    return hmacSha256Hex(secret, Buffer.concat([Buffer.from(exports.SIGNATURE_PREFIX), Buffer.from(rawBody)]));
}
/**
 * Checks X-LI-Signature over the raw bytes. LinkedIn publishes no worked example, so every reading of its
 * wording is accepted: the header with or without the `hmacsha256=` prefix, and the HMAC over the prefix
 * plus body or over the body alone, for any configured secret. Comparison is constant-time.
 */
function verifySignature(header, rawBody, secrets) {
    if (!header)
        return false;
    let hex = header.trim();
    if (hex.toLowerCase().startsWith(exports.SIGNATURE_PREFIX))
        hex = hex.slice(exports.SIGNATURE_PREFIX.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex))
        return false;
    const received = Buffer.from(hex, 'hex');
    const prefixed = Buffer.concat([Buffer.from(exports.SIGNATURE_PREFIX), rawBody]);
    let matched = false;
    for (const secret of secrets) {
        for (const data of [prefixed, rawBody]) {
            const expected = (0, node_crypto_1.createHmac)('sha256', secret).update(data).digest();
            // No early exit: the time taken does not tell which secret or reading matched.
            matched = (0, node_crypto_1.timingSafeEqual)(expected, received) || matched;
        }
    }
    return matched;
}
//# sourceMappingURL=signature.js.map