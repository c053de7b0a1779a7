import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApiConfig, loadCliConfig, loadWorkerConfig } from '../../src/config';
import { withSecretFiles } from '../../src/config-files';

const dir = mkdtempSync(join(tmpdir(), 'secret-files-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const issued = () => randomBytes(16).toString('hex');
const PARENT = { LINKEDIN_PARENT_APPLICATION_ID: '1000' };

function problemOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('secrets from *_FILE variables (Docker secrets)', () => {
  test('LINKEDIN_WEBHOOK_SECRETS_FILE holds the webhook secrets, one a line or separated by commas', () => {
    const [a, b, c] = [issued(), issued(), issued()];
    const config = loadApiConfig({
      ...PARENT,
      LINKEDIN_WEBHOOK_SECRETS_FILE: file('webhook', `${a}\n${b},${c}\r\n\n`),
    });
    expect(config.webhookSecrets).toEqual([a, b, c]);
  });

  test('ADMIN_TOKEN_FILE and TEMPORAL_API_KEY_FILE give their variables, without the trailing newline', () => {
    const token = randomBytes(32).toString('hex');
    const config = loadApiConfig({
      ...PARENT,
      LINKEDIN_WEBHOOK_SECRETS: issued(),
      ADMIN_TOKEN_FILE: file('admin', `${token}\n`),
      TEMPORAL_API_KEY_FILE: file('api-key', 'key-from-a-file\n'),
    });
    expect(config.adminToken).toBe(token);
    expect(config.temporal.apiKey).toBe('key-from-a-file');
    expect(loadWorkerConfig({ TEMPORAL_API_KEY_FILE: file('api-key-2', 'k2') }).temporal.apiKey).toBe('k2');
    expect(loadCliConfig({ TEMPORAL_API_KEY_FILE: file('api-key-3', 'k3') }).temporal.apiKey).toBe('k3');
  });

  test('a variable and its _FILE both set is an error naming both, never quoting the secret', () => {
    const secret = issued();
    const message = problemOf(() =>
      loadApiConfig({
        ...PARENT,
        LINKEDIN_WEBHOOK_SECRETS: secret,
        LINKEDIN_WEBHOOK_SECRETS_FILE: file('both', secret),
      }),
    );
    expect(message).toBe(
      'invalid configuration:\n  LINKEDIN_WEBHOOK_SECRETS and LINKEDIN_WEBHOOK_SECRETS_FILE are both set: give the secret one way only',
    );
  });

  test('a file that cannot be read, is empty, too large, or holds two lines for one secret is named', () => {
    const missing = join(dir, 'missing');
    expect(problemOf(() => loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS_FILE: missing }))).toContain(
      `LINKEDIN_WEBHOOK_SECRETS_FILE names ${missing}, which cannot be read (ENOENT)`,
    );
    const empty = file('empty', '\n');
    expect(problemOf(() => loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS_FILE: empty }))).toContain(
      `LINKEDIN_WEBHOOK_SECRETS_FILE names ${empty}, which is empty`,
    );
    const huge = file('huge', 'x'.repeat(100_000));
    expect(problemOf(() => loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS_FILE: huge }))).toContain(
      'of 100000 bytes: not a secret',
    );
    const secret = randomBytes(32).toString('hex');
    const twoLines = file('two-lines', `${secret}\nanother\n`);
    const message = problemOf(() =>
      loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS: issued(), ADMIN_TOKEN_FILE: twoLines }),
    );
    expect(message).toContain(`ADMIN_TOKEN_FILE (${twoLines}) holds more than one line`);
    expect(message).not.toContain(secret);
  });

  test("a secret from a file meets the same rules as one from the variable (production's length rule)", () => {
    expect(
      problemOf(() => loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS_FILE: file('short', 'short\n') })),
    ).toContain('LINKEDIN_WEBHOOK_SECRETS is shorter than 16 characters');
  });

  test("a process reads only its own secrets' files: the worker never opens the webhook's", () => {
    expect(() =>
      loadWorkerConfig({ LINKEDIN_WEBHOOK_SECRETS_FILE: join(dir, 'not-there'), ADMIN_TOKEN_FILE: '/nope' }),
    ).not.toThrow();
  });

  test('withSecretFiles leaves the environment it was given as it was, and removes the _FILE it read', () => {
    const env = { ADMIN_TOKEN_FILE: file('token', 'abc') };
    expect(withSecretFiles(env, ['ADMIN_TOKEN'])).toEqual({ ADMIN_TOKEN: 'abc' });
    expect(env).toEqual({ ADMIN_TOKEN_FILE: join(dir, 'token') });
    // A blank _FILE is unset, as a blank variable is.
    expect(withSecretFiles({ ADMIN_TOKEN_FILE: ' ', ADMIN_TOKEN: 'x' }, ['ADMIN_TOKEN'])).toEqual({
      ADMIN_TOKEN_FILE: ' ',
      ADMIN_TOKEN: 'x',
    });
  });
});
