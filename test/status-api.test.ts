import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { createApp } from '../src/api/app';
import type { ResyncListItem, ResyncStatus } from '../src/api/resyncs';
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../src/ats/demo-data';
import {
  DEVELOPER_APPLICATION_URN,
  WORKFLOW_TYPE,
  type ResyncInput,
  type ResyncResult,
} from '../src/contract';
import { createLogger } from '../src/logger';
import { startTestEnvironment, type TestEnvironment } from './support/environment';
import { eventually } from './support/eventually';
import { notification } from './support/notifications';

const ADMIN_TOKEN = 'status-api-test-admin-token';

let env: TestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment({ adminToken: ADMIN_TOKEN });
});

afterAll(async () => {
  await env?.close();
});

afterEach(() => {
  env.sandbox.faults.clear();
});

/** Sends the notification through the webhook; resolves to the workflow id it started. */
async function resync(on: TestEnvironment, body: string): Promise<string> {
  expect((await on.notify(body)).status).toBe(200);
  return on.workflowIdOf(body);
}

function range(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `job-${from + i}`);
}

async function admin(path: string, token: string | null = ADMIN_TOKEN, on = env): Promise<Response> {
  return fetch(
    `${on.apiUrl}${path}`,
    token === null ? {} : { headers: { Authorization: `Bearer ${token}` } },
  );
}

async function status(workflowId: string, query = '', on = env): Promise<ResyncStatus> {
  const response = await admin(`/resyncs/${encodeURIComponent(workflowId)}${query}`, ADMIN_TOKEN, on);
  expect(response.status).toBe(200);
  return (await response.json()) as ResyncStatus;
}

async function list(query: string): Promise<ResyncListItem[]> {
  const response = await admin(`/resyncs?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { resyncs: ResyncListItem[] }).resyncs;
}

async function expectRefusal(response: Response, code: number, errorMessage: string): Promise<void> {
  expect(response.status).toBe(code);
  expect(await response.json()).toEqual({ errorMessage });
}

describe('access', () => {
  test.each(['/resyncs', '/resyncs/resync-app-12345-1-jobs-0000000000000000'])(
    '%s without a bearer token gets 401',
    async (path) => {
      const response = await admin(path, null);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      await expectRefusal(response, 401, 'Authorization: Bearer <ADMIN_TOKEN> is required');
    },
  );

  test.each(['/resyncs', '/resyncs/resync-app-12345-1-jobs-0000000000000000'])(
    '%s with a wrong bearer token gets 401',
    async (path) => {
      await expectRefusal(await admin(path, 'not-the-admin-token'), 401, 'the bearer token is not valid');
      await expectRefusal(await admin(path, `${ADMIN_TOKEN}x`), 401, 'the bearer token is not valid');
    },
  );

  test('without an admin token the status routes are not served at all', async () => {
    const app = createApp({
      webhookSecrets: ['secret'],
      jobStore: {
        getApplication: () => Promise.resolve(undefined),
        listApplicationSecrets: () => Promise.resolve([]),
      },
      logger: createLogger('silent'),
      resyncs: {
        start: () => Promise.reject(new Error('not used')),
        ready: () => Promise.resolve(true),
      },
    });
    const server = createServer((req, res) => void app.callback()(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/resyncs`;
      const response = await fetch(url, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      await expectRefusal(response, 404, 'no route for GET /resyncs');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('GET /resyncs/:workflowId', () => {
  test('an unknown workflow id gets 404', async () => {
    await expectRefusal(
      await admin('/resyncs/resync-app-12345-1-jobs-ffffffffffffffff'),
      404,
      'no resync with workflow id resync-app-12345-1-jobs-ffffffffffffffff',
    );
  });

  test('a workflow id of another workflow type gets 404, as an unknown one does', async () => {
    const workflowId = `${env.workflowIdPrefix}not-a-resync-${randomUUID()}`;
    const other = await env.client.workflow.start('notAWorkflowOfThisService', {
      taskQueue: `nobody-polls-${randomUUID()}`,
      workflowId,
      args: [],
    });
    try {
      await expectRefusal(
        await admin(`/resyncs/${workflowId}`),
        404,
        `no resync with workflow id ${workflowId}`,
      );
    } finally {
      await other.terminate('test over');
    }
  });

  test.each([
    {
      how: 'terminated',
      stop: (handle: WorkflowHandle) => handle.terminate('stopped by an operator'),
      status: 'TERMINATED',
      failure: { type: 'TerminatedFailure', message: 'stopped by an operator' },
      ids: range(1150, 3),
    },
    {
      how: 'cancelled',
      stop: (handle: WorkflowHandle) => handle.cancel(),
      status: 'CANCELLED',
      failure: { type: 'CancelledFailure' },
      ids: range(1160, 3),
    },
  ])('a resync $how while LinkedIn holds its call shows $status, its failure and no result', async (c) => {
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const workflowId = await resync(env, notification(c.ids));
    await gate.reached;
    const handle = env.client.workflow.getHandle(workflowId);

    await c.stop(handle);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const shown = await status(workflowId);
    expect(shown).toMatchObject({ workflowId, status: c.status, result: null, failure: c.failure });
    expect(shown.closeTime).not.toBeNull();
    expect(shown.developerApplicationUrn).toBe(DEMO_APPLICATION.urn);
  });

  test('a finished resync shows its status, search attributes, summary, totals and one page of job results', async () => {
    const workflowId = await resync(env, notification(range(1261, 5)));
    const result = (await env.client.workflow.getHandle(workflowId).result()) as ResyncResult;
    const described = await env.client.workflow.getHandle(workflowId).describe();

    const shown = await status(workflowId, '?page=2&pageSize=2');
    expect(shown).toEqual({
      workflowId,
      runId: described.runId,
      firstRunId: described.runId,
      status: 'COMPLETED',
      developerApplicationUrn: DEMO_APPLICATION.urn,
      outcome: 'SUCCEEDED',
      summary: `Resync 5 jobs for ${DEMO_APPLICATION.urn}`,
      startTime: described.startTime.toISOString(),
      closeTime: described.closeTime?.toISOString(),
      progress: {
        total: 5,
        sent: 5,
        confirmed: 5,
        rejected: 0,
        notInAts: 0,
        pending: 0,
        awaitingConfirmation: 0,
      },
      result: {
        outcome: 'SUCCEEDED',
        totals: result.totals,
        continuedAsNew: 0,
        jobsLeftOut: 0,
        jobs: { page: 2, pageSize: 2, total: 5, items: result.jobs.slice(2, 4) },
      },
      failure: null,
    });
    expect(shown.result?.jobs.items).toHaveLength(2);

    const last = await status(workflowId, '?page=3&pageSize=2');
    expect(last.result?.jobs.items).toEqual(result.jobs.slice(4));
    const beyond = await status(workflowId, '?page=4&pageSize=2');
    expect(beyond.result?.jobs.items).toEqual([]);
    const defaults = await status(workflowId);
    expect(defaults.result?.jobs).toMatchObject({ page: 1, pageSize: 100, total: 5 });
  });

  test("a resync that continued as new is shown by its latest run, with the first run's summary and start", async () => {
    const ids = range(1000, 150);
    const workflowId = `resync-test-${randomUUID()}`;
    const first = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: env.taskQueue,
      workflowId,
      args: [
        {
          developerApplicationUrn: DEMO_APPLICATION.urn,
          syncAllOpenJobs: false,
          externalJobPostingIds: ids,
          receivedAt: Date.now(),
          deadlineMs: 60_000,
          followUpWindowMs: 120_000,
          batchesPerRun: 1,
        } satisfies ResyncInput,
      ],
      typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: DEMO_APPLICATION.urn }],
      staticSummary: 'Resync 150 jobs by hand',
    });
    const result = (await first.result()) as ResyncResult;
    expect(result.continuedAsNew).toBe(1);
    const firstRun = await env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe();
    const latest = await env.client.workflow.getHandle(workflowId).describe();

    const shown = await status(workflowId);
    expect(shown).toMatchObject({
      workflowId,
      runId: latest.runId,
      firstRunId: first.firstExecutionRunId,
      status: 'COMPLETED',
      outcome: 'SUCCEEDED',
      summary: 'Resync 150 jobs by hand',
      startTime: firstRun.startTime.toISOString(),
    });
    expect(shown.runId).not.toBe(shown.firstRunId);
    expect(shown.result).toMatchObject({ continuedAsNew: 1, totals: result.totals });
    expect(shown.progress).toMatchObject({ total: ids.length, sent: ids.length, pending: 0 });

    // Listed once, by its latest run.
    await eventually(async () => {
      const listed = await list(`application=${encodeURIComponent(DEMO_APPLICATION.urn)}&limit=500`);
      expect(listed.filter((item) => item.workflowId === workflowId)).toEqual([
        expect.objectContaining({ runId: latest.runId, status: 'COMPLETED' }),
      ]);
    });
  });

  test.each([
    ['?pageSize=1001', 'pageSize must be at most 1000'],
    ['?pageSize=0', 'pageSize must be at least 1'],
    ['?page=0', 'page must be at least 1'],
    ['?page=two', 'page must be a whole number'],
  ])('paging %s gets 400', async (query, message) => {
    await expectRefusal(
      await admin(`/resyncs/resync-app-12345-1-jobs-ffffffffffffffff${query}`),
      400,
      message,
    );
  });

  test('a running resync shows its progress from the progress query', async () => {
    // The first batch's call is answered; the second batch's is held while the status is read. Open
    // jobs only: a job closed in the ATS would add CLOSE calls to the first batch.
    const ids = range(1100, 154).filter((id) => Number(id.slice(4)) % 40 !== 39);
    // The first batch and the rest go to the lane at once, in either order: the call held is the one
    // carrying the second batch.
    const gate = env.sandbox.faults.hold('simpleJobPostings', { carrying: ids[100] ?? '' });
    const workflowId = await resync(env, notification(ids));
    await gate.reached;

    // The first batch is recorded once its activity reported, which may come a moment after the hold.
    await eventually(async () => {
      const running = await status(workflowId);
      expect(running).toMatchObject({ status: 'RUNNING', closeTime: null, result: null, failure: null });
      const progress = running.progress;
      expect(progress?.total).toBe(ids.length);
      expect((progress?.sent ?? 0) + (progress?.rejected ?? 0) + (progress?.notInAts ?? 0)).toBe(100);
      expect(progress?.pending).toBe(50);
    });

    gate.release();
    await env.client.workflow.getHandle(workflowId).result();
    expect((await status(workflowId)).progress).toMatchObject({ sent: ids.length, pending: 0 });
  });
});

describe('a resync that missed its deadline', () => {
  let late: TestEnvironment;

  beforeAll(async () => {
    late = await startTestEnvironment({ adminToken: ADMIN_TOKEN, deadlineMs: 2_000 });
  });

  afterAll(async () => {
    await late?.close();
  });

  test('shows the ResyncDeadlineExceeded failure, the jobs not sent and its partial totals', async () => {
    // Three batches: the first is answered, the second held until the deadline abandons it, the third
    // never goes.
    const second = late.sandbox.faults.hold('simpleJobPostings', { passing: 1 });
    const workflowId = await resync(late, notification(range(1000, 280)));
    try {
      await expect(late.client.workflow.getHandle(workflowId).result()).rejects.toBeInstanceOf(
        WorkflowFailedError,
      );
    } finally {
      second.release();
    }

    const shown = await status(workflowId, '?pageSize=1000', late);
    expect(shown).toMatchObject({
      status: 'FAILED',
      outcome: 'DEADLINE_EXCEEDED',
      developerApplicationUrn: DEMO_APPLICATION.urn,
    });
    expect(shown.closeTime).not.toBeNull();
    expect(shown.failure?.type).toBe('ResyncDeadlineExceeded');
    expect(shown.failure?.message).toMatch(/^the 2 s deadline passed with \d+ jobs? not sent/);
    const notSent = shown.failure?.notSent ?? [];
    expect(notSent.length).toBeGreaterThan(0);
    expect(shown.failure?.notSentCount).toBe(notSent.length);
    expect(shown.result?.outcome).toBe('DEADLINE_EXCEEDED');
    expect(shown.result?.totals.missedDeadline).toBe(notSent.length);
    const missed = (shown.result?.jobs.items ?? []).filter((job) => job.fate === 'MISSED_DEADLINE');
    expect(missed.map((job) => job.externalJobPostingId).sort()).toEqual([...notSent].sort());
    // The batch in flight at the deadline is shown apart: LinkedIn may have received it.
    const unknown = shown.failure?.outcomeUnknown ?? [];
    expect(unknown.length).toBeGreaterThan(0);
    expect(shown.result?.totals.outcomeUnknown).toBe(unknown.length);
    const abandoned = (shown.result?.jobs.items ?? []).filter((job) => job.fate === 'OUTCOME_UNKNOWN');
    expect(abandoned.map((job) => job.externalJobPostingId).sort()).toEqual([...unknown].sort());

    // Listed under its outcome too.
    await eventually(async () => {
      const response = await admin('/resyncs?outcome=DEADLINE_EXCEEDED&limit=500', ADMIN_TOKEN, late);
      const { resyncs } = (await response.json()) as { resyncs: ResyncListItem[] };
      expect(resyncs.map((item) => item.workflowId)).toContain(workflowId);
    });
  });
});

describe('GET /resyncs', () => {
  test('lists recent resyncs newest first, filtered by application and by outcome', async () => {
    env.sandbox.seedExistingJobs(SECOND_DEMO_APPLICATION.urn, ['job-1020', 'job-1021']);
    const [second, partial, succeeded] = await Promise.all([
      resync(env, notification(['job-1020', 'job-1021'], SECOND_DEMO_APPLICATION.urn)),
      resync(env, notification(['job-1266', 'job-not-in-the-ats'])),
      resync(env, notification(['job-1267', 'job-1268'])),
    ]);
    const results = (await Promise.all(
      [second, partial, succeeded].map((id) => env.client.workflow.getHandle(id ?? '').result()),
    )) as ResyncResult[];
    expect(results.map((result) => result.outcome)).toEqual(['SUCCEEDED', 'PARTIAL', 'SUCCEEDED']);
    const ofSecondRun = await env.client.workflow.getHandle(second ?? '').describe();

    await eventually(async () => {
      const ofSecond = await list(`application=${encodeURIComponent(SECOND_DEMO_APPLICATION.urn)}&limit=500`);
      const ids = ofSecond.map((item) => item.workflowId);
      expect(ids).toContain(second);
      expect(ids).not.toContain(partial);
      expect(ids).not.toContain(succeeded);
      expect(ofSecond.every((item) => item.application === SECOND_DEMO_APPLICATION.urn)).toBe(true);
      expect(ofSecond.find((item) => item.workflowId === second)).toEqual({
        workflowId: second,
        runId: ofSecondRun.runId,
        status: 'COMPLETED',
        application: SECOND_DEMO_APPLICATION.urn,
        outcome: 'SUCCEEDED',
        startTime: ofSecondRun.startTime.toISOString(),
        closeTime: ofSecondRun.closeTime?.toISOString(),
      });
    });

    await eventually(async () => {
      const partials = await list('outcome=PARTIAL&limit=500');
      const ids = partials.map((item) => item.workflowId);
      expect(ids).toContain(partial);
      expect(ids).not.toContain(succeeded);
      expect(partials.every((item) => item.outcome === 'PARTIAL')).toBe(true);
    });

    await eventually(async () => {
      const both = await list(
        `application=${encodeURIComponent(DEMO_APPLICATION.urn)}&outcome=SUCCEEDED&limit=500`,
      );
      const ids = both.map((item) => item.workflowId);
      expect(ids).toContain(succeeded);
      expect(ids).not.toContain(partial);
      expect(ids).not.toContain(second);
      const starts = both.map((item) => item.startTime);
      expect(starts).toEqual([...starts].sort().reverse());
    });
  });

  test('limit caps the list at the newest resyncs', async () => {
    // An application of its own, so that only this test's resyncs match the filter.
    const app = {
      urn: `urn:li:developerApplication:${Date.now()}`,
      clientId: `limit-client-${randomUUID()}`,
      clientSecret: 'limit-client-secret-long-enough',
      integrationContext: null,
      companyName: 'Limit Tests',
    };
    await env.jobStore.ensureApplication(app);
    await env.jobStore.insertSyntheticJobs(app.urn, 3);
    env.sandbox.registerApplication({ ...app, developerApplicationUrn: app.urn, kind: 'child' });
    const started: string[] = [];
    for (const id of ['syn-000001', 'syn-000002', 'syn-000003']) {
      const workflowId = await resync(env, notification([id], app.urn));
      await env.client.workflow.getHandle(workflowId).result();
      started.push(workflowId);
    }
    const filter = `application=${encodeURIComponent(app.urn)}`;
    await eventually(async () =>
      expect((await list(`${filter}&limit=500`)).map((item) => item.workflowId)).toEqual(
        [...started].reverse(),
      ),
    );
    expect((await list(`${filter}&limit=2`)).map((item) => item.workflowId)).toEqual(
      [...started].reverse().slice(0, 2),
    );
    expect((await list(`${filter}&limit=1`)).map((item) => item.workflowId)).toEqual(started.slice(-1));
  });

  test.each([
    ['outcome=FAILED', 'outcome must be one of SUCCEEDED, PARTIAL, DEADLINE_EXCEEDED'],
    [
      `application=${encodeURIComponent('urn:li:developerApplication:1" OR WorkflowType != "x')}`,
      'application must look like urn:li:developerApplication:{numeric id}',
    ],
    [
      'application=urn:li:developerApplication:1&application=urn:li:developerApplication:2',
      'application must be given once',
    ],
    ['limit=501', 'limit must be at most 500'],
    ['limit=0', 'limit must be at least 1'],
  ])('%s gets 400', async (query, message) => {
    await expectRefusal(await admin(`/resyncs?${query}`), 400, message);
  });
});
