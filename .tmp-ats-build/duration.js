"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.parseDuration = parseDuration;
exports.formatDuration = formatDuration;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
/** Parses durations such as `30m`, `90s`, `1h30m`, `250ms` into milliseconds; undefined if malformed. */
function parseDuration(text) {
    const trimmed = text.trim();
    if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed))
        return undefined;
    let total = 0;
    for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
        total += Number(amount) * UNIT_MS[unit];
    }
    return Math.round(total);
}
function formatDuration(ms) {
    if (ms % 60_000 === 0)
        return `${ms / 60_000}m`;
    if (ms % 1_000 === 0)
        return `${ms / 1_000}s`;
    return `${ms}ms`;
}
//# sourceMappingURL=duration.js.map