import { request } from 'node:http';
import { WorkflowNotFoundError } from '@temporalio/client';
import { signNotification } from '../src/api/signature';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { type JobResult, type ResyncResult } from '../src/contract';
import {
  PARENT_APPLICATION_ID,
  SAMPLE_INDIVIDUAL,
  startTestEnvironment,
  WEBHOOK_SECRET,
  type TestEnvironment,
} from './support/environment';
import { eventually } from './support/eventually';

let env: TestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment();
});

afterAll(async () => {
  await env?.close();
});

/** Workflows this file's API started, as Temporal's visibility lists them. */
async function workflowsStarted(): Promise<number> {
  const { count } = await env.client.workflow.count(
    `TaskQueue = "${env.taskQueue}" AND WorkflowType = "resyncJobs"`,
  );
  return count;
}

async function expectRefusal(response: Response, status: number, errorMessage: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({ errorMessage });
}

describe('the ownership check (GET)', () => {
  test('answers the challenge with the HMAC of the code under the first webhook secret', async () => {
    const response = await fetch(
      `${env.apiUrl}/webhooks/linkedin?challengeCode=890e4665-4dfe-4ab1-b689-ed553bceeed0`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      challengeCode: '890e4665-4dfe-4ab1-b689-ed553bceeed0',
      challengeResponse: '2f02d4233a0396d6b4632fc7be62fd3ab68183421f688efcda0c1fcb2615273e',
    });
  });

  test("answers with the child application's own secret when applicationId names it", async () => {
    const code = '0b4c7c34-3f55-4d3b-9a3e-1f0f3c1c9e21';
    const response = await fetch(`${env.apiUrl}/webhooks/linkedin?challengeCode=${code}&applicationId=12345`);
    expect(response.status).toBe(200);
    const { createHmac } = await import('node:crypto');
    expect(await response.json()).toEqual({
      challengeCode: code,
      challengeResponse: createHmac('sha256', DEMO_APPLICATION.clientSecret).update(code).digest('hex'),
    });
  });

  test('answers the parent application with the first webhook secret, and an application it does not hold otherwise', async () => {
    // Three failed checks block the webhook, and LinkedIn may name the parent application (issue 8).
    const challenge = (applicationId: string) =>
      fetch(
        `${env.apiUrl}/webhooks/linkedin?challengeCode=890e4665-4dfe-4ab1-b689-ed553bceeed0&applicationId=${applicationId}`,
      );
    const parent = await challenge(PARENT_APPLICATION_ID);
    expect(parent.status).toBe(200);
    expect(await parent.json()).toEqual({
      challengeCode: '890e4665-4dfe-4ab1-b689-ed553bceeed0',
      challengeResponse: '2f02d4233a0396d6b4632fc7be62fd3ab68183421f688efcda0c1fcb2615273e',
    });
    // A stranger's answer is not the parent's: it would tell strangers from customers (docs/security.md).
    const stranger = await challenge('999');
    expect(stranger.status).toBe(200);
    const { challengeResponse } = (await stranger.json()) as { challengeResponse: string };
    expect(challengeResponse).toMatch(/^[0-9a-f]{64}$/);
    expect(challengeResponse).not.toBe('2f02d4233a0396d6b4632fc7be62fd3ab68183421f688efcda0c1fcb2615273e');
  });

  test('refuses a challengeCode that is not a UUID with 400: the endpoint signs nothing else', async () => {
    const response = await fetch(`${env.apiUrl}/webhooks/linkedin?challengeCode=abc`);
    await expectRefusal(response, 400, 'challengeCode must be a UUID');
  });

  test('refuses a missing challengeCode with 400', async () => {
    await expectRefusal(await fetch(`${env.apiUrl}/webhooks/linkedin`), 400, 'challengeCode is required');
  });
});

describe('refused notifications start nothing', () => {
  const valid = {
    developerApplicationUrn: DEMO_APPLICATION.urn,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: false,
    externalJobPostingIds: ['job-1234'],
  };

  test('a missing signature gets 401', async () => {
    await expectRefusal(await env.notify(SAMPLE_INDIVIDUAL, null), 401, 'X-LI-Signature header is missing');
  });

  test('a wrong signature gets 401', async () => {
    await expectRefusal(
      await env.notify(SAMPLE_INDIVIDUAL, signNotification('not-the-secret', SAMPLE_INDIVIDUAL)),
      401,
      'X-LI-Signature does not match the body for any configured client secret',
    );
  });

  test('a signature of other bytes gets 401', async () => {
    const signature = signNotification(WEBHOOK_SECRET, SAMPLE_INDIVIDUAL);
    await expectRefusal(
      await env.notify(SAMPLE_INDIVIDUAL.replace('job-1234', 'job-1235'), signature),
      401,
      'X-LI-Signature does not match the body for any configured client secret',
    );
  });

  test('a body over 1 MiB gets 413', async () => {
    const body = JSON.stringify({ ...valid, padding: 'x'.repeat(1024 * 1024) });
    await expectRefusal(
      await env.notify(body),
      413,
      'the body is larger than the 65536 bytes a notification may have',
    );
  });

  test('a body over 1 MiB streamed without Content-Length (chunked) gets 413', async () => {
    // 2 MiB of whitespace in 64 KiB chunks, on a connection of its own: the server learns the size only by
    // reading.
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${env.apiUrl}/webhooks/linkedin`, {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'X-LI-Signature': 'a'.repeat(64) },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => (text += part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      expect(req.getHeader('content-length')).toBeUndefined();
      const chunk = ' '.repeat(64 * 1024);
      for (let i = 0; i < 32; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body)).toEqual({
      errorMessage: 'the body is larger than the 65536 bytes a notification may have',
    });
  });

  test('a body that is not JSON gets 400', async () => {
    await expectRefusal(await env.notify('{"developerApplicationUrn":'), 400, 'the body is not valid JSON');
  });

  test.each([
    ['a JSON array', [], 'the notification must be a JSON object'],
    [
      'a missing field',
      { type: 'RESYNC_JOBS', syncAllOpenJobs: true },
      'developerApplicationUrn is required',
    ],
    ['a wrongly typed field', { ...valid, syncAllOpenJobs: 'no' }, 'syncAllOpenJobs must be a boolean'],
    [
      'another event type',
      { ...valid, type: 'JOB_POSTING_STATUS' },
      'type "JOB_POSTING_STATUS" is not supported; only RESYNC_JOBS is handled here',
    ],
    [
      'a malformed urn',
      { ...valid, developerApplicationUrn: 'urn:li:developerApplication:abc' },
      'developerApplicationUrn must look like urn:li:developerApplication:{numeric id}',
    ],
    [
      'syncAllOpenJobs false without ids',
      { ...valid, externalJobPostingIds: undefined },
      'externalJobPostingIds must list at least one job when syncAllOpenJobs is false',
    ],
    [
      'an empty id',
      { ...valid, externalJobPostingIds: ['job-1', ''] },
      'externalJobPostingIds[1] must not be empty',
    ],
    [
      "an id over 200 characters, LinkedIn's limit",
      { ...valid, externalJobPostingIds: ['job-1', 'j'.repeat(201)] },
      'externalJobPostingIds[1] is longer than 200 characters (201)',
    ],
    [
      'ids that are neither a list nor a string',
      { ...valid, externalJobPostingIds: { id: 'job-1' } },
      'externalJobPostingIds must be an array of strings',
    ],
    [
      'a missing syncAllOpenJobs',
      {
        developerApplicationUrn: DEMO_APPLICATION.urn,
        type: 'RESYNC_JOBS',
        externalJobPostingIds: ['job-1'],
      },
      'syncAllOpenJobs is required',
    ],
    [
      'an unknown application',
      { ...valid, developerApplicationUrn: 'urn:li:developerApplication:424242' },
      'developerApplicationUrn urn:li:developerApplication:424242 is not an application this ATS knows',
    ],
  ])('%s gets 400 naming the problem', async (_case, value, message) => {
    await expectRefusal(await env.notify(JSON.stringify(value)), 400, message);
  });

  test('none of them reached Temporal: no resync exists for them, and a good notification sent after them is the only workflow', async () => {
    // Refused notifications that still name a resync: asked of Temporal directly, not of its visibility.
    const named = [
      SAMPLE_INDIVIDUAL,
      JSON.stringify({ ...valid, developerApplicationUrn: 'urn:li:developerApplication:424242' }),
    ];
    for (const body of named) {
      await expect(env.client.workflow.getHandle(env.workflowIdOf(body)).describe()).rejects.toBeInstanceOf(
        WorkflowNotFoundError,
      );
    }
    const probe = JSON.stringify({ ...valid, externalJobPostingIds: ['job-1000'] });
    expect((await env.notify(probe)).status).toBe(200);
    await env.client.workflow.getHandle(env.workflowIdOf(probe)).result();
    await eventually(async () => expect(await workflowsStarted()).toBe(1));
  });
});

describe('the signature is checked over the bytes as sent', () => {
  const spaced = [
    '{',
    '  "developerApplicationUrn" : "urn:li:developerApplication:12345",',
    '  "type": "RESYNC_JOBS",',
    '  "syncAllOpenJobs": false,',
    '  "externalJobPostingIds": [ "job-1020" ]',
    '}',
  ].join('\r\n');
  const reordered =
    '{"type":"RESYNC_JOBS","externalJobPostingIds":["job-1021"],"syncAllOpenJobs":false,"developerApplicationUrn":"urn:li:developerApplication:12345"}';
  const escaped =
    '{"developerApplicationUrn":"urn:li:developerApplication:12345","type":"RESYNC_\\u004aOBS","syncAllOpenJobs":false,"externalJobPostingIds":["job-\\u0031022","job-1023\\/"]}';

  test.each([
    ['spaces and line breaks', spaced, WEBHOOK_SECRET, ['job-1020']],
    [
      'spaces and line breaks, signed with the child secret',
      spaced,
      DEMO_APPLICATION.clientSecret,
      ['job-1020'],
    ],
    ['its keys in another order', reordered, WEBHOOK_SECRET, ['job-1021']],
    ['\\u and \\/ escapes', escaped, WEBHOOK_SECRET, ['job-1022', 'job-1023/']],
  ])('a body with %s is accepted and resyncs the jobs it names', async (_case, body, secret, ids) => {
    const response = await env.notify(body, signNotification(secret, body));
    expect(response.status).toBe(200);
    const result = (await env.client.workflow.getHandle(env.workflowIdOf(body)).result()) as ResyncResult;
    expect(result.jobs.map((job) => job.externalJobPostingId).sort()).toEqual(ids);
  });

  test.each([
    ['spaces and line breaks', spaced],
    ['\\u and \\/ escapes', escaped],
  ])('a body with %s signed as the compact JSON it parses to gets 401', async (_case, body) => {
    const compact = JSON.stringify(JSON.parse(body));
    expect(compact).not.toBe(body);
    await expectRefusal(
      await env.notify(body, signNotification(WEBHOOK_SECRET, compact)),
      401,
      'X-LI-Signature does not match the body for any configured client secret',
    );
  });
});

test('a notification signed with the child application secret is accepted too', async () => {
  const body = JSON.stringify({
    developerApplicationUrn: DEMO_APPLICATION.urn,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: false,
    externalJobPostingIds: ['job-1001'],
  });
  const response = await env.notify(body, signNotification(DEMO_APPLICATION.clientSecret, body));
  expect(response.status).toBe(200);
});

test('five concurrent deliveries of one notification start one workflow and send each job once', async () => {
  const body = JSON.stringify({
    developerApplicationUrn: DEMO_APPLICATION.urn,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: false,
    externalJobPostingIds: ['job-1010', 'job-1011', 'job-1012'],
  });
  const responses = await Promise.all(Array.from({ length: 5 }, () => env.notify(body)));
  expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);

  const workflowId = env.workflowIdOf(body);
  const handle = env.client.workflow.getHandle(workflowId);
  const result = (await handle.result()) as ResyncResult;
  expect(result.totals.sent).toBe(3);
  // One execution, its first run, heard the deliveries (from its history, not from visibility): one signal
  // per signal-with-start, deliveries that came while a start was in flight having shared it.
  const described = await handle.describe();
  expect(described.runId).toBe(described.raw.workflowExecutionInfo?.firstRunId);
  const signals = ((await handle.fetchHistory()).events ?? []).filter(
    (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'notificationReceived',
  );
  expect(signals.length).toBeGreaterThanOrEqual(1);
  expect(signals.length).toBeLessThanOrEqual(5);
  const sent = env.sandbox
    .postedElements(DEMO_APPLICATION.urn)
    .filter((element) => ['job-1010', 'job-1011', 'job-1012'].includes(element.externalJobPostingId ?? ''));
  expect(sent).toHaveLength(3);
});

test('health answers 200 and readiness reports Temporal reachable', async () => {
  expect((await fetch(`${env.apiUrl}/healthz`)).status).toBe(200);
  const ready = await fetch(`${env.apiUrl}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready' });
});

test('an unknown route gets 404 with an errorMessage', async () => {
  await expectRefusal(await fetch(`${env.apiUrl}/nowhere`), 404, 'no route for GET /nowhere');
});

describe('notifications that are odd but understood get 200, and what can be done is done', () => {
  const notice = (fields: Record<string, unknown>) =>
    JSON.stringify({ developerApplicationUrn: DEMO_APPLICATION.urn, type: 'RESYNC_JOBS', ...fields });
  const fatesOf = (jobs: readonly JobResult[]) =>
    Object.fromEntries(jobs.map((job) => [job.externalJobPostingId, job.fate]));

  test("a single id as a string, repeated ids and an id of 200 characters (LinkedIn's longest) the ATS does not hold: known ones sent once, the others NOT_IN_ATS", async () => {
    const long = 'j'.repeat(200);
    const bodies = [
      notice({ syncAllOpenJobs: false, externalJobPostingIds: 'job-1040' }),
      notice({ syncAllOpenJobs: false, externalJobPostingIds: ['job-1041', 'job-1041', long, 'job-1041'] }),
    ];
    const responses = await Promise.all(bodies.map((body) => env.notify(body)));
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    const [single, listed] = await Promise.all(
      bodies.map(
        (body) => env.client.workflow.getHandle(env.workflowIdOf(body)).result() as Promise<ResyncResult>,
      ),
    );

    expect(fatesOf(single?.jobs ?? [])).toEqual({ 'job-1040': 'UPDATED' });
    expect(fatesOf(listed?.jobs ?? [])).toEqual({ 'job-1041': 'UPDATED', [long]: 'NOT_IN_ATS' });
    const sent = env.sandbox
      .postedElements(DEMO_APPLICATION.urn)
      .filter((element) => ['job-1040', 'job-1041'].includes(element.externalJobPostingId ?? ''));
    expect(sent.map((element) => element.externalJobPostingId).sort()).toEqual(['job-1040', 'job-1041']);
    expect(
      env.sandbox
        .postedElements(DEMO_APPLICATION.urn)
        .some((element) => element.externalJobPostingId === long),
    ).toBe(false);
  });

  test('a sync-all whose ids are null, of any length or content: every open job, and equivalent deliveries join one resync', async () => {
    const bodies = [
      notice({ syncAllOpenJobs: true, externalJobPostingIds: null }),
      notice({ syncAllOpenJobs: true, externalJobPostingIds: ['x'.repeat(500), '', 42] }),
      notice({ syncAllOpenJobs: true }),
    ];
    const responses = await Promise.all(bodies.map((body) => env.notify(body)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const workflowIds = new Set(bodies.map((body) => env.workflowIdOf(body)));
    expect(workflowIds.size).toBe(1);

    const [workflowId = ''] = workflowIds;
    const result = (await env.client.workflow.getHandle(workflowId).result()) as ResyncResult;
    const open = await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 1_000 });
    expect(result.totals).toMatchObject({ requested: open.length, notInAts: 0 });
    expect(result.totals.sent).toBe(open.length);
  });
});
