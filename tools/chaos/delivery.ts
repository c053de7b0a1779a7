/** Notifications as LinkedIn delivers them: signed over the raw bytes, delivered again until answered 200. */
import { signNotification } from '../../src/api/signature';
import { notificationBody, type ChaosApplication, type Ledger } from './ledger';
import { WEBHOOK_SECRET, type Rig } from './rig';

/** One POST; the status, or 0 when no answer came (refused connection, reset, timeout). */
export async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'X-LI-Signature': signNotification(WEBHOOK_SECRET, body) },
): Promise<number> {
  try {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    await answer.arrayBuffer();
    return answer.status;
  } catch {
    return 0;
  }
}

/**
 * Delivers a notification as LinkedIn would: any answer but 200 (or 400, "not understood") means another
 * delivery later, here after 1, 2, 4… s (at most 8 s apart) until `giveUpAfterMs`. Every answer goes to the
 * ledger. Resolves with the last answer.
 */
export async function deliver(
  rig: Rig,
  ledger: Ledger,
  app: ChaosApplication,
  ids: readonly string[] | 'all',
  options: { giveUpAfterMs?: number } = {},
): Promise<number> {
  const body = Buffer.from(notificationBody(app, ids));
  const deadline = Date.now() + (options.giveUpAfterMs ?? 120_000);
  for (let pause = 1_000; ; pause = Math.min(8_000, pause * 2)) {
    const status = await post(rig.webhookUrl, body);
    ledger.answered(app, ids, body.toString(), status);
    if (status === 200 || status === 400 || Date.now() + pause > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** `count` slices of `size` ids, one after another, from the application's jobs (open, closed, lacking). */
export function slices(app: ChaosApplication, count: number, size: number): string[][] {
  const all = [...app.openIds, ...app.closedIds].sort();
  return Array.from({ length: count }, (_, i) => all.slice(i * size, (i + 1) * size)).filter(
    (s) => s.length > 0,
  );
}

/** Resolves once the sandbox has answered `count` more simpleJobPostings calls of the application. */
export async function postingCalls(rig: Rig, urn: string, count: number, timeoutMs = 120_000): Promise<void> {
  const seen = () =>
    rig.sandbox
      .calls()
      .filter(
        (call) =>
          call.endpoint === 'simpleJobPostings' &&
          call.developerApplicationUrn === urn &&
          call.status === 200,
      ).length;
  const target = seen() + count;
  const deadline = Date.now() + timeoutMs;
  while (seen() < target) {
    if (Date.now() > deadline)
      throw new Error(`fewer than ${count} posting calls of ${urn} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
