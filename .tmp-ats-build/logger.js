"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.createLogger = createLogger;
const pino_1 = __importDefault(require("pino"));
/** JSON lines on stdout; anything that looks like a credential is redacted before it is written. */
function createLogger(level, destination) {
    return (0, pino_1.default)({
        level,
        redact: {
            paths: [
                '*.clientSecret',
                '*.accessToken',
                '*.access_token',
                '*.authorization',
                '*.headers.authorization',
                '*.secret',
            ],
            censor: '[redacted]',
        },
    }, destination);
}
//# sourceMappingURL=logger.js.map