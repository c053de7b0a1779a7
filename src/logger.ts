import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { isSecretName, REDACTED, redactNamedValues, redactPrivateKeys } from './text-secrets';

export type { Logger } from 'pino';

/** A string (value or key) the logger writes is cut to this many characters, saying how many it lost. */
export const MAX_LOGGED_STRING = 2_000;
/** An error's `stack` keeps more: ten frames of long paths, and its causes', fit. */
export const MAX_LOGGED_STACK = 16_000;

/**
 * `Bearer` or `Basic`, whitespace, a token. The whitespace is matched once, as a whole (a lookahead is
 * never re-entered), so the pattern cannot backtrack: one pass over the text.
 */
const BEARER = /\b(Bearer|Basic)(?=(\s+))\2[A-Za-z0-9._~+/=-]+/g;
/** JavaScript's `\s`, for the characters past ASCII. */
const SPACE = /\s/;

const isLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isDigit = (code: number) => code >= 48 && code <= 57;
/** `[A-Za-z0-9_]`: what `\b` counts as a word character. */
const isWordCharacter = (code: number) => isLetter(code) || isDigit(code) || code === 95;
/** A URL scheme's characters: letters, digits, `+`, `.`, `-`. */
const isSchemeCharacter = (code: number) =>
  isLetter(code) || isDigit(code) || code === 43 || code === 46 || code === 45;
const isSpace = (code: number) =>
  code === 32 || (code >= 9 && code <= 13) || (code >= 0xa0 && SPACE.test(String.fromCharCode(code)));

/** Whether a scheme (a letter after a word boundary, then scheme characters) ends where `://` starts. */
function hasScheme(text: string, separator: number): boolean {
  for (let at = separator - 1; at >= 0 && isSchemeCharacter(text.charCodeAt(at)); at--) {
    if (isLetter(text.charCodeAt(at)) && (at === 0 || !isWordCharacter(text.charCodeAt(at - 1)))) return true;
  }
  return false;
}

/** The first index from `from` holding whitespace, `/`, `@`, or with `colon` also `:`; the length if none. */
function endOfAuthorityPart(text: string, from: number, colon: boolean): number {
  let at = from;
  for (; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 47 || code === 64 || (colon && code === 58) || isSpace(code)) break;
  }
  return at;
}

/**
 * `scheme://user:password@` anywhere in the text: the password goes, the rest still says where. Exactly
 * what `/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):([^\s/@]*)@/gi` replaced, found by one scan instead: each
 * `://` is looked at once, a user and password never hold `/`, and a scheme never holds `:` or `/`, so no
 * character is read more than a few times, whatever the text (that pattern took quadratic time on
 * `a.a.a.…`: 22 s for 200 KB, docs/security.md). With `cut` (the text was cut short there) a password
 * the cut ended is redacted too, since its `@` is gone.
 */
function redactUrlCredentials(text: string, cut = false): string {
  const parts: string[] = [];
  let copied = 0;
  for (let separator = text.indexOf('://'); separator >= 0;) {
    const userEnd = endOfAuthorityPart(text, separator + 3, true);
    if (text.charCodeAt(userEnd) === 58) {
      const passwordEnd = endOfAuthorityPart(text, userEnd + 1, false);
      const ended = text.charCodeAt(passwordEnd) === 64 || (cut && passwordEnd === text.length);
      if (ended && hasScheme(text, separator)) {
        parts.push(text.slice(copied, userEnd + 1), REDACTED);
        copied = passwordEnd;
        separator = text.indexOf('://', passwordEnd + 1);
        continue;
      }
    }
    separator = text.indexOf('://', separator + 3);
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * Credentials inside text redacted, in time linear in the text: private keys in PEM armour, URL passwords,
 * bearer tokens, and values after a name that says they are secret (`access_token=…`, `"client_secret":
 * "…"`, `password: …`; src/text-secrets.ts).
 */
export function redactText(text: string, cut = false): string {
  return redactNamedValues(
    redactUrlCredentials(redactPrivateKeys(text), cut).replace(BEARER, `$1 ${REDACTED}`),
  );
}

/**
 * The text redacted and at most `max` characters long (a marker after it says how many were cut). Cut
 * first, so redacting costs at most `max` characters whatever the text's length; a credential the cut
 * falls inside is redacted too (a bearer token's start is one anyway).
 */
function bounded(text: string, max: number): string {
  if (text.length <= max) return redactText(text);
  // Never half of a character made of two code units.
  const code = text.charCodeAt(max - 1);
  const kept = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return `${redactText(text.slice(0, kept), true)}…[cut ${text.length - kept} chars]`;
}

/**
 * A copy of a parsed log line with every credential-bearing value replaced, at any depth, and every string
 * (keys too) at most `MAX_LOGGED_STRING` characters (`MAX_LOGGED_STACK` for a `stack`).
 */
export function redact(value: unknown, key?: string): unknown {
  if (typeof value === 'string')
    return bounded(value, key === 'stack' ? MAX_LOGGED_STACK : MAX_LOGGED_STRING);
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [
        name.length <= MAX_LOGGED_STRING ? name : bounded(name, MAX_LOGGED_STRING),
        isSecretName(name) ? REDACTED : redact(item, name),
      ]),
    );
  }
  return value;
}

/**
 * Redaction runs on each finished line, so whatever reached it (nested objects, serialized errors and their
 * causes, child bindings, the Temporal SDK's own logs) is covered the same way.
 */
function redactLine(line: string): string {
  try {
    return `${JSON.stringify(redact(JSON.parse(line)))}\n`;
  } catch {
    return `${bounded(line.trimEnd(), MAX_LOGGED_STRING)}\n`;
  }
}

/**
 * A line written inside a span names it: `trace_id` and `span_id` (the names the Temporal SDK's tracing
 * interceptors give workflow and activity lines), so a log search finds a trace and a trace its lines. With
 * tracing off there is never an active span: the lines are as before.
 */
function traceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/** JSON lines on stdout; anything that looks like a credential is redacted before it is written. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, mixin: traceIds, hooks: { streamWrite: redactLine } }, destination);
}
