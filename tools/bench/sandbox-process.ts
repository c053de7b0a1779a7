/**
 * The LinkedIn sandbox in a process of its own (tools/sandbox/main.ts), so LinkedIn's side is not on the
 * measured worker's CPU, and the admin calls a benchmark makes to it over HTTP.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../dev/ports';
import { sleep, within } from './measure';

/** LinkedIn's tasks end after this long in the sandbox. */
const TASK_COMPLETION = '200ms';

export interface SandboxProcess {
  url: string;
  pid: number;
}

/** The LinkedIn sandbox as its own service (tools/sandbox/main.ts), on a free port; its stop goes on `stops`. */
export async function startSandboxProcess(stops: Array<() => Promise<unknown>>): Promise<SandboxProcess> {
  const port = await freePort();
  const child = fork(join(__dirname, '..', 'sandbox', 'main.js'), [], {
    env: {
      ...process.env,
      SANDBOX_PORT: String(port),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_TASK_COMPLETION: TASK_COMPLETION,
    },
    // Its one log line (listening) would only clutter the bench's output.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stops.push(async () => {
    child.kill('SIGTERM');
    await within(10_000, 'the sandbox exit', exited).catch(() => {
      child.kill('SIGKILL');
      return exited;
    });
  });
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error('the sandbox process exited before it listened');
    const ok = await fetch(`${url}/_sandbox/status-notifications`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('the sandbox process did not listen within 30 s');
    await sleep(100);
  }
  if (child.pid === undefined) throw new Error('the sandbox process has no pid');
  return { url, pid: child.pid };
}

/** The sandbox's admin API (tools/sandbox/admin.ts). */
export async function sandboxAdmin(url: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}/_sandbox/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`sandbox ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export interface PostingCall {
  developerApplicationUrn: string | null;
  status: number;
  startedAt: number;
  endedAt: number;
}

/** The posting calls the sandbox recorded, without their bodies (GET /_sandbox/posting-calls). */
export async function postingCalls(url: string, query: { since?: number; application?: string }) {
  const params = new URLSearchParams();
  if (query.since !== undefined) params.set('since', String(query.since));
  if (query.application !== undefined) params.set('application', query.application);
  const body = (await sandboxAdmin(url, `posting-calls?${params.toString()}`)) as { calls: PostingCall[] };
  return body.calls;
}
