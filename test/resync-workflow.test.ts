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
import { temporal } from '@temporalio/proto';
import { RESYNC_OUTCOME } from '../src/contract';
import { progressQuery, type ResyncProgress } from '../src/workflows';
import { demoJobsMissingOnLinkedIn, startTestEnvironment, type TestEnvironment } from './support/environment';
import { temporalAddress } from './support/temporal';
import { eventually } from './support/eventually';
import { atLeast } from './support/timing';
import { notification } from './support/notifications';
import { applicationWith, synId } from './support/synthetic-application';

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
    expect(details.result.outcome).toBe('DEADLINE_EXCEEDED');
    expect(details.notSentCount + (details.outcomeUnknown ?? []).length).toBeGreaterThan(0);
    expect(details.notSent.length).toBe(Math.min(details.notSentCount, 1_000));
    expect(details.result.totals.missedDeadline).toBe(details.notSentCount);
    // Every open job is accounted for once: sent (or refused), never sent, or in the call abandoned unanswered.
    const open = await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 10_000 });
    const totals = details.result.totals;
    const outcomeUnknown = details.outcomeUnknown ?? [];
    expect(totals.requested).toBe(open.length);
    expect(
      totals.sent + totals.rejected + totals.notInAts + details.notSentCount + outcomeUnknown.length,
    ).toBe(open.length);

    const deadlineAt = ((await receiptOf(handle.workflowId)) ?? 0) + 4_000;
    const postings = () => env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
    // Every call has ended: answered before the deadline, or abandoned at it.
    await eventually(() => expect(postings().every((call) => call.endedAt > 0)).toBe(true));
    expect(postings().length).toBeGreaterThan(0);
    const abandoned = new Set<string>();
    for (const call of postings()) {
      expect(call.startedAt).toBeLessThan(deadlineAt);
      expect(call.endedAt).toBeLessThan(deadlineAt + 1_000);
    }
    for (const call of postings().filter((c) => c.status === 0)) {
      // Abandoned at the deadline, not before.
      expect(call.endedAt).toBeGreaterThanOrEqual(atLeast(deadlineAt));
      for (const element of call.elements ?? [])
        abandoned.add((element as { externalJobPostingId: string }).externalJobPostingId);
    }
    // The jobs of a call abandoned unanswered are outcome unknown, never "not sent".
    const unknown = new Set(outcomeUnknown);
    for (const id of abandoned) expect(unknown.has(id)).toBe(true);
    const notSent = new Set(details.notSent);
    for (const id of outcomeUnknown) expect(notSent.has(id)).toBe(false);
    // Nothing LinkedIn accepted is listed as not sent, but for a job it turned out to lack (its task
    // failed), whose CREATE the deadline stopped (queued before the deadline, or found out after it).
    const lacking = new Set(demoJobsMissingOnLinkedIn());
    const reasons = new Map(details.result.jobs.map((job) => [job.externalJobPostingId, job.reason]));
    for (const element of env.sandbox.postedElements()) {
      const id = element.externalJobPostingId ?? '';
      if (element.status !== 202 || !notSent.has(id)) continue;
      expect(lacking.has(id)).toBe(true);
      expect([
        'not sent before the deadline',
        'LinkedIn does not have this job and the deadline passed before it could be created',
      ]).toContain(reasons.get(id));
    }

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
    // The first delivery's call is held at LinkedIn until the second delivery was answered.
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const ids = jobIds(1100, 30);
    const body = notification(ids);
    expect((await env.notify(body)).status).toBe(200);
    const first = await handleOf(body).describe();
    await gate.reached;
    expect((await env.notify(body)).status).toBe(200);
    const second = await handleOf(body).describe();
    expect(second.runId).toBe(first.runId);
    gate.release();
    const result = (await handleOf(body).result()) as ResyncResult;
    expect(result.totals.requested).toBe(30 - 1);
    // One UPDATE call for both deliveries; the one job LinkedIn lacks is then CREATEd once.
    expect(operationsPosted()).toEqual({ UPDATE: ids.sort(), CREATE: ['job-1121'] });
    expect(env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings')).toHaveLength(2);
  });

  test('two overlapping resyncs of one application take turns, never post at the same time, and both finish', async () => {
    // Four batches each, of an application no other test uses. Every call is held at LinkedIn and let go
    // only once the other resync (while it has a batch left) waits for its turn, so the order of the calls
    // shows whom the lane lets go next. A resync's first batch and the rest of its run go to the lane at
    // once, so a resync may make two calls in a row, never more.
    const app = await applicationWith(env, 800);
    const ids = {
      a: Array.from({ length: 400 }, (_, k) => synId(k + 1)),
      b: Array.from({ length: 400 }, (_, k) => synId(k + 401)),
    };
    const calls = { a: 4, b: 4 };
    const bodies = { a: notification(ids.a, app.urn), b: notification(ids.b, app.urn) };
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const responses = await Promise.all([env.notify(bodies.a), env.notify(bodies.b)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    const postings = () => env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
    const ownerOf = (elements: unknown[] | undefined) => {
      const first = elements?.[0] as { externalJobPostingId?: string } | undefined;
      return ids.a.includes(first?.externalJobPostingId ?? '') ? 'a' : 'b';
    };
    const order: Array<'a' | 'b'> = [];
    for (let step = 0; step < calls.a + calls.b; step++) {
      await eventually(() => expect(gate.waiting).toBe(1));
      const held = postings()[step];
      const owner = ownerOf(held?.elements);
      const other = owner === 'a' ? 'b' : 'a';
      if (order.filter((o) => o === other).length < calls[other]) {
        await eventually(async () => expect(await postingUnderWay(handleOf(bodies[other]))).toBe(true));
      }
      order.push(owner);
      gate.releaseNext();
    }
    gate.release();
    const results = (await Promise.all([
      handleOf(bodies.a).result(),
      handleOf(bodies.b).result(),
    ])) as ResyncResult[];
    expect(results.map((r) => r.outcome)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(results.map((r) => r.totals.sent)).toEqual([ids.a.length, ids.b.length]);
    const inARow = order.join('').match(/a+|b+/g) ?? [];
    expect(Math.max(...inARow.map((run) => run.length))).toBeLessThanOrEqual(2);
    expect(inARow.length).toBeGreaterThanOrEqual(4);
    expect(postings()).toHaveLength(calls.a + calls.b);
    expect(env.sandbox.maxConcurrentPostings(app.urn)).toBe(1);
  });

  test('resyncs of different applications do not wait for each other', async () => {
    // LinkedIn holds every call: both applications' calls are held at once only if neither waits.
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const first = notification(jobIds(1000, 200));
    const second = notification(['job-1000', 'job-1001', 'job-1002'], SECOND_DEMO_APPLICATION.urn);
    env.sandbox.seedExistingJobs(SECOND_DEMO_APPLICATION.urn, ['job-1000', 'job-1001', 'job-1002']);
    await Promise.all([env.notify(first), env.notify(second)]);
    await eventually(() => expect(gate.waiting).toBe(2));
    const held = env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
    expect(held.map((call) => call.developerApplicationUrn).sort()).toEqual(
      [DEMO_APPLICATION.urn, SECOND_DEMO_APPLICATION.urn].sort(),
    );
    gate.release();
    const results = (await Promise.all([
      handleOf(first).result(),
      handleOf(second).result(),
    ])) as ResyncResult[];
    expect(results.map((result) => result.outcome)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
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

  test('more than 100 jobs LinkedIn lacks are CREATEd in calls of at most 100, each job once', async () => {
    const ids = jobIds(1000, 260);
    // LinkedIn holds none of them. The third UPDATE call is held until the first two batches' followers
    // have reported, so 200 jobs wait to be CREATEd at once.
    env.sandbox.reset();
    const gate = env.sandbox.faults.hold('simpleJobPostings', { passing: 2 });
    const handle = await startResync({ syncAllOpenJobs: false, externalJobPostingIds: ids });
    await gate.reached;
    // Two batches were recorded as sent; both reports turned them into jobs to CREATE.
    await eventually(async () => expect((await handle.query(progressQuery)).sent).toBe(0));
    gate.release();

    const result = (await handle.result()) as ResyncResult;
    expect(result.outcome).toBe('SUCCEEDED');
    expect(result.totals).toMatchObject({ requested: ids.length, created: ids.length, updated: 0 });
    expect(new Set(result.jobs.map((job) => `${job.fate}/${job.confirmation ?? ''}`))).toEqual(
      new Set(['CREATED/CONFIRMED']),
    );
    const creates = env.sandbox
      .calls()
      .filter((call) => call.endpoint === 'simpleJobPostings')
      .filter(
        (call) =>
          (call.elements?.[0] as { jobPostingOperationType?: string } | undefined)
            ?.jobPostingOperationType === 'CREATE',
      );
    expect(creates.map((call) => call.elements?.length)).toEqual([100, 100, ids.length - 200]);
    expect(creates.every((call) => call.status === 200)).toBe(true);
    const created = env.sandbox
      .postedElements()
      .filter((element) => element.operation === 'CREATE')
      .map((element) => element.externalJobPostingId);
    expect([...created].sort()).toEqual([...ids].sort());
  });

  test('jobs LinkedIn lacks that a report names while a CREATE call is under way are CREATEd too', async () => {
    const ids = jobIds(1000, 150);
    const missing = demoJobsMissingOnLinkedIn().filter((id) => ids.includes(id));
    const [first, second] = [ids.slice(0, 100), ids.slice(100)];
    const missingIn = (batch: string[]) => missing.filter((id) => batch.includes(id)).length;
    expect([missingIn(first), missingIn(second)]).toEqual([4, 2]);
    // The second UPDATE call (the first batch and the rest go to the lane at once, in either order) is held
    // until the first batch's report asked for its CREATEs.
    const secondBatch = env.sandbox.faults.hold('simpleJobPostings', { carrying: second[0] ?? '' });
    // The CREATE call (the second call carrying a job the first batch lacks) is held until the second
    // batch's report asked for two more.
    const lacking = missing.find((id) => first.includes(id)) ?? '';
    const create = env.sandbox.faults.hold('simpleJobPostings', { carrying: lacking, passing: 1 });
    const handle = await startResync({ syncAllOpenJobs: false, externalJobPostingIds: ids });
    const sent = async () => (await handle.query(progressQuery)).sent;
    await secondBatch.reached;
    await eventually(async () => expect(await sent()).toBe(first.length - 4));
    secondBatch.release();
    await create.reached;
    await eventually(async () => expect(await sent()).toBe(ids.length - 6));
    create.release();

    const result = (await handle.result()) as ResyncResult;
    expect(result.totals).toMatchObject({ requested: ids.length, created: 6, updated: ids.length - 6 });
    const createdIds = result.jobs
      .filter((job) => job.fate === 'CREATED')
      .map((job) => job.externalJobPostingId);
    expect(createdIds.sort()).toEqual([...missing].sort());
    expect(result.outcome).toBe('SUCCEEDED');
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
    // Every job UPDATEd once; the ones LinkedIn lacks then CREATEd once.
    expect(operationsPosted()).toEqual({
      UPDATE: [...ids].sort(),
      CREATE: demoJobsMissingOnLinkedIn()
        .filter((id) => ids.includes(id))
        .sort(),
    });
  });

  test('a sync-all continues as new without sending any job twice or skipping one', async () => {
    const handle = await startResync({ syncAllOpenJobs: true, externalJobPostingIds: [], batchesPerRun: 1 });
    const result = (await handle.result()) as ResyncResult;
    const open = await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 10_000 });
    // A run after each UPDATE batch but the last; after the last too when a report has queued CREATEs by
    // then (LinkedIn's tasks take 2 s, so that depends on how fast the runs went).
    const batches = Math.ceil(open.length / 100);
    expect(result.continuedAsNew).toBeGreaterThanOrEqual(batches - 1);
    expect(result.continuedAsNew).toBeLessThanOrEqual(batches);
    expect(result.totals).toMatchObject({ requested: open.length, sent: open.length, rejected: 0 });
    expect(operationsPosted()).toEqual({
      UPDATE: [...open].sort(),
      CREATE: demoJobsMissingOnLinkedIn()
        .filter((id) => open.includes(id))
        .sort(),
    });
  });
});

/** The ids LinkedIn received, by operation, each list sorted. */
function operationsPosted(): Record<string, string[]> {
  const byOperation: Record<string, string[]> = {};
  for (const element of env.sandbox.postedElements()) {
    (byOperation[element.operation ?? 'none'] ??= []).push(element.externalJobPostingId ?? '');
  }
  for (const list of Object.values(byOperation)) list.sort();
  return byOperation;
}

/** Whether the resync has a posting attempt (postBatch, postBatches) running on a worker (waiting for its lane, say). */
async function postingUnderWay(handle: {
  describe(): Promise<{ raw: temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse }>;
}) {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  return pending.some(
    (activity) =>
      ['postBatch', 'postBatches', 'postCreates'].includes(activity.activityType?.name ?? '') &&
      activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
  );
}

async function receiptOf(workflowId: string): Promise<number | undefined> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<ResyncInput>(payload).receivedAt : undefined;
}
