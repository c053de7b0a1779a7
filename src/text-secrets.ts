/**
 * Secrets inside free text, found by scans that read each character a bounded number of times (no pattern
 * that can backtrack): private keys in PEM armour, and values after a name that says they are secret
 * (`access_token=…`, `"client_secret": "…"`, `password: …`). The logger runs these on every string it
 * writes (src/logger.ts).
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/** Key names (lowercased, without separators) whose values are credentials wherever they occur. */
const SECRET_NAME =
  /secret|password|passwd|passphrase|apikey|authorization|cookie|signature|credential|privatekey|connectionstring|databaseurl|^dsn$|^key$|token$/;

/** Whether a key (of an object, or named in text) holds a credential: `clientSecret`, `access_token`, `key`… */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

const PEM_BEGIN = '-----BEGIN ';
const PEM_DASHES = '-----';
/** The longest PEM label looked at ("ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY" are far shorter). */
const MAX_PEM_LABEL = 64;

/**
 * `-----BEGIN … PRIVATE KEY-----` up to its `-----END … PRIVATE KEY-----`: the key between them goes, the
 * armour stays to say what it was. A key whose end is missing (the text was cut there) is redacted to the
 * end. Certificates and public keys are left: they are not secret. Each search starts where the last one
 * ended, so the text is read a few times at most.
 */
export function redactPrivateKeys(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  for (let at = text.indexOf(PEM_BEGIN); at >= 0;) {
    const labelStart = at + PEM_BEGIN.length;
    const labelEnd = text.indexOf(PEM_DASHES, labelStart);
    if (labelEnd < 0) break;
    const label = text.slice(labelStart, Math.min(labelEnd, labelStart + MAX_PEM_LABEL + 1));
    if (labelEnd - labelStart > MAX_PEM_LABEL || !label.endsWith('PRIVATE KEY')) {
      at = text.indexOf(PEM_BEGIN, labelEnd);
      continue;
    }
    const keyStart = labelEnd + PEM_DASHES.length;
    const end = text.indexOf(`-----END ${label}-----`, keyStart);
    parts.push(text.slice(copied, keyStart), REDACTED);
    copied = end < 0 ? text.length : end;
    at = end < 0 ? -1 : text.indexOf(PEM_BEGIN, end + PEM_DASHES.length);
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/** The longest name looked at before `=` or `:` (`client_secret`, `X-LI-Signature`, `access_token`). */
const MAX_NAME = 64;
/** Quotes and spaces allowed between a name and its `=` or `:`, and between those and the value. */
const MAX_PADDING = 2;

const isNameCharacter = (code: number) =>
  (code >= 65 && code <= 90) ||
  (code >= 97 && code <= 122) ||
  (code >= 48 && code <= 57) ||
  code === 95 ||
  code === 45 ||
  code === 46;
/** A quote or a space: what may stand between a name, its separator and its value (`"key": "…"`). */
const isPadding = (code: number) => code === 34 || code === 39 || code === 32 || code === 9;
/** What ends a value: whitespace, quotes, and the separators of query strings, JSON and headers. */
const endsValue = (code: number) =>
  code <= 32 ||
  code === 34 || // "
  code === 39 || // '
  code === 38 || // &
  code === 44 || // ,
  code === 59 || // ;
  code === 60 || // <
  code === 62 || // >
  code === 41 || // )
  code === 93 || // ]
  code === 125; // }

/** The name that ends (but for padding) right before the separator at `at`, or undefined. */
function nameBefore(text: string, at: number): string | undefined {
  let end = at;
  for (let pad = 0; pad < MAX_PADDING && end > 0 && isPadding(text.charCodeAt(end - 1)); pad++) end--;
  let start = end;
  while (start > 0 && end - start <= MAX_NAME && isNameCharacter(text.charCodeAt(start - 1))) start--;
  if (start === end || end - start > MAX_NAME) return undefined;
  return text.slice(start, end);
}

/**
 * `name=value`, `name: value` and `"name":"value"` in text, where the name says the value is secret
 * (`access_token`, `client_secret`, `password`, `X-LI-Signature`, `key`…): the value goes. A value
 * already redacted (a URL's password, a bearer token) is left as it is. Each separator looks back at
 * most a name's length, and the scan goes on after each value, so the text is read a few times at most.
 */
export function redactNamedValues(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code !== 61 && code !== 58) continue; // `=` or `:`
    if (text.startsWith('//', at + 1)) continue; // a URL's scheme, looked at by the URL scan
    const name = nameBefore(text, at);
    if (name === undefined || !isSecretName(name)) continue;
    let start = at + 1;
    for (let pad = 0; pad < MAX_PADDING && start < text.length && isPadding(text.charCodeAt(start)); pad++) {
      start++;
    }
    let end = start;
    while (end < text.length && !endsValue(text.charCodeAt(end))) end++;
    const head = text.slice(start, Math.min(end, start + REDACTED.length));
    // A bearer token is redacted after its scheme, which stays to say what it was.
    if (end === start || head.startsWith(REDACTED) || head === 'Bearer' || head === 'Basic') {
      at = Math.max(at, end - 1);
      continue;
    }
    parts.push(text.slice(copied, start), REDACTED);
    copied = end;
    at = end - 1;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}
