import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

const REDACTED = '[redacted]';

/** Key names (lowercased, without separators) whose values are credentials wherever they occur. */
const SECRET_KEY =
  /secret|password|passwd|passphrase|apikey|authorization|cookie|signature|credential|privatekey|connectionstring|databaseurl|^dsn$|token$/;

/** `scheme://user:password@` in any text: the password goes, the rest still says where. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):([^\s/@]*)@/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

function redactText(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`).replace(BEARER, `$1 ${REDACTED}`);
}

/** A copy of a parsed log line with every credential-bearing value replaced, at any depth. */
export function redact(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, isSecretKey(key) ? REDACTED : redact(item)]),
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
    return redactText(line);
  }
}

/** JSON lines on stdout; anything that looks like a credential is redacted before it is written. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, hooks: { streamWrite: redactLine } }, destination);
}
