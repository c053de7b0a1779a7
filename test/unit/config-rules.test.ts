import { ConfigError, loadConfig } from '../../src/config';

/**
 * Each rule of the environment's schema at its edges, and how problems are reported. In development, where
 * any webhook secret goes: the production rules for secrets are test/unit/secret-rules.test.ts's.
 */
const BASE = { NODE_ENV: 'development', LINKEDIN_WEBHOOK_SECRETS: 'secret' };

function problemOf(env: Record<string, string>): string {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe('ConfigError');
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

test('a duration of zero is refused; the smallest positive one is accepted', () => {
  expect(problemOf({ RESYNC_DEADLINE: '0s' })).toBe(
    'invalid configuration:\n  RESYNC_DEADLINE: "0s" is not a duration such as 30m, 90s or 6s',
  );
  expect(loadConfig({ ...BASE, RESYNC_DEADLINE: '1s' }).resyncDeadlineMs).toBe(1_000);
});

test('every problem is named on a line of its own, with its variable', () => {
  expect(problemOf({ PORT: '70000', RESYNC_DEADLINE: 'soon' })).toBe(
    [
      'invalid configuration:',
      '  RESYNC_DEADLINE: "soon" is not a duration such as 30m, 90s or 6s',
      '  PORT: Too big: expected number to be <=65535',
    ].join('\n'),
  );
});

test.each([
  ['0', 0],
  ['65535', 65_535],
])('PORT %s is accepted', (port, expected) => {
  expect(loadConfig({ ...BASE, PORT: port }).port).toBe(expected);
});

test('PORT below 0 is refused', () => {
  expect(problemOf({ PORT: '-1' })).toMatch(/^invalid configuration:\n {2}PORT: /);
});

test('optional values are trimmed, and blank ones count as unset', () => {
  const config = loadConfig({ ...BASE, TEMPORAL_API_KEY: '  key  ', DATABASE_URL: '   ' });
  expect(config.temporal.apiKey).toBe('key');
  expect(config.databaseUrl).toBeUndefined();
});

test('a flag must be true or false', () => {
  expect(problemOf({ LINKEDIN_ALLOW_HTTP: 'yes' })).toBe(
    'invalid configuration:\n  LINKEDIN_ALLOW_HTTP: must be true or false',
  );
});

test('TASK_QUEUE may be any non-empty name, and not empty', () => {
  expect(loadConfig({ ...BASE, TASK_QUEUE: 'resyncs-eu' }).temporal.taskQueue).toBe('resyncs-eu');
  expect(problemOf({ TASK_QUEUE: '' })).toMatch(/^invalid configuration:\n {2}TASK_QUEUE: /);
});

test('DATA_DIR defaults to .data', () => {
  expect(loadConfig(BASE).dataDir).toBe('.data');
});

test('ADMIN_TOKEN needs 16 characters in development', () => {
  expect(loadConfig({ ...BASE, ADMIN_TOKEN: 'a'.repeat(16) }).adminToken).toBe('a'.repeat(16));
  expect(problemOf({ ADMIN_TOKEN: 'a'.repeat(15) })).toBe(
    'invalid configuration:\n  ADMIN_TOKEN: ADMIN_TOKEN must be at least 16 characters',
  );
});

test('HTTP_MAX_CONNECTIONS must be at least 1', () => {
  expect(loadConfig({ ...BASE, HTTP_MAX_CONNECTIONS: '5000' }).http.maxConnections).toBe(5_000);
  expect(problemOf({ HTTP_MAX_CONNECTIONS: '0' })).toMatch(
    /^invalid configuration:\n {2}HTTP_MAX_CONNECTIONS: /,
  );
});

describe('HTTP_MAX_BODY_BYTES and HTTP_BODY_BUDGET_BYTES', () => {
  test('default to 64 KiB a body and 16 MiB of bodies held at once', () => {
    expect(loadConfig(BASE).http).toMatchObject({ maxBodyBytes: 65_536, bodyBudgetBytes: 16 * 1024 * 1024 });
  });

  test.each([
    ['131072', 131_072],
    ['128KiB', 131_072],
    [' 2MiB ', 2 * 1024 * 1024],
    ['1024', 1024],
  ])('HTTP_MAX_BODY_BYTES %j is %d bytes', (text, bytes) => {
    expect(loadConfig({ ...BASE, HTTP_MAX_BODY_BYTES: text }).http.maxBodyBytes).toBe(bytes);
  });

  test.each([
    ['64 KB', 'HTTP_MAX_BODY_BYTES "64 KB" is not a size in bytes such as 65536, 64KiB or 1MiB'],
    ['64kb', 'HTTP_MAX_BODY_BYTES "64kb" is not a size in bytes such as 65536, 64KiB or 1MiB'],
    ['-1', 'HTTP_MAX_BODY_BYTES "-1" is not a size in bytes such as 65536, 64KiB or 1MiB'],
    ['1.5MiB', 'HTTP_MAX_BODY_BYTES "1.5MiB" is not a size in bytes such as 65536, 64KiB or 1MiB'],
    ['', 'HTTP_MAX_BODY_BYTES "" is not a size in bytes such as 65536, 64KiB or 1MiB'],
    ['0', 'HTTP_MAX_BODY_BYTES must be between 1KiB and 16MiB, not 0 bytes'],
    ['1023', 'HTTP_MAX_BODY_BYTES must be between 1KiB and 16MiB, not 1023 bytes'],
    ['17MiB', 'HTTP_MAX_BODY_BYTES must be between 1KiB and 16MiB, not 17MiB'],
  ])('HTTP_MAX_BODY_BYTES %j is refused at start, saying why', (text, problem) => {
    expect(problemOf({ HTTP_MAX_BODY_BYTES: text })).toBe(
      `invalid configuration:\n  HTTP_MAX_BODY_BYTES: ${problem}`,
    );
  });

  test('HTTP_BODY_BUDGET_BYTES is a size too, and never below one body of the largest size', () => {
    expect(loadConfig({ ...BASE, HTTP_BODY_BUDGET_BYTES: '1MiB' }).http.bodyBudgetBytes).toBe(1024 * 1024);
    expect(problemOf({ HTTP_BODY_BUDGET_BYTES: 'lots' })).toBe(
      'invalid configuration:\n  HTTP_BODY_BUDGET_BYTES: HTTP_BODY_BUDGET_BYTES "lots" is not a size in bytes such as 65536, 64KiB or 1MiB',
    );
    expect(problemOf({ HTTP_MAX_BODY_BYTES: '1MiB', HTTP_BODY_BUDGET_BYTES: '512KiB' })).toBe(
      'invalid configuration:\n  HTTP_BODY_BUDGET_BYTES (512KiB) must be at least HTTP_MAX_BODY_BYTES (1MiB): a body of the largest size could never be read',
    );
  });
});

test.each(['resync-eu.1_', ''])('WORKFLOW_ID_PREFIX %j is accepted', (prefix) => {
  expect(loadConfig({ ...BASE, WORKFLOW_ID_PREFIX: prefix }).workflowIdPrefix).toBe(prefix);
});

test.each(['a b', 'x/', '/x', 'ab"'])('WORKFLOW_ID_PREFIX %j is refused', (prefix) => {
  expect(problemOf({ WORKFLOW_ID_PREFIX: prefix })).toBe(
    'invalid configuration:\n  WORKFLOW_ID_PREFIX: WORKFLOW_ID_PREFIX may hold letters, digits, dot, dash and underscore',
  );
});

test('the headers timeout never exceeds the request timeout', () => {
  const config = loadConfig({ ...BASE, HTTP_HEADERS_TIMEOUT: '20s', HTTP_REQUEST_TIMEOUT: '5s' });
  expect(config.http).toMatchObject({
    headersTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    maxConnections: 1024,
  });
  expect(loadConfig({ ...BASE, HTTP_HEADERS_TIMEOUT: '2s' }).http.headersTimeoutMs).toBe(2_000);
});

test('the follow-up window is never shorter than the deadline, nor the longest poll interval than the first', () => {
  const config = loadConfig({
    ...BASE,
    RESYNC_DEADLINE: '2h',
    TASK_FOLLOW_UP_WINDOW: '1h',
    TASK_POLL_INTERVAL: '90s',
    TASK_POLL_MAX_INTERVAL: '30s',
  });
  expect(config.followUpWindowMs).toBe(2 * 3_600_000);
  expect(config.taskPolling).toEqual({ intervalMs: 90_000, maxIntervalMs: 90_000 });
  const defaults = loadConfig(BASE);
  expect(defaults.followUpWindowMs).toBe(2 * 3_600_000);
  expect(defaults.taskPolling).toEqual({ intervalMs: 5_000, maxIntervalMs: 60_000 });
});

test('trailing slashes of the LinkedIn API URL are dropped', () => {
  const config = loadConfig({ ...BASE, LINKEDIN_API_URL: 'https://api.example.com//' });
  expect(config.linkedin.apiUrl).toBe('https://api.example.com');
});

test.each([
  ['ftp://api.example.com', false],
  ['http://127.0.0.1:8080', true],
  ['http://127.0.0.1.example.com', false],
  ['http://127.100.200.1', true],
  ['http://localhost:9', true],
  ['http://[::1]:9', true],
])('LINKEDIN_API_URL %s is accepted without LINKEDIN_ALLOW_HTTP: %s', (url, accepted) => {
  if (accepted) expect(loadConfig({ ...BASE, LINKEDIN_API_URL: url }).linkedin.apiUrl).toBe(url);
  else
    expect(problemOf({ LINKEDIN_API_URL: url })).toBe(
      'invalid configuration:\n  LINKEDIN_API_URL must be an https: URL (http: is accepted for a loopback host, or anywhere with LINKEDIN_ALLOW_HTTP=true for a sandbox)',
    );
});

test('both LinkedIn URLs over plain http are named, each on its line', () => {
  expect(
    problemOf({ LINKEDIN_API_URL: 'http://a.example', LINKEDIN_TOKEN_URL: 'http://b.example/token' })
      .split('\n')
      .map((line) => line.split(' ')[2]),
  ).toEqual([undefined, 'LINKEDIN_API_URL', 'LINKEDIN_TOKEN_URL']);
});

test('ftp is refused even with LINKEDIN_ALLOW_HTTP', () => {
  expect(problemOf({ LINKEDIN_API_URL: 'ftp://api.example.com', LINKEDIN_ALLOW_HTTP: 'true' })).toMatch(
    /LINKEDIN_API_URL must be an https: URL/,
  );
});

test('RESYNC_REPEAT_WINDOW is an hour unless set, and a duration when set', () => {
  expect(loadConfig(BASE).repeatWindowMs).toBe(60 * 60_000);
  expect(loadConfig({ ...BASE, RESYNC_REPEAT_WINDOW: '6h' }).repeatWindowMs).toBe(6 * 60 * 60_000);
  expect(problemOf({ RESYNC_REPEAT_WINDOW: 'never' })).toBe(
    'invalid configuration:\n  RESYNC_REPEAT_WINDOW: "never" is not a duration such as 30m, 90s or 6s',
  );
});
