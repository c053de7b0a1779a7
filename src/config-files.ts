/**
 * Secrets from files, the Docker-secrets convention: `LINKEDIN_WEBHOOK_SECRETS_FILE=/run/secrets/webhook`
 * gives LINKEDIN_WEBHOOK_SECRETS the file's content, so the secret is in no environment listing (`docker
 * inspect`, /proc/<pid>/environ) and a file mounted read-only for the process is enough. A variable and
 * its `_FILE` both set is an error: which one wins would be a guess.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-parts';

/** The variables that may come from a file; the list of webhook secrets may hold one secret a line. */
export const SECRET_FILE_VARIABLES = [
  'LINKEDIN_WEBHOOK_SECRETS',
  'ADMIN_TOKEN',
  'TEMPORAL_API_KEY',
  'LINKEDIN_WEBHOOK_SECRET',
] as const;

const LISTS: ReadonlySet<string> = new Set(['LINKEDIN_WEBHOOK_SECRETS']);

/** Larger than any secret; a file past it is not one (a path to the wrong file, say). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * `env` with each `NAME_FILE` of `names` read into `NAME` (and `NAME_FILE` removed). Throws a
 * ConfigError naming every problem: both set, a file that cannot be read, is empty or too large. The
 * secret is never quoted.
 */
export function withSecretFiles(
  env: Record<string, string | undefined>,
  names: readonly string[] = SECRET_FILE_VARIABLES,
  read: (path: string) => Buffer = (path) => readFileSync(path),
): Record<string, string | undefined> {
  const resolved = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable];
    if (!isSet(path)) continue;
    delete resolved[fileVariable];
    if (isSet(env[name])) {
      problems.push(`${name} and ${fileVariable} are both set: give the secret one way only`);
      continue;
    }
    const content = readSecretFile(fileVariable, path!.trim(), read);
    if (typeof content === 'object') {
      problems.push(content.problem);
      continue;
    }
    if (LISTS.has(name)) {
      // One secret a line, or separated by commas as in the variable: both work.
      resolved[name] = content
        .split(/[\r\n,]+/)
        .map((line) => line.trim())
        .filter(Boolean)
        .join(',');
    } else if (/[\r\n]/.test(content)) {
      problems.push(
        `${fileVariable} (${path!.trim()}) holds more than one line: it must hold the secret alone`,
      );
    } else {
      resolved[name] = content;
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return resolved;
}

function readSecretFile(
  fileVariable: string,
  path: string,
  read: (path: string) => Buffer,
): string | { problem: string } {
  let bytes: Buffer;
  try {
    bytes = read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { problem: `${fileVariable} names ${path}, which cannot be read (${code})` };
  }
  if (bytes.length > MAX_SECRET_FILE_BYTES) {
    return { problem: `${fileVariable} names ${path}, of ${bytes.length} bytes: not a secret` };
  }
  // The newline an editor or `echo` leaves at the end is not part of the secret.
  const content = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .replace(/[\r\n]+$/, '')
    .trim();
  if (content === '') return { problem: `${fileVariable} names ${path}, which is empty` };
  return content;
}
