import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  loadApiConfig,
  loadCliConfig,
  loadConfig,
  loadSeedConfig,
  loadWorkerConfig,
  socketAddress,
} from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal-connection';

/** What a production API needs at least: a webhook secret as LinkedIn issues one, the parent's id. */
const SECRET = randomBytes(16).toString('hex');
const minimal = { LINKEDIN_WEBHOOK_SECRETS: SECRET, LINKEDIN_PARENT_APPLICATION_ID: '1000' };

test('the defaults are the operator interface of architecture.md', () => {
  const config = loadConfig(minimal);
  expect(config.port).toBe(3000);
  expect(config.temporal).toEqual({
    address: '127.0.0.1:7233',
    namespace: 'default',
    apiKey: undefined,
    taskQueue: 'linkedin-job-resync',
    tls: undefined,
    payloadCompression: 'off',
  });
  expect(config.linkedin).toEqual({
    apiUrl: 'https://api.linkedin.com',
    tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
  });
  expect(config.resyncDeadlineMs).toBe(30 * 60_000);
  expect(config.databaseUrl).toBeUndefined();
});

test('resyncs of more than 1,000 jobs go to the large queue unless LARGE_RESYNC_JOBS says otherwise (0: never)', () => {
  expect(loadConfig(minimal).largeResyncJobs).toBe(1_000);
  expect(loadConfig({ ...minimal, LARGE_RESYNC_JOBS: '5000' }).largeResyncJobs).toBe(5_000);
  expect(loadConfig({ ...minimal, LARGE_RESYNC_JOBS: '0' }).largeResyncJobs).toBe(0);
  expect(loadCliConfig({ LARGE_RESYNC_JOBS: '7' }).largeResyncJobs).toBe(7);
  expect(() => loadConfig({ ...minimal, LARGE_RESYNC_JOBS: '-1' })).toThrow('LARGE_RESYNC_JOBS');
});

test('webhook secrets are a comma-separated list, blanks ignored', () => {
  const [next, old] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
  expect(
    loadConfig({ ...minimal, LINKEDIN_WEBHOOK_SECRETS: ` ${next} , ${old} ,, ` }).webhookSecrets,
  ).toEqual([next, old]);
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
  [{ ...minimal, TEMPORAL_TLS_CLIENT_CERT_PATH: '/x.pem' }, 'a client certificate goes with its key'],
])('a bad environment fails fast, naming the problem (%o)', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
});

describe('LinkedIn is reached over https', () => {
  test.each([
    ['LINKEDIN_API_URL', 'http://api.linkedin.example'],
    ['LINKEDIN_TOKEN_URL', 'http://www.linkedin.example/oauth/v2/accessToken'],
    ['LINKEDIN_API_URL', 'ftp://api.linkedin.example'],
  ])('%s=%s fails fast, saying how to allow a sandbox', (name, url) => {
    expect(() => loadConfig({ ...minimal, [name]: url })).toThrow(ConfigError);
    expect(() => loadConfig({ ...minimal, [name]: url })).toThrow(
      `${name} must be an https: URL (http: is accepted for a loopback host, or anywhere with LINKEDIN_ALLOW_HTTP=true for a sandbox)`,
    );
  });

  test.each(['http://127.0.0.1:3001', 'http://localhost:3001', 'http://[::1]:3001'])(
    'a sandbox on the loopback host %s is accepted over http',
    (url) => {
      expect(loadConfig({ ...minimal, LINKEDIN_API_URL: url }).linkedin.apiUrl).toBe(url);
    },
  );

  test('LINKEDIN_ALLOW_HTTP=true accepts a sandbox on another host (the compose demo)', () => {
    const config = loadConfig({
      ...minimal,
      LINKEDIN_ALLOW_HTTP: 'true',
      LINKEDIN_API_URL: 'http://sandbox:3001',
      LINKEDIN_TOKEN_URL: 'http://sandbox:3001/oauth/v2/accessToken',
    });
    expect(config.linkedin.apiUrl).toBe('http://sandbox:3001');
    expect(() => loadConfig({ ...minimal, LINKEDIN_ALLOW_HTTP: 'yes' })).toThrow('LINKEDIN_ALLOW_HTTP');
  });
});

describe("the worker's metrics address", () => {
  test('is loopback unless WORKER_METRICS_HOST says otherwise', () => {
    const config = loadConfig(minimal);
    expect(socketAddress(config.workerMetricsHost, config.workerMetricsPort)).toBe('127.0.0.1:9464');
    const all = loadConfig({ ...minimal, WORKER_METRICS_HOST: '0.0.0.0', WORKER_METRICS_PORT: '9100' });
    expect(socketAddress(all.workerMetricsHost, all.workerMetricsPort)).toBe('0.0.0.0:9100');
    const v6 = loadConfig({ ...minimal, WORKER_METRICS_HOST: '::' });
    expect(socketAddress(v6.workerMetricsHost, v6.workerMetricsPort)).toBe('[::]:9464');
  });

  test('a host name is refused: the metrics listener takes an IP address', () => {
    expect(() => loadConfig({ ...minimal, WORKER_METRICS_HOST: 'metrics.local' })).toThrow(
      'WORKER_METRICS_HOST must be an IP address',
    );
  });
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
    TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'ca.pem'),
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

describe('each process parses only what it needs', () => {
  test('the worker and the seed start without the webhook secrets, which only the API needs', () => {
    expect(loadWorkerConfig({}).linkedin.apiUrl).toBe('https://api.linkedin.com');
    expect(loadSeedConfig({}).dataDir).toBe('.data');
    expect(() => loadApiConfig({})).toThrow('LINKEDIN_WEBHOOK_SECRETS is required');
  });

  test("the API ignores the worker's LinkedIn endpoints and the worker ignores the API's port", () => {
    const insecure = { LINKEDIN_API_URL: 'http://linkedin.example' };
    expect(() => loadWorkerConfig(insecure)).toThrow('LINKEDIN_API_URL must be an https: URL');
    expect(loadApiConfig({ ...minimal, ...insecure }).webhookSecrets).toEqual([SECRET]);
    expect(() => loadApiConfig({ ...minimal, PORT: 'x' })).toThrow('PORT');
    expect(loadWorkerConfig({ PORT: 'x' }).workerMetricsPort).toBe(9464);
  });

  test('the CLI needs no webhook secret and reads Temporal, the terms of a resync and the Web UI address', () => {
    const config = loadCliConfig({
      TASK_QUEUE: 'q',
      RESYNC_DEADLINE: '6s',
      WORKFLOW_ID_PREFIX: 'p-',
      TEMPORAL_UI_URL: 'http://ui.internal:8233/',
      LINKEDIN_API_URL: 'http://linkedin.example',
    });
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', taskQueue: 'q' });
    expect({ ...config, temporal: undefined }).toEqual({
      temporal: undefined,
      resyncDeadlineMs: 6_000,
      followUpWindowMs: 2 * 60 * 60_000,
      workflowIdPrefix: 'p-',
      largeResyncJobs: 1_000,
      repeatWindowMs: 60 * 60_000,
      webUiUrl: 'http://ui.internal:8233',
    });
    expect(() => loadCliConfig({ RESYNC_DEADLINE: 'soon' })).toThrow(ConfigError);
  });

  test('the whole configuration is every part at once, for a process that is the API and the worker', () => {
    const env = { ...minimal, DATA_DIR: '/var/lib/resync', LINKEDIN_REQUEST_TIMEOUT: '5s', PORT: '8080' };
    const all = loadConfig(env);
    expect(all).toEqual({ ...loadApiConfig(env), ...loadWorkerConfig(env) });
    expect([all.port, all.linkedinRequestTimeoutMs, all.dataDir]).toEqual([8080, 5_000, '/var/lib/resync']);
  });
});

test('PAYLOAD_COMPRESSION takes off or zlib, and names what it takes otherwise', () => {
  expect(loadConfig({ ...minimal, PAYLOAD_COMPRESSION: 'zlib' }).temporal.payloadCompression).toBe('zlib');
  expect(() => loadConfig({ ...minimal, PAYLOAD_COMPRESSION: 'gzip' })).toThrow(
    /PAYLOAD_COMPRESSION: .*"off"\|"zlib"/,
  );
});

test('CODEC_CORS_ORIGINS takes origins, comma-separated, and refuses a URL with a path', () => {
  expect(
    loadApiConfig({ ...minimal, CODEC_CORS_ORIGINS: 'http://localhost:8233, https://temporal.example.com' })
      .codecCorsOrigins,
  ).toEqual(['http://localhost:8233', 'https://temporal.example.com']);
  expect(loadApiConfig(minimal).codecCorsOrigins).toEqual([]);
  expect(() => loadApiConfig({ ...minimal, CODEC_CORS_ORIGINS: 'https://temporal.example.com/ui' })).toThrow(
    /CODEC_CORS_ORIGINS: "https:\/\/temporal.example.com\/ui" is not an origin/,
  );
});
