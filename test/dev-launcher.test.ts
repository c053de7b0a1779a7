import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portInUse } from '../tools/dev/lifecycle';
import { freePort } from '../tools/dev/ports';
import { until } from './support/eventually';

/**
 * `npm run dev` as a developer runs it, on ports of its own (every port the launcher opens has a
 * variable): SIGTERM to npm stops every child and frees every port; a busy port is one line naming its
 * variable, with nothing left running.
 */
const ROOT = join(__dirname, '..');
const dataDirs: string[] = [];
const launched: ChildProcess[] = [];
/** Processes seen under npm: killed in afterAll should a test fail before they stop. */
const seen = new Map<number, string>();
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
};

beforeAll(async () => {
  // Built once here, so `npm run dev` below finds the tools up to date.
  await promisify(execFile)('node', ['scripts/build-if-stale.mjs', 'tools'], { cwd: ROOT, timeout: 240_000 });
}, 300_000);

afterAll(() => {
  // Only if a test failed halfway: whatever it left, by its process group.
  for (const child of launched) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  for (const [pid, command] of seen) {
    try {
      // Only the very process seen, never another that took its pid since.
      if (cmdline(pid) === command) process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function devEnvironment(): Promise<Record<string, string>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dev-launcher-'));
  dataDirs.push(dataDir);
  const ports: Record<string, string> = {};
  for (const name of [
    'PORT',
    'SANDBOX_PORT',
    'TEMPORAL_DEV_SERVER_PORT',
    'TEMPORAL_DEV_UI_PORT',
    'API_METRICS_PORT',
    'WORKER_METRICS_PORT',
  ]) {
    ports[name] = String(await freePort());
  }
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...ports,
  };
}

function npmRunDev(env: Record<string, string>) {
  // A group of its own, so afterAll can clean up after a failed test; the signal goes to npm alone.
  const child = spawn('npm', ['run', 'dev'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launched.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Every process under `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Exited while read.
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  for (const child of found) seen.set(child, cmdline(child) ?? '');
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ports = (env: Record<string, string>) =>
  [
    'PORT',
    'SANDBOX_PORT',
    'TEMPORAL_DEV_SERVER_PORT',
    'TEMPORAL_DEV_UI_PORT',
    'API_METRICS_PORT',
    'WORKER_METRICS_PORT',
  ].map((name) => Number(env[name]));

test('SIGTERM to npm stops every child of npm run dev: each port free, no process left', async () => {
  const env = await devEnvironment();
  const dev = npmRunDev(env);
  await until(
    () => dev.stdout().includes('Job resync is running.'),
    `npm run dev started\n${dev.stdout()}\n${dev.stderr()}`,
    120_000,
  );
  const pid = dev.child.pid ?? 0;
  const children = descendants(pid);
  // npm, the launcher and the Temporal dev server at least.
  expect(children.length).toBeGreaterThanOrEqual(2);
  expect(children.some((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('start-dev'))).toBe(
    true,
  );
  for (const port of ports(env)) expect(await portInUse(port, '127.0.0.1')).toBe(true);
  // The API listens on loopback only, HOST being unset.
  expect(await portInUse(Number(env.PORT), '0.0.0.0')).toBe(true);

  process.kill(pid, 'SIGTERM');
  expect(await dev.exited).toBe(0);
  await until(() => children.every((child) => !alive(child)), `every child of npm run dev exited`);
  for (const port of ports(env)) expect(await portInUse(port, '127.0.0.1')).toBe(false);
  expect(dev.stdout()).toContain('SIGTERM: stopping…');
}, 180_000);

test('a busy port is one line naming the variable to set, and nothing is left running', async () => {
  const env = await devEnvironment();
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(Number(env.PORT), '0.0.0.0', resolve));
  try {
    const dev = npmRunDev(env);
    expect(await dev.exited).not.toBe(0);
    const launcherLines = dev
      .stderr()
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('npm error'));
    expect(launcherLines).toEqual([
      `npm run dev: port ${env.PORT} is in use; stop what listens there or start with PORT=<another port> npm run dev`,
    ]);
    expect(dev.stderr()).not.toContain('EADDRINUSE');
    // Nothing started: the Temporal dev server's port was never taken, and npm has no child left.
    expect(descendants(dev.child.pid ?? 0)).toEqual([]);
    for (const port of ports(env).filter((port) => port !== Number(env.PORT))) {
      expect(await portInUse(port, '127.0.0.1')).toBe(false);
    }
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
}, 120_000);
