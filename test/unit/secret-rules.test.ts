/**
 * No secret published in this repository, nor one too short, is accepted outside development
 * (src/secret-rules.ts, docs/security.md): the API's configuration refuses it at start naming the
 * variable, never the value; `npm run dev` (NODE_ENV=development) still takes the dev and demo secrets.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../../src/ats/demo-data';
import { ConfigError, loadApiConfig, loadConfig, loadSeedConfig } from '../../src/config';
import {
  childSecretProblem,
  DEV_WEBHOOK_SECRET,
  MIN_GENERATED_SECRET_LENGTH,
  MIN_LINKEDIN_SECRET_LENGTH,
  secretProblem,
} from '../../src/secret-rules';
import { loadDevConfig } from '../../tools/dev/config';

const ROOT = join(__dirname, '..', '..');
/** A secret as LinkedIn issues one (its page shows 16 characters) or as `openssl rand -hex 32` makes one. */
const issued = () => randomBytes(8).toString('hex');
const generated = () => randomBytes(32).toString('hex');
const PARENT = { LINKEDIN_PARENT_APPLICATION_ID: '1000' };

function problemOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('outside development the API refuses a secret published in this repository or too short', () => {
  const published = [
    ['the dev launcher’s secret', DEV_WEBHOOK_SECRET],
    ['the demo application’s secret', DEMO_APPLICATION.clientSecret],
    ['the second demo application’s secret', SECOND_DEMO_APPLICATION.clientSecret],
  ] as const;

  test.each(published)('LINKEDIN_WEBHOOK_SECRETS set to %s is refused, by name', (_case, secret) => {
    for (const load of [loadApiConfig, loadConfig]) {
      const message = problemOf(() => load({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS: secret }));
      expect(message).toContain('LINKEDIN_WEBHOOK_SECRETS is published in this repository');
      expect(message).not.toContain(secret);
    }
  });

  test('a webhook secret of one character, or one short of LinkedIn’s 16, is refused', () => {
    for (const secret of ['§', 'k'.repeat(MIN_LINKEDIN_SECRET_LENGTH - 1)]) {
      const message = problemOf(() => loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS: secret }));
      expect(message).toContain('LINKEDIN_WEBHOOK_SECRETS is shorter than 16 characters');
      expect(message).not.toContain(secret);
    }
    expect(MIN_LINKEDIN_SECRET_LENGTH).toBe(16);
  });

  test('in a list, the bad secret is named by its place; a secret as LinkedIn issues one is accepted', () => {
    const good = issued();
    expect(good).toHaveLength(16);
    const message = problemOf(() =>
      loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS: `${good},${DEMO_APPLICATION.clientSecret}` }),
    );
    expect(message).toContain('LINKEDIN_WEBHOOK_SECRETS (secret 2 of 2) is published in this repository');
    expect(message).not.toContain('secret 1 of 2');
    expect(loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS: good }).webhookSecrets).toEqual([good]);
  });

  test('ADMIN_TOKEN, which the operator makes, needs 32 characters and none published', () => {
    const secrets = { ...PARENT, LINKEDIN_WEBHOOK_SECRETS: issued() };
    const short = 'a'.repeat(MIN_GENERATED_SECRET_LENGTH - 1);
    expect(problemOf(() => loadApiConfig({ ...secrets, ADMIN_TOKEN: short }))).toContain(
      'ADMIN_TOKEN is shorter than 32 characters; make one with: openssl rand -hex 32',
    );
    expect(problemOf(() => loadApiConfig({ ...secrets, ADMIN_TOKEN: DEV_WEBHOOK_SECRET }))).toContain(
      'ADMIN_TOKEN is published in this repository',
    );
    const token = generated();
    expect(loadApiConfig({ ...secrets, ADMIN_TOKEN: token }).adminToken).toBe(token);
  });

  test('every problem is named at once, each on its line', () => {
    const message = problemOf(() =>
      loadApiConfig({ LINKEDIN_WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET, ADMIN_TOKEN: 'a'.repeat(20) }),
    );
    expect(message.split('\n').map((line) => line.trim().split(' ')[0])).toEqual([
      'invalid',
      'LINKEDIN_WEBHOOK_SECRETS',
      'ADMIN_TOKEN',
      'LINKEDIN_PARENT_APPLICATION_ID',
    ]);
  });

  test('only NODE_ENV=development lifts the rules: production, test, unset all keep them', () => {
    for (const NODE_ENV of [undefined, 'production', 'test', 'Development ', 'dev']) {
      expect(() =>
        loadApiConfig({ ...PARENT, NODE_ENV, LINKEDIN_WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET }),
      ).toThrow(ConfigError);
    }
    const dev = loadApiConfig({ NODE_ENV: 'development', LINKEDIN_WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET });
    expect(dev).toMatchObject({ development: true, webhookSecrets: [DEV_WEBHOOK_SECRET] });
    expect(loadSeedConfig({}).development).toBe(false);
    expect(loadSeedConfig({ NODE_ENV: 'development' }).development).toBe(true);
  });

  test('npm run dev is development by construction: its published secret works whatever NODE_ENV says', () => {
    const dev = loadDevConfig({ NODE_ENV: 'production' });
    expect(dev.service.development).toBe(true);
    expect(dev.service.webhookSecrets).toEqual([DEV_WEBHOOK_SECRET]);
  });
});

describe('LINKEDIN_PARENT_APPLICATION_ID', () => {
  test('is required outside development, where a challenge must not tell customers from strangers', () => {
    expect(problemOf(() => loadApiConfig({ LINKEDIN_WEBHOOK_SECRETS: issued() }))).toContain(
      'LINKEDIN_PARENT_APPLICATION_ID is required outside development',
    );
    expect(loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS: issued() }).parentApplicationId).toBe('1000');
  });

  test('holds the digits of the application, nothing else', () => {
    expect(
      problemOf(() =>
        loadApiConfig({
          LINKEDIN_WEBHOOK_SECRETS: issued(),
          LINKEDIN_PARENT_APPLICATION_ID: 'urn:li:developerApplication:1000',
        }),
      ),
    ).toContain('LINKEDIN_PARENT_APPLICATION_ID must be the digits of the parent application');
  });
});

describe('stored child secrets', () => {
  test('outside development the demo applications’ published secrets are never used; in development they are', () => {
    for (const app of [DEMO_APPLICATION, SECOND_DEMO_APPLICATION]) {
      expect(childSecretProblem(app.clientSecret, false)).toBe('is published in this repository');
      expect(childSecretProblem(app.clientSecret, true)).toBeUndefined();
    }
    expect(childSecretProblem('short', true)).toBe('is shorter than 16 characters');
    expect(childSecretProblem(issued(), false)).toBeUndefined();
  });
});

describe("the API's metrics listener", () => {
  test('is 127.0.0.1:9465 by default, apart from PORT, and takes an IP address', () => {
    const config = loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS: issued() });
    expect(config.apiMetrics).toEqual({ host: '127.0.0.1', port: 9465 });
    expect(config.port).toBe(3000);
    const moved = loadApiConfig({
      ...PARENT,
      LINKEDIN_WEBHOOK_SECRETS: issued(),
      API_METRICS_HOST: '0.0.0.0',
      API_METRICS_PORT: '9100',
    });
    expect(moved.apiMetrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(
      problemOf(() =>
        loadApiConfig({ ...PARENT, LINKEDIN_WEBHOOK_SECRETS: issued(), API_METRICS_HOST: 'metrics.local' }),
      ),
    ).toContain('API_METRICS_HOST must be an IP address');
  });
});

/**
 * Secret-like literals where an operator reads or copies them: the service and its tools, the docs, the
 * compose files. A literal given to a variable or key naming a secret, password or admin token, an
 * `…SECRET(S)=` / `…TOKEN=` / `…PASSWORD=` assignment, or a `--secret` argument.
 */
function secretLiterals(): Array<{ file: string; literal: string }> {
  const files = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', 'src', 'tools', 'docs', 'scripts', '.ci'],
    { cwd: ROOT, encoding: 'utf8' },
  )
    .split('\n')
    .concat(['README.md', 'Dockerfile'])
    .concat(
      execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*compose*.yml'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).split('\n'),
    )
    .filter((file) => file !== '' && !file.endsWith('.png'));
  const value = String.raw`([^\s'"\x60$;,)\\<>]{1,200})`;
  const patterns = [
    new RegExp(
      String.raw`\b\w*(?:secret|password|admin_?token)\w*['"]?\s*[:=]\s*['"\x60]${value}['"\x60]`,
      'gi',
    ),
    new RegExp(String.raw`\b[A-Z_]*(?:SECRETS?|PASSWORD|TOKEN)=${value}`, 'g'),
    new RegExp(String.raw`--secret[= ]+['"]?${value}`, 'g'),
  ];
  return files.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return patterns.flatMap((pattern) =>
      [...text.matchAll(pattern)].map((match) => ({ file, literal: match[1] ?? '' })),
    );
  });
}

test('every secret written in the service, its tools, docs and compose files is refused outside development', () => {
  const found = secretLiterals();
  // The scan sees what it must: the demo data's secrets and the dev launcher's.
  expect(found.map(({ literal }) => literal)).toEqual(
    expect.arrayContaining([
      DEMO_APPLICATION.clientSecret,
      SECOND_DEMO_APPLICATION.clientSecret,
      DEV_WEBHOOK_SECRET,
    ]),
  );
  for (const { file, literal } of found) {
    const refused = secretProblem(literal, 'linkedin') !== undefined;
    expect({ file, literal, refused }).toEqual({ file, literal, refused: true });
  }
});
