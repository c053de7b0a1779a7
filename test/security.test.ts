/**
 * The webhook as an attacker meets it (docs/security.md): the challenge cannot sign a notification, and a
 * request whose signature matches no secret costs neither its body, nor a JSON parse, nor a store query.
 * The API runs through `createApp(...).callback()` on a real PGlite store, with a real Temporal starter
 * whose starts are counted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp, READY_MAX_AGE_MS } from '../src/api/app';
import { createJobStatusChanges, type JobStatusChanges } from '../src/api/job-status';
import { MAX_ECHO_LENGTH } from '../src/echo';
import { ApplicationSecrets } from '../src/api/application-secrets';
import { startApiServer, type ApiServer } from '../src/api/main';
import { createResyncStarter, type ResyncStarter } from '../src/api/resync-starter';
import { challengeResponse, hmacSha256Hex, signNotification } from '../src/api/signature';
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../src/ats/demo-data';
import { openEmbeddedJobStore } from '../src/ats/embedded-store';
import {
  openPostgresDatabase,
  openPostgresJobStore,
  POSTGRES_CONNECT_TIMEOUT_MS,
  POSTGRES_STATEMENT_TIMEOUT_MS,
} from '../src/ats/postgres-store';
import type { JobStore } from '../src/ats/job-store';
import { toActivityFailure } from '../src/activities/activity-failures';
import { loadConfig } from '../src/config';
import { FailureType } from '../src/failures';
import { LinkedInClient } from '../src/linkedin/client';
import { LinkedInContractError } from '../src/linkedin/linkedin-contract-error';
import { TokenCache } from '../src/linkedin/token-cache';
import { createLogger, type Logger } from '../src/logger';
import { MIN_LINKEDIN_SECRET_LENGTH } from '../src/secret-rules';
import { SAMPLE_ALL_OPEN, SAMPLE_INDIVIDUAL, WEBHOOK_SECRET } from './support/environment';
import { createTestDatabase } from './support/postgres';
import { testClient, uniqueTaskQueue } from './support/temporal';
import { leastOfThree, longestBlock, stallFigures } from './support/event-loop';
import { atLeast } from './support/timing';
import { until } from './support/eventually';
import { notification } from './support/notifications';

/** LinkedIn's example challenge (linkedin.md §2) and its answer under `test_client_secret`. */
const LINKEDIN_CHALLENGE = '890e4665-4dfe-4ab1-b689-ed553bceeed0';
const LINKEDIN_CHALLENGE_RESPONSE = '2f02d4233a0396d6b4632fc7be62fd3ab68183421f688efcda0c1fcb2615273e';

/** The parent application (LINKEDIN_PARENT_APPLICATION_ID): its challenges get the first webhook secret. */
const PARENT_APPLICATION_ID = '1000';

/** A customer whose client secret is as LinkedIn issues them: published nowhere, usable in production. */
const CUSTOMER_APPLICATION = {
  urn: 'urn:li:developerApplication:24680',
  clientId: 'customer-client-id',
  clientSecret: randomBytes(16).toString('hex'),
  integrationContext: null,
  companyName: 'Initech',
};

/** A customer whose secret the ATS holds but is too short to trust. */
const WEAK_APPLICATION = {
  urn: 'urn:li:developerApplication:55555',
  clientId: 'weak-client-id',
  clientSecret: 'short',
  integrationContext: null,
  companyName: 'Weak Secret Inc',
};

let store: JobStore;
const client = testClient();

beforeAll(async () => {
  store = await openEmbeddedJobStore({});
  await store.seedDemoData();
  await store.ensureApplication(WEAK_APPLICATION);
  await store.ensureApplication(CUSTOMER_APPLICATION);
});

afterAll(async () => {
  await store?.close();
  await client.connection.close();
});

interface Api {
  url: string;
  /** Resyncs the webhook asked Temporal to start. */
  starts: number;
  /** Job Status Change notifications the webhook handed on to be started. */
  statusChanges: number;
  /** Queries of the job store, of any kind. */
  storeReads: number;
  /** Times the starter asked Temporal whether it answers. */
  readyChecks: number;
  /** Moves the API's clock. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/**
 * The API over HTTP. In development unless a test says otherwise, so the demo applications' secrets sign
 * as they do under `npm run dev`; the production rules have tests of their own ("outside development").
 */
async function startApi(
  options: { logger?: Logger; jobStatusChanges?: boolean; development?: boolean; maxBodyBytes?: number } = {},
): Promise<Api> {
  let clock = Date.now();
  const logger = options.logger ?? createLogger('silent');
  const starting = {
    taskQueue: uniqueTaskQueue('security'),
    deadlineMs: 30 * 60_000,
    followUpWindowMs: 60 * 60_000,
    workflowIdPrefix: `t${randomUUID().slice(0, 8)}-`,
    startTimeoutMs: 4_000,
  };
  const real = createResyncStarter(client, starting);
  const counts = { starts: 0, storeReads: 0, readyChecks: 0, statusChanges: 0 };
  const resyncs: ResyncStarter = {
    start: (notification, receivedAt) => {
      counts.starts += 1;
      return real.start(notification, receivedAt);
    },
    ready: () => {
      counts.readyChecks += 1;
      return real.ready();
    },
  };
  const app = createApp({
    webhookSecrets: [WEBHOOK_SECRET],
    parentApplicationId: PARENT_APPLICATION_ID,
    development: options.development ?? true,
    jobStore: {
      getApplication: (urn) => {
        counts.storeReads += 1;
        return store.getApplication(urn);
      },
      listApplicationSecrets: () => {
        counts.storeReads += 1;
        return store.listApplicationSecrets();
      },
    },
    resyncs,
    logger,
    now: () => clock,
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.jobStatusChanges
      ? { jobStatusChanges: counted(createJobStatusChanges({ client, jobStore: store, logger }, starting)) }
      : {}),
  });
  function counted(changes: JobStatusChanges): JobStatusChanges {
    return {
      accept: (body, receivedAt) => {
        counts.statusChanges += 1;
        return changes.accept(body, receivedAt);
      },
    };
  }
  const server: Server = createServer((req, res) => void app.callback()(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get starts() {
      return counts.starts;
    },
    get statusChanges() {
      return counts.statusChanges;
    },
    get storeReads() {
      return counts.storeReads;
    },
    get readyChecks() {
      return counts.readyChecks;
    },
    advance(ms) {
      clock += ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let api: Api;
beforeEach(async () => {
  api = await startApi();
});
afterEach(async () => {
  await api?.close();
});

function challenge(challengeCode: string, applicationId?: string): Promise<Response> {
  const query = new URLSearchParams({ challengeCode, ...(applicationId ? { applicationId } : {}) });
  return fetch(`${api.url}/webhooks/linkedin?${query.toString()}`);
}

function notify(body: string, signature: string | null): Promise<Response> {
  return fetch(`${api.url}/webhooks/linkedin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(signature ? { 'X-LI-Signature': signature } : {}) },
    body,
  });
}

describe('the challenge cannot be used to sign a notification', () => {
  test.each([
    ['the HMAC of hmacsha256= + body, configured secret', 'prefixed', undefined],
    ['the HMAC of the body alone, configured secret', 'bare', undefined],
    ["the HMAC of hmacsha256= + body, the child application's secret", 'prefixed', '12345'],
    ["the HMAC of the body alone, the child application's secret", 'bare', '12345'],
  ])(
    'forging %s: the challenge is refused, the POST gets 401 and nothing starts',
    async (_case, reading, id) => {
      const body = notification(['job-1234'], DEMO_APPLICATION.urn);
      const answer = await challenge(reading === 'prefixed' ? `hmacsha256=${body}` : body, id);
      const answered = (await answer.json()) as { challengeResponse?: unknown; errorMessage?: unknown };
      // Whatever the endpoint answered is what an attacker would put in the header.
      const forged =
        typeof answered.challengeResponse === 'string' ? answered.challengeResponse : 'f'.repeat(64);
      const post = await notify(body, forged);
      expect({ challenge: answer.status, post: post.status, started: api.starts }).toEqual({
        challenge: 400,
        post: 401,
        started: 0,
      });
      expect(answered).toEqual({ errorMessage: 'challengeCode must be a UUID' });
    },
  );

  test("an answer to LinkedIn's UUID signs only that UUID, which is no notification: nothing starts", async () => {
    const answer = (await (await challenge(LINKEDIN_CHALLENGE)).json()) as { challengeResponse: string };
    const post = await notify(LINKEDIN_CHALLENGE, answer.challengeResponse);
    expect(post.status).toBe(400);
    expect(await post.json()).toEqual({ errorMessage: 'the body is not valid JSON' });
    expect(api.starts).toBe(0);
  });

  test.each([
    ['a code that is not a UUID', 'abc'],
    ['a UUID with something after it', `${LINKEDIN_CHALLENGE}x`],
    ['LinkedIn’s prefix before a UUID', `hmacsha256=${LINKEDIN_CHALLENGE}`],
  ])('%s gets 400', async (_case, code) => {
    const answer = await challenge(code);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ errorMessage: 'challengeCode must be a UUID' });
  });

  test("LinkedIn's own example challenge is still answered", async () => {
    const answer = await challenge(LINKEDIN_CHALLENGE);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      challengeCode: LINKEDIN_CHALLENGE,
      challengeResponse: LINKEDIN_CHALLENGE_RESPONSE,
    });
  });

  test("a challenge naming a child application is answered with that application's secret", async () => {
    const code = randomUUID();
    const answer = await challenge(code, '67890');
    expect(await answer.json()).toEqual({
      challengeCode: code,
      challengeResponse: challengeResponse(SECOND_DEMO_APPLICATION.clientSecret, code),
    });
  });

  test('a challenge naming the parent application is answered with the first webhook secret', async () => {
    const answer = await challenge(LINKEDIN_CHALLENGE, PARENT_APPLICATION_ID);
    expect(await answer.json()).toEqual({
      challengeCode: LINKEDIN_CHALLENGE,
      challengeResponse: LINKEDIN_CHALLENGE_RESPONSE,
    });
  });
});

describe('the challenge tells no customer from a stranger', () => {
  beforeEach(async () => {
    // As deployed: the demo applications' published secrets are not used.
    await api.close();
    api = await startApi({ development: false });
  });

  async function answerOf(code: string, applicationId?: string) {
    const answer = await challenge(code, applicationId);
    const body = (await answer.json()) as Record<string, unknown>;
    return {
      status: answer.status,
      type: answer.headers.get('content-type'),
      keys: Object.keys(body),
      challengeCode: body.challengeCode,
      response: String(body.challengeResponse),
    };
  }

  test('held or not, an application gets the same status and shape, and an answer that matches no other', async () => {
    const code = randomUUID();
    const customer = await answerOf(code, '24680');
    const strangers = await Promise.all(
      ['999', '24681', '12345', '55555', 'parent-app'].map((id) => answerOf(code, id)),
    );
    const parent = await answerOf(code);
    for (const answered of [customer, ...strangers]) {
      expect({ ...answered, response: /^[0-9a-f]{64}$/.test(answered.response) }).toEqual({
        status: 200,
        type: 'application/json; charset=utf-8',
        keys: ['challengeCode', 'challengeResponse'],
        challengeCode: code,
        response: true,
      });
    }
    // Nothing to compare an answer with: none is the parent's, and each application's is its own.
    const responses = [customer, ...strangers, parent].map((answered) => answered.response);
    expect(new Set(responses).size).toBe(responses.length);
  });

  test('an answer is the same on every ask and from every API process, held or not', async () => {
    const code = randomUUID();
    const other = await startApi({ development: false });
    try {
      for (const id of ['24680', '999']) {
        const first = await answerOf(code, id);
        expect(await answerOf(code, id)).toEqual(first);
        const fromOther = await fetch(
          `${other.url}/webhooks/linkedin?challengeCode=${code}&applicationId=${id}`,
        );
        expect(((await fromOther.json()) as { challengeResponse: string }).challengeResponse).toBe(
          first.response,
        );
      }
    } finally {
      await other.close();
    }
  });

  test('neither answer waits on the store: no query for an application not held, however often asked', async () => {
    await answerOf(randomUUID(), '24680');
    const reads = api.storeReads;
    expect(reads).toBe(1);
    // Within the snapshot's 30 s, each time past the 5 s after which a notification naming an application
    // the snapshot lacks reads the store again (it may be new): a challenge never does.
    for (let i = 0; i < 4; i += 1) {
      api.advance(6_000);
      await answerOf(randomUUID(), String(700_000 + i));
      await answerOf(randomUUID(), '24680');
    }
    expect(api.storeReads).toBe(reads);
    const timed = async (id: string) => {
      const startedAt = process.hrtime.bigint();
      await answerOf(randomUUID(), id);
      return Number(process.hrtime.bigint() - startedAt) / 1e6;
    };
    // Interleaved, each kind first in every other block, and compared by their fastest tenth: a machine
    // busy with other work only ever adds time to a call (a scheduler's pause, a collection), and adds it
    // where it falls, so a busy machine moves medians, even of paired differences (1.8 ms in CI with two
    // suites beside it, 2026-12-08), where a stranger's answer that waited on anything would move the fast
    // tenth of every stranger's call (a 2 ms wait on the stranger's path fails this).
    const held: number[] = [];
    const stranger: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const id = String(800_000 + i);
      if (i % 2 === 0) {
        held.push(await timed('24680'));
        stranger.push(await timed(id));
      } else {
        stranger.push(await timed(id));
        held.push(await timed('24680'));
      }
    }
    const fastTenth = (values: number[]) => [...values].sort((a, b) => a - b)[values.length / 10] ?? 0;
    expect(Math.abs(fastTenth(held) - fastTenth(stranger))).toBeLessThan(1);
  });

  test("LinkedIn's own challenges still validate: no application named, the parent, a customer it holds", async () => {
    expect(await answerOf(LINKEDIN_CHALLENGE)).toMatchObject({ response: LINKEDIN_CHALLENGE_RESPONSE });
    expect(await answerOf(LINKEDIN_CHALLENGE, PARENT_APPLICATION_ID)).toMatchObject({
      response: LINKEDIN_CHALLENGE_RESPONSE,
    });
    const code = randomUUID();
    expect(await answerOf(code, '24680')).toMatchObject({
      response: challengeResponse(CUSTOMER_APPLICATION.clientSecret, code),
    });
  });
});

describe('what a request whose signature matches no secret costs', () => {
  test.each([
    ['no X-LI-Signature', undefined, 'X-LI-Signature header is missing'],
    [
      'a malformed X-LI-Signature',
      'hmacsha256=not-hex',
      'X-LI-Signature is not a hex HMAC-SHA256 (64 hex digits, optionally after hmacsha256=)',
    ],
  ])(
    'a request with %s is refused with 401 while its body is still being sent',
    async (_case, header, message) => {
      const { port } = new URL(api.url);
      const declared = 512 * 1024;
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/linkedin',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(declared),
          ...(header ? { 'X-LI-Signature': header } : {}),
        },
      });
      req.on('error', () => undefined);
      const closed = new Promise<boolean>((resolve) => {
        // Closed at once (milliseconds); left to Node, an unread request keeps it about 6 s.
        const giveUp = setTimeout(() => resolve(false), 3_000);
        req.once('socket', (socket) =>
          socket.once('close', () => {
            clearTimeout(giveUp);
            resolve(true);
          }),
        );
      });
      // One small chunk of the half megabyte declared; the rest never comes.
      req.write('{"developerApplicationUrn":"urn:li:developerApplication:12345",');
      const answer = await new Promise<{ status: number | undefined; body: string; sent: number }>(
        (resolve, reject) => {
          const giveUp = setTimeout(
            () => reject(new Error('no answer while the body was incomplete')),
            10_000,
          );
          req.on('response', (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => {
              clearTimeout(giveUp);
              resolve({ status: res.statusCode, body, sent: req.socket?.bytesWritten ?? 0 });
            });
          });
        },
      );
      // The server closes the connection rather than waiting for, or reading, the rest.
      expect(await closed).toBe(true);
      req.destroy();
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ errorMessage: message });
      expect(answer.sent).toBeLessThan(declared);
    },
  );

  test('forged signatures cause one store query, whatever application they name, until the snapshot expires', async () => {
    const demo = notification(['job-1234'], DEMO_APPLICATION.urn);
    const forged = async (body: string) => (await notify(body, 'f'.repeat(64))).status;
    const statuses: number[] = [];
    for (let i = 0; i < 100; i += 1) statuses.push(await forged(demo));
    for (let i = 0; i < 100; i += 1) {
      statuses.push(await forged(notification(['job-1'], `urn:li:developerApplication:${900_000 + i}`)));
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(api.storeReads).toBe(1);
    expect(api.starts).toBe(0);

    // A short expiry: a rotated or new secret is seen within seconds.
    api.advance(31_000);
    expect(await forged(demo)).toBe(401);
    expect(api.storeReads).toBe(2);
  });

  test('an application added after the snapshot is found once the snapshot is a few seconds old', async () => {
    const body = notification(['job-1000'], SECOND_DEMO_APPLICATION.urn);
    expect((await notify(notification(['x'], 'urn:li:developerApplication:1'), 'f'.repeat(64))).status).toBe(
      401,
    );
    const newcomer = { ...SECOND_DEMO_APPLICATION, urn: 'urn:li:developerApplication:77777' };
    await store.ensureApplication({ ...newcomer, clientSecret: 'a-newly-provisioned-secret' });
    const newBody = body.replace(SECOND_DEMO_APPLICATION.urn, newcomer.urn);
    const signed = signNotification('a-newly-provisioned-secret', newBody);
    api.advance(6_000);
    const answer = await notify(newBody, signed);
    expect(answer.status).toBe(200);
  });

  test('a forged request is refused without parsing its body as JSON', async () => {
    const body = JSON.stringify({
      developerApplicationUrn: DEMO_APPLICATION.urn,
      type: 'RESYNC_JOBS',
      syncAllOpenJobs: false,
      externalJobPostingIds: Array.from({ length: 5_000 }, (_, i) => `job-${i}`),
    });
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect((await notify(body, 'f'.repeat(64))).status).toBe(401);
      const ofTheBody = parse.mock.calls.filter(
        ([text]) => typeof text === 'string' && text.length >= body.length,
      );
      expect(ofTheBody).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });

  test('a body signed with one child application secret but naming another application gets 401', async () => {
    // The scan finds the first key; JSON.parse keeps the last one.
    const body = `{"developerApplicationUrn":"${DEMO_APPLICATION.urn}","developerApplicationUrn":"${SECOND_DEMO_APPLICATION.urn}","externalJobPostingIds":["job-1000"],"syncAllOpenJobs":false,"type":"RESYNC_JOBS"}`;
    const answer = await notify(body, signNotification(DEMO_APPLICATION.clientSecret, body));
    expect(answer.status).toBe(401);
    expect(api.starts).toBe(0);
  });

  test('a JOB_POSTING_STATUS signed with one child application secret but naming another application gets 401, and is handed on to nothing', async () => {
    await api.close();
    api = await startApi({ jobStatusChanges: true });
    // The scan finds the first key; JSON.parse keeps the last one, which names the other customer.
    const forged = `{"developerApplicationUrn":"${DEMO_APPLICATION.urn}","developerApplicationUrn":"${SECOND_DEMO_APPLICATION.urn}","externalJobPostingId":"job-1000","type":"JOB_POSTING_STATUS","listingStatus":"NOT_LISTED"}`;
    const answer = await notify(forged, signNotification(DEMO_APPLICATION.clientSecret, forged));
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({
      errorMessage: 'X-LI-Signature does not match the body for any configured client secret',
    });
    expect(api.statusChanges).toBe(0);
    // Signed with the secret of the application it names, it is handed on.
    const plain = JSON.stringify({
      developerApplicationUrn: DEMO_APPLICATION.urn,
      externalJobPostingId: 'job-1000',
      type: 'JOB_POSTING_STATUS',
      listingStatus: 'LISTED',
    });
    expect((await notify(plain, signNotification(DEMO_APPLICATION.clientSecret, plain))).status).toBe(200);
    expect(api.statusChanges).toBe(1);
  });

  test('a child secret shorter than the minimum is never used to check a signature', async () => {
    const body = notification(['job-1'], WEAK_APPLICATION.urn);
    expect((await notify(body, signNotification(WEAK_APPLICATION.clientSecret, body))).status).toBe(401);
    expect((await notify(body, hmacSha256Hex(WEAK_APPLICATION.clientSecret, body))).status).toBe(401);
    expect(api.starts).toBe(0);
  });

  test('the demo applications’ secrets are long enough to be used in development', () => {
    for (const app of [DEMO_APPLICATION, SECOND_DEMO_APPLICATION]) {
      expect(app.clientSecret.length).toBeGreaterThanOrEqual(MIN_LINKEDIN_SECRET_LENGTH);
    }
    expect(MIN_LINKEDIN_SECRET_LENGTH).toBe(16);
  });

  test('outside development, a notification signed with a demo application’s published secret gets 401 and starts nothing', async () => {
    await api.close();
    api = await startApi({ development: false });
    for (const [app, body] of [
      [DEMO_APPLICATION, SAMPLE_ALL_OPEN],
      [SECOND_DEMO_APPLICATION, notification(['job-1000'], SECOND_DEMO_APPLICATION.urn)],
    ] as const) {
      for (const signature of [
        signNotification(app.clientSecret, body),
        hmacSha256Hex(app.clientSecret, body),
      ]) {
        const answer = await notify(body, signature);
        expect(answer.status).toBe(401);
        expect(await answer.json()).toEqual({
          errorMessage: 'X-LI-Signature does not match the body for any configured client secret',
        });
      }
    }
    expect(api.starts).toBe(0);
    // A customer's secret as LinkedIn issues it still signs for its own application.
    const own = notification(['job-1'], CUSTOMER_APPLICATION.urn);
    expect((await notify(own, signNotification(CUSTOMER_APPLICATION.clientSecret, own))).status).not.toBe(
      401,
    );
  });

  test("LinkedIn's samples signed with the configured secret or the child's still start a resync", async () => {
    expect(
      (await notify(SAMPLE_INDIVIDUAL, signNotification(WEBHOOK_SECRET, SAMPLE_INDIVIDUAL))).status,
    ).toBe(200);
    expect(
      (await notify(SAMPLE_ALL_OPEN, signNotification(DEMO_APPLICATION.clientSecret, SAMPLE_ALL_OPEN)))
        .status,
    ).toBe(200);
    expect(api.starts).toBe(2);
  });
});

describe('the application secrets snapshot when the store fails', () => {
  function flakyStore() {
    const state = { failing: false, reads: 0 };
    return {
      state,
      store: {
        listApplicationSecrets: () => {
          state.reads += 1;
          return state.failing
            ? Promise.reject(new Error('connection refused'))
            : store.listApplicationSecrets();
        },
      },
    };
  }

  test('the last snapshot keeps serving, and a failing store is asked again only after a few seconds', async () => {
    let clock = 0;
    const { state, store: flaky } = flakyStore();
    const secrets = new ApplicationSecrets({
      store: flaky,
      logger: createLogger('silent'),
      now: () => clock,
      development: true,
    });
    expect(await secrets.secretOf(DEMO_APPLICATION.urn)).toBe(DEMO_APPLICATION.clientSecret);
    state.failing = true;
    clock += 31_000;
    for (let i = 0; i < 20; i += 1) {
      expect(await secrets.secretOf(DEMO_APPLICATION.urn)).toBe(DEMO_APPLICATION.clientSecret);
    }
    expect(state.reads).toBe(2);
    state.failing = false;
    clock += 6_000;
    expect(await secrets.secretOf(DEMO_APPLICATION.urn)).toBe(DEMO_APPLICATION.clientSecret);
    expect(state.reads).toBe(3);
  });

  test('without a snapshot, a failing store fails the lookup but is not asked once per request', async () => {
    let clock = 0;
    const { state, store: flaky } = flakyStore();
    state.failing = true;
    const secrets = new ApplicationSecrets({
      store: flaky,
      logger: createLogger('silent'),
      now: () => clock,
      development: true,
    });
    for (let i = 0; i < 20; i += 1) {
      await expect(secrets.secretOf(DEMO_APPLICATION.urn)).rejects.toThrow('connection refused');
    }
    expect(state.reads).toBe(1);
    clock += 6_000;
    state.failing = false;
    expect(await secrets.secretOf(DEMO_APPLICATION.urn)).toBe(DEMO_APPLICATION.clientSecret);
  });
});

describe('what the API echoes and how often it asks Temporal', () => {
  test('/readyz answers many probes from one Temporal check at most 2 s old', async () => {
    const probe = async () => (await fetch(`${api.url}/readyz`)).status;
    const concurrent = await Promise.all(Array.from({ length: 50 }, probe));
    const sequential: number[] = [];
    for (let i = 0; i < 20; i += 1) sequential.push(await probe());
    expect(new Set([...concurrent, ...sequential])).toEqual(new Set([200]));
    expect(api.readyChecks).toBe(1);
    api.advance(READY_MAX_AGE_MS);
    expect(await probe()).toBe(200);
    expect(api.readyChecks).toBe(2);
  });

  test('a long path is cut short in the 404 answer and in the log', async () => {
    await api.close();
    const lines: string[] = [];
    api = await startApi({ logger: createLogger('info', sink(lines)) });
    const path = `/${'p'.repeat(4_000)}`;
    const answer = await fetch(`${api.url}${path}`);
    expect(answer.status).toBe(404);
    const { errorMessage } = (await answer.json()) as { errorMessage: string };
    expect(errorMessage).toBe(`no route for GET /${'p'.repeat(63)}… (4001 characters)`);
    expect(lines.join('\n')).not.toContain('p'.repeat(MAX_ECHO_LENGTH + 1));
    expect(lines.length).toBeGreaterThan(0);
  });

  test('a long wrong type is cut short in the 400 answer and in the log', async () => {
    await api.close();
    const lines: string[] = [];
    api = await startApi({ logger: createLogger('info', sink(lines)) });
    const body = JSON.stringify({
      developerApplicationUrn: DEMO_APPLICATION.urn,
      type: 't'.repeat(10_000),
      syncAllOpenJobs: true,
    });
    const answer = await notify(body, signNotification(WEBHOOK_SECRET, body));
    expect(answer.status).toBe(400);
    const { errorMessage } = (await answer.json()) as { errorMessage: string };
    expect(errorMessage).toMatch(
      /^type "t+… \(10002 characters\) is not supported; only RESYNC_JOBS is handled here$/,
    );
    expect(errorMessage.length).toBeLessThan(200);
    expect(lines.join('\n')).not.toContain('t'.repeat(MAX_ECHO_LENGTH + 1));
  });
});

describe('a jobPostingUrl that is no https LinkedIn URL', () => {
  test('is dropped from a signed JOB_POSTING_STATUS, with a warning naming it cut short', async () => {
    await api.close();
    const lines: string[] = [];
    api = await startApi({ logger: createLogger('info', sink(lines)), jobStatusChanges: true });
    const url = `javascript:alert(document.cookie)//${'x'.repeat(1_000)}`;
    const body = JSON.stringify({
      developerApplicationUrn: DEMO_APPLICATION.urn,
      type: 'JOB_POSTING_STATUS',
      externalJobPostingId: 'job-1234',
      listingStatus: 'LISTED',
      jobPostingUrl: url,
    });
    const answer = await notify(body, signNotification(DEMO_APPLICATION.clientSecret, body));
    expect(answer.status).toBe(200);
    const warning = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'jobPostingUrl is not an https LinkedIn URL: dropped');
    expect(warning).toMatchObject({
      level: 40,
      externalJobPostingId: 'job-1234',
      jobPostingUrl: `${url.slice(0, 64)}… (${url.length} characters)`,
    });
    expect(lines.join('\n')).not.toContain('x'.repeat(100));
  });
});

function sink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
}

describe("the API server's limits", () => {
  const servers: ApiServer[] = [];
  afterEach(async () => {
    for (const running of servers.splice(0)) {
      running.server.closeAllConnections();
      await new Promise<void>((resolve) => running.server.close(() => resolve()));
      await running.metrics.close();
    }
  });

  async function serve(env: Record<string, string>): Promise<number> {
    return (await served(env)).port;
  }

  async function served(env: Record<string, string>): Promise<{ port: number; running: ApiServer }> {
    const config = loadConfig({
      LINKEDIN_WEBHOOK_SECRETS: randomBytes(16).toString('hex'),
      LINKEDIN_PARENT_APPLICATION_ID: PARENT_APPLICATION_ID,
      PORT: '0',
      API_METRICS_PORT: '0',
      ...env,
    });
    const running = await startApiServer({ config, client, jobStore: store, logger: createLogger('silent') });
    servers.push(running);
    return { port: (running.server.address() as AddressInfo).port, running };
  }

  /** A raw connection that sends `text` and reports when the server closed it (or that it did not). */
  async function closedWithin(port: number, text: string, boundMs: number) {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const startedAt = Date.now();
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    if (text) socket.write(text);
    const closed = await new Promise<boolean>((resolve) => {
      const giveUp = setTimeout(() => resolve(false), boundMs);
      socket.once('close', () => {
        clearTimeout(giveUp);
        resolve(true);
      });
    });
    socket.destroy();
    return { closed, afterMs: Date.now() - startedAt, received };
  }

  test('a client that never finishes its headers is answered 408 and disconnected after HTTP_HEADERS_TIMEOUT', async () => {
    const port = await serve({ HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '3s' });
    const result = await closedWithin(port, 'POST /webhooks/linkedin HTTP/1.1\r\nHost: api\r\n', 8_000);
    expect(result.closed).toBe(true);
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.afterMs).toBeGreaterThanOrEqual(atLeast(1_000));
  });

  test('a client that trickles its body is disconnected after HTTP_REQUEST_TIMEOUT', async () => {
    const port = await serve({ HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '2s' });
    const head = [
      'POST /webhooks/linkedin HTTP/1.1',
      'Host: api',
      'Content-Type: application/json',
      'Content-Length: 1000',
      `X-LI-Signature: ${'f'.repeat(64)}`,
      '',
      '{"developerApplicationUrn":',
    ].join('\r\n');
    const result = await closedWithin(port, head, 8_000);
    expect(result.closed).toBe(true);
    expect(result.afterMs).toBeGreaterThanOrEqual(atLeast(2_000));
  });

  test('connections beyond HTTP_MAX_CONNECTIONS are closed at once; the ones within are served', async () => {
    const port = await serve({
      HTTP_MAX_CONNECTIONS: '2',
      HTTP_HEADERS_TIMEOUT: '60s',
      HTTP_REQUEST_TIMEOUT: '60s',
    });
    const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    try {
      await Promise.all(held.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
      const beyond = await closedWithin(port, '', 5_000);
      expect(beyond.closed).toBe(true);
      const [first] = held;
      const answer = await new Promise<string>((resolve) => {
        first?.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        first?.write('GET /healthz HTTP/1.1\r\nHost: api\r\n\r\n');
      });
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  test('GET /metrics is not served on the public port, only on the metrics listener (127.0.0.1)', async () => {
    const port = await serve({});
    const running = servers.at(-1);
    const publicAnswer = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(publicAnswer.status).toBe(404);
    expect(await publicAnswer.json()).toEqual({ errorMessage: 'no route for GET /metrics' });
    expect(running?.metrics.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const scraped = await fetch(`${running?.metrics.url ?? ''}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('linkedin_notifications_total');
    expect((await fetch(`${running?.metrics.url ?? ''}/webhooks/linkedin`)).status).toBe(404);
  });

  test('the defaults bound headers to 10 s, a request to 30 s, connections to 1024, a body to 64 KiB and the bodies held to 16 MiB', () => {
    expect(loadConfig({ NODE_ENV: 'development', LINKEDIN_WEBHOOK_SECRETS: WEBHOOK_SECRET }).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxConnections: 1024,
      maxBodyBytes: 64 * 1024,
      bodyBudgetBytes: 16 * 1024 * 1024,
    });
  });

  test('HTTP_MAX_BODY_BYTES bounds a body (64 KiB by default), and HTTP_BODY_BUDGET_BYTES the bodies held', async () => {
    const signed = (bytes: number) => {
      const body = notification(['job-1234']).padEnd(bytes, ' ');
      return { body, signature: signNotification(WEBHOOK_SECRET, body) };
    };
    const byDefault = await serve({});
    const large = signed(65 * 1024);
    expect(await post(`http://127.0.0.1:${byDefault}`, large.body, large.signature)).toEqual({
      status: 413,
      body: JSON.stringify({
        errorMessage: `the body is larger than the ${64 * 1024} bytes a notification may have`,
      }),
    });

    const { port, running } = await served({
      HTTP_MAX_BODY_BYTES: '4KiB',
      HTTP_BODY_BUDGET_BYTES: '8KiB',
      HTTP_REQUEST_TIMEOUT: '2s',
      HTTP_HEADERS_TIMEOUT: '1s',
    });
    const over = signed(4 * 1024 + 1);
    expect((await post(`http://127.0.0.1:${port}`, over.body, over.signature)).status).toBe(413);

    // Two slow senders hold 3,000 bytes each of the 8 KiB: a third body of 4,000 cannot be read beside them.
    const startedAt = Date.now();
    const slow = [await slowSender(port), await slowSender(port)];
    await until(() => running.bodies.inFlight === 6_000, 'the server holds both slow bodies');
    const third = await closedWithin(
      port,
      `POST /webhooks/linkedin HTTP/1.1\r\nHost: api\r\nContent-Length: 4000\r\nX-LI-Signature: ${'f'.repeat(64)}\r\n\r\n`,
      1_500,
    );
    expect(third.closed).toBe(true);
    expect(third.received).toMatch(/^HTTP\/1\.1 503 [^]*\r\nretry-after: 5\r\n/i);
    expect(running.bodies.peak).toBe(6_000);

    // The server's request timeout ends the slow senders, and what they held is given back.
    await Promise.all(slow.map((sender) => sender.closed));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(atLeast(2_000));
    await until(() => running.bodies.inFlight === 0, 'the slow bodies are given back');
  });

  /** A connection that declared a body of 4,000 bytes, sent 3,000 of them and stopped. */
  async function slowSender(port: number): Promise<{ closed: Promise<void> }> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Read what the server answers: a paused socket would never see the close.
    socket.resume();
    socket.write(
      `POST /webhooks/linkedin HTTP/1.1\r\nHost: api\r\nContent-Length: 4000\r\nX-LI-Signature: ${'f'.repeat(64)}\r\n\r\n${' '.repeat(3_000)}`,
    );
    return { closed };
  }
});

describe('the PostgreSQL job store', () => {
  test('every session of the store carries a statement timeout', async () => {
    const database = await createTestDatabase('security');
    const postgres = await openPostgresDatabase(database.url);
    try {
      const { rows } = await postgres.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(rows[0]?.statement_timeout).toBe(`${POSTGRES_STATEMENT_TIMEOUT_MS / 1000}s`);
    } finally {
      await postgres.close?.();
      await database.drop();
    }
  });

  test('a server that accepts the connection but never answers fails the store within the connect timeout', async () => {
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const startedAt = Date.now();
      const outcome = await Promise.race([
        openPostgresJobStore(`postgres://ats:secret@127.0.0.1:${port}/ats`).then(
          (opened) => opened.close().then(() => 'opened'),
          () => 'failed',
        ),
        new Promise<string>((resolve) =>
          setTimeout(() => resolve('still waiting'), POSTGRES_CONNECT_TIMEOUT_MS + 5_000),
        ),
      ]);
      expect(outcome).toBe('failed');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(atLeast(POSTGRES_CONNECT_TIMEOUT_MS));
    } finally {
      silent.close();
    }
  });
});

describe('the token request', () => {
  test('a token endpoint answering 307 is not followed: the client secret goes nowhere else, and it is not retried', async () => {
    let targetCalls = 0;
    const target = createServer((_req, res) => {
      targetCalls += 1;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"access_token":"stolen","expires_in":1800}');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const elsewhere = `http://127.0.0.1:${(target.address() as AddressInfo).port}/oauth/v2/accessToken`;
    const redirecting = createServer((_req, res) => {
      res.writeHead(307, { Location: elsewhere });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const tokenUrl = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/oauth/v2/accessToken`;
    try {
      const linkedin = new LinkedInClient({ apiUrl: tokenUrl, tokenUrl, requestTimeoutMs: 5_000 });
      const error: unknown = await new TokenCache({ client: linkedin }).get(DEMO_APPLICATION).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LinkedInContractError);
      expect(targetCalls).toBe(0);
      expect(toActivityFailure(error)).toMatchObject({
        nonRetryable: true,
        type: FailureType.LinkedInContractViolation,
      });
    } finally {
      await Promise.all(
        [target, redirecting].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    }
  });
});

describe('log redaction', () => {
  test('an object nesting every kind of secret, at any depth, logs none of them', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', sink(lines)).child({ bound: { apiKey: 'secret-in-bindings-1' } });
    const secrets = {
      clientSecret: 'secret-value-client-1',
      client_secret: 'secret-value-client-2',
      password: 'secret-value-password',
      apiKey: 'secret-value-api-key',
      dbPassword: 'secret-value-db-password',
      signature: 'secret-value-signature',
      header: 'secret-value-x-li-signature',
      authorization: 'secret-value-authorization',
      urlPassword: 'secret-value-in-url',
      bearer: 'secret-value-bearer-token',
      accessToken: 'secret-value-access-token',
      webhookSecret: 'secret-value-webhook',
    };
    const cause = new Error(`connect to postgres://ats:${secrets.urlPassword}@db:5432/ats failed`);
    logger.info(
      {
        request: {
          headers: {
            'X-LI-Signature': secrets.header,
            authorization: `Bearer ${secrets.bearer}`,
          },
          query: { applicationId: '12345' },
        },
        deeply: {
          nested: [
            {
              config: {
                linkedin: { clientSecret: secrets.clientSecret },
                client_secret: secrets.client_secret,
              },
            },
          ],
        },
        database: { password: secrets.password, url: `postgres://ats:${secrets.urlPassword}@db:5432/ats` },
        DATABASE_URL: `postgresql://ats:${secrets.urlPassword}@db/ats`,
        temporal: { TEMPORAL_API_KEY: secrets.apiKey, apiKey: secrets.apiKey },
        POSTGRES_PASSWORD: secrets.dbPassword,
        signature: secrets.signature,
        token: { access_token: secrets.accessToken },
        webhookSecrets: [secrets.webhookSecret],
        err: new Error('token request failed', { cause }),
        tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
      },
      `sent with Bearer ${secrets.bearer}`,
    );
    const text = lines.join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, logged: text.includes(secret) }).toEqual({ name, logged: false });
    }
    expect(text).not.toContain('secret-in-bindings-1');
    // What is not a secret stays readable.
    const [line] = lines.map((entry) => JSON.parse(entry) as Record<string, unknown>);
    expect(line).toMatchObject({
      request: { query: { applicationId: '12345' } },
      database: { url: 'postgres://ats:[redacted]@db:5432/ats' },
      tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
      err: { type: 'Error' },
    });
    expect(text).toContain('token request failed');
  });
});

/** The webhook's answer, or the error that came instead (a timeout after a long stall, say). */
async function post(url: string, body: string, signature: string): Promise<{ status: number; body: string }> {
  try {
    const answer = await fetch(`${url}/webhooks/linkedin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signature },
      body,
    });
    return { status: answer.status, body: await answer.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

describe('one signed notification cannot stall the API', () => {
  const record = stallFigures('longest event-loop block while the API answered (ms)');
  // "a." repeated then "://": the text that made the former log redaction take quadratic time.
  const crafted = (size: number) => `${'a.'.repeat((size - 3) / 2)}://`.padEnd(size, 'a');

  describe.each([
    ['200 KB', 200_000],
    ['1 MB', 1_000_000],
  ])('ids of %s', (sizeName, size) => {
    const long = crafted(size);
    test.each([
      [
        'a JOB_POSTING_STATUS signed with the child secret, its externalJobPostingId',
        {
          developerApplicationUrn: DEMO_APPLICATION.urn,
          type: 'JOB_POSTING_STATUS',
          externalJobPostingId: long,
        },
        `externalJobPostingId is longer than 200 characters (${size})`,
      ],
      [
        'a Job Resync Notification signed with the child secret, one of its externalJobPostingIds',
        {
          developerApplicationUrn: DEMO_APPLICATION.urn,
          externalJobPostingIds: ['job-1234', long],
          syncAllOpenJobs: false,
          type: 'RESYNC_JOBS',
        },
        `externalJobPostingIds[1] is longer than 200 characters (${size})`,
      ],
      [
        'a JOB_POSTING_STATUS, its developerApplicationUrn',
        {
          developerApplicationUrn: `urn:li:developerApplication:${'1'.repeat(size - 28)}`,
          type: 'JOB_POSTING_STATUS',
          externalJobPostingId: 'job-1234',
        },
        `developerApplicationUrn is longer than 200 characters (${size})`,
      ],
      [
        'a JOB_POSTING_STATUS signed with the child secret, its location',
        {
          developerApplicationUrn: DEMO_APPLICATION.urn,
          type: 'JOB_POSTING_STATUS',
          externalJobPostingId: 'job-1234',
          jobPostingInfo: { location: long },
        },
        `jobPostingInfo.location is longer than 1000 characters (${size})`,
      ],
    ])(
      '%s: 400 with a precise errorMessage, the event loop never held 50 ms',
      async (what, fields, errorMessage) => {
        const lines: string[] = [];
        // A body limit far above the default 64 KiB, so that the ids themselves are what is refused.
        const logged = await startApi({
          logger: createLogger('info', sink(lines)),
          jobStatusChanges: true,
          maxBodyBytes: 4 * 1024 * 1024,
        });
        try {
          const body = JSON.stringify(fields);
          const secret =
            fields.developerApplicationUrn === DEMO_APPLICATION.urn
              ? DEMO_APPLICATION.clientSecret
              : WEBHOOK_SECRET;
          const signature = signNotification(secret, body);
          const answers: { status: number; body: string }[] = [];
          const blockedMs = await leastOfThree(50, async () => {
            const { result, blockedMs: once } = await longestBlock(() => post(logged.url, body, signature));
            answers.push(result);
            return once;
          });
          record(`${sizeName} ${what}`, blockedMs);
          for (const answer of answers) {
            expect(answer).toEqual({ status: 400, body: JSON.stringify({ errorMessage }) });
          }
          expect(logged.starts).toBe(0);
          expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(4_000);
          expect(blockedMs).toBeLessThan(50);
        } finally {
          await logged.close();
        }
      },
    );
  });
});
