import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure, defaultPayloadConverter, WorkflowFailedError } from '@temporalio/client';
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../src/ats/demo-data';
import {
  WORKFLOW_TYPE,
  type DeadlineExceededDetails,
  type ResyncInput,
  type ResyncResult,
} from '../src/contract';
import { resolveTemporalCli } from '../tools/dev/temporal-dev-server';
import { RESYNC_OUTCOME } from '../src/contract';
import { progressQuery, type ResyncProgress } from '../src/workflows';
import { startTestEnvironment, type TestEnvironment } from './support/environment';
import { temporalAddress } from './support/temporal';
import { eventually } from './support/eventually';
import { notification } from './support/notifications';

let env: TestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment({ deadlineMs: 4_000 });
});

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  env.sandbox.reset();
  env.sandbox.faults.clear();
  env.seedSandboxWithDemoJobs();
});

function handleOf(body: string) {
  return env.client.workflow.getHandle(env.workflowIdOf(body));
}

function jobIds(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `job-${from + i}`).filter(
    (id) => Number(id.slice(4)) % 40 !== 39,
  );
}

/** Starts a resync directly (as the API would), with workflow options a notification cannot set. */
async function startResync(
  input: Partial<ResyncInput> & Pick<ResyncInput, 'externalJobPostingIds' | 'syncAllOpenJobs'>,
) {
  return env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    workflowId: `resync-test-${randomUUID()}`,
    args: [
      {
        developerApplicationUrn: DEMO_APPLICATION.urn,
        receivedAt: Date.now(),
        deadlineMs: 60_000,
        followUpWindowMs: 120_000,
        ...input,
      } satisfies ResyncInput,
    ],
  });
}

describe('the deadline', () => {
  test('with a slow LinkedIn no call starts after the deadline, and the resync fails with ResyncDeadlineExceeded listing the jobs not sent', async () => {
    env.sandbox.faults.setLatency('simpleJobPostings', 1_500);
    const body = notification('all');
    expect((await env.notify(body)).status).toBe(200);
    const handle = handleOf(body);

    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('ResyncDeadlineExceeded');
    const details = (cause as ApplicationFailure).details?.[0] as DeadlineExceededDetails;
    // The batch in flight at the deadline is outcome unknown; the ones after it were never sent.
    expect(details.notSentCount + (details.outcomeUnknown?.length ?? 0)).toBeGreaterThan(0);
    expect(details.notSent.length).toBe(Math.min(details.notSentCount, 1_000));
    expect(details.result.outcome).toBe('DEADLINE_EXCEEDED');
    expect(details.result.totals.missedDeadline).toBe(details.notSentCount);

    const receivedAt = (await receiptOf(handle.workflowId)) ?? 0;
    const postings = env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
    expect(postings.length).toBeGreaterThan(0);
    for (const call of postings) {
      expect(call.startedAt).toBeLessThan(receivedAt + 4_000);
      // A call still unanswered at the deadline was abandoned (status 0), not waited for.
      if (call.status !== 0) expect(call.endedAt).toBeLessThan(receivedAt + 4_000 + 500);
    }
    // Nothing sent is listed as not sent.
    const sent = new Set(
      env.sandbox
        .postedElements()
        .filter((e) => e.status === 202)
        .map((e) => e.externalJobPostingId),
    );
    for (const id of details.notSent) expect(sent.has(id)).toBe(false);

    const described = await handle.describe();
    expect(described.status.name).toBe('FAILED');
    expect(described.typedSearchAttributes.get(RESYNC_OUTCOME)).toBe('DEADLINE_EXCEEDED');
    const { stdout } = await promisify(execFile)(resolveTemporalCli(join(__dirname, '..'), process.env), [
      'workflow',
      'list',
      '--address',
      temporalAddress(),
      '--query',
      `ResyncOutcome='DEADLINE_EXCEEDED' AND WorkflowId='${handle.workflowId}'`,
      '--output',
      'json',
    ]);
    expect(stdout).toContain(handle.workflowId);
  });

  test('a resync that sends everything in time succeeds, with its outcome searchable', async () => {
    const body = notification(jobIds(1200, 5));
    expect((await env.notify(body)).status).toBe(200);
    const result = (await handleOf(body).result()) as ResyncResult;
    expect(result.outcome).toBe('SUCCEEDED');
    expect(result.totals.confirmed).toBe(result.totals.sent);
    const described = await handleOf(body).describe();
    expect(described.typedSearchAttributes.get(RESYNC_OUTCOME)).toBe('SUCCEEDED');
  });
});

describe('redelivery and ordering', () => {
  test('a redelivery after the first resync closed runs again and sends the jobs again', async () => {
    const body = notification(['job-1250', 'job-1251']);
    expect((await env.notify(body)).status).toBe(200);
    const first = await handleOf(body).describe();
    await handleOf(body).result();
    expect((await env.notify(body)).status).toBe(200);
    const second = await handleOf(body).describe();
    expect(second.runId).not.toBe(first.runId);
    await handleOf(body).result();
    const sent = env.sandbox.postedElements().filter((e) => e.externalJobPostingId === 'job-1250');
    expect(sent.map((e) => e.operation)).toEqual(['UPDATE', 'UPDATE']);
  });

  test('a delivery after everything was sent, while confirmations are still awaited, sends everything again', async () => {
    const ids = ['job-1260', 'job-1261', 'job-1262'];
    // One task never ends, so the first round stays open, following it.
    env.sandbox.faults.taskOutcome('job-1262', 'STUCK');
    const body = notification(ids);
    expect((await env.notify(body)).status).toBe(200);
    const handle = handleOf(body);
    await eventually(async () => expect((await handle.query(progressQuery)).sent).toBe(3));
    const first = await handle.describe();
    expect(first.status.name).toBe('RUNNING');

    env.sandbox.faults.clear();
    expect((await env.notify(body)).status).toBe(200);
    const result = (await handle.result()) as ResyncResult;
    expect(result.outcome).toBe('SUCCEEDED');
    expect(result.totals.confirmed).toBe(3);
    const second = await handle.describe();
    expect(second.runId).not.toBe(first.runId);
    for (const id of ids) {
      expect(
        env.sandbox
          .postedElements()
          .filter((e) => e.externalJobPostingId === id)
          .map((e) => e.operation),
      ).toEqual(['UPDATE', 'UPDATE']);
    }
  });

  test('a redelivery while the first run is open joins it', async () => {
    env.sandbox.faults.setLatency('simpleJobPostings', 300);
    const body = notification(jobIds(1100, 30));
    expect((await env.notify(body)).status).toBe(200);
    const first = await handleOf(body).describe();
    expect((await env.notify(body)).status).toBe(200);
    const second = await handleOf(body).describe();
    expect(second.runId).toBe(first.runId);
    await handleOf(body).result();
    expect(env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings')).toHaveLength(1);
  });

  test('two overlapping resyncs of one application never post at the same time, and both finish', async () => {
    env.sandbox.faults.setLatency('simpleJobPostings', 150);
    const listed = notification(jobIds(1000, 240));
    const all = notification('all');
    const responses = await Promise.all([env.notify(listed), env.notify(all)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    const [a, b] = (await Promise.all([handleOf(listed).result(), handleOf(all).result()])) as ResyncResult[];
    expect(a?.outcome).toBe('SUCCEEDED');
    expect(b?.outcome).toBe('SUCCEEDED');
    expect(env.sandbox.maxConcurrentPostings(DEMO_APPLICATION.urn)).toBe(1);
    // They took turns: the calls of the two resyncs interleave rather than one waiting for the other.
    const owners = env.sandbox
      .calls()
      .filter((call) => call.endpoint === 'simpleJobPostings')
      .map((call) => ((call.elements?.length ?? 0) === 100 && call.elements ? 'x' : 'y'));
    expect(owners.length).toBeGreaterThanOrEqual(6);
  });

  test('resyncs of different applications do not wait for each other', async () => {
    env.sandbox.faults.setLatency('simpleJobPostings', 300);
    const first = notification(jobIds(1000, 200));
    const second = notification(['job-1000', 'job-1001', 'job-1002'], SECOND_DEMO_APPLICATION.urn);
    env.sandbox.seedExistingJobs(SECOND_DEMO_APPLICATION.urn, ['job-1000', 'job-1001', 'job-1002']);
    await Promise.all([env.notify(first), env.notify(second)]);
    await Promise.all([handleOf(first).result(), handleOf(second).result()]);
    const calls = env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
    const other = calls.find((call) => call.developerApplicationUrn === SECOND_DEMO_APPLICATION.urn);
    const demo = calls.filter((call) => call.developerApplicationUrn === DEMO_APPLICATION.urn);
    expect(other).toBeDefined();
    // The second application's call overlapped one of the first application's calls.
    expect(
      demo.some((call) => call.startedAt < (other?.endedAt ?? 0) && (other?.startedAt ?? 0) < call.endedAt),
    ).toBe(true);
  });
});

describe('progress and scale', () => {
  test('the progress query counts total, sent, confirmed, rejected and pending', async () => {
    env.sandbox.faults.setLatency('simpleJobPostings', 200);
    const known = jobIds(1000, 150);
    const requested = known.length + 1;
    const handle = await startResync({
      syncAllOpenJobs: false,
      externalJobPostingIds: [...known, 'job-unknown'],
    });
    const early = await handle.query(progressQuery);
    expect(early.total).toBe(requested);
    expect(early.sent + (early.pending ?? 0) + early.rejected + early.notInAts).toBe(requested);
    const result = (await handle.result()) as ResyncResult;
    const done: ResyncProgress = await handle.query(progressQuery);
    expect(done).toEqual({
      total: requested,
      sent: known.length,
      confirmed: known.length,
      rejected: 0,
      notInAts: 1,
      pending: 0,
      awaitingConfirmation: 0,
    });
    expect(result.outcome).toBe('PARTIAL');
  });

  test('a long resync continues as new and carries its deadline and results across runs', async () => {
    const ids = jobIds(1000, 260);
    const handle = await startResync({
      syncAllOpenJobs: false,
      externalJobPostingIds: ids,
      batchesPerRun: 1,
    });
    const result = (await handle.result()) as ResyncResult;
    expect(result.continuedAsNew).toBe(2);
    expect(result.totals.requested).toBe(ids.length);
    expect(result.totals.sent).toBe(ids.length);
    expect(result.totals.confirmed).toBe(ids.length);
    expect(result.outcome).toBe('SUCCEEDED');
    const posted = env.sandbox.postedElements().map((e) => e.externalJobPostingId);
    expect(new Set(posted).size).toBe(ids.length);
    expect(posted.length).toBe(ids.length);
  });

  test('a sync-all continues as new without sending any job twice or skipping one', async () => {
    const handle = await startResync({ syncAllOpenJobs: true, externalJobPostingIds: [], batchesPerRun: 1 });
    const result = (await handle.result()) as ResyncResult;
    const open = await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 10_000 });
    expect(result.continuedAsNew).toBe(Math.ceil(open.length / 100) - 1);
    expect(result.totals.requested).toBe(open.length);
    const posted = env.sandbox.postedElements().map((e) => e.externalJobPostingId);
    expect([...posted].sort()).toEqual([...open].sort());
  });
});

async function receiptOf(workflowId: string): Promise<number | undefined> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<ResyncInput>(payload).receivedAt : undefined;
}
