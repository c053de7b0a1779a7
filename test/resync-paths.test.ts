/**
 * Paths of the resync workflow that only large or unlucky resyncs take, on the full stack: the Temporal dev
 * server, the workers, the embedded job store and the LinkedIn sandbox over HTTP. Each test holds LinkedIn
 * where it needs the workflow to be (a held call), never a window of time.
 */
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter, WorkflowFailedError, type ApplicationFailure } from '@temporalio/client';
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
import { PATCH } from '../src/workflows/resync-calls';
import type { FollowResyncTasksInput } from '../src/workflows/follow-resync-tasks';
import type { temporal } from '@temporalio/proto';
import { startTestEnvironment, type TestEnvironment } from './support/environment';
import { fates, notification } from './support/notifications';
import { followUpsIn } from './support/follow-ups';
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
    // Two workflow runs of a batch each: the first leaves its tasks to a follower (the second, the last,
    // follows its own), and that follower's start fails.
    const app = await applicationWith(env, 101);
    const ids = Array.from({ length: 101 }, (_, k) => synId(k + 1));
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const handle = await startResync({
      developerApplicationUrn: app.urn,
      externalJobPostingIds: ids,
      batchesPerRun: 1,
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
      const expected = Object.fromEntries(ids.map((id) => [id, 'UPDATED/UNCONFIRMED']));
      expect(fates(result.jobs)).toEqual({ ...expected, [synId(101)]: 'UPDATED/CONFIRMED' });
      expect(result.totals).toMatchObject({ sent: 101, updated: 101, confirmed: 1, unconfirmed: 100 });
      expect(result.continuedAsNew).toBe(1);
      expect(env.sandbox.postedElements(app.urn).filter((e) => e.status === 202)).toHaveLength(101);
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

describe('tasks that run past a slice', () => {
  test('the history names the tasks each slice saw end, not every task again while LinkedIn keeps them running', async () => {
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
    // Followed by the resync itself (its only workflow run, PATCH.followInResync).
    const followUps = followUpsIn((await handle.fetchHistory()).events ?? []);
    expect(followUps.map(({ input }) => input.taskUrns.length)).toEqual([3, 1]);
    expect(followUps.map(({ answer }) => answer?.map((task) => task.status))).toEqual([
      ['SUCCEEDED', 'SUCCEEDED'],
      [],
    ]);
  }, 90_000);
});

describe('a run of more batches than one follower takes', () => {
  test('is followed in groups of 25 batches, by a follower named after its first batch or within its budget by the resync, and every job is confirmed', async () => {
    const open = 3_050;
    const app = await applicationWith(env, open);
    const handle = await startResync({ developerApplicationUrn: app.urn, syncAllOpenJobs: true });

    const result = (await handle.result()) as ResyncResult;

    expect(result.totals).toMatchObject({ requested: open, sent: open, confirmed: open });
    const events = (await handle.fetchHistory()).events ?? [];
    // One run of the 31 batches (PATCH.firstBatchInRun), followed in groups of 25 and 6 (the last one 50
    // jobs). The first group's tasks pass what the resync follows itself (FOLLOW_IN_RESYNC_BYTES): a
    // follower takes them. The second's fit: the resync follows them.
    expect(followersIn(events)).toEqual([[1, 'UPDATE', 2_500]]);
    expect(followUpsIn(events)[0]?.input.taskUrns).toHaveLength(550);
  }, 90_000);
});

/** The follower children a workflow run started: first batch, operation and tasks each follows. */
function followersIn(events: ReadonlyArray<temporal.api.history.v1.IHistoryEvent>) {
  return events.flatMap((event) => {
    const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (!started) return [];
    const follower = parseFollowerWorkflowId(started.workflowId ?? '');
    const input = defaultPayloadConverter.fromPayload<FollowResyncTasksInput>(
      started.input?.payloads?.[0] ?? {},
    );
    return [[follower?.batchNumber, follower?.operation, input.tasks.length] as const];
  });
}

describe('where LinkedIn’s tasks are followed', () => {
  test('a resync of a few hundred jobs follows them itself, with no follower child, the CREATE of a job LinkedIn lacks too', async () => {
    const count = 450;
    const app = await applicationWith(env, count);
    const ids = Array.from({ length: count }, (_, k) => synId(k + 1));
    // LinkedIn lacks one job: its UPDATE's task fails, and the resync CREATEs it.
    const lacking = synId(7);
    env.sandbox.reset();
    env.sandbox.seedExistingJobs(
      app.urn,
      ids.filter((id) => id !== lacking),
      'OPEN',
    );
    const handle = await startResync({ developerApplicationUrn: app.urn, syncAllOpenJobs: true });

    const result = (await handle.result()) as ResyncResult;

    expect(result.outcome).toBe('SUCCEEDED');
    expect(result.totals).toMatchObject({ requested: count, sent: count, confirmed: count, created: 1 });
    expect(fates(result.jobs)[lacking]).toBe('CREATED/CONFIRMED');
    const events = (await handle.fetchHistory()).events ?? [];
    expect(followersIn(events)).toEqual([]);
    // The run's UPDATE tasks, then the CREATE's: every task followed, each to its end.
    const followUps = followUpsIn(events);
    const followed = followUps.flatMap(({ input }) => input.taskUrns);
    expect(new Set(followed).size).toBe(count + 1);
    const ended = followUps.flatMap(({ answer }) => answer ?? []);
    expect(ended.filter((task) => task.status === 'SUCCEEDED')).toHaveLength(count);
    expect(ended.filter((task) => task.status === 'FAILED')).toHaveLength(1);
  }, 90_000);

  test('a follow-up whose tasks all succeed answers in a few bytes, not a urn and status a job', async () => {
    const count = 500;
    const app = await applicationWith(env, count);
    const handle = await startResync({ developerApplicationUrn: app.urn, syncAllOpenJobs: true });

    const result = (await handle.result()) as ResyncResult;

    expect(result.totals).toMatchObject({ requested: count, sent: count, confirmed: count });
    const followUps = followUpsIn((await handle.fetchHistory()).events ?? []);
    expect(followUps.flatMap(({ input }) => input.taskUrns)).toHaveLength(count);
    // Naming each ended task took ~100 bytes a job (50 KB here), the largest payload after the result.
    for (const { answerBytes, answer } of followUps) {
      expect(answerBytes).toBeLessThanOrEqual('{"failed":[],"pending":[]}'.length);
      expect(answer?.every((task) => task.status === 'SUCCEEDED')).toBe(true);
    }
  }, 90_000);

  test('the workflow runs before a continue-as-new leave their tasks to followers, which outlive it; the last run follows its own', async () => {
    const count = 250;
    const app = await applicationWith(env, count);
    const ids = Array.from({ length: count }, (_, k) => synId(k + 1));
    const handle = await startResync({
      developerApplicationUrn: app.urn,
      externalJobPostingIds: ids,
      batchesPerRun: 1,
    });

    const result = (await handle.result()) as ResyncResult;

    expect(result.continuedAsNew).toBe(2);
    expect(result.totals).toMatchObject({ requested: count, sent: count, confirmed: count });
    const runs: Array<ReadonlyArray<temporal.api.history.v1.IHistoryEvent>> = [];
    for await (const execution of env.client.workflow.list({
      query: `WorkflowId = '${handle.workflowId}'`,
    }))
      runs.push(
        (await env.client.workflow.getHandle(handle.workflowId, execution.runId).fetchHistory()).events ?? [],
      );
    // In the order they ran: each run's input carries how many ran before it.
    const runNumber = (events: ReadonlyArray<temporal.api.history.v1.IHistoryEvent>) =>
      defaultPayloadConverter.fromPayload<ResyncInput>(
        events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] ?? {},
      ).carry?.runs ?? 0;
    const byStart = runs.sort((a, b) => runNumber(a) - runNumber(b));
    expect(byStart).toHaveLength(3);
    expect(byStart.map((events) => followersIn(events))).toEqual([
      [[1, 'UPDATE', 100]],
      [[2, 'UPDATE', 100]],
      [],
    ]);
    expect(
      byStart.map((events) => followUpsIn(events).flatMap(({ input }) => input.taskUrns).length),
    ).toEqual([0, 0, 50]);
  }, 90_000);
});

describe('the patches a workflow run records', () => {
  test('one marker for all the changes of this release and one for the patch it deprecates, each with one TemporalChangeVersion upsert', async () => {
    const app = await applicationWith(env, 3);
    const ids = [synId(1), synId(2), synId(3)];
    env.sandbox.seedExistingJobs(app.urn, ids, 'OPEN');
    const handle = await startResync({ developerApplicationUrn: app.urn, externalJobPostingIds: ids });

    expect(((await handle.result()) as ResyncResult).outcome).toBe('SUCCEEDED');

    // Each marker costs every workflow run two events (the marker and its upsert) and a visibility
    // update: the changes that deploy, deprecate and retire together share one (docs/development.md).
    const events = (await handle.fetchHistory()).events ?? [];
    const markers = events
      .filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch')
      .map((event) =>
        defaultPayloadConverter.fromPayload<{ id: string; deprecated: boolean }>(
          event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0] ?? {},
        ),
      );
    expect(markers.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [
        { id: PATCH.runsByIds, deprecated: true },
        { id: PATCH.followInResync, deprecated: false },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    for (const patch of [
      PATCH.repeatsBounded,
      PATCH.answersSignalled,
      PATCH.createsAsRuns,
      PATCH.firstBatchInRun,
    ])
      expect(patch).toBe(PATCH.followInResync);
    const upserts = events.filter(
      (event) =>
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[
          'TemporalChangeVersion'
        ] !== undefined,
    );
    expect(upserts).toHaveLength(2);
  }, 60_000);
});
