/**
 * Paths of the resync workflow that only large or unlucky resyncs take, on the full stack: the Temporal dev
 * server, the workers, the embedded job store and the LinkedIn sandbox over HTTP. Each test holds LinkedIn
 * where it needs the workflow to be (a held call), never a window of time.
 */
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter, WorkflowFailedError, type ApplicationFailure } from '@temporalio/client';
import type { FollowedTask, FollowTasksInput } from '../src/activities/follow-tasks';
import {
  followerWorkflowId,
  parseFollowerWorkflowId,
  MAX_JOB_DETAILS,
  WORKFLOW_TYPE,
  type DeadlineExceededDetails,
  type ResyncInput,
  type ResyncResult,
} from '../src/contract';
import { tasksReportedSignal } from '../src/workflows';
import type { FollowResyncTasksInput } from '../src/workflows/follow-resync-tasks';
import { startTestEnvironment, type TestEnvironment } from './support/environment';
import { fates, notification } from './support/notifications';
import { applicationWith, synId } from './support/synthetic-application';

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

/** Starts a resync as the API would, with the deadline and window the test needs. */
function startResync(input: Partial<ResyncInput> & Pick<ResyncInput, 'developerApplicationUrn'>) {
  return env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    workflowId: `${env.workflowIdPrefix}paths-${randomUUID()}`,
    args: [
      {
        syncAllOpenJobs: false,
        externalJobPostingIds: [],
        receivedAt: Date.now(),
        deadlineMs: 60_000,
        followUpWindowMs: 60_000,
        ...input,
      } satisfies ResyncInput,
    ],
  });
}

describe('a sync-all whose deadline passes on its first page of open jobs', () => {
  test('names the open jobs never listed, and sent, not sent and outcome unknown add up to every open job', async () => {
    const open = 11_600;
    const app = await applicationWith(env, open);
    // Two calls of 100 are answered; the third is held until the deadline abandons it.
    const gate = env.sandbox.faults.hold('simpleJobPostings', { passing: 2 });
    const handle = await startResync({
      developerApplicationUrn: app.urn,
      syncAllOpenJobs: true,
      deadlineMs: 10_000,
      followUpWindowMs: 10_000,
    });
    await gate.reached;

    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    gate.release();

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('ResyncDeadlineExceeded');
    const details = cause.details?.[0] as DeadlineExceededDetails;
    const { totals } = details.result;
    // Listed: ids 1-10,001 (a page: one more than a workflow run sends), handed to the workflow run's runs,
    // all queued at once in the lane (so which batches go first is theirs to decide). Sent: two calls.
    // In the abandoned call: 100. Listed, not sent: the rest of 1-10,001. Never listed, counted from the
    // ATS after the deadline: 10,002-11,600.
    const postings = env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
    expect(postings.map((call) => call.status)).toEqual([200, 200, 0]);
    const idsOf = (call: (typeof postings)[number] | undefined) =>
      ((call?.elements ?? []) as Array<{ externalJobPostingId: string }>).map((e) => e.externalJobPostingId);
    const sent = [...idsOf(postings[0]), ...idsOf(postings[1])];
    expect(totals.sent).toBe(200);
    expect(new Set(sent).size).toBe(200);
    expect(details.outcomeUnknown).toEqual(idsOf(postings[2]));
    expect(details.notSentCount).toBe(9_701 + 1_599);
    expect(totals.sent + details.notSentCount + (details.outcomeUnknown ?? []).length).toBe(open);
    expect(totals.requested).toBe(open);
    expect(totals.missedDeadline).toBe(details.notSentCount);
    // The listed ones first (here they fill the 1,000 the details hold); the never listed are counted above.
    expect(details.notSent).toHaveLength(MAX_JOB_DETAILS);
    const elsewhere = new Set([...sent, ...(details.outcomeUnknown ?? [])]);
    expect(details.notSent.filter((id) => elsewhere.has(id))).toEqual([]);
    expect(new Set(details.notSent).size).toBe(MAX_JOB_DETAILS);
    expect(details.notSent.every((id) => id <= synId(10_001))).toBe(true);
    expect(cause.message).toMatch(
      /^the 10 s deadline passed with 11300 jobs not sent: syn-0\d+, .*; 100 jobs in a call abandoned unanswered/,
    );
    const posted = env.sandbox.postedElements(app.urn).map((e) => e.externalJobPostingId ?? '');
    expect(posted.sort()).toEqual([...sent].sort());
  });
});

describe('per-job results of more than 1,000 jobs', () => {
  test('hold 1,000 jobs, the rejected ones among them, and count the jobs left out', async () => {
    const count = 1_050;
    const app = await applicationWith(env, count);
    const rejected = [synId(1_049), synId(1_050)];
    for (const id of rejected)
      env.sandbox.faults.rejectElement(id, { message: 'ERROR :: /title :: not allowed\n' });
    const body = notification('all', app.urn);
    expect((await env.notify(body)).status).toBe(200);

    const result = (await env.client.workflow.getHandle(env.workflowIdOf(body)).result()) as ResyncResult;

    expect(result.totals).toMatchObject({ requested: count, sent: count - 2, rejected: 2 });
    expect(result.jobs).toHaveLength(MAX_JOB_DETAILS);
    expect(result.jobsLeftOut).toBe(count - MAX_JOB_DETAILS);
    // The last two jobs came after the 1,000th: they pushed out jobs that simply succeeded.
    const listed = fates(result.jobs);
    for (const id of rejected) expect(listed[id]).toBe('REJECTED');
    expect(Object.values(listed).filter((fate) => fate === 'REJECTED')).toHaveLength(2);
    expect(result.outcome).toBe('PARTIAL');
  });
});

describe('a follower that fails to start', () => {
  test('leaves its jobs UNCONFIRMED and the resync ends without waiting for the follow-up window', async () => {
    const app = await applicationWith(env, 2);
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const handle = await startResync({
      developerApplicationUrn: app.urn,
      externalJobPostingIds: [synId(1), synId(2)],
      // A follow-up window far longer than the test's own timeout: the resync must not wait it out.
      followUpWindowMs: 30 * 60_000,
      deadlineMs: 30 * 60_000,
    });
    await gate.reached;
    const described = await handle.describe();
    const firstRunId = described.raw.workflowExecutionInfo?.firstRunId ?? described.runId;
    // Another workflow already runs under the follower's id (on a queue nobody polls): its start fails.
    const squatter = await env.client.workflow.start('notAWorkflowOfThisService', {
      taskQueue: `nobody-polls-${randomUUID()}`,
      workflowId: followerWorkflowId({
        resyncWorkflowId: handle.workflowId,
        resyncRunId: firstRunId,
        round: 0,
        batchNumber: 1,
        operation: 'UPDATE',
      }),
      args: [],
    });
    gate.release();

    try {
      const result = (await handle.result()) as ResyncResult;
      expect(fates(result.jobs)).toEqual({
        [synId(1)]: 'UPDATED/UNCONFIRMED',
        [synId(2)]: 'UPDATED/UNCONFIRMED',
      });
      expect(result.totals).toMatchObject({ sent: 2, updated: 2, confirmed: 0, unconfirmed: 2 });
      expect(env.sandbox.postedElements(app.urn).map((e) => e.status)).toEqual([202, 202]);
    } finally {
      await squatter.terminate('test over');
    }
  }, 90_000);
});

describe('reports from an earlier round', () => {
  test('are ignored: a report of round 0 reaching round 1 neither rejects a job nor asks for a CREATE', async () => {
    const app = await applicationWith(env, 2);
    const polls = env.sandbox.faults.hold('simpleJobPostingTasks');
    const handle = await startResync({
      developerApplicationUrn: app.urn,
      externalJobPostingIds: [synId(1), synId(2)],
      round: 1,
    });
    // The batch was answered and its follower is polling: the resync awaits that follower's report.
    await polls.reached;
    const described = await handle.describe();
    const firstRunId = described.raw.workflowExecutionInfo?.firstRunId ?? described.runId;
    // Accepted before the follower's own report, which waits for the held poll: handled first.
    await handle.signal(tasksReportedSignal, {
      operation: 'UPDATE',
      round: 0,
      resyncRunId: firstRunId,
      confirmed: [],
      failed: [{ externalJobPostingId: synId(1), reason: 'a task of round 0 failed' }],
      needsCreate: [synId(2)],
      unconfirmed: [],
    });
    polls.release();

    const result = (await handle.result()) as ResyncResult;

    expect(fates(result.jobs)).toEqual({ [synId(1)]: 'UPDATED/CONFIRMED', [synId(2)]: 'UPDATED/CONFIRMED' });
    expect(result.outcome).toBe('SUCCEEDED');
    expect(env.sandbox.postedElements(app.urn).map((e) => [e.externalJobPostingId, e.operation])).toEqual([
      [synId(1), 'UPDATE'],
      [synId(2), 'UPDATE'],
    ]);
  });
});

describe('a follower whose tasks run past a slice', () => {
  test('its history names the tasks each slice saw end, not every task again while LinkedIn keeps them running', async () => {
    const app = await applicationWith(env, 3);
    const ids = [synId(1), synId(2), synId(3)];
    // One task never ends: each slice (10 s) ends with it still running, until the 20 s window closes.
    env.sandbox.faults.taskOutcome(synId(3), 'STUCK');
    const handle = await startResync({
      developerApplicationUrn: app.urn,
      externalJobPostingIds: ids,
      deadlineMs: 20_000,
      followUpWindowMs: 20_000,
    });

    const result = (await handle.result()) as ResyncResult;

    expect(fates(result.jobs)).toEqual({
      [synId(1)]: 'UPDATED/CONFIRMED',
      [synId(2)]: 'UPDATED/CONFIRMED',
      [synId(3)]: 'UPDATED/UNCONFIRMED',
    });
    const described = await handle.describe();
    const follower = env.client.workflow.getHandle(
      followerWorkflowId({
        resyncWorkflowId: handle.workflowId,
        resyncRunId: described.raw.workflowExecutionInfo?.firstRunId ?? described.runId,
        round: 0,
        batchNumber: 1,
        operation: 'UPDATE',
      }),
    );
    const events = (await follower.fetchHistory()).events ?? [];
    const asked = events.flatMap((event) => {
      const attributes = event.activityTaskScheduledEventAttributes;
      if (attributes?.activityType?.name !== 'followTasks') return [];
      return [defaultPayloadConverter.fromPayload<FollowTasksInput>(attributes.input?.payloads?.[0] ?? {})];
    });
    const answered = events.flatMap((event) => {
      const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
      return payload ? [defaultPayloadConverter.fromPayload<FollowedTask[]>(payload)] : [];
    });
    expect(asked.map((input) => input.taskUrns.length)).toEqual([3, 1]);
    expect(answered.map((tasks) => tasks.map((task) => task.status))).toEqual([
      ['SUCCEEDED', 'SUCCEEDED'],
      [],
    ]);
  }, 90_000);
});

describe('a run of more batches than one follower takes', () => {
  test('is followed by one follower per 25 batches, each named after its first batch, and every job is confirmed', async () => {
    const open = 3_050;
    const app = await applicationWith(env, open);
    const handle = await startResync({ developerApplicationUrn: app.urn, syncAllOpenJobs: true });

    const result = (await handle.result()) as ResyncResult;

    expect(result.totals).toMatchObject({ requested: open, sent: open, confirmed: open });
    const followers = ((await handle.fetchHistory()).events ?? []).flatMap((event) => {
      const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
      if (!started) return [];
      const follower = parseFollowerWorkflowId(started.workflowId ?? '');
      const input = defaultPayloadConverter.fromPayload<FollowResyncTasksInput>(
        started.input?.payloads?.[0] ?? {},
      );
      return [[follower?.batchNumber, follower?.operation, input.tasks.length]];
    });
    // One run of the 31 batches (PATCH.firstBatchInRun): 25 and 6 (the last one 50 jobs).
    expect(followers).toEqual([
      [1, 'UPDATE', 2_500],
      [26, 'UPDATE', 550],
    ]);
  }, 90_000);
});
