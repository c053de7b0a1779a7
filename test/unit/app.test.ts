/**
 * The API as `createApp` builds it, served through `app.callback()` with a starter that records what it
 * is asked to start: the webhook's decisions without Temporal. The embedded job store holds the demo data.
 * The full-stack counterparts are in webhook.test.ts.
 */
import { challengeResponse, signNotification } from '../../src/api/signature';
import { createApp } from '../../src/api/app';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import type { JobStore } from '../../src/ats/job-store';
import { createLogger } from '../../src/logger';
import { notification } from '../support/notifications';
import { recordingStarter, type RecordingStarter } from '../support/recording-starter';
import { serve, type Served } from '../support/serve';

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
  const app = createApp({
    webhookSecrets: [SECRET],
    jobStore,
    resyncs: starter,
    logger: createLogger('silent'),
    now: () => NOW,
    draining: () => draining,
  });
  api = await serve(app.callback());
});

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
