/**
 * Posting stays safe when Temporal runs an activity more than once: a retry sends only what LinkedIn did
 * not answer, a CREATE whose answer was lost is asked again with UPDATE, and no job is CREATEd twice in
 * one resync. Full stack: signed notification, the resync on the Temporal dev server, the sandbox over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter, type WorkflowHandle } from '@temporalio/client';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import {
  WORKFLOW_TYPE,
  type ResyncCarry,
  type ResyncInput,
  type ResyncResult,
  type TaskReport,
} from '../src/contract';
import type { RecordedCall } from '../tools/sandbox/linkedin-sandbox';
import { progressQuery, tasksReportedSignal, type resyncJobs } from '../src/workflows';
import { CreatedJobs, MAX_CREATED_CHARS } from '../src/workflows/created-jobs';
import { demoJobsMissingOnLinkedIn, useEnvironment, type TestEnvironment } from './support/environment';
import { eventually } from './support/eventually';
import { fates, notification } from './support/notifications';

const DEMO = DEMO_APPLICATION.urn;

async function deliver(
  env: TestEnvironment,
  ids: readonly string[],
): Promise<WorkflowHandle<typeof resyncJobs>> {
  const body = notification(ids);
  expect((await env.notify(body)).status).toBe(200);
  return env.client.workflow.getHandle<typeof resyncJobs>(env.workflowIdOf(body));
}

async function resync(env: TestEnvironment, ids: readonly string[]): Promise<ResyncResult> {
  return (await deliver(env, ids)).result();
}

/** LinkedIn holds none of the demo jobs, except these. */
function linkedInHoldsOnly(env: TestEnvironment, ids: readonly string[] = []): void {
  env.sandbox.reset();
  env.sandbox.seedExistingJobs(DEMO, ids);
}

function postings(env: TestEnvironment): RecordedCall[] {
  return env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
}

function idsOf(call: RecordedCall): unknown[] {
  return (call.elements ?? []).map(
    (element) => (element as { externalJobPostingId?: unknown }).externalJobPostingId,
  );
}

/** [id, operation, element status] of every element LinkedIn received, in order. */
function received(env: TestEnvironment): Array<[string | null, string | null, number]> {
  return env.sandbox.postedElements(DEMO).map((e) => [e.externalJobPostingId, e.operation, e.status]);
}

/** How many CREATEs of each job LinkedIn accepted. */
function acceptedCreates(env: TestEnvironment): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of env.sandbox.postedElements(DEMO)) {
    if (e.operation === 'CREATE' && e.status === 202 && e.externalJobPostingId !== null)
      counts[e.externalJobPostingId] = (counts[e.externalJobPostingId] ?? 0) + 1;
  }
  return counts;
}

describe('a retried batch sends only what LinkedIn did not answer', () => {
  const env = useEnvironment();

  test.each([
    { status: 500, message: 'Internal error' },
    { status: 429, message: 'Too many requests' },
  ])(
    'an element refused with $status inside the 200 of a CREATE call is sent again alone, and every job is CREATEd exactly once',
    async ({ status, message }) => {
      const ids = ['job-1100', 'job-1101', 'job-1102'];
      linkedInHoldsOnly(env());
      env().sandbox.faults.rejectElement('job-1101', { status, message, operation: 'CREATE', times: 1 });

      const result = await resync(env(), ids);

      expect(postings(env()).map(idsOf)).toEqual([ids, ids, ['job-1101']]);
      expect(received(env()).filter(([, operation]) => operation === 'CREATE')).toEqual([
        ['job-1100', 'CREATE', 202],
        ['job-1101', 'CREATE', status],
        ['job-1102', 'CREATE', 202],
        ['job-1101', 'CREATE', 202],
      ]);
      expect(acceptedCreates(env())).toEqual({ 'job-1100': 1, 'job-1101': 1, 'job-1102': 1 });
      expect(fates(result.jobs)).toEqual({
        'job-1100': 'CREATED/CONFIRMED',
        'job-1101': 'CREATED/CONFIRMED',
        'job-1102': 'CREATED/CONFIRMED',
      });
      expect(result.totals).toMatchObject({ sent: 3, created: 3, updated: 0, rejected: 0 });
    },
  );

  test('a CLOSE call that fails once with 500 is sent again alone: the UPDATE call of the same batch goes out once', async () => {
    // Closed in the ATS, still open on LinkedIn. The batch's first call (the UPDATE) is answered as usual;
    // its second (the CLOSE) fails once.
    env().sandbox.seedExistingJobs(DEMO, ['job-1039'], 'OPEN');
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings' });
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status: 500 });

    const result = await resync(env(), ['job-1039', 'job-1040']);

    expect(postings(env()).map((call) => [call.status, idsOf(call)])).toEqual([
      [200, ['job-1040']],
      [500, ['job-1039']],
      [200, ['job-1039']],
    ]);
    expect(fates(result.jobs)).toEqual({ 'job-1039': 'CLOSED/CONFIRMED', 'job-1040': 'UPDATED/CONFIRMED' });
    expect(env().sandbox.heldJob(DEMO, 'job-1039')?.state).toBe('CLOSED');
  });
});

describe('a CREATE whose answer never arrived', () => {
  const env = useEnvironment();

  test('when LinkedIn applied it, the retry asks with UPDATE, which succeeds, and each job is CREATEd once', async () => {
    const ids = ['job-1110', 'job-1111'];
    linkedInHoldsOnly(env());
    // The resync's UPDATE call goes through; the CREATE call is applied, then the connection drops.
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings' });
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', disconnectAfterApply: true });

    const result = await resync(env(), ids);

    expect(postings(env()).map((call) => call.status)).toEqual([200, 0, 200]);
    expect(received(env())).toEqual([
      ['job-1110', 'UPDATE', 202],
      ['job-1111', 'UPDATE', 202],
      ['job-1110', 'CREATE', 202],
      ['job-1111', 'CREATE', 202],
      ['job-1110', 'UPDATE', 202],
      ['job-1111', 'UPDATE', 202],
    ]);
    expect(acceptedCreates(env())).toEqual({ 'job-1110': 1, 'job-1111': 1 });
    // The UPDATE that followed the lost answer found the jobs: LinkedIn holds them, updated.
    expect(fates(result.jobs)).toEqual({ 'job-1110': 'UPDATED/CONFIRMED', 'job-1111': 'UPDATED/CONFIRMED' });
    for (const id of ids) expect(env().sandbox.heldJob(DEMO, id)?.state).toBe('OPEN');
    expect(result.outcome).toBe('SUCCEEDED');
  });

  test('when LinkedIn never got it, the UPDATE asked instead fails as non-existing, and the job is then CREATEd once', async () => {
    linkedInHoldsOnly(env());
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings' });
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', disconnect: true });

    const result = await resync(env(), ['job-1112']);

    expect(received(env())).toEqual([
      ['job-1112', 'UPDATE', 202],
      ['job-1112', 'UPDATE', 202],
      ['job-1112', 'CREATE', 202],
    ]);
    expect(fates(result.jobs)).toEqual({ 'job-1112': 'CREATED/CONFIRMED' });
    expect(result.totals).toMatchObject({ sent: 1, created: 1, updated: 0, rejected: 0 });
    expect(env().sandbox.heldJob(DEMO, 'job-1112')?.state).toBe('OPEN');
  });
});

describe('a CREATE in flight when the worker stops', () => {
  // LinkedIn's answer would come later than the worker's shutdown grace: the shutdown abandons the call.
  const env = useEnvironment({ requestTimeoutMs: 60_000 });

  test('a worker stopped while LinkedIn holds an unanswered CREATE: the next worker asks with UPDATE, and the job is CREATEd once', async () => {
    linkedInHoldsOnly(env());
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings' });
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', hangAfterApply: true });
    const handle = await deliver(env(), ['job-1114']);
    await eventually(() => expect(acceptedCreates(env())).toEqual({ 'job-1114': 1 }));

    await env().stopWorkers();
    await env().startWorkers();
    const result = await handle.result();

    expect(received(env())).toEqual([
      ['job-1114', 'UPDATE', 202],
      ['job-1114', 'CREATE', 202],
      ['job-1114', 'UPDATE', 202],
    ]);
    expect(fates(result.jobs)).toEqual({ 'job-1114': 'UPDATED/CONFIRMED' });
    expect(env().sandbox.heldJob(DEMO, 'job-1114')?.state).toBe('OPEN');
  });
});

describe('one CREATE per job in a resync', () => {
  const env = useEnvironment({ deadlineMs: 20_000, followUpWindowMs: 20_000 });

  test('a second report asking to CREATE a job this resync already CREATEd sends nothing', async () => {
    // job-1119 is closed in the ATS: its CLOSE task never ends, so the resync is still running when the
    // second report about job-1120 comes.
    linkedInHoldsOnly(env(), ['job-1119']);
    env().sandbox.faults.taskOutcome('job-1119', 'STUCK');
    const handle = await deliver(env(), ['job-1119', 'job-1120']);
    await eventually(() => expect(acceptedCreates(env())).toEqual({ 'job-1120': 1 }));
    await eventually(async () => {
      expect((await handle.query(progressQuery)).confirmed).toBe(1);
    });

    const again: TaskReport = {
      operation: 'UPDATE',
      round: 0,
      confirmed: [],
      failed: [],
      needsCreate: ['job-1120'],
      unconfirmed: [],
    };
    await handle.signal(tasksReportedSignal, again);
    const result = await handle.result();

    expect(acceptedCreates(env())).toEqual({ 'job-1120': 1 });
    expect(await postBatchesScheduled(handle)).toEqual(['UPDATE', 'CREATE']);
    expect(fates(result.jobs)['job-1120']).toBe('CREATED/CONFIRMED');
    expect(result.totals).toMatchObject({ created: 1, updated: 0 });
  });

  test('a job an earlier run of the resync CREATEd is not CREATEd again after continue-as-new, and the next run still knows it', async () => {
    // One job LinkedIn holds thanks to an earlier run, queued again by a repeated report; then two batches.
    const created = 'job-1130';
    const more = Array.from({ length: 104 }, (_, k) => `job-${1131 + k}`).filter(
      (id) => Number(id.slice(4)) % 40 !== 39,
    );
    const carry: ResyncCarry = {
      runs: 1,
      nextIndex: 0,
      after: undefined,
      listingDone: true,
      batchNumber: 1,
      totals: {
        requested: 1 + more.length,
        sent: 0,
        updated: 0,
        created: 1,
        closed: 0,
        confirmed: 1,
        unconfirmed: 0,
        rejected: 0,
        notInAts: 0,
        missedDeadline: 0,
      },
      jobs: [{ externalJobPostingId: created, fate: 'CREATED', confirmation: 'CONFIRMED' }],
      jobsLeftOut: 0,
      createQueue: [created],
      awaitingReports: 0,
      created: [created],
    };
    const handle = await env().client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: env().taskQueue,
      workflowId: `resync-test-${randomUUID()}`,
      args: [
        {
          developerApplicationUrn: DEMO,
          syncAllOpenJobs: false,
          externalJobPostingIds: more,
          receivedAt: Date.now(),
          deadlineMs: 60_000,
          followUpWindowMs: 60_000,
          batchesPerRun: 1,
          carry,
        } satisfies ResyncInput,
      ],
    });

    const result = (await handle.result()) as ResyncResult;

    // Only the jobs LinkedIn lacks among the others are CREATEd.
    expect(
      received(env())
        .filter(([, operation]) => operation === 'CREATE')
        .map(([id]) => id),
    ).toEqual(demoJobsMissingOnLinkedIn().filter((id) => more.includes(id)));
    expect(demoJobsMissingOnLinkedIn()).not.toContain(created);
    expect(result.continuedAsNew).toBe(2);
    expect(result.outcome).toBe('SUCCEEDED');
    const firstRun = await env()
      .client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId)
      .fetchHistory();
    const continued = firstRun.events?.find((event) => event.workflowExecutionContinuedAsNewEventAttributes);
    const payload = continued?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads?.[0];
    expect(payload).toBeDefined();
    const next = defaultPayloadConverter.fromPayload<ResyncInput>(payload ?? {});
    expect(next.carry?.created).toEqual([created]);
    expect(next.carry?.createQueue).toEqual([]);
  });
});

describe('the ids remembered as CREATEd', () => {
  test('stay within a bound in characters, forgetting the oldest first', () => {
    const jobs = new CreatedJobs([]);
    const id = (k: number) => `job-${String(k).padStart(70, '0')}`;
    const count = Math.ceil(MAX_CREATED_CHARS / id(0).length) + 10;
    for (let k = 0; k < count; k++) jobs.add(id(k));
    const kept = jobs.list();
    expect(kept.reduce((sum, id_) => sum + id_.length, 0)).toBeLessThanOrEqual(MAX_CREATED_CHARS);
    expect(jobs.has(id(count - 1))).toBe(true);
    expect(jobs.has(id(0))).toBe(false);
    expect(new CreatedJobs(kept).list()).toEqual(kept);
  });

  test('hold every id of a large resync with short ids', () => {
    const jobs = new CreatedJobs([]);
    for (let k = 0; k < 5_000; k++) jobs.add(`job-${k}`);
    jobs.add('job-7');
    expect(jobs.list()).toHaveLength(5_000);
    expect(jobs.has('job-0')).toBe(true);
  });
});

/** The operation of every postBatch the resync scheduled, across its runs. */
async function postBatchesScheduled(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    const payload = scheduled?.input?.payloads?.[0];
    if (!payload) return [];
    const name = scheduled?.activityType?.name;
    // postBatches sends a run of batches with its operation (UPDATE when it names none).
    if (name === 'postBatches' || name === 'postCreates') {
      const run = defaultPayloadConverter.fromPayload<{ batches: unknown[]; operation?: string }>(payload);
      return run.batches.map(() => run.operation ?? 'UPDATE');
    }
    if (name !== 'postBatch') return [];
    return [defaultPayloadConverter.fromPayload<{ operation: string }>(payload).operation];
  });
}
