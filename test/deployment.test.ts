/**
 * The deployment files checked without a Docker engine: docker-compose.yml against the Compose
 * Specification's JSON schema and against the code it runs, the Dockerfile against package.json and the
 * build, and the healthcheck commands run for real.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import { isCollection, Pair, parseDocument, Scalar, visit, YAMLMap } from 'yaml';
import { z } from 'zod';
import { DEMO_APPLICATION, DEMO_SAMPLE_JOB_IDS } from '../src/ats/demo-data';
import { loadApiConfig, loadSeedConfig, loadWorkerConfig } from '../src/config';
import { RESYNC_DISPATCH_CONFIG, resolveTemporalCli } from '../tools/dev/temporal-dev-server';
import { SEARCH_ATTRIBUTE_NAMES } from '../src/contract';
import { startDemoSandbox } from '../tools/sandbox/demo-sandbox';
import { until } from './support/eventually';
import { temporalAddress } from './support/temporal';

const ROOT = join(__dirname, '..');
/**
 * Where the images keep their binaries, as their Dockerfiles build them: temporalio/temporal (temporalio/cli
 * at v1.5.1, Dockerfile: Alpine, COPY to /usr/local/bin/temporal, ENTRYPOINT ["temporal"]); temporalio/server
 * and temporalio/admin-tools (go.temporal.io/server@v1.30.4, docker/targets/*.Dockerfile: Alpine with sh,
 * /usr/local/bin/temporal-server and CMD /etc/temporal/entrypoint.sh; /usr/local/bin/{temporal,
 * temporal-sql-tool} and the schema under /etc/temporal/schema).
 */
const TEMPORAL_CLI_IN_IMAGE = '/usr/local/bin/temporal';
const ADMIN_TOOLS_SCHEMA_DIR = '/etc/temporal/schema';
/** The Temporal connection as Temporal's tools read it (@temporalio/envconfig, the `temporal` CLI). */
const TEMPORAL_CONNECTION = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
];
const run = promisify(execFile);
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The services that run our image, each with the loader of its process (src/config.ts). */
const LOADERS = { api: loadApiConfig, worker: loadWorkerConfig, seed: loadSeedConfig } as const;
const APP_SERVICES = Object.keys(LOADERS) as Array<keyof typeof LOADERS>;

// ---- docker-compose.yml ----

const Service = z.object({
  image: z.string().optional(),
  build: z.union([z.string(), z.object({ context: z.string(), target: z.string() })]).optional(),
  entrypoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  // A name without a value (null) passes the shell's or .env's value through.
  environment: z.record(z.string(), z.string().nullable()).optional(),
  volumes: z.array(z.string()).optional(),
  profiles: z.array(z.string()).optional(),
  ports: z.array(z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: z.array(z.string()) }).optional(),
  restart: z.string().optional(),
});
type Service = z.infer<typeof Service>;
const ComposeFile = z.object({ services: z.record(z.string(), Service) });

/** Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` and `$$`; nothing else. */
function interpolate(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') {
    const out = value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
      (
        match: string,
        name: string | undefined,
        colon: string | undefined,
        op: string | undefined,
        arg: string | undefined,
      ) => {
        if (match === '$$') return '\u0000';
        const current = env[name ?? ''];
        const unset = colon === ':' ? !current : current === undefined;
        if (op === '-') return unset ? (arg ?? '') : (current ?? '');
        if (op === '?' && unset) throw new Error(`${name} is required: ${arg}`);
        return current ?? '';
      },
    );
    if (out.includes('$')) throw new Error(`unsupported interpolation in ${value}`);
    return out.replaceAll('\u0000', '$');
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env)]));
  }
  return value;
}

/** Compose's `!override` tag (this value replaces what the files before said), kept through parsing as a marker. */
const OVERRIDE = '\u0000override';

function overridden(value: unknown): { value: unknown } | undefined {
  return typeof value === 'object' && value !== null && OVERRIDE in value
    ? { value: (value as Record<string, unknown>)[OVERRIDE] }
    : undefined;
}

/** The file as compose reads it alone: `!override` markers dropped. */
function withoutMarkers(value: unknown): unknown {
  const marked = overridden(value);
  if (marked) return withoutMarkers(marked.value);
  if (Array.isArray(value)) return value.map(withoutMarkers);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutMarkers(item)]));
  }
  return value;
}

/**
 * Compose's merge of an override file (`-f docker-compose.yml -f docker-compose.sandbox.yml`): mappings
 * merged key by key (environment, depends_on …), `ports` and `volumes` added to, any other value replaced,
 * and a value tagged `!override` replacing the earlier one whole.
 */
function mergeCompose(base: unknown, override: unknown, key = ''): unknown {
  const marked = overridden(override);
  if (marked) return withoutMarkers(marked.value);
  if (Array.isArray(base) && Array.isArray(override)) {
    return key === 'ports' || key === 'volumes'
      ? [...new Set([...(base as unknown[]), ...(override as unknown[])])]
      : override;
  }
  const isMapping = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isMapping(base) && isMapping(override)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [name, value] of Object.entries(override)) {
      merged[name] = name in base ? mergeCompose(base[name], value, name) : value;
    }
    return merged;
  }
  return override;
}

/** A compose file as compose parses it: YAML merge keys (`<<: *anchor`) resolved, `!override` marked. */
function parseCompose(file: string): unknown {
  const doc = parseDocument(read(file), { merge: true });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  visit(doc, {
    Collection(_key, node) {
      if (!isCollection(node) || node.tag !== '!override') return undefined;
      delete node.tag;
      const marker = new YAMLMap();
      marker.add(new Pair(new Scalar(OVERRIDE), node));
      return marker;
    },
  });
  return doc.toJS();
}

const rawCompose: unknown = parseCompose('docker-compose.yml');
const rawSandbox: unknown = parseCompose('docker-compose.sandbox.yml');
const rawProduction: unknown = parseCompose('docker-compose.production.yml');
const rawCloud: unknown = parseCompose('docker-compose.cloud.yml');
/**
 * What docs/operations.md tells an operator to set: compose refuses to start without them. Made as the
 * docs make them (`openssl rand -hex …`): a production API refuses a secret written in the repository.
 */
const REQUIRED_SETTINGS = {
  LINKEDIN_WEBHOOK_SECRETS: randomBytes(32).toString('hex'),
  LINKEDIN_PARENT_APPLICATION_ID: '10000',
  POSTGRES_PASSWORD: randomBytes(16).toString('hex'),
};
/** What docker-compose.production.yml adds (docs/temporal-production.md). */
const PRODUCTION_SETTINGS = { TEMPORAL_POSTGRES_PASSWORD: randomBytes(16).toString('hex') };
/** What docker-compose.cloud.yml adds: where Temporal Cloud is. */
const CLOUD_SETTINGS = {
  TEMPORAL_ADDRESS: 'resync.a1b2c.tmprl.cloud:7233',
  TEMPORAL_NAMESPACE: 'resync.a1b2c',
};
type Stack = z.infer<typeof ComposeFile>;
/** The services compose starts: none in a profile, as no profile is enabled. */
function started(stack: Stack): Stack {
  const services = Object.entries(stack.services).filter(([, { profiles = [] }]) => profiles.length === 0);
  return { services: Object.fromEntries(services) };
}
/** docker-compose.yml with the given files over it, on a machine that sets only the required settings. */
function stackOf(overrides: unknown[], settings: Record<string, string> = {}): Stack {
  const env = { ...REQUIRED_SETTINGS, ...settings };
  const merged = overrides.reduce<unknown>(
    (stack, override) => mergeCompose(stack, interpolate(override, env)),
    interpolate(rawCompose, env),
  );
  return started(ComposeFile.parse(merged));
}
/** As compose would run it on a machine that sets only the required settings: every other default applies. */
const compose = stackOf([]);
/** The demo: docker-compose.yml with docker-compose.sandbox.yml over it. */
const sandboxStack = stackOf([rawSandbox]);
/** Temporal's server on PostgreSQL: docker-compose.yml with docker-compose.production.yml over it. */
const productionStack = stackOf([rawProduction], PRODUCTION_SETTINGS);
/** Temporal Cloud: docker-compose.yml with docker-compose.cloud.yml over it. */
const cloudStack = stackOf([rawCloud], CLOUD_SETTINGS);
const STACKS = {
  default: compose,
  sandbox: sandboxStack,
  production: productionStack,
  'production demo': stackOf([rawProduction, rawSandbox], PRODUCTION_SETTINGS),
  cloud: cloudStack,
} as const;

function service(name: string, stack: Stack = compose): Service {
  const found = stack.services[name];
  if (found === undefined) throw new Error(`the stack has no service ${name}`);
  return found;
}

/** The variables a service sets (those passed through from the shell are unset here, as on a bare machine). */
function environmentOf(name: string, stack: Stack = compose): Record<string, string> {
  const environment = service(name, stack).environment;
  if (environment === undefined) throw new Error(`service ${name} sets no environment`);
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}

/** The variables a service passes through from the shell or .env (named without a value). */
function passedThrough(name: string, stack: Stack = compose): string[] {
  return Object.entries(service(name, stack).environment ?? {})
    .filter(([, value]) => value === null)
    .map(([variable]) => variable);
}

/** `published:target` pairs of a service's ports. */
function portsOf(name: string, stack: Stack = compose): Array<{ published: number; target: number }> {
  return (service(name, stack).ports ?? []).map((port) => {
    const match = /^(?:[\d.]+:)?(\d+):(\d+)$/.exec(port);
    if (!match) throw new Error(`unexpected port syntax ${port}`);
    return { published: Number(match[1]), target: Number(match[2]) };
  });
}

function composeSchema(): Record<string, unknown> {
  const file = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  const schema = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(file, 'utf8')));
  expect(schema.title).toBe('Compose Specification');
  // The file names draft-07 by an https address Ajv does not know; Ajv's default dialect is draft-07.
  expect(schema.$schema).toMatch(/draft-07/);
  delete schema.$schema;
  return schema;
}

describe('docker-compose.yml', () => {
  // The schema was written for lenient validators: union types and untyped keywords throughout.
  const validate = new Ajv({ allErrors: true, strict: false }).compile(composeSchema());

  test('every compose file is valid under the Compose Specification schema, alone and over docker-compose.yml', () => {
    const overrides = [rawSandbox, rawProduction, rawCloud];
    const files = [
      rawCompose,
      ...overrides.map(withoutMarkers),
      ...overrides.map((override) => mergeCompose(rawCompose, override)),
      mergeCompose(mergeCompose(rawCompose, rawProduction), rawSandbox),
    ];
    for (const file of files) {
      const valid = validate(file);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    }
  });

  test('the schema check rejects what compose would refuse', () => {
    const doc = z
      .looseObject({ services: z.looseObject({ api: z.looseObject({}) }) })
      .parse(structuredClone(rawCompose));
    const withApi = (api: Record<string, unknown>) => ({
      ...doc,
      services: { ...doc.services, api: { ...doc.services.api, ...api } },
    });
    expect(validate(withApi({}))).toBe(true);
    expect(validate(withApi({ depends_on: { temporal: { condition: 'healthy' } } }))).toBe(false);
    expect(validate(withApi({ port: ['3000:3000'] }))).toBe(false);
  });

  test.each(Object.entries(STACKS))(
    'every dependency of the %s stack names a service that can meet its condition',
    (_stack, stack) => {
      for (const [name, { depends_on: dependsOn = {} }] of Object.entries(stack.services)) {
        for (const [target, { condition }] of Object.entries(dependsOn)) {
          const dependency = stack.services[target];
          expect({ name, target, exists: dependency !== undefined }).toEqual({ name, target, exists: true });
          if (condition === 'service_healthy') expect(dependency?.healthcheck).toBeDefined();
          // A one-shot must not be restarted, or "completed" never comes.
          if (condition === 'service_completed_successfully') expect(dependency?.restart).toBeUndefined();
        }
      }
      for (const name of ['api', 'worker']) {
        expect(service(name, stack).depends_on?.postgres?.condition).toBe('service_healthy');
      }
    },
  );

  test.each([
    ['default', compose, ['api', 'postgres', 'temporal', 'worker']],
    [
      'production',
      productionStack,
      [
        'api',
        'postgres',
        'temporal',
        'temporal-postgres',
        'temporal-schema',
        'temporal-setup',
        'temporal-ui',
        'worker',
      ],
    ],
    ['cloud', cloudStack, ['api', 'postgres', 'worker']],
  ] as const)(
    'the %s stack runs no seed: no demo application, no process told it is in development',
    (_name, stack, services) => {
      for (const [name, { command = [], depends_on: dependsOn = {}, environment = {} }] of Object.entries(
        stack.services,
      )) {
        expect({ name, seeds: command.some((arg) => arg.includes('seed')) }).toEqual({ name, seeds: false });
        expect({ name, after: Object.keys(dependsOn).filter((target) => target.includes('seed')) }).toEqual({
          name,
          after: [],
        });
        expect({ name, NODE_ENV: environment.NODE_ENV }).toEqual({ name, NODE_ENV: undefined });
      }
      expect(Object.keys(stack.services).sort()).toEqual(services);
      // It calls LinkedIn itself, over https.
      expect(loadWorkerConfig(environmentOf('worker', stack)).linkedin).toEqual({
        apiUrl: 'https://api.linkedin.com',
        tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
      });
    },
  );

  test('the sandbox stack seeds the demo before the api and worker, in development, and only the seed is', () => {
    expect(service('api', sandboxStack).depends_on?.seed?.condition).toBe('service_completed_successfully');
    expect(service('worker', sandboxStack).depends_on?.seed?.condition).toBe(
      'service_completed_successfully',
    );
    expect(service('seed', sandboxStack).depends_on?.postgres?.condition).toBe('service_healthy');
    expect(service('seed', sandboxStack).command).toEqual(['node', 'dist/ats/seed-main.js']);
    expect(loadSeedConfig(environmentOf('seed', sandboxStack)).development).toBe(true);
    // The api stays a production process: the demo applications' published secrets sign nothing there.
    expect(loadApiConfig(environmentOf('api', sandboxStack)).development).toBe(false);
    for (const name of ['api', 'worker']) {
      expect(environmentOf(name, sandboxStack).NODE_ENV).toBeUndefined();
    }
  });

  test.each(Object.entries(STACKS))(
    'the api, worker (and seed) of the %s stack each get a configuration their process accepts, pointing at the compose services',
    (stackName, stack) => {
      const api = loadApiConfig(environmentOf('api', stack));
      const worker = loadWorkerConfig(environmentOf('worker', stack));
      const seed = stack.services.seed ? [loadSeedConfig(environmentOf('seed', stack))] : [];
      const temporal = stackName === 'cloud' ? CLOUD_SETTINGS.TEMPORAL_ADDRESS : 'temporal:7233';
      for (const config of [api, worker]) expect(config.temporal.address).toBe(temporal);
      for (const config of [api, worker, ...seed]) {
        expect(new URL(config.databaseUrl ?? 'missing:').host).toBe('postgres:5432');
      }
      if (stackName === 'sandbox') {
        const sandboxPort = environmentOf('sandbox', stack).SANDBOX_PORT;
        expect(worker.linkedin.apiUrl).toBe(`http://sandbox:${sandboxPort}`);
        expect(worker.linkedin.tokenUrl).toBe(`http://sandbox:${sandboxPort}/oauth/v2/accessToken`);
        expect(environmentOf('seed', stack).LINKEDIN_WEBHOOK_SECRETS).toBeUndefined();
      }
      expect(api.webhookSecrets).toEqual([REQUIRED_SETTINGS.LINKEDIN_WEBHOOK_SECRETS]);
      expect(api.parentApplicationId).toBe(REQUIRED_SETTINGS.LINKEDIN_PARENT_APPLICATION_ID);
      // The worker signs nothing: the secrets that sign notifications stay with the api.
      expect(environmentOf('worker', stack).LINKEDIN_WEBHOOK_SECRETS).toBeUndefined();
      const postgres = environmentOf('postgres', stack);
      const database = new URL(environmentOf('api', stack).DATABASE_URL ?? '');
      expect(decodeURIComponent(database.username)).toBe(postgres.POSTGRES_USER);
      expect(decodeURIComponent(database.password)).toBe(postgres.POSTGRES_PASSWORD);
      expect(database.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    },
  );

  test.each(Object.entries(STACKS))(
    'every variable given to the app services of the %s stack is one its process reads',
    (_stack, stack) => {
      // A name the loader does not know is dropped silently; a known one fails or changes the result.
      for (const name of APP_SERVICES.filter((candidate) => stack.services[candidate] !== undefined)) {
        const load = LOADERS[name];
        const environment = environmentOf(name, stack);
        const config = load(environment);
        for (const variable of Object.keys(environment)) {
          let changed: unknown;
          try {
            changed = load({ ...environment, [variable]: 'not-a-value-of-this-variable' });
          } catch {
            continue;
          }
          expect({ name, variable, read: JSON.stringify(changed) !== JSON.stringify(config) }).toEqual({
            name,
            variable,
            read: true,
          });
        }
      }
    },
  );

  test.each(Object.entries(STACKS))(
    'every variable the app services of the %s stack pass through from the shell is one their process reads',
    (_stack, stack) => {
      // Passed through without a value (Temporal's connection names, read by envconfig outside zod): given
      // one, the loader must fail on it or change its result.
      for (const name of APP_SERVICES.filter((candidate) => stack.services[candidate] !== undefined)) {
        const load = LOADERS[name];
        const environment = environmentOf(name, stack);
        const config = JSON.stringify(load(environment));
        for (const variable of passedThrough(name, stack)) {
          let read: boolean;
          try {
            read =
              JSON.stringify(load({ ...environment, [variable]: 'not-a-value-of-this-variable' })) !== config;
          } catch {
            read = true;
          }
          expect({ name, variable, read }).toEqual({ name, variable, read: true });
        }
      }
    },
  );

  test('has no default for any secret or password: compose refuses to start without each', () => {
    for (const name of Object.keys(REQUIRED_SETTINGS)) {
      const others = Object.fromEntries(Object.entries(REQUIRED_SETTINGS).filter(([key]) => key !== name));
      expect(() => interpolate(rawCompose, others)).toThrow(`${name} is required`);
    }
    expect(() => interpolate(rawSandbox, { ...REQUIRED_SETTINGS, POSTGRES_PASSWORD: undefined })).toThrow(
      'POSTGRES_PASSWORD is required',
    );
    expect(() => interpolate(rawProduction, REQUIRED_SETTINGS)).toThrow(
      'TEMPORAL_POSTGRES_PASSWORD is required',
    );
    for (const name of Object.keys(CLOUD_SETTINGS)) {
      expect(() => interpolate(rawCloud, { ...CLOUD_SETTINGS, [name]: undefined })).toThrow(
        `${name} is required`,
      );
    }
    const files = ['', '.sandbox', '.production', '.cloud'].map((kind) => read(`docker-compose${kind}.yml`));
    const references = [...files.join('\n').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g)];
    const secretReferences = references.filter(([, name]) =>
      /SECRET|PASSWORD|TOKEN|API_KEY/.test(name ?? ''),
    );
    expect(secretReferences.length).toBeGreaterThanOrEqual(6);
    for (const [reference, , operator] of secretReferences) {
      expect({ reference, required: operator?.startsWith(':?') }).toEqual({ reference, required: true });
    }
    const operations = read('docs/operations.md');
    for (const name of Object.keys(REQUIRED_SETTINGS)) expect(operations).toMatch(new RegExp(`${name}=`));
    const production = read('docs/temporal-production.md');
    for (const name of Object.keys(PRODUCTION_SETTINGS)) expect(production).toMatch(new RegExp(`${name}=`));
  });

  test.each(Object.entries(STACKS))(
    'the %s stack publishes only the webhook beyond this machine: Temporal, the sandbox and the metrics on 127.0.0.1',
    (_stack, stack) => {
      for (const [name, { ports = [] }] of Object.entries(stack.services)) {
        for (const port of ports) {
          const loopback = port.startsWith('127.0.0.1:');
          expect({ name, port, loopback }).toEqual({ name, port, loopback: name !== 'api' });
        }
      }
    },
  );

  test("serves the API's metrics on a port of their own, published to no host port", () => {
    const config = loadApiConfig(environmentOf('api'));
    expect(config.apiMetrics.port).not.toBe(config.port);
    expect(config.apiMetrics.host).toBe('0.0.0.0');
    expect(portsOf('api')).toEqual([{ published: 3000, target: config.port }]);
  });

  test("publishes the worker's metrics, which listen beyond the worker's container", () => {
    const config = loadWorkerConfig(environmentOf('worker'));
    expect(config.workerMetricsHost).toBe('0.0.0.0');
    expect(portsOf('worker')).toEqual([{ published: 9464, target: config.workerMetricsPort }]);
    // The api and the seed serve no worker metrics: they keep the loopback default.
    expect(environmentOf('api').WORKER_METRICS_HOST).toBeUndefined();
  });

  test('publishes the documented operator ports: API 3000, Temporal gRPC 7233, Web UI 8233', () => {
    const configuration = read('docs/configuration.md');
    const readme = read('README.md');
    const apiPort = loadApiConfig(environmentOf('api')).port;
    expect(configuration).toMatch(new RegExp(`\\|\\s*\`PORT\`\\s*\\|\\s*${apiPort}\\s*\\|`));
    expect(portsOf('api')).toEqual([{ published: 3000, target: apiPort }]);
    expect(configuration).toMatch(/\|\s*`TEMPORAL_ADDRESS`\s*\|\s*127\.0\.0\.1:7233\s*\|/);
    expect(readme).toContain('http://localhost:8233');
    expect(portsOf('temporal')).toEqual(
      expect.arrayContaining([
        { published: 7233, target: 7233 },
        { published: 8233, target: 8233 },
      ]),
    );
  });

  test('the Temporal dev server listens beyond its container and knows the search attributes', () => {
    const command = service('temporal').command ?? [];
    expect(command.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(command[command.indexOf('--ip') + 1]).toBe('0.0.0.0');
    const attributes = command.filter((_, index) => command[index - 1] === '--search-attribute');
    expect(attributes.sort()).toEqual(SEARCH_ATTRIBUTE_NAMES.map((name) => `${name}=Keyword`).sort());
  });

  test('the Temporal dev server dispatches as `npm run dev` has it: by priority and fairness key, into one write partition', () => {
    const command = service('temporal').command ?? [];
    const values = command.filter((_, index) => command[index - 1] === '--dynamic-config-value');
    for (const [key, value] of Object.entries(RESYNC_DISPATCH_CONFIG))
      expect(values).toContain(`${key}=${JSON.stringify(value)}`);
    // Its read partitions stay Temporal's, as Temporal lowers partitions (the write partitions first): the
    // tasks a volume upgraded with a backlog holds in the others are still read (test/dispatch-order.test.ts).
    expect(values.filter((value) => value.startsWith('matching.numTaskqueueReadPartitions='))).toEqual([]);
  });

  test('the Temporal healthcheck runs the binary where the image has it, and passes only against a serving server', async () => {
    // temporalio/temporal at the version setup.mjs builds the CLI from: its Dockerfile (temporalio/cli at
    // v1.5.1) copies the binary to /usr/local/bin/temporal on Alpine, entrypoint `temporal`.
    const cliVersion = /cli\/cmd\/temporal@v(\d+\.\d+\.\d+)/.exec(read('scripts/setup.mjs'))?.[1];
    expect(service('temporal').image).toBe(`temporalio/temporal:${cliVersion}`);
    const [kind, binary, ...args] = service('temporal').healthcheck?.test ?? [];
    expect([kind, binary]).toEqual(['CMD', TEMPORAL_CLI_IN_IMAGE]);
    const addressAt = args.indexOf('--address') + 1;
    expect(args[addressAt]).toBe('127.0.0.1:7233');
    const cli = resolveTemporalCli(ROOT, process.env);
    const withAddress = (address: string) => args.map((arg, index) => (index === addressAt ? address : arg));
    await run(cli, withAddress(temporalAddress()), { timeout: 30_000 });
    const closed = await closedPort();
    await expect(run(cli, withAddress(`127.0.0.1:${closed}`), { timeout: 30_000 })).rejects.toThrow();
  });

  test("the dev server's state survives a restart: its command, run twice on one file, keeps a running workflow", async () => {
    const command = service('temporal').command ?? [];
    const dbFile = command[command.indexOf('--db-filename') + 1] ?? '';
    // The file is on the named volume, in the image user's home (a fresh volume takes that directory's owner).
    expect(dbFile.startsWith('/home/temporal/')).toBe(true);
    expect(service('temporal').volumes).toEqual([`temporal-data:/home/temporal`]);
    const cli = resolveTemporalCli(ROOT, process.env);
    const home = mkdtempSync(join(tmpdir(), 'dev-server-'));
    const port = await closedPort();
    const address = `127.0.0.1:${port}`;
    // The compose command as it is, on this machine: loopback, a file of its own, free ports.
    const args = command.map((arg, index) => {
      if (command[index - 1] === '--ip') return '127.0.0.1';
      if (command[index - 1] === '--db-filename') return join(home, 'temporal.db');
      return arg;
    });
    const env = { PATH: process.env.PATH ?? '', HOME: home };
    const start = async () => {
      const child = spawn(cli, [...args, '--port', String(port), '--headless', '--log-level', 'error'], {
        env,
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await until(
        () =>
          run(cli, ['operator', 'cluster', 'health', '--address', address], { env }).then(
            () => true,
            () => false,
          ),
        'the dev server serves',
        30_000,
      );
      return async () => {
        child.kill('SIGTERM');
        await exited;
      };
    };
    let stop = await start();
    try {
      await run(
        cli,
        [
          ...['workflow', 'start', '--address', address, '--type', 'resyncJobs', '--task-queue', 'nobody'],
          ...['--workflow-id', 'survives-a-restart'],
        ],
        { env },
      );
      await stop();
      stop = await start();
      const { stdout } = await run(
        cli,
        ['workflow', 'describe', '--address', address, '--workflow-id', 'survives-a-restart', '-o', 'json'],
        { env },
      );
      expect(stdout).toContain('WORKFLOW_EXECUTION_STATUS_RUNNING');
      const listed = await run(cli, ['operator', 'search-attribute', 'list', '--address', address], { env });
      for (const name of SEARCH_ATTRIBUTE_NAMES) expect(listed.stdout).toContain(name);
    } finally {
      await stop();
    }
  });

  test.each([
    ['api', 'PORT', '/healthz'],
    ['worker', 'WORKER_METRICS_PORT', '/readyz'],
  ])('the %s healthcheck passes only while its probe answers 200', async (name, portVariable, path) => {
    const [kind, ...command] = service(name).healthcheck?.test ?? [];
    expect(kind).toBe('CMD');
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain(`process.env.${portVariable}`);
    const probe = async (port: number) => {
      const [, ...args] = command;
      try {
        await run(process.execPath, args, {
          env: { ...process.env, [portVariable]: String(port) },
          timeout: 15_000,
        });
        return 'healthy';
      } catch {
        return 'unhealthy';
      }
    };
    for (const status of [200, 503]) {
      const server = await listen((url) => (url === path ? status : 404));
      try {
        expect(await probe(portOf(server))).toBe(status === 200 ? 'healthy' : 'unhealthy');
      } finally {
        await new Promise((done) => server.close(done));
      }
    }
    expect(await probe(await closedPort())).toBe('unhealthy');
    // Without the variable (as in compose) the probe asks the port the process listens on by default.
    const defaultPort =
      name === 'api'
        ? loadApiConfig(environmentOf('api')).port
        : loadWorkerConfig(environmentOf('worker')).workerMetricsPort;
    expect(command[2]).toContain(`|| ${defaultPort})`);
  });

  test.each(Object.entries(STACKS))(
    'the %s stack passes the Temporal connection, by Temporal’s own names, and the deadline to the api and the worker',
    (_stack, stack) => {
      for (const name of ['api', 'worker']) {
        const environment = service(name, stack).environment ?? {};
        for (const variable of TEMPORAL_CONNECTION) {
          expect({ name, variable, given: variable in environment }).toEqual({ name, variable, given: true });
        }
        expect(environmentOf(name, stack).RESYNC_DEADLINE).toBe('30m');
        // Nothing of the old hand-mapped names.
        expect(Object.keys(environment).filter((v) => /^TEMPORAL_TLS_(CERT|KEY|CA)$/.test(v))).toEqual([]);
      }
      expect(passedThrough('api', stack)).toContain('ADMIN_TOKEN');
      expect(passedThrough('worker', stack)).not.toContain('ADMIN_TOKEN');
    },
  );

  test('every service built from this project runs a file its image builds: the service, or the sandbox tool', () => {
    for (const [name, { build, command }] of Object.entries(sandboxStack.services)) {
      if (build === undefined) continue;
      // The default target is the production image; the sandbox alone is built from the tools' target.
      const target = typeof build === 'string' ? undefined : build.target;
      expect(typeof build === 'string' ? build : build.context).toBe('.');
      expect({ name, target }).toEqual({ name, target: name === 'sandbox' ? 'sandbox' : undefined });
      const source = target === undefined ? sourceOfEntry(command ?? []) : sourceOfToolEntry(command ?? []);
      expect({ name, builtFromSource: source !== undefined }).toEqual({ name, builtFromSource: true });
    }
    expect(sourceOfToolEntry(service('sandbox', sandboxStack).command ?? [])).toBe('tools/sandbox/main.ts');
    expect(scripts().sandbox).toBe(
      'node scripts/build-if-stale.mjs tools && node dist-tools/tools/sandbox/main.js',
    );
  });
});

// ---- docker-compose.production.yml and docker-compose.cloud.yml ----

/** `host:container[:ro]` of a bind mount; the host side relative to the project. */
function mountOf(name: string, target: string, stack: Stack): string | undefined {
  const volume = (service(name, stack).volumes ?? []).find((v) => v.split(':')[1] === target);
  return volume?.split(':')[0];
}

/** The variables a template reads with sprig's `env "NAME"`. */
function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/env "([A-Z0-9_]+)"/g)].map((match) => match[1] ?? ''))].sort();
}

describe('docker-compose.production.yml: the configuration test/production-temporal.test.ts runs', () => {
  const serverVersion = /TEMPORAL_SERVER_VERSION = 'v(\d+\.\d+\.\d+)'/.exec(read('scripts/setup.mjs'))?.[1];
  const deployDir = '/etc/temporal/deploy';

  test('the server and admin tools are the version setup.mjs builds for the test, the Web UI a service of its own', () => {
    expect(serverVersion).toBe('1.30.4');
    expect(service('temporal', productionStack).image).toBe(`temporalio/server:${serverVersion}`);
    for (const name of ['temporal-schema', 'temporal-setup']) {
      expect(service(name, productionStack).image).toBe(`temporalio/admin-tools:${serverVersion}`);
    }
    expect(service('temporal-ui', productionStack).image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(environmentOf('temporal-ui', productionStack).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(portsOf('temporal-ui', productionStack)).toEqual([{ published: 8233, target: 8080 }]);
    // The dev server's command, ports and volume are gone: replaced whole, not merged.
    const temporal = service('temporal', productionStack);
    expect(temporal.command).toBeUndefined();
    expect(portsOf('temporal', productionStack)).toEqual([{ published: 7233, target: 7233 }]);
    expect(temporal.healthcheck).toBeUndefined();
  });

  test('the server reads deploy/temporal/server.yaml, given every variable the file requires', () => {
    expect(mountOf('temporal', deployDir, productionStack)).toBe('./deploy/temporal');
    const environment = environmentOf('temporal', productionStack);
    const file = environment.TEMPORAL_SERVER_CONFIG_FILE_PATH ?? '';
    expect(file).toBe(`${deployDir}/server.yaml`);
    const template = read('deploy/temporal/server.yaml');
    expect(template.split('\n').slice(0, 3).join('\n')).toContain('# enable-template');
    const required = [...template.matchAll(/fail "([A-Z0-9_]+) is required"/g)].map((m) => m[1] ?? '');
    expect(required.sort()).toEqual(['TEMPORAL_DB_HOST', 'TEMPORAL_DB_PASSWORD']);
    for (const variable of required) expect(environment[variable]).toBeTruthy();
    // Every TEMPORAL_ variable compose gives the server is one the file reads (or the file's own path).
    const read_ = templateVariables(template);
    for (const variable of Object.keys(environment).filter((v) => v !== 'TEMPORAL_SERVER_CONFIG_FILE_PATH')) {
      expect({ variable, read: read_.includes(variable) }).toEqual({ variable, read: true });
    }
    expect(environment.TEMPORAL_DB_HOST).toBe('temporal-postgres');
    expect(environment.TEMPORAL_DB_PASSWORD).toBe(PRODUCTION_SETTINGS.TEMPORAL_POSTGRES_PASSWORD);
    expect(environmentOf('temporal-postgres', productionStack).POSTGRES_USER).toBe(
      environment.TEMPORAL_DB_USER,
    );
  });

  test('dispatch by priority is one setting away: the file the server is then given holds the dev server’s values and drains what waits', () => {
    // Off as shipped; TEMPORAL_DYNAMIC_CONFIG_FILE names the mounted file (server.yaml reads it).
    expect(environmentOf('temporal', productionStack).TEMPORAL_DYNAMIC_CONFIG_FILE ?? '').toBe('');
    const turnedOn = stackOf([rawProduction], {
      ...PRODUCTION_SETTINGS,
      TEMPORAL_DYNAMIC_CONFIG_FILE: `${deployDir}/dispatch-by-priority.yaml`,
    });
    expect(environmentOf('temporal', turnedOn).TEMPORAL_DYNAMIC_CONFIG_FILE).toBe(
      `${deployDir}/dispatch-by-priority.yaml`,
    );
    expect(read('deploy/temporal/server.yaml')).toMatch(
      /dynamicConfigClient:\n\s+filepath: \{\{ env "TEMPORAL_DYNAMIC_CONFIG_FILE" \| quote \}\}/,
    );
    const file = z
      .record(z.string(), z.array(z.object({ value: z.unknown() }).strict()))
      .parse(parseDocument(read('deploy/temporal/dispatch-by-priority.yaml')).toJS());
    const values = Object.fromEntries(Object.entries(file).map(([key, [setting]]) => [key, setting?.value]));
    expect(values).toEqual({
      ...RESYNC_DISPATCH_CONFIG,
      // Fairness keeps its backlog in tables of its own: what waited before is read from the old ones
      // (test/production-dispatch.test.ts).
      'matching.enableMigration': true,
    });
  });

  test('the schema is made by deploy/temporal/setup-schema.sh with the admin tools’ SQL tool and schema files', () => {
    const schema = service('temporal-schema', productionStack);
    expect(mountOf('temporal-schema', deployDir, productionStack)).toBe('./deploy/temporal');
    expect([...(schema.entrypoint ?? []), ...(schema.command ?? [])]).toEqual([
      '/bin/sh',
      `${deployDir}/setup-schema.sh`,
    ]);
    const environment = environmentOf('temporal-schema', productionStack);
    expect(environment.TEMPORAL_SCHEMA_DIR).toBe(ADMIN_TOOLS_SCHEMA_DIR);
    expect(environment.TEMPORAL_SQL_TOOL ?? 'temporal-sql-tool').toBe('temporal-sql-tool');
    expect(environment.SQL_HOST).toBe('temporal-postgres');
    expect(environment.SQL_PASSWORD).toBe(PRODUCTION_SETTINGS.TEMPORAL_POSTGRES_PASSWORD);
    // The steps Temporal's admin tools run, for both databases, from the module's own schema layout.
    const script = read('deploy/temporal/setup-schema.sh');
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d "$versioned"']) {
      expect(script).toContain(`"$tool" --db "$database" ${step}`);
    }
    expect(script).toContain('"$schema/temporal/versioned"');
    expect(script).toContain('"$schema/visibility/versioned"');
    expect(script).toContain('/postgresql/v12"');
    expect(service('temporal', productionStack).depends_on?.['temporal-schema']?.condition).toBe(
      'service_completed_successfully',
    );
  });

  test('the namespace and the three search attributes are registered by deploy/temporal/setup-namespace.sh before the api and worker start', () => {
    const setup = service('temporal-setup', productionStack);
    expect([...(setup.entrypoint ?? []), ...(setup.command ?? [])]).toEqual([
      '/bin/sh',
      `${deployDir}/setup-namespace.sh`,
    ]);
    const environment = environmentOf('temporal-setup', productionStack);
    expect(environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    // The namespace it makes is the one the api and worker use.
    expect(environment.TEMPORAL_NAMESPACE).toBe(environmentOf('api', productionStack).TEMPORAL_NAMESPACE);
    const script = read('deploy/temporal/setup-namespace.sh');
    const attributes = /^SEARCH_ATTRIBUTES="([^"]*)"$/m.exec(script)?.[1]?.split(' ') ?? [];
    expect(attributes.sort()).toEqual(SEARCH_ATTRIBUTE_NAMES.map((name) => `${name}=Keyword`).sort());
    // It waits with the same check the dev server's healthcheck runs.
    expect(script).toContain('operator cluster health --address "$address"');
    for (const name of ['api', 'worker']) {
      expect(service(name, productionStack).depends_on).toEqual({
        'temporal-setup': { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
      });
    }
  });

  test('tools/temporal/production-server.ts runs the same files as processes', () => {
    const support = read('tools/temporal/production-server.ts');
    for (const file of [
      "'setup-schema.sh'",
      "'setup-namespace.sh'",
      "'server.yaml'",
      'TEMPORAL_SERVER_CONFIG_FILE_PATH',
    ]) {
      expect(support).toContain(file);
    }
    expect(support).toContain("join(ROOT, 'deploy', 'temporal')");
  });
});

describe('docker-compose.cloud.yml', () => {
  test('starts no Temporal and points the api and worker at TEMPORAL_ADDRESS, with the credentials mounted read-only', () => {
    expect(cloudStack.services.temporal).toBeUndefined();
    for (const name of ['api', 'worker']) {
      expect(environmentOf(name, cloudStack).TEMPORAL_ADDRESS).toBe(CLOUD_SETTINGS.TEMPORAL_ADDRESS);
      expect(environmentOf(name, cloudStack).TEMPORAL_NAMESPACE).toBe(CLOUD_SETTINGS.TEMPORAL_NAMESPACE);
      expect(service(name, cloudStack).volumes).toEqual(['./certs:/run/temporal:ro']);
      expect(Object.keys(service(name, cloudStack).depends_on ?? {})).toEqual(['postgres']);
    }
  });
});

// ---- Dockerfile ----

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with continuation lines joined; comments (and parser directives) left out. */
function dockerfile(): Instruction[][] {
  const lines = read('Dockerfile')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)?.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

function scripts(): Record<string, string | undefined> {
  return z.object({ scripts: z.record(z.string(), z.string()) }).parse(JSON.parse(read('package.json')))
    .scripts;
}

/** `node dist/x.js` → `src/x.ts`, when tsconfig.build.json compiles that file; undefined otherwise. */
function sourceOfEntry(command: readonly string[]): string | undefined {
  const [program, entry] = command;
  const match = /^dist\/(.+)\.js$/.exec(entry ?? '');
  if (program !== 'node' || !match) return undefined;
  const build = z
    .object({ compilerOptions: z.object({ rootDir: z.string(), outDir: z.string() }) })
    .parse(JSON.parse(read('tsconfig.build.json')));
  expect(build.compilerOptions).toEqual({ rootDir: 'src', outDir: 'dist' });
  const source = `src/${match[1]}.ts`;
  return existsSync(join(ROOT, source)) ? source : undefined;
}

/** `node dist-tools/tools/x.js` → `tools/x.ts`, when tools/tsconfig.json compiles that file. */
function sourceOfToolEntry(command: readonly string[]): string | undefined {
  const [program, entry] = command;
  const match = /^dist-tools\/(tools\/.+)\.js$/.exec(entry ?? '');
  if (program !== 'node' || !match) return undefined;
  const build = z
    .object({ compilerOptions: z.object({ rootDir: z.string(), outDir: z.string() }) })
    .parse(JSON.parse(read('tools/tsconfig.json')));
  expect(build.compilerOptions).toEqual({ rootDir: '..', outDir: '../dist-tools' });
  const source = `${match[1]}.ts`;
  return existsSync(join(ROOT, source)) ? source : undefined;
}

function dockerignore(): string[] {
  return read('.dockerignore')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('Dockerfile', () => {
  const stages = dockerfile();
  const final = stages.at(-1) ?? [];

  test('is a multi-stage build on node:24-bookworm-slim, an LTS line still supported', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names: string[] = [];
    for (const stage of stages) {
      const [, base = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(stage[0]?.args ?? '') ?? [];
      // Every stage starts from the Node image, directly or through an earlier stage.
      expect({ base, known: base === 'node:24-bookworm-slim' || names.includes(base) }).toEqual({
        base,
        known: true,
      });
      if (name !== undefined) names.push(name);
    }
    // The development page states the range: the image's line, and the oldest the code runs on (engines).
    const engines = z
      .object({ engines: z.object({ node: z.string() }) })
      .parse(JSON.parse(read('package.json')));
    expect(engines.engines.node).toBe('>=20');
    expect(read('docs/development.md')).toMatch(/Node\.js 24.*2028-04-30/);
  });

  test('its npm steps install from the lockfile, run scripts package.json has and drop dev dependencies', () => {
    const npmSteps = stages
      .flat()
      .filter((i) => i.keyword === 'RUN' && /^npm\s/.test(i.args))
      .map((i) => i.args.split(/\s+/));
    const known = scripts();
    for (const [, command, script] of npmSteps) {
      if (command === 'run')
        expect({ script, exists: known[script ?? ''] !== undefined }).toEqual({
          script,
          exists: true,
        });
    }
    const commands = npmSteps.map((step) => step.slice(1).join(' '));
    expect(commands).toEqual(expect.arrayContaining(['ci', 'run build', 'prune --omit=dev']));
    expect(commands.indexOf('run build')).toBeLessThan(commands.indexOf('prune --omit=dev'));
  });

  test('copies into the build only files that exist and .dockerignore lets through', () => {
    const ignored = dockerignore();
    const copies = stages
      .flat()
      .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((arg) => !arg.startsWith('--'))
          .slice(0, -1),
      );
    expect(copies).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const path of copies) {
      expect({ path, exists: existsSync(join(ROOT, path)) }).toEqual({ path, exists: true });
      expect({ path, ignored: ignored.includes(path) }).toEqual({ path, ignored: false });
    }
  });

  test('the runtime image runs as the non-root node user with NODE_ENV=production', () => {
    const users = final.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
    expect(final.filter((i) => i.keyword === 'ENV').map((i) => i.args)).toContain('NODE_ENV=production');
    const fromBuild = final.filter((i) => i.keyword === 'COPY' && i.args.includes('--from='));
    expect(fromBuild.map((i) => i.args.split(/\s+/).at(-1))).toEqual(
      expect.arrayContaining(['./node_modules', './dist']),
    );
  });

  test('the production image holds the service alone: no tools are built into what it copies', () => {
    const named = new Map<string, Instruction[]>();
    const chain = (stage: Instruction[]): Instruction[] => {
      const base = /^(\S+)/.exec(stage[0]?.args ?? '')?.[1] ?? '';
      const parent = named.get(base);
      return [...(parent === undefined ? [] : chain(parent)), ...stage];
    };
    for (const stage of stages) {
      const name = /\s+AS\s+(\S+)$/i.exec(stage[0]?.args ?? '')?.[1];
      if (name !== undefined) named.set(name, stage);
    }
    const sources = final
      .filter((i) => i.keyword === 'COPY' && i.args.includes('--from='))
      .map((i) => /--from=(\S+)/.exec(i.args)?.[1] ?? '');
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      const built = chain(named.get(source) ?? []);
      expect(built.length).toBeGreaterThan(0);
      const steps = built.map((i) => `${i.keyword} ${i.args}`);
      expect(steps.filter((step) => /\btools\b|build:tools/.test(step))).toEqual([]);
    }
    expect(final.map((i) => i.args).join('\n')).not.toMatch(/dist-tools|\btools\//);
  });

  test('its default command runs a file that npm run build produces', () => {
    const cmd = final.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '[]';
    const command = z.array(z.string()).parse(JSON.parse(cmd));
    expect(sourceOfEntry(command)).toBe('src/api/main.ts');
  });

  test('.dockerignore keeps dependencies, build output, local state and history out of the context', () => {
    expect(dockerignore()).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git']));
  });

  test('an .env file of secrets is kept out of git and out of the build context', async () => {
    await run('git', ['check-ignore', '--quiet', '--no-index', '.env'], { cwd: ROOT });
    expect(dockerignore()).toContain('.env');
  });
});

// ---- the sandbox service ----

describe('the sandbox service', () => {
  test('knows the demo applications and already holds their sample jobs', async () => {
    const sandbox = await startDemoSandbox({ port: 0, host: '127.0.0.1', taskCompletionMs: 0 });
    try {
      const token = await fetch(sandbox.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: DEMO_APPLICATION.clientId,
          client_secret: DEMO_APPLICATION.clientSecret,
        }).toString(),
      });
      expect(token.status).toBe(200);
      for (const id of DEMO_SAMPLE_JOB_IDS) {
        expect(sandbox.heldJob(DEMO_APPLICATION.urn, id)?.state).toBe('OPEN');
      }
    } finally {
      await sandbox.close();
    }
  });
});

// ---- helpers ----

function listen(statusFor: (path: string) => number): Promise<Server> {
  const server = createServer((req, res) => {
    res.statusCode = statusFor(req.url ?? '/');
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** A loopback port nothing listens on (just released). */
async function closedPort(): Promise<number> {
  const server = await listen(() => 200);
  const port = portOf(server);
  await new Promise((done) => server.close(done));
  return port;
}
