/**
 * Which secrets a process may use. Development is said, never assumed: `NODE_ENV=development` (the dev
 * launcher passes it to its own configuration; the sandbox stack's seed sets it). Everywhere else (the
 * image sets NODE_ENV=production, a process started with NODE_ENV unset) no secret published in this
 * repository is accepted, nor one too short to resist guessing (docs/security.md).
 */
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from './ats/demo-data';

/** What `npm run dev` signs with when LINKEDIN_WEBHOOK_SECRETS is unset. */
export const DEV_WEBHOOK_SECRET = 'dev-webhook-secret';

/**
 * LinkedIn issues the client secrets (the parent's, in LINKEDIN_WEBHOOK_SECRETS, and each child's): its
 * secret-management page shows one of 16 characters, so no more can be asked of them.
 */
export const MIN_LINKEDIN_SECRET_LENGTH = 16;

/** A secret the operator makes (ADMIN_TOKEN): `openssl rand -hex 32` gives 64 characters. */
export const MIN_GENERATED_SECRET_LENGTH = 32;

/**
 * Every secret written in this repository that a deployment could be given: the demo applications', the
 * dev launcher's, and the examples of LinkedIn's documentation the tests use. A test scans the tracked
 * files for secret-like literals and finds each one refused.
 */
export const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([
  DEMO_APPLICATION.clientSecret,
  SECOND_DEMO_APPLICATION.clientSecret,
  DEV_WEBHOOK_SECRET,
  'test_client_secret',
  'intake-bench-webhook-secret',
]);

export type SecretKind = 'linkedin' | 'generated';

/** True for `NODE_ENV=development` only. */
export function isDevelopment(nodeEnv: string | undefined): boolean {
  return nodeEnv?.trim() === 'development';
}

/** Why `secret` may not be used outside development, or undefined when it may. Never quotes the secret. */
export function secretProblem(secret: string, kind: SecretKind): string | undefined {
  if (PUBLISHED_SECRETS.has(secret)) return 'is published in this repository';
  const min = kind === 'linkedin' ? MIN_LINKEDIN_SECRET_LENGTH : MIN_GENERATED_SECRET_LENGTH;
  if (secret.length < min) return `is shorter than ${min} characters`;
  return undefined;
}

/** A stored child application's client secret: in development the length alone, as ever. */
export function childSecretProblem(secret: string, development: boolean): string | undefined {
  if (development) {
    return secret.length < MIN_LINKEDIN_SECRET_LENGTH
      ? `is shorter than ${MIN_LINKEDIN_SECRET_LENGTH} characters`
      : undefined;
  }
  return secretProblem(secret, 'linkedin');
}
