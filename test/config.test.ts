import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { temporalConnectionOptions } from '../src/temporal-connection';

const minimal = { LINKEDIN_WEBHOOK_SECRETS: 'one' };

test('the defaults are the operator interface of architecture.md', () => {
  const config = loadConfig(minimal);
  expect(config.port).toBe(3000);
  expect(config.temporal).toEqual({
    address: '127.0.0.1:7233',
    namespace: 'default',
    apiKey: undefined,
    taskQueue: 'linkedin-job-resync',
    tls: undefined,
  });
  expect(config.linkedin).toEqual({
    apiUrl: 'https://api.linkedin.com',
    tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
  });
  expect(config.resyncDeadlineMs).toBe(30 * 60_000);
  expect(config.databaseUrl).toBeUndefined();
});

test('webhook secrets are a comma-separated list, blanks ignored', () => {
  expect(loadConfig({ LINKEDIN_WEBHOOK_SECRETS: ' new , old ,, ' }).webhookSecrets).toEqual(['new', 'old']);
});

test.each([
  ['30m', 1_800_000],
  ['90s', 90_000],
  ['6s', 6_000],
  ['1h30m', 5_400_000],
])('RESYNC_DEADLINE=%s is %d ms', (text, ms) => {
  expect(loadConfig({ ...minimal, RESYNC_DEADLINE: text }).resyncDeadlineMs).toBe(ms);
});

test.each([
  [{}, 'LINKEDIN_WEBHOOK_SECRETS is required'],
  [{ LINKEDIN_WEBHOOK_SECRETS: ' , ' }, 'LINKEDIN_WEBHOOK_SECRETS lists no secret'],
  [
    { ...minimal, RESYNC_DEADLINE: 'soon' },
    'RESYNC_DEADLINE: "soon" is not a duration such as 30m, 90s or 6s',
  ],
  [{ ...minimal, PORT: 'eighty' }, 'PORT'],
  [{ ...minimal, LINKEDIN_API_URL: 'not a url' }, 'LINKEDIN_API_URL'],
  [{ ...minimal, TEMPORAL_TLS_CERT: '/x.pem' }, 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together'],
])('a bad environment fails fast, naming the problem (%o)', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
});

test('a Temporal Cloud API key turns TLS on', () => {
  const config = loadConfig({
    ...minimal,
    TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
    TEMPORAL_API_KEY: 'key',
  });
  expect(temporalConnectionOptions(config.temporal)).toEqual({
    address: 'ns.acct.tmprl.cloud:7233',
    tls: true,
    apiKey: 'key',
  });
});

test('mTLS certificate files are read into the connection options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  for (const name of ['client.pem', 'client.key', 'ca.pem'])
    writeFileSync(join(dir, name), `contents of ${name}`);
  const config = loadConfig({
    ...minimal,
    TEMPORAL_TLS_CERT: join(dir, 'client.pem'),
    TEMPORAL_TLS_KEY: join(dir, 'client.key'),
    TEMPORAL_TLS_CA: join(dir, 'ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  const options = temporalConnectionOptions(config.temporal);
  expect(options.address).toBe('127.0.0.1:7233');
  expect(options.tls).toEqual({
    clientCertPair: {
      crt: Buffer.from('contents of client.pem'),
      key: Buffer.from('contents of client.key'),
    },
    serverRootCACertificate: Buffer.from('contents of ca.pem'),
    serverNameOverride: 'temporal.internal',
  });
});

test('a local dev server needs neither TLS nor a key', () => {
  expect(temporalConnectionOptions(loadConfig(minimal).temporal)).toEqual({ address: '127.0.0.1:7233' });
});
