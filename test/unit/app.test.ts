/**
 * The API as `createApp` builds it, served through `app.callback()` with a starter that records what it
 * is asked to start: the webhook's decisions without Temporal. The embedded job store holds the demo data.
 * The full-stack counterparts are in webhook.test.ts.
 */
import { once } from 'node:events';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { challengeResponse, signNotification } from '../../src/api/signature';
import { createApp, DEFAULT_MAX_BODY_BYTES } from '../../src/api/app';
import { BodyBudget } from '../../src/api/body-budget';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import type { JobStore } from '../../src/ats/job-store';
import { createLogger } from '../../src/logger';
import { notification } from '../support/notifications';
import { recordingStarter, type RecordingStarter } from '../support/recording-starter';
import { serve, type Served } from '../support/serve';
import { until } from '../support/eventually';
import { within } from '../support/within';

const SECRET = 'unit-webhook-secret';
const NOW = Date.UTC(2026, 0, 15, 9, 30);

let jobStore: JobStore;
let starter: RecordingStarter;
let draining = false;
let api: Served;

beforeAll(async () => {
  const store = await openEmbeddedJobStore({});
  await store.seedDemoData();
  jobStore = store;
});

afterAll(async () => {
  await jobStore?.close();
});

beforeEach(async () => {
  starter = recordingStarter();
  draining = false;
  api = await serve(testApp({ draining: () => draining }).callback());
});

/** The app under test: the test's secret, store, starter and clock, with `options` on top. */
function testApp(options: Partial<Parameters<typeof createApp>[0]> = {}) {
  return createApp({
    webhookSecrets: [SECRET],
    jobStore,
    resyncs: starter,
    logger: createLogger('silent'),
    now: () => NOW,
    ...options,
  });
}

afterEach(async () => {
  await api?.close();
});

/** POSTs a notification signed with the webhook secret, with `signature` instead, or unsigned (null). */
function post(body: string, signature?: string | null): Promise<Response> {
  return fetch(`${api.url}/webhooks/linkedin`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(signature === null ? {} : { 'X-LI-Signature': signature ?? signNotification(SECRET, body) }),
    },
    body,
  });
}

describe('a notification', () => {
  test('signed and understood is started once, with the time it was received, and answered 200', async () => {
    const response = await post(notification(['job-1234', 'job-2345']));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(starter.starts).toEqual([
      {
        notification: {
          developerApplicationUrn: DEMO_APPLICATION.urn,
          externalJobPostingIds: ['job-1234', 'job-2345'],
          syncAllOpenJobs: false,
          type: 'RESYNC_JOBS',
        },
        receivedAt: NOW,
      },
    ]);
  });

  test('for every open job is started as such', async () => {
    expect((await post(notification('all'))).status).toBe(200);
    expect(starter.starts.map((start) => start.notification.syncAllOpenJobs)).toEqual([true]);
  });

  test('that cannot be started is answered 500 with an empty body, so LinkedIn delivers it again', async () => {
    starter.failWith(new Error('Temporal is out of reach at 10.0.0.7:7233'));
    const response = await post(notification(['job-1234']));
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
  });

  test.each<[string, string | null]>([
    ['a signature of another secret', signNotification('other-secret', notification(['job-1234']))],
    ['no signature', null],
    ['a signature that is not hex', 'not-a-signature'],
  ])('with %s is refused 401 and nothing is started', async (_, signature) => {
    const response = await post(notification(['job-1234']), signature);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errorMessage: expect.any(String) as unknown });
    expect(starter.starts).toEqual([]);
  });

  test('that is not JSON, or not a resync notification, is answered 400 with the reason', async () => {
    const broken = await post('{"developerApplicationUrn":');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ errorMessage: 'the body is not valid JSON' });
    const wrongType = await post(
      JSON.stringify({ developerApplicationUrn: DEMO_APPLICATION.urn, type: 'X' }),
    );
    expect(wrongType.status).toBe(400);
    expect(starter.starts).toEqual([]);
  });

  test('for an application the ATS does not hold is answered 400 and nothing is started', async () => {
    const response = await post(notification(['job-1'], 'urn:li:developerApplication:999999'));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorMessage:
        'developerApplicationUrn urn:li:developerApplication:999999 is not an application this ATS knows',
    });
    expect(starter.starts).toEqual([]);
  });
});

/** A signed notification for job-1234, padded with JSON whitespace to `bytes` bytes. */
function paddedNotification(bytes: number): string {
  const body = notification(['job-1234']);
  return body + ' '.repeat(bytes - Buffer.byteLength(body));
}

/**
 * POSTs `body`, signed, on a connection of its own that closes after the answer: with its Content-Length, or
 * in 64 KiB chunks without one, so the server learns the size only by reading.
 */
function postLarge(
  body: string,
  sent: 'with its length' | 'in chunks',
): Promise<{ status: number; json: unknown; declaredLength: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}/webhooks/linkedin`, {
      method: 'POST',
      agent: false,
      headers: {
        'Content-Type': 'application/json',
        'X-LI-Signature': signNotification(SECRET, body),
        ...(sent === 'with its length' ? { 'Content-Length': Buffer.byteLength(body) } : {}),
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (text += part));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          json: text === '' ? undefined : JSON.parse(text),
          declaredLength: req.getHeader('content-length'),
        }),
      );
    });
    for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.slice(at, at + 64 * 1024));
    req.end();
  });
}

describe('the body limit of a notification', () => {
  const refusal = {
    errorMessage: `the body is larger than the ${DEFAULT_MAX_BODY_BYTES} bytes a notification may have`,
  };

  test.each(['with its length', 'in chunks'] as const)(
    'a signed notification of exactly the limit sent %s is read and started',
    async (sent) => {
      const answer = await postLarge(paddedNotification(DEFAULT_MAX_BODY_BYTES), sent);
      expect(answer.declaredLength).toBe(sent === 'in chunks' ? undefined : DEFAULT_MAX_BODY_BYTES);
      expect(answer.status).toBe(200);
      expect(starter.starts).toHaveLength(1);
    },
  );

  test.each(['with its length', 'in chunks'] as const)(
    'a signed notification one byte over the limit sent %s is refused 413 and nothing is started',
    async (sent) => {
      const bytes = DEFAULT_MAX_BODY_BYTES + 1;
      const answer = await postLarge(paddedNotification(bytes), sent);
      expect(answer.declaredLength).toBe(sent === 'in chunks' ? undefined : bytes);
      expect(answer.status).toBe(413);
      expect(answer.json).toEqual(refusal);
      expect(starter.starts).toEqual([]);
    },
  );
});

describe('the body limit fits notifications', () => {
  test('64 KiB by default: a signed notification of 65 KiB is refused 413 with the limit named, nothing started', async () => {
    const bytes = 65 * 1024;
    for (const sent of ['with its length', 'in chunks'] as const) {
      const answer = await postLarge(paddedNotification(bytes), sent);
      expect(answer.status).toBe(413);
      expect(answer.json).toEqual({
        errorMessage: `the body is larger than the ${64 * 1024} bytes a notification may have`,
      });
    }
    expect(starter.starts).toEqual([]);
  });

  test('a larger limit configured (HTTP_MAX_BODY_BYTES) accepts the same notification', async () => {
    await api.close();
    api = await serve(testApp({ maxBodyBytes: 128 * 1024 }).callback());
    const answer = await postLarge(paddedNotification(65 * 1024), 'with its length');
    expect(answer.status).toBe(200);
    expect(starter.starts).toHaveLength(1);
  });
});

describe('the bytes of bodies held at once', () => {
  const BUDGET = 16 * 1024;
  let budget: BodyBudget;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    await api.close();
    budget = new BodyBudget(BUDGET);
    api = await serve(testApp({ maxBodyBytes: 4 * 1024, bodyBudget: budget }).callback());
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  /** A connection that sent the head of a POST (`length` declared, or chunked) and nothing of its body yet. */
  async function opened(length: number | undefined): Promise<Socket & { answer: () => string }> {
    const { hostname, port } = new URL(api.url);
    const socket = connect({ host: hostname, port: Number(port) });
    sockets.push(socket);
    await once(socket, 'connect');
    let answer = '';
    socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.write(
      [
        'POST /webhooks/linkedin HTTP/1.1',
        `Host: ${hostname}`,
        'Content-Type: application/json',
        `X-LI-Signature: ${'0'.repeat(64)}`,
        length === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`,
        '',
        '',
      ].join('\r\n'),
    );
    return Object.assign(socket, { answer: () => answer });
  }

  /** Sends `bytes` of body, `piece` at a time, each once the server took the one before. */
  async function trickle(socket: Socket, bytes: number, chunked = false): Promise<void> {
    const piece = 1_000;
    for (let sent = 0; sent < bytes; sent += piece) {
      const before = budget.inFlight;
      const part = ' '.repeat(piece);
      socket.write(chunked ? `${piece.toString(16)}\r\n${part}\r\n` : part);
      await until(() => budget.inFlight === before + piece, `the server holds ${before + piece} bytes`);
    }
  }

  test('many slow senders hold at most the budget: the next is refused 503 with Retry-After, its body unread, and it is served again once they are gone', async () => {
    // Each declares 4,000 bytes and sends 3,000, slowly: five fit in 16 KiB.
    const slow: Socket[] = [];
    for (let n = 0; n < 5; n++) {
      const socket = await opened(4_000);
      await trickle(socket, 3_000);
      slow.push(socket);
    }
    expect(budget.inFlight).toBe(15_000);

    // The sixth declares a body that cannot fit: refused before a byte of it is read.
    const declared = await opened(4_000);
    await within(once(declared, 'close'), 3_000, 'the server closing the sixth connection');
    expect(declared.answer()).toMatch(/^HTTP\/1\.1 503 /);
    expect(declared.answer()).toMatch(/\r\nRetry-After: 5\r\n/i);
    expect(declared.answer().toLowerCase()).toContain('connection: close');
    expect(declared.answer()).toContain(
      '{"errorMessage":"the server holds as many request bodies as it may; deliver again shortly"}',
    );

    // One that does not say its length is refused at the chunk that would pass the budget.
    const chunked = await opened(undefined);
    chunked.write(`${(3_000).toString(16)}\r\n${' '.repeat(3_000)}\r\n`);
    await within(once(chunked, 'close'), 3_000, 'the server closing the chunked connection');
    expect(chunked.answer()).toMatch(/^HTTP\/1\.1 503 /);

    expect(budget.peak).toBeLessThanOrEqual(BUDGET);
    expect(budget.inFlight).toBe(15_000);
    expect(starter.starts).toEqual([]);

    // The slow senders give up: what they held is given back, and a notification is served again.
    for (const socket of slow) socket.destroy();
    await until(() => budget.inFlight === 0, 'the server holds no body');
    expect((await post(notification(['job-1234']))).status).toBe(200);
    expect(starter.starts).toHaveLength(1);
    expect(budget.inFlight).toBe(0);
  });

  test('bodies read in full are given back once answered, whatever the answer', async () => {
    for (const body of [
      notification(['job-1234']),
      '{not json',
      notification(['job-1234'], 'urn:li:developerApplication:999'),
    ]) {
      await post(body);
      await post(body, 'f'.repeat(64));
    }
    expect(budget.inFlight).toBe(0);
    expect(budget.peak).toBeGreaterThan(0);
  });
});

describe('a body declared too large', () => {
  test('is answered 413 and its connection closed at once, the rest never read', async () => {
    const { hostname, port } = new URL(api.url);
    const socket = connect({ host: hostname, port: Number(port) });
    await once(socket, 'connect');
    const head = [
      'POST /webhooks/linkedin HTTP/1.1',
      `Host: ${hostname}`,
      'Content-Type: application/json',
      `X-LI-Signature: ${'0'.repeat(64)}`,
      `Content-Length: ${10 * 1024 ** 3}`,
      '',
      '',
    ].join('\r\n');
    socket.write(head);
    // The client goes on sending as long as the server reads: 64 KiB every few milliseconds.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const sending = setInterval(() => {
      if (!socket.destroyed && socket.write(chunk)) sent += chunk.length;
    }, 2);
    let answer = '';
    socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
    socket.on('error', () => undefined);
    try {
      await within(once(socket, 'close'), 3_000, 'the server closing the connection');
    } finally {
      clearInterval(sending);
      socket.destroy();
    }
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('the other routes', () => {
  test("the ownership check answers the challenge with the first secret's HMAC", async () => {
    const code = '890e4665-4dfe-4ab1-b689-ed553bceeed0';
    const response = await fetch(`${api.url}/webhooks/linkedin?challengeCode=${code}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      challengeCode: code,
      challengeResponse: challengeResponse(SECRET, code),
    });
  });

  test.each([
    ['a code that is not a UUID', 'abc'],
    ['a UUID with something after it', '890e4665-4dfe-4ab1-b689-ed553bceeed0x'],
    ["LinkedIn's signature prefix before a UUID", 'hmacsha256=890e4665-4dfe-4ab1-b689-ed553bceeed0'],
    ['a notification body', notification(['job-1234'])],
  ])('the ownership check refuses %s with 400 and signs nothing', async (_case, code) => {
    const query = new URLSearchParams({ challengeCode: code });
    const response = await fetch(`${api.url}/webhooks/linkedin?${query.toString()}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errorMessage: 'challengeCode must be a UUID' });
  });

  test('the ownership check without a challengeCode is refused with 400', async () => {
    const response = await fetch(`${api.url}/webhooks/linkedin`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errorMessage: 'challengeCode is required' });
  });

  test('readiness follows the starter and fails while the API drains; health does not', async () => {
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    draining = true;
    expect((await fetch(`${api.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });

  test('readiness asks Temporal at most once within its cache age, even under many probes', async () => {
    starter.setReady(false);
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${api.url}/readyz`).then((r) => r.status)),
    );
    expect(statuses).toEqual([503, 503, 503, 503, 503]);
    expect(starter.readyChecks).toBe(1);
  });

  test('an unknown route is a 404 with an errorMessage', async () => {
    const response = await fetch(`${api.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errorMessage: 'no route for GET /nowhere' });
  });
});
