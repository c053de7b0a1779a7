import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs, tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { WORKFLOW_TYPE, type JobResult, type ResyncInput, type ResyncResult } from '../src/contract';
import { InProcessLanes } from '../src/linkedin/application-lanes';
import { RUN_REPORT_GRACE_MS } from '../src/workflows/posting-calls';
import { demoJobIds } from '../tools/sandbox/demo-sandbox';
import { createResyncWorkers, createWorkerDeps } from '../src/worker';
import type { ActivityDeps } from '../src/activities';
import { deadlineFailure } from './support/deadline';
import { startTestEnvironment, type TestEnvironment } from './support/environment';
import { eventually } from './support/eventually';
import { followUpsIn } from './support/follow-ups';
import { atLeast } from './support/timing';
import { testNativeConnection, uniqueTaskQueue, workflowBundle } from './support/temporal';

/**
 * The four things that stop LinkedIn calls at a resync's deadline, each with a test that fails without it:
 * the activity refuses to start a call at or after `notAfter`, it abandons the call in flight at the
 * deadline, the workflow's timer ends the resync at the deadline, and every posting activity is scheduled
 * with timeouts no longer than the time left. Then what the deadline leaves: jobs LinkedIn lacks whose
 * CREATE would come too late.
 */
let env: TestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment();
});

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  env.sandbox.reset();
  env.seedSandboxWithDemoJobs();
});

/** Starts a resync on the environment's workers (or another task queue), with options a notification cannot set. */
async function start(
  input: Pick<ResyncInput, 'externalJobPostingIds' | 'deadlineMs'> & Partial<ResyncInput>,
  taskQueue = env.taskQueue,
): Promise<{ handle: WorkflowHandle; deadlineAt: number }> {
  const full: ResyncInput = {
    developerApplicationUrn: DEMO_APPLICATION.urn,
    syncAllOpenJobs: false,
    receivedAt: Date.now(),
    followUpWindowMs: input.deadlineMs,
    ...input,
  };
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `${env.workflowIdPrefix}deadline-${randomUUID()}`,
    args: [full],
  });
  return { handle, deadlineAt: full.receivedAt + full.deadlineMs };
}

async function historyOf(handle: WorkflowHandle): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

function postings() {
  return env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
}

function fates(jobs: readonly JobResult[]): Record<string, string> {
  return Object.fromEntries(jobs.map((job) => [job.externalJobPostingId, job.fate]));
}

/** Workers of the production shape on a task queue of their own, with activity deps the test chose. */
async function withWorkers<T>(deps: ActivityDeps, run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('deadline');
  const connection = await testNativeConnection();
  const workers = await createResyncWorkers({
    connection,
    namespace: 'default',
    taskQueue,
    deps,
    workflowBundle: workflowBundle(),
  });
  const running = workers.run();
  try {
    return await run(taskQueue);
  } finally {
    workers.shutdown();
    await running;
    await connection.close();
  }
}

function workerDeps(requestTimeoutMs = 10_000): ActivityDeps {
  return createWorkerDeps({
    jobStore: env.jobStore,
    lanes: new InProcessLanes(),
    linkedin: { apiUrl: env.sandbox.apiUrl, tokenUrl: env.sandbox.tokenUrl },
    requestTimeoutMs,
    taskPolling: { intervalMs: 100, maxIntervalMs: 1_000 },
  });
}

describe('the activity refuses to start a call at or after the deadline', () => {
  // The posting activity's host reads its own clock: here it stands exactly at, or past, the deadline the
  // workflow handed it, while the workflow (another host's clock) still sees time left.
  test.each([
    ['exactly at the deadline', 0],
    ['a minute past the deadline', 60_000],
  ])(
    'with the worker clock %s, no call reaches LinkedIn and the attempt fails once, ResyncDeadlineExceeded',
    async (_case, pastBy) => {
      const receivedAt = Date.now();
      const deadlineMs = 3_000;
      const deps = { ...workerDeps(), now: () => receivedAt + deadlineMs + pastBy };
      await withWorkers(deps, async (taskQueue) => {
        const { handle } = await start(
          { externalJobPostingIds: ['job-1201', 'job-1202'], receivedAt, deadlineMs },
          taskQueue,
        );
        await deadlineFailure(handle);
        expect(postings()).toHaveLength(0);
        const events = await historyOf(handle);
        const failed = events.flatMap((event) =>
          event.activityTaskFailedEventAttributes ? [event.activityTaskFailedEventAttributes] : [],
        );
        expect(failed).toHaveLength(1);
        expect(failed[0]?.failure?.message).toBe('the resync deadline passed before this call could start');
        expect(failed[0]?.failure?.applicationFailureInfo).toMatchObject({
          type: 'ResyncDeadlineExceeded',
          nonRetryable: true,
        });
        const postBatch = new Set(events.filter(isPosting).map((event) => String(event.eventId)));
        const started = events.flatMap((event) => {
          const attributes = event.activityTaskStartedEventAttributes;
          return attributes && postBatch.has(String(attributes.scheduledEventId)) ? [attributes.attempt] : [];
        });
        expect(started).toEqual([1]);
      });
    },
  );
});

describe('the call in flight at the deadline', () => {
  test('is abandoned at the deadline: its connection is closed unanswered, not left to the request timeout', async () => {
    env.sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', hang: true });
    const { handle, deadlineAt } = await start({
      externalJobPostingIds: ['job-1203', 'job-1204'],
      deadlineMs: 2_000,
    });
    const details = await deadlineFailure(handle);
    expect([...(details.outcomeUnknown ?? [])].sort()).toEqual(['job-1203', 'job-1204']);

    // Without the deadline the call would end with the activity's cancellation (a heartbeat later, over a
    // second past the deadline here) or its 10 s request timeout; the deadline closes it within milliseconds.
    await eventually(() => expect(postings()[0]?.endedAt).toBeGreaterThan(0), 20_000);
    const [call] = postings();
    expect(postings()).toHaveLength(1);
    expect(call?.status).toBe(0);
    expect(call?.endedAt).toBeLessThan(deadlineAt + 800);
  });
});

describe('the call in flight at the worker’s own deadline', () => {
  // The workflow cancels a call in flight at its deadline too, a heartbeat (up to a second) later: with the
  // worker's clock 5 s ahead, the worker's deadline comes 5 s before the workflow's, so only the
  // activity's own abandonment can close the call in time.
  test('is abandoned by the activity itself, seconds before the workflow could cancel it', async () => {
    const receivedAt = Date.now();
    const deps = { ...workerDeps(), now: () => Date.now() + 5_000 };
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    await withWorkers(deps, async (taskQueue) => {
      const { handle } = await start(
        { externalJobPostingIds: ['job-1209', 'job-1210'], receivedAt, deadlineMs: 8_000 },
        taskQueue,
      );
      try {
        await gate.reached;
        await eventually(() => expect(postings()[0]?.endedAt).toBeGreaterThan(0), 20_000);
        const [call] = postings();
        expect(call?.status).toBe(0);
        // By the worker's clock the deadline is at receivedAt + 3 s; the workflow's comes at + 8 s.
        expect(call?.endedAt).toBeLessThan(receivedAt + 5_000);
      } finally {
        await handle.terminate('test over');
      }
    });
    gate.release();
  });
});

describe('a run of batches Temporal times out before its activity reports', () => {
  // With the worker's clock 30 s behind, the activity's own deadline is far off: the run out at the
  // deadline ends by Temporal's timeout, which carries only the last heartbeat, not the activity's report.
  // What that heartbeat says was answered is sent; the call held at the deadline is of unknown outcome,
  // wherever in the run it was.
  test('counts the batches its last heartbeat reported as sent and the rest of the run as outcome unknown', async () => {
    // Open jobs only: one call a batch (jobs closed in the ATS go in a CLOSE call of their own).
    const ids = (await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 250 })).slice(0, 250);
    env.sandbox.reset();
    env.sandbox.seedExistingJobs(DEMO_APPLICATION.urn, ids);
    // Batches 1 to 3 in one run (PATCH.firstBatchInRun): the third call is held.
    const gate = env.sandbox.faults.hold('simpleJobPostings', { passing: 2 });
    // Nor does the held call time out first (the request timeout is 10 s in the other tests).
    const deps = { ...workerDeps(60_000), now: () => Date.now() - 30_000 };
    try {
      await withWorkers(deps, async (taskQueue) => {
        const { handle } = await start({ externalJobPostingIds: ids, deadlineMs: 8_000 }, taskQueue);
        await gate.reached;
        // Before the deadline, the run's heartbeat holds the first two batches' answers.
        await eventually(async () => {
          const pending = (await handle.describe()).raw.pendingActivities ?? [];
          const beats = pending.flatMap((activity) => activity.heartbeatDetails?.payloads ?? []);
          const done = beats.map(
            (payload) => (JSON.parse(Buffer.from(payload.data ?? []).toString()) as { done: unknown }).done,
          );
          expect(done).toEqual([[expect.anything(), expect.anything()]]);
        });
        const details = await deadlineFailure(handle);
        // Temporal's timeout ended the run, not the activity.
        const events = await historyOf(handle);
        expect(events.filter((event) => event.activityTaskTimedOutEventAttributes)).toHaveLength(1);
        expect(events.filter((event) => event.activityTaskFailedEventAttributes)).toHaveLength(0);

        const [first, second, third] = postings();
        expect(postings()).toHaveLength(3);
        const idsOf = (call: typeof first) =>
          (call?.elements ?? []).map(
            (element) => (element as { externalJobPostingId: string }).externalJobPostingId,
          );
        const unknown = new Set(details.outcomeUnknown ?? []);
        const notSent = new Set(details.notSent);
        for (const id of [...idsOf(first), ...idsOf(second)]) {
          expect(unknown.has(id)).toBe(false);
          expect(notSent.has(id)).toBe(false);
        }
        expect(idsOf(third)).toHaveLength(50);
        for (const id of idsOf(third)) expect(unknown.has(id)).toBe(true);
        const totals = details.result.totals;
        expect(totals.sent).toBe(200);
        expect(totals.sent + totals.rejected + totals.notInAts + details.notSentCount + unknown.size).toBe(
          ids.length,
        );
      });
    } finally {
      gate.release();
    }
  });
});

describe("the workflow's deadline timer", () => {
  test('ends the resync at its deadline, while LinkedIn still holds a call unanswered', async () => {
    env.sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', hang: true });
    const { handle, deadlineAt } = await start({
      externalJobPostingIds: ['job-1205', 'job-1206'],
      deadlineMs: 2_000,
    });
    await deadlineFailure(handle);
    const closedAt = (await handle.describe()).closeTime?.getTime() ?? Number.POSITIVE_INFINITY;
    // A timer firing late (say 3 s) would close the resync that much later.
    expect(closedAt).toBeGreaterThanOrEqual(atLeast(deadlineAt));
    expect(closedAt).toBeLessThan(deadlineAt + 1_500);
  });

  test('stops a resync whose batches are each answered in time: nothing is posted after the deadline and every job is accounted for', async () => {
    // Each call takes 800 ms; the deadline comes in the middle of the fourth batch.
    env.sandbox.faults.setLatency('simpleJobPostings', 800);
    const ids = demoJobIds(DEMO_APPLICATION.urn).slice(3, 3 + 600);
    const { handle, deadlineAt } = await start({ externalJobPostingIds: ids, deadlineMs: 2_800 });
    const details = await deadlineFailure(handle);
    const closedAt = (await handle.describe()).closeTime?.getTime() ?? Number.POSITIVE_INFINITY;
    expect(closedAt).toBeLessThan(deadlineAt + 1_500);

    for (const call of postings()) expect(call.startedAt).toBeLessThan(deadlineAt);
    const totals = details.result.totals;
    const outcomeUnknown = details.outcomeUnknown ?? [];
    expect(
      totals.sent + totals.rejected + totals.notInAts + details.notSentCount + outcomeUnknown.length,
    ).toBe(ids.length);
    expect(details.notSentCount).toBeGreaterThan(0);
    // Answered and on LinkedIn: sent. A job LinkedIn lacks is answered 202 to its UPDATE too, but its task
    // fails; the CREATE it then needs may be what the deadline left unsent (named so when the task's report
    // comes before the resync ends: every 25th demo job here).
    const urn = DEMO_APPLICATION.urn;
    const answered = env.sandbox
      .postedElements()
      .filter((element) => element.status === 202)
      .map((element) => element.externalJobPostingId ?? '');
    const held = answered.filter((id) => env.sandbox.heldJob(urn, id) !== undefined);
    expect(held.length).toBeGreaterThan(0);
    const notSent = new Set(details.notSent);
    for (const id of held) expect(notSent.has(id)).toBe(false);
  });
});

/** A posting activity scheduled: one batch (postBatch) or a run of them (postBatches). */
function isPosting(event: {
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
}): boolean {
  const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
  return name === 'postBatch' || name === 'postBatches' || name === 'postCreates';
}

describe('the posting activity timeouts', () => {
  test('every posting is scheduled to end, retries included, by the deadline', async () => {
    // Two calls fail and are retried: each attempt is still bounded by the time left.
    env.sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', status: 500, times: 2 });
    const ids = demoJobIds(DEMO_APPLICATION.urn).slice(3, 3 + 150);
    const { handle, deadlineAt } = await start({ externalJobPostingIds: ids, deadlineMs: 20_000 });
    const result = (await handle.result()) as ResyncResult;
    expect(result.totals.sent + result.totals.rejected).toBe(ids.length);

    const scheduled = (await historyOf(handle)).filter(isPosting);
    // The UPDATE batches in one run, then CREATEs of the jobs LinkedIn lacks: every one a run.
    const names = scheduled.map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(new Set(names)).toEqual(new Set(['postBatches', 'postCreates']));
    for (const event of scheduled) {
      const attributes = event.activityTaskScheduledEventAttributes;
      const scheduledAt = tsToMs(event.eventTime);
      const scheduleToClose = optionalTsToMs(attributes?.scheduleToCloseTimeout) ?? Number.POSITIVE_INFINITY;
      const startToClose = optionalTsToMs(attributes?.startToCloseTimeout) ?? Number.POSITIVE_INFINITY;
      // The workflow computes the time left a moment before the event is written. A run of batches is
      // timed out a moment after the deadline: its activity abandons the call out at the deadline and
      // reports what was answered before it, and Temporal's timeout must not beat that report.
      const name = attributes?.activityType?.name;
      const grace = name === 'postBatch' ? 0 : RUN_REPORT_GRACE_MS;
      expect(scheduledAt + scheduleToClose).toBeLessThanOrEqual(deadlineAt + grace + 1_000);
      expect(scheduledAt + startToClose).toBeLessThanOrEqual(deadlineAt + grace + 1_000);
      expect(scheduleToClose).toBeGreaterThan(5_000);
    }
  });
});

describe('jobs LinkedIn lacks', () => {
  test('found out only after the deadline are MISSED_DEADLINE, and no CREATE is sent for them', async () => {
    env.sandbox.reset();
    env.sandbox.seedExistingJobs(DEMO_APPLICATION.urn, ['job-1208']);
    // LinkedIn answers the first task poll only once the workflow's deadline timer has fired.
    const polls = env.sandbox.faults.hold('simpleJobPostingTasks');
    const { handle } = await start({
      externalJobPostingIds: ['job-1207', 'job-1208'],
      deadlineMs: 1_500,
      followUpWindowMs: 8_000,
    });
    await polls.reached;
    await eventually(
      async () =>
        expect((await historyOf(handle)).some((event) => event.timerFiredEventAttributes)).toBe(true),
      20_000,
    );
    polls.release();
    const result = (await handle.result()) as ResyncResult;
    expect(fates(result.jobs)).toEqual({ 'job-1207': 'MISSED_DEADLINE', 'job-1208': 'UPDATED' });
    expect(result.jobs.find((job) => job.externalJobPostingId === 'job-1207')?.reason).toBe(
      'LinkedIn does not have this job and the deadline passed before it could be created',
    );
    expect(result.totals).toMatchObject({ requested: 2, updated: 1, missedDeadline: 1, created: 0 });
    expect(result.outcome).toBe('PARTIAL');
    expect(env.sandbox.postedElements().map((element) => element.operation)).toEqual(['UPDATE', 'UPDATE']);
  });
  test('found out after the deadline while the resync is still ending are named not sent in its failure', async () => {
    // Open jobs only, one call a batch; LinkedIn lacks two jobs of the first batch.
    const ids = (await env.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 250 })).slice(0, 250);
    const lacking = [ids[10] ?? '', ids[20] ?? ''];
    env.sandbox.reset();
    env.sandbox.seedExistingJobs(
      DEMO_APPLICATION.urn,
      ids.filter((id) => !lacking.includes(id)),
    );
    // LinkedIn's tasks are read only after the deadline; the run's third call is out at the deadline, and
    // with the worker's clock 2 s behind, the run reports it abandoned 2 s after the workflow's timer fired.
    const polls = env.sandbox.faults.hold('simpleJobPostingTasks');
    const third = env.sandbox.faults.hold('simpleJobPostings', { passing: 2 });
    const deps = { ...workerDeps(), now: () => Date.now() - 2_000 };
    try {
      await withWorkers(deps, async (taskQueue) => {
        const { handle } = await start(
          { externalJobPostingIds: ids, deadlineMs: 5_000, followUpWindowMs: 30_000 },
          taskQueue,
        );
        await third.reached;
        await eventually(async () => {
          const events = await historyOf(handle);
          expect(events.some((event) => event.timerFiredEventAttributes)).toBe(true);
        }, 20_000);
        polls.release();
        const details = await deadlineFailure(handle);
        // The report came after the timer, before the failure: a follow-up's answer in the resync itself
        // (PATCH.followInResync), or a follower's signal.
        const events = await historyOf(handle);
        const fired = events.findIndex((event) => event.timerFiredEventAttributes);
        const signalled = events.findIndex(
          (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'tasksReported',
        );
        const answered = followUpsIn(events).map((followUp) => followUp.completedAt);
        const reports = [signalled, ...answered].filter((at) => at >= 0);
        // The first report (-1: none came).
        const reported = reports.length > 0 ? Math.min(...reports) : -1;
        expect(reported).toBeGreaterThan(fired);

        for (const id of lacking) expect(details.notSent).toContain(id);
        const totals = details.result.totals;
        expect(totals.missedDeadline).toBe(details.notSentCount);
        const unknown = details.outcomeUnknown ?? [];
        expect(totals.sent + totals.rejected + totals.notInAts + details.notSentCount + unknown.length).toBe(
          ids.length,
        );
        const reasons = new Map(details.result.jobs.map((job) => [job.externalJobPostingId, job.reason]));
        for (const id of lacking) {
          expect(reasons.get(id)).toBe(
            'LinkedIn does not have this job and the deadline passed before it could be created',
          );
        }
      });
    } finally {
      polls.release();
      third.release();
    }
  });
});
