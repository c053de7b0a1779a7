import { createHmac, timingSafeEqual } from 'node:crypto';

/** The prefix LinkedIn's documentation attaches to the HMAC of a notification. */
export const SIGNATURE_PREFIX = 'hmacsha256=';

export function hmacSha256Hex(secret: string, data: string | Buffer): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** LinkedIn's challenge codes are UUIDs (linkedin.md §2). */
const CHALLENGE_CODE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a challenge code may be answered. Only UUIDs are: the answer is an HMAC under a secret that also
 * signs notifications, and a UUID can never be a notification body nor start with `hmacsha256=`, so the
 * challenge cannot be used to sign a forged notification (docs/security.md).
 */
export function isChallengeCode(code: string): boolean {
  return CHALLENGE_CODE.test(code);
}

const SIGNATURE_HEADER = /^(?:hmacsha256=)?[0-9a-f]{64}$/i;

/** Whether X-LI-Signature has the shape of a signature at all: checked before the body is read. */
export function isWellFormedSignature(header: string | undefined): header is string {
  return header !== undefined && SIGNATURE_HEADER.test(header.trim());
}

/** The answer to LinkedIn's ownership check (linkedin.md §2). */
export function challengeResponse(secret: string, challengeCode: string): string {
  return hmacSha256Hex(secret, challengeCode);
}

/**
 * The X-LI-Signature value LinkedIn most likely sends: hex HMAC over `hmacsha256=` + the raw body.
 * Used by the sandbox's notification sender and by tests.
 */
export function signNotification(secret: string, rawBody: string | Buffer): string {
  return hmacSha256Hex(secret, Buffer.concat([Buffer.from(SIGNATURE_PREFIX), Buffer.from(rawBody)]));
}

/**
 * Checks X-LI-Signature over the raw bytes. LinkedIn publishes no worked example, so every reading of its
 * wording is accepted: the header with or without the `hmacsha256=` prefix, and the HMAC over the prefix
 * plus body or over the body alone, for any configured secret. Comparison is constant-time.
 */
export function verifySignature(
  header: string | undefined,
  rawBody: Buffer,
  secrets: readonly string[],
): boolean {
  if (!isWellFormedSignature(header)) return false;
  let hex = header.trim();
  if (hex.toLowerCase().startsWith(SIGNATURE_PREFIX)) hex = hex.slice(SIGNATURE_PREFIX.length);
  const received = Buffer.from(hex, 'hex');
  const prefixed = Buffer.concat([Buffer.from(SIGNATURE_PREFIX), rawBody]);
  let matched = false;
  for (const secret of secrets) {
    for (const data of [prefixed, rawBody]) {
      const expected = createHmac('sha256', secret).update(data).digest();
      // No early exit: the time taken does not tell which secret or reading matched.
      matched = timingSafeEqual(expected, received) || matched;
    }
  }
  return matched;
}
