import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './ports';

export interface PostgresClusterOptions {
  /** Where initdb, pg_ctl and postgres live; the newest /usr/lib/postgresql/<version>/bin when omitted. */
  binDir?: string;
  /** Bounds initdb and start together; 2 cores can be slow. */
  startTimeoutMs?: number;
}

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`; trust authentication, so no password. */
  url: string;
  port: number;
  /** The cluster's data directory (its postmaster.pid names the server's process). */
  dataDir: string;
  /** Stops the server at once and deletes its files; safe to call twice. */
  stop(): Promise<void>;
}

const PG_ROOT = '/usr/lib/postgresql';
const SYSTEM_USER = 'postgres';

/** The bin directory of the newest PostgreSQL under /usr/lib/postgresql (Debian's layout), else PATH's. */
export function findPostgresBinDir(path = process.env.PATH ?? ''): string | undefined {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((name) => existsSync(join(PG_ROOT, name, 'bin', 'initdb')))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions[0] !== undefined) return join(PG_ROOT, versions[0], 'bin');
  return path.split(delimiter).find((dir) => dir !== '' && existsSync(join(dir, 'initdb')));
}

/**
 * A throwaway PostgreSQL server: initdb into a temporary directory and `pg_ctl start` on a free port,
 * listening on 127.0.0.1 only (no Unix socket), tuned for speed over durability. PostgreSQL refuses to run
 * as root, so as root it runs as the `postgres` system user. Quiet: the server's output goes to a log file
 * in the directory, shown only when starting fails.
 */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = options.binDir ?? findPostgresBinDir();
  if (binDir === undefined || !existsSync(join(binDir, 'initdb'))) {
    const where = binDir ?? `${PG_ROOT}/*/bin or on PATH`;
    throw new Error(`no PostgreSQL (initdb) in ${where}: install it, e.g. apt-get install postgresql`);
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const left = () => Math.max(1_000, deadline - Date.now());
  const asRoot = process.getuid?.() === 0;
  const root = await mkdtemp(join(tmpdir(), 'pg-cluster-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const run = (tool: string, args: string[], timeoutMs: number) =>
    asRoot
      ? exec('runuser', ['-u', SYSTEM_USER, '--', join(binDir, tool), ...args], root, timeoutMs)
      : exec(join(binDir, tool), args, root, timeoutMs);

  let started = false;
  const stop = once(async () => {
    if (started) {
      await run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '20'], 30_000).catch(
        async (error: unknown) => {
          // pg_ctl could not stop it: signal the postmaster directly (SIGQUIT is an immediate shutdown).
          const pid = Number(
            (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
          );
          if (!(pid > 0)) throw error;
          process.kill(pid, 'SIGQUIT');
        },
      );
    }
    await rm(root, { recursive: true, force: true });
  });

  try {
    if (asRoot) {
      const [uid, gid] = await Promise.all([
        exec('id', ['-u', SYSTEM_USER], root, 5_000),
        exec('id', ['-g', SYSTEM_USER], root, 5_000),
      ]);
      await chown(root, Number(uid), Number(gid));
    }
    await run(
      'initdb',
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      left(),
    );
    const port = await freePort();
    // Appending keeps the file's owner. A throwaway cluster needs no durability.
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'max_connections = 200',
        '',
      ].join('\n'),
    );
    started = true;
    const seconds = Math.ceil(left() / 1_000);
    await run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', String(seconds)], left() + 2_000);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dataDir, stop };
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await stop().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`PostgreSQL did not start: ${message}${log ? `\n${log.slice(-4_000)}` : ''}`, {
      cause: error,
    });
  }
}

/**
 * Runs a command quietly; its output appears only in the error when it fails or outlives `timeoutMs`. It
 * runs in a process group of its own, so a timeout also kills what it started (runuser's child, initdb's
 * bootstrap backend); the postmaster leaves the group by itself (pg_ctl starts it in a new session).
 */
function exec(command: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    const fail = (why: string) => {
      const shown = output.trim();
      reject(new Error(`${command} ${args.join(' ')}: ${why}${shown ? `\n${shown}` : ''}`));
    };
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) fail(`no answer within ${timeoutMs} ms`);
      else if (code === 0) resolve(output.trim());
      else fail(`exit code ${code ?? signal}`);
    });
  });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
