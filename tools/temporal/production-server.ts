import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client as PgClient } from 'pg';
import { projectRoot } from '../project-root';
import { temporalServerBuild, type TemporalServerBuild } from './server-build';

export { ensureTemporalServerBuild, temporalServerBuild, type TemporalServerBuild } from './server-build';

/**
 * Temporal as production runs it: Temporal's own server (v1.30.4, built by `node scripts/setup.mjs
 * --for-tests` or `--temporal-server`) on PostgreSQL persistence and visibility, configured by
 * deploy/temporal/server.yaml, its schema created and its namespace and search attributes registered by
 * deploy/temporal/setup-schema.sh and setup-namespace.sh: the files docker-compose.production.yml runs, here
 * as processes on this machine. Started by test/production-temporal.test.ts and by the storm benchmark
 * (`npm run bench -- --storm --temporal production`).
 */
const ROOT = projectRoot();
export const DEPLOY_DIR = join(ROOT, 'deploy', 'temporal');
/**
 * The dynamic configuration that turns dispatch by priority and fairness key on for this server (what
 * RESYNC_DISPATCH_CONFIG is to the dev server), with the migration of the tasks that wait when it is turned on.
 */
export const DISPATCH_BY_PRIORITY_FILE = join(DEPLOY_DIR, 'dispatch-by-priority.yaml');
const run = promisify(execFile);

export interface ProductionTemporal {
  /** The frontend, host:port. */
  address: string;
  /** The server process's id (one process: the four services of `temporal-server start`). */
  readonly pid: number | undefined;
  /** Its persistence database as the server's role reaches it: for tests that read what the server wrote. */
  persistenceUrl: string;
  namespace: string;
  /** What setup-schema.sh and setup-namespace.sh printed. */
  setupOutput: string;
  /** How long the schema took, and the server's start with the namespace set up, in milliseconds. */
  timings: { schemaMs: number; serverAndNamespaceMs: number };
  /** The last lines the server wrote (its log is in a file). */
  logTail(): string;
  /**
   * Stops the server process and starts it again on the same databases (as `docker compose up` does after a
   * change to its settings), with the dynamic configuration file given, or none; resolves once the
   * namespace answers again.
   */
  restart(settings: { dynamicConfigFile?: string }): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL) and drops its databases and role. */
  stop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs one of deploy/temporal's scripts with /bin/sh, as the admin-tools container does. */
async function runScript(script: string, env: Record<string, string>): Promise<string> {
  try {
    const { stdout, stderr } = await run('/bin/sh', [join(DEPLOY_DIR, script)], {
      // A home of its own, as the container's user has: the CLI reads its (absent) config file from there.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: mkdtempSync(join(tmpdir(), 'temporal-home-')),
        ...env,
      },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${script} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, {
      cause: error,
    });
  }
}

/**
 * A port free on 127.0.0.1 below 32768: Temporal keeps each member's membership port in a smallint column
 * (cluster_membership.rpc_port), so the kernel's ephemeral ports (from 32768 up) are refused.
 */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export interface ProductionTemporalOptions {
  /** A PostgreSQL superuser's URL: Temporal gets a role and two databases of its own on that server. */
  adminUrl: string;
  /** Created by setup-namespace.sh; `default` when omitted. */
  namespace?: string;
  /** TEMPORAL_NUM_HISTORY_SHARDS; server.yaml's (512) when omitted. */
  historyShards?: number;
  /** The build to run; temporalServerBuild()'s when omitted. */
  build?: TemporalServerBuild;
  /**
   * TEMPORAL_DYNAMIC_CONFIG_FILE: a dynamic configuration file the server reads (server.yaml's
   * `dynamicConfigClient`), e.g. deploy/temporal/dispatch-by-priority.yaml; none when omitted.
   */
  dynamicConfigFile?: string;
}

export async function startProductionTemporal(
  options: ProductionTemporalOptions,
): Promise<ProductionTemporal> {
  const build = options.build ?? temporalServerBuild();
  const namespace = options.namespace ?? 'default';
  const suffix = randomBytes(5).toString('hex');
  const role = `temporal_${suffix}`;
  const password = randomBytes(16).toString('hex');
  const databases = { main: `temporal_${suffix}`, visibility: `temporal_visibility_${suffix}` };
  const admin = new URL(options.adminUrl);
  // A role of its own, as the production PostgreSQL gives Temporal (compose: POSTGRES_USER of temporal-postgres).
  await withAdmin(options.adminUrl, (client) =>
    client.query(`CREATE ROLE "${role}" LOGIN CREATEDB PASSWORD '${password}'`),
  );
  // Its persistence database, as the server's role reaches it.
  const persistence = new URL(options.adminUrl);
  persistence.username = role;
  persistence.password = password;
  persistence.pathname = `/${databases.main}`;

  const database = {
    TEMPORAL_DB_NAME: databases.main,
    TEMPORAL_VISIBILITY_DB_NAME: databases.visibility,
  };
  let server: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  const logPath = join(mkdtempSync(join(tmpdir(), 'temporal-server-')), 'server.log');
  const logTail = () => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const stopServer = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const killer = setTimeout(() => server?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
  };
  const stop = async () => {
    await stopServer();
    await withAdmin(options.adminUrl, async (client) => {
      for (const name of Object.values(databases)) {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
      await client.query(`DROP ROLE IF EXISTS "${role}"`);
    });
  };

  try {
    let startedAt = Date.now();
    const schemaOutput = await runScript('setup-schema.sh', {
      SQL_HOST: admin.hostname,
      SQL_PORT: admin.port,
      SQL_USER: role,
      SQL_PASSWORD: password,
      TEMPORAL_SQL_TOOL: build.sqlTool,
      TEMPORAL_SCHEMA_DIR: build.schemaDir,
      ...database,
    });
    const schemaMs = Date.now() - startedAt;

    const ports = {
      TEMPORAL_FRONTEND_PORT: await freeLowPort(),
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: await freeLowPort(),
      TEMPORAL_FRONTEND_HTTP_PORT: await freeLowPort(),
      TEMPORAL_MATCHING_PORT: await freeLowPort(),
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: await freeLowPort(),
      TEMPORAL_HISTORY_PORT: await freeLowPort(),
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: await freeLowPort(),
      TEMPORAL_WORKER_PORT: await freeLowPort(),
      TEMPORAL_WORKER_MEMBERSHIP_PORT: await freeLowPort(),
    };
    const address = `127.0.0.1:${ports.TEMPORAL_FRONTEND_PORT}`;
    /** Starts the server process and resolves with what setup-namespace.sh printed once it answers. */
    const startServer = async (dynamicConfigFile: string | undefined): Promise<string> => {
      const log = openSync(logPath, 'a');
      // As temporalio/server's entrypoint runs it: `temporal-server start`, the file named by the variable.
      server = spawn(build.server, ['start'], {
        env: {
          PATH: process.env.PATH ?? '',
          TEMPORAL_SERVER_CONFIG_FILE_PATH: join(DEPLOY_DIR, 'server.yaml'),
          TEMPORAL_DB_HOST: admin.hostname,
          TEMPORAL_DB_PORT: admin.port,
          TEMPORAL_DB_USER: role,
          TEMPORAL_DB_PASSWORD: password,
          BIND_ON_IP: '127.0.0.1',
          TEMPORAL_LOG_LEVEL: 'warn',
          // No periodic call to Temporal's version service from a test or a benchmark.
          TEMPORAL_VERSION_CHECK_DISABLED: '1',
          ...(options.historyShards ? { TEMPORAL_NUM_HISTORY_SHARDS: String(options.historyShards) } : {}),
          ...(dynamicConfigFile ? { TEMPORAL_DYNAMIC_CONFIG_FILE: dynamicConfigFile } : {}),
          ...database,
          ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
        },
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      const child = server;
      exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      return Promise.race([
        runScript('setup-namespace.sh', {
          TEMPORAL_CLI: build.cli,
          TEMPORAL_ADDRESS: address,
          TEMPORAL_NAMESPACE: namespace,
          TEMPORAL_HEALTH_TRIES: '60',
        }),
        exited.then((code) => {
          throw new Error(`the Temporal server exited (${code}) while starting:\n${logTail()}`);
        }),
      ]);
    };
    startedAt = Date.now();
    const namespaceOutput = await startServer(options.dynamicConfigFile);
    const serverAndNamespaceMs = Date.now() - startedAt;
    return {
      address,
      get pid() {
        return server?.pid;
      },
      namespace,
      persistenceUrl: persistence.toString(),
      setupOutput: `${schemaOutput}${namespaceOutput}`,
      timings: { schemaMs, serverAndNamespaceMs },
      logTail,
      restart: async ({ dynamicConfigFile }) => {
        await stopServer();
        await startServer(dynamicConfigFile);
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
