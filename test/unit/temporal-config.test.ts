import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadCliConfig, loadWorkerConfig } from '../../src/config';
import { resolveTemporalConnection } from '../../src/config-temporal';
import { temporalConnectionOptions } from '../../src/temporal-connection';
import { loadDevConfig } from '../../tools/dev/config';

/**
 * The Temporal connection as Temporal's environment configuration resolves it (`@temporalio/envconfig`):
 * the variables, a TOML profile, the project's deprecated names, and what is refused.
 */
const dir = mkdtempSync(join(tmpdir(), 'temporal-config-'));
const file = (name: string, text = `contents of ${name}`) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const [cert, key, ca] = [file('client.pem'), file('client.key'), file('ca.pem')];

/** Resolves with a warning sink, so a test sees what would be logged. */
function resolve(env: Record<string, string | undefined>) {
  const warnings: string[] = [];
  const config = resolveTemporalConnection(env, { warn: (line) => warnings.push(line) });
  return { config, warnings, options: temporalConnectionOptions(config) };
}

function problemOf(env: Record<string, string | undefined>): string {
  try {
    resolve(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('no ConfigError');
}

test('with nothing configured: the local dev server, namespace default, plain', () => {
  const { config, options, warnings } = resolve({});
  expect(config).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', apiKey: undefined });
  expect(options).toEqual({ address: '127.0.0.1:7233' });
  expect(warnings).toEqual([]);
  expect(loadWorkerConfig({}).temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default' });
});

test("Temporal's variables: address, namespace, an API key (TLS on), gRPC metadata", () => {
  const { config, options } = resolve({
    TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
    TEMPORAL_NAMESPACE: 'ns.acct',
    TEMPORAL_API_KEY: ' key ',
    TEMPORAL_GRPC_META_X_TENANT: 'acme',
  });
  expect(config.namespace).toBe('ns.acct');
  expect(options).toEqual({
    address: 'ns.acct.tmprl.cloud:7233',
    tls: true,
    apiKey: 'key',
    metadata: { 'x-tenant': 'acme' },
  });
});

test('an API key with a private CA and no client certificate: server-only TLS', () => {
  const { options } = resolve({
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_API_KEY: 'key',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  expect(options).toEqual({
    address: 'temporal.internal:7233',
    apiKey: 'key',
    tls: {
      serverRootCACertificate: Buffer.from('contents of ca.pem'),
      serverNameOverride: 'temporal.internal',
    },
  });
});

test('certificates given as data, TLS turned on or off by TEMPORAL_TLS', () => {
  const { options } = resolve({ TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT', TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY' });
  expect(options.tls).toEqual({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
  expect(resolve({ TEMPORAL_TLS: 'true' }).options.tls).toEqual({});
  expect(resolve({ TEMPORAL_API_KEY: 'key', TEMPORAL_TLS: 'false' }).options).toEqual({
    address: '127.0.0.1:7233',
    apiKey: 'key',
  });
});

describe('a TOML profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) as the temporal CLI writes it', () => {
  const toml = file(
    'temporal.toml',
    [
      '[profile.default]',
      'address = "default.internal:7233"',
      '',
      '[profile.prod]',
      'address = "prod.internal:7233"',
      'namespace = "resync"',
      'api_key = "profile-key"',
      '[profile.prod.tls]',
      `server_ca_cert_path = "${ca}"`,
      'server_name = "prod.internal"',
      '[profile.prod.grpc_meta]',
      'x-team = "ats"',
    ].join('\n'),
  );

  test('TEMPORAL_PROFILE picks the profile; without it, the default profile', () => {
    const { options, config } = resolve({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    expect(config.namespace).toBe('resync');
    expect(options).toEqual({
      address: 'prod.internal:7233',
      apiKey: 'profile-key',
      tls: {
        serverRootCACertificate: Buffer.from('contents of ca.pem'),
        serverNameOverride: 'prod.internal',
      },
      metadata: { 'x-team': 'ats' },
    });
    expect(resolve({ TEMPORAL_CONFIG_FILE: toml }).config).toMatchObject({
      address: 'default.internal:7233',
      namespace: 'default',
    });
  });

  test('a variable overrides the profile', () => {
    const { config } = resolve({
      TEMPORAL_CONFIG_FILE: toml,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_NAMESPACE: 'other',
      TEMPORAL_API_KEY: 'env-key',
    });
    expect(config).toMatchObject({ address: 'prod.internal:7233', namespace: 'other', apiKey: 'env-key' });
  });

  test('the CLI and the worker read it too', () => {
    const env = { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' };
    expect(loadCliConfig(env).temporal.address).toBe('prod.internal:7233');
    expect(loadWorkerConfig(env).temporal.apiKey).toBe('profile-key');
  });

  test('a profile that is not there, or a file that is not TOML, is a ConfigError naming it', () => {
    expect(problemOf({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' })).toContain(
      `Temporal profile staging in ${toml}: Profile 'staging' not found`,
    );
    const broken = file('broken.toml', '[profile.default\naddress = ');
    expect(problemOf({ TEMPORAL_CONFIG_FILE: broken })).toContain(`Temporal profile default in ${broken}`);
    expect(problemOf({ TEMPORAL_CONFIG_FILE: file('empty.toml', '') })).toContain(
      'the file has no [profile.<name>] table',
    );
  });

  test('a TEMPORAL_CONFIG_FILE that does not exist is a ConfigError naming it, not the defaults', () => {
    const missing = `${toml}.typo`;
    expect(problemOf({ TEMPORAL_CONFIG_FILE: missing })).toContain(
      `TEMPORAL_CONFIG_FILE (${missing}) is not a file that exists`,
    );
  });

  test('the user temporal.toml is found under HOME, as the CLI finds it', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    mkdirSync(join(home, '.config', 'temporalio'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'temporalio', 'temporal.toml'),
      '[profile.default]\nnamespace = "home"\n',
    );
    expect(resolve({ HOME: home }).config.namespace).toBe('home');
    // The dev launcher's own dev server reads no profile.
    expect(resolveTemporalConnection({ HOME: home }, { configFile: false }).namespace).toBe('default');
    expect(loadDevConfig({ HOME: home }).service.temporal.namespace).toBe('default');
  });
});

describe("the project's former names stay accepted, with a one-line warning", () => {
  test('TEMPORAL_TLS_CERT, _KEY and _CA are the client certificate, its key and the CA', () => {
    const { options, warnings } = resolve({
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_TLS_CA: ca,
    });
    expect(options.tls).toEqual({
      clientCertPair: {
        crt: Buffer.from('contents of client.pem'),
        key: Buffer.from('contents of client.key'),
      },
      serverRootCACertificate: Buffer.from('contents of ca.pem'),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('TEMPORAL_TLS_CERT is deprecated, use TEMPORAL_TLS_CLIENT_CERT_PATH');
    expect(warnings[0]).toContain('TEMPORAL_TLS_CA is deprecated, use TEMPORAL_TLS_SERVER_CA_CERT_PATH');
    expect(warnings[0]).not.toContain('\n');
  });

  test('TEMPORAL_TLS_CA alone (a private CA without a client certificate) is no longer dropped', () => {
    const { options } = resolve({ TEMPORAL_TLS_CA: ca, TEMPORAL_API_KEY: 'key' });
    expect(options.tls).toEqual({ serverRootCACertificate: Buffer.from('contents of ca.pem') });
  });

  test('the same file under both names is accepted; different ones are refused', () => {
    expect(resolve({ TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca }).options.tls).toEqual({
      serverRootCACertificate: Buffer.from('contents of ca.pem'),
    });
    expect(problemOf({ TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_CA_CERT_PATH: cert })).toContain(
      'TEMPORAL_TLS_CA (deprecated) and TEMPORAL_TLS_SERVER_CA_CERT_PATH name different files',
    );
    expect(problemOf({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT' })).toContain(
      'TEMPORAL_TLS_CERT (deprecated) and TEMPORAL_TLS_CLIENT_CERT_DATA',
    );
  });
});

test.each([
  [{ TEMPORAL_TLS_CLIENT_CERT_PATH: cert }, 'a client certificate goes with its key'],
  [{ TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY' }, 'a client certificate goes with its key'],
  [
    { TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca, TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'CA' },
    "TEMPORAL_TLS_SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_CA_CERT_DATA both give the server's CA certificate",
  ],
  [
    { TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca },
    'TLS is turned off (TEMPORAL_TLS=false or tls.disabled = true) yet TEMPORAL_TLS_SERVER_CA_CERT_* is set',
  ],
  [{ TEMPORAL_TLS: 'yes' }, 'TEMPORAL_TLS must be true or false'],
  [{ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }, 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'],
  [
    { TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') },
    `TEMPORAL_TLS_SERVER_CA_CERT_PATH: the server's CA certificate ${join(dir, 'missing.pem')} cannot be read (ENOENT)`,
  ],
])('contradictory or unusable settings are refused: %o', (env, message) => {
  expect(problemOf(env)).toContain(message);
});

test('disable_host_verification in a profile is refused, not silently dropped', () => {
  const toml = file('verify.toml', '[profile.default.tls]\ndisable_host_verification = true\n');
  expect(problemOf({ TEMPORAL_CONFIG_FILE: toml })).toContain('is not supported');
  expect(resolve({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'false' }).options.tls).toEqual({});
});

test('the dev launcher reaches its own dev server plainly, whatever Temporal variables are set', () => {
  const dev = loadDevConfig({ TEMPORAL_API_KEY: 'cloud-key', TEMPORAL_NAMESPACE: 'ns.acct' });
  expect(dev.startTemporal).toBe(true);
  expect(dev.ignoredTemporalVariables).toEqual(['TEMPORAL_API_KEY', 'TEMPORAL_NAMESPACE']);
  expect(temporalConnectionOptions(dev.service.temporal)).toEqual({ address: '127.0.0.1:7233' });
  // A profile names another Temporal: the launcher starts none and connects as the profile says.
  const toml = file('dev.toml', '[profile.cloud]\naddress = "ns.acct.tmprl.cloud:7233"\napi_key = "k"\n');
  const external = loadDevConfig({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' });
  expect(external.startTemporal).toBe(false);
  expect(temporalConnectionOptions(external.service.temporal)).toEqual({
    address: 'ns.acct.tmprl.cloud:7233',
    apiKey: 'k',
    tls: true,
  });
});
