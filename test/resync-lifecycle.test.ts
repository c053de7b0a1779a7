import { randomUUID } from 'node:crypto';
import {
  ApplicationFailure,
  WorkflowFailedError,
  type WorkflowHandleWithSignaledRunId,
} from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../src/activities';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import type { JobStore } from '../src/ats/job-store';
import {
  DEVELOPER_APPLICATION_URN,
  followUpTaskQueue,
  summaryOf,
  WORKFLOW_TYPE,
  type DeadlineExceededDetails,
  type ResyncInput,
  type ResyncResult,
} from '../src/contract';
import { demoJobIds } from '../tools/sandbox/demo-sandbox';
import { createWorkerDeps } from '../src/worker';
import { notificationReceivedSignal, progressQuery } from '../src/workflows';
import { demoJobsMissingOnLinkedIn, startTestEnvironment, type TestEnvironment } from './support/environment';
import { eventually } from './support/eventually';
import { testNativeConnection, workflowBundle } from './support/temporal';
import { InProcessLanes } from '../src/linkedin/application-lanes';
import { fates, notification, openDemoJobIds } from './support/notifications';
import { within } from './support/within';

/**
 * How a resync lives and ends under at-least-once execution: deliveries that come while it ends, reports of
 * another execution, jobs to CREATE behind a slow batch-mate, the deadline's edges, and follow-ups that
 * must not hold every worker slot. Each test runs workers of its own (on the environment's task queue) so
 * it can hold an activity back, start the follow-up worker late or give it few slots.
 */
let env: TestEnvironment;
let workers: TestWorkers | undefined;

beforeAll(async () => {
  env = await startTestEnvironment();
  await env.stopWorkers();
});

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  env.sandbox.reset();
  env.sandbox.faults.clear();
  env.seedSandboxWithDemoJobs();
});

afterEach(async () => {
  // Nothing a test left running (a stuck follower, a resync in its window) reaches the next test.
  for await (const open of env.client.workflow.list({
    query: `TaskQueue = '${env.taskQueue}' AND ExecutionStatus = 'Running'`,
  })) {
    await env.client.workflow
      .getHandle(open.workflowId, open.runId)
      .terminate('test ended')
      .catch(() => undefined);
  }
  await workers?.stop();
  workers = undefined;
});

interface TestWorkers {
  startFollowUps(): Promise<void>;
  stop(): Promise<void>;
}

/** The production pair of workers (createResyncWorkers), with knobs a test needs. */
async function startWorkers(
  knobs: {
    /** Start the follow-up worker now (default) or later with startFollowUps(). */
    followUps?: boolean;
    followUpSlots?: number;
    recordOutcome?: Activities['recordOutcome'];
    jobStore?: JobStore;
  } = {},
): Promise<TestWorkers> {
  const connection = await testNativeConnection();
  const activities = createActivities(
    createWorkerDeps({
      jobStore: knobs.jobStore ?? env.jobStore,
      // One process: the lanes are in memory.
      lanes: new InProcessLanes(),
      linkedin: { apiUrl: env.sandbox.apiUrl, tokenUrl: env.sandbox.tokenUrl },
      requestTimeoutMs: 10_000,
      taskPolling: { intervalMs: 100, maxIntervalMs: 1_000 },
    }),
  );
  const { listOpenJobPage, remainingOpenJobs, postBatch, postBatches, postCreates, followTasks } = activities;
  const running: Array<{ worker: Worker; run: Promise<void> }> = [];
  const start = (worker: Worker) => running.push({ worker, run: worker.run() });
  start(
    await Worker.create({
      connection,
      taskQueue: env.taskQueue,
      workflowBundle: workflowBundle(),
      activities: {
        listOpenJobPage,
        remainingOpenJobs,
        postBatch,
        postBatches,
        postCreates,
        recordOutcome: knobs.recordOutcome ?? activities.recordOutcome,
      },
    }),
  );
  const startFollowUps = async () =>
    void start(
      await Worker.create({
        connection,
        taskQueue: followUpTaskQueue(env.taskQueue),
        activities: { followTasks },
        maxConcurrentActivityTaskExecutions: knobs.followUpSlots ?? 100,
      }),
    );
  if (knobs.followUps ?? true) await startFollowUps();
  return {
    startFollowUps,
    async stop() {
      for (const { worker } of running) worker.shutdown();
      await Promise.all(running.map(({ run }) => run));
      await connection.close();
    },
  };
}

/** Delivers a notification as the webhook does (signal-with-start), with options a notification cannot set. */
function deliver(
  workflowId: string,
  input: Pick<ResyncInput, 'externalJobPostingIds' | 'deadlineMs' | 'followUpWindowMs'> &
    Partial<ResyncInput>,
): Promise<WorkflowHandleWithSignaledRunId> {
  const full: ResyncInput = {
    developerApplicationUrn: DEMO_APPLICATION.urn,
    syncAllOpenJobs: false,
    receivedAt: Date.now(),
    ...input,
  };
  return env.client.workflow.signalWithStart(WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    workflowId,
    args: [full],
    signal: notificationReceivedSignal,
    signalArgs: [{ receivedAt: full.receivedAt }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: full.developerApplicationUrn }],
    staticSummary: summaryOf(full),
  });
}

const newId = () => `${env.workflowIdPrefix}lifecycle-${randomUUID()}`;

function operationsOf(id: string): Array<string | null> {
  return env.sandbox
    .postedElements()
    .filter((element) => element.externalJobPostingId === id)
    .map((element) => element.operation);
}

/** An activity held at its first call until the test lets it go; later calls pass. */
function holdFirstCall() {
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let enter = () => undefined as void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  let held = false;
  return {
    entered,
    release,
    async pass(): Promise<void> {
      if (held) return;
      held = true;
      enter();
      await released;
    },
  };
}

/** The failure of a resync that missed its deadline, once it closed. */
async function deadlineFailure(handle: { result(): Promise<unknown> }) {
  const error = await handle.result().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('ResyncDeadlineExceeded');
  return {
    message: (cause as ApplicationFailure).message,
    details: (cause as ApplicationFailure).details?.[0] as DeadlineExceededDetails,
  };
}

describe('a delivery answered 200 is never dropped', () => {
  test('a delivery that arrives while the resync counts its outcome starts a new round that sends again', async () => {
    const outcome = holdFirstCall();
    workers = await startWorkers({ recordOutcome: () => outcome.pass() });
    const body = notification(['job-1241', 'job-1242']);
    expect((await env.notify(body)).status).toBe(200);
    const handle = env.client.workflow.getHandle(env.workflowIdOf(body));
    const first = await handle.describe();

    // Everything was sent and confirmed: the resync is counting its outcome when LinkedIn asks again.
    await outcome.entered;
    expect((await env.notify(body)).status).toBe(200);
    outcome.release();

    const result = (await handle.result()) as ResyncResult;
    expect(result.outcome).toBe('SUCCEEDED');
    expect((await handle.describe()).runId).not.toBe(first.runId);
    expect(operationsOf('job-1241')).toEqual(['UPDATE', 'UPDATE']);
    expect(operationsOf('job-1242')).toEqual(['UPDATE', 'UPDATE']);
  });

  test('a delivery while the round that carried it out again is ending is answered and not redone', async () => {
    // Repeats bounded (contract/repeats.ts): once, and once again within the window, not a third time.
    let outcomes = 0;
    const second = holdFirstCall();
    workers = await startWorkers({
      recordOutcome: () => (++outcomes === 2 ? second.pass() : Promise.resolve()),
    });
    const body = notification(['job-1261', 'job-1262']);
    const handle = env.client.workflow.getHandle(env.workflowIdOf(body));
    expect((await env.notify(body)).status).toBe(200);
    await handle.result();
    // Carried out; LinkedIn asks again: a second round, which counts its outcome when a third ask comes.
    expect((await env.notify(body)).status).toBe(200);
    await second.entered;
    expect((await env.notify(body)).status).toBe(200);
    second.release();

    expect(((await handle.result()) as ResyncResult).outcome).toBe('SUCCEEDED');
    expect(operationsOf('job-1261')).toEqual(['UPDATE', 'UPDATE']);
    expect(outcomes).toBe(2);
  });

  test('a delivery that arrives while a resync fails for its deadline starts a new round that sends again', async () => {
    const outcome = holdFirstCall();
    workers = await startWorkers({ recordOutcome: () => outcome.pass() });
    // The first call is held past the deadline, which abandons it; the calls of the new round pass.
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const id = newId();
    // The window outlasts LinkedIn's tasks (2 s), so the new round sees them confirmed.
    const request = {
      externalJobPostingIds: ['job-1243', 'job-1244'],
      deadlineMs: 1_500,
      followUpWindowMs: 8_000,
    };
    const first = await deliver(id, request);

    await outcome.entered;
    gate.release();
    await deliver(id, { ...request, receivedAt: Date.now() });
    outcome.release();

    const result = (await env.client.workflow.getHandle(id).result()) as ResyncResult;
    expect(result.outcome).toBe('SUCCEEDED');
    const firstRun = await env.client.workflow.getHandle(id, first.signaledRunId).describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    expect(fates(result.jobs)).toEqual({ 'job-1243': 'UPDATED/CONFIRMED', 'job-1244': 'UPDATED/CONFIRMED' });
  });
});

describe('reports belong to one execution', () => {
  test('a follower left from an ended execution does not report into the next execution of the same id', async () => {
    // Follow-ups wait until both executions have sent, so the stale follower reports during the second.
    workers = await startWorkers({ followUps: false });
    env.sandbox.faults.taskOutcome('job-1245', 'FAILED', 'the earlier execution saw this fail');
    const id = newId();
    // Two workflow runs of a batch each: the first run's tasks go to a follower child, which outlives the
    // execution (the last run follows its own, and they end with it). job-1245 is in the first batch.
    const missing = new Set(demoJobsMissingOnLinkedIn());
    const others = openDemoJobIds(250)
      .filter((job) => !missing.has(job) && job !== 'job-1245' && job !== 'job-1246')
      .slice(0, 99);
    const ids = ['job-1245', ...others, 'job-1246'];
    const request = {
      externalJobPostingIds: ids,
      batchesPerRun: 1,
      deadlineMs: 4_000,
      followUpWindowMs: 4_000,
    };
    const earlier = await deliver(id, request);
    await eventually(async () => expect((await earlier.query(progressQuery)).sent).toBe(ids.length));
    await earlier.terminate('an operator ended it');

    env.sandbox.faults.clear();
    // The next execution's last run reports only when its window ends: the stale report comes first.
    env.sandbox.faults.taskOutcome('job-1246', 'STUCK');
    const next = await deliver(id, { ...request, receivedAt: Date.now() });
    expect(next.signaledRunId).not.toBe(earlier.signaledRunId);
    await eventually(async () => expect((await next.query(progressQuery)).sent).toBe(ids.length));
    await workers.startFollowUps();

    const result = (await next.result()) as ResyncResult;
    const confirmed = Object.fromEntries(ids.map((job) => [job, 'UPDATED/CONFIRMED']));
    expect(fates(result.jobs)).toEqual({ ...confirmed, 'job-1246': 'UPDATED/UNCONFIRMED' });
    expect(result.totals).toMatchObject({ rejected: 0, confirmed: ids.length - 1, unconfirmed: 1 });
    expect(result.outcome).toBe('SUCCEEDED');
  });
});

describe('a job LinkedIn does not have', () => {
  test('is created before the deadline although a batch-mate’s task never ends', async () => {
    workers = await startWorkers();
    env.sandbox.reset();
    env.sandbox.seedExistingJobs(
      DEMO_APPLICATION.urn,
      demoJobIds(DEMO_APPLICATION.urn).filter((id) => id !== 'job-1247'),
    );
    env.sandbox.faults.taskOutcome('job-1248', 'STUCK');
    const receivedAt = Date.now();
    const handle = await deliver(newId(), {
      externalJobPostingIds: ['job-1247', 'job-1248'],
      receivedAt,
      // The UPDATE's task fails after about 2 s; the CREATE's task takes as long again.
      deadlineMs: 6_000,
      followUpWindowMs: 9_000,
    });

    const result = (await handle.result()) as ResyncResult;
    expect(fates(result.jobs)).toEqual({
      'job-1247': 'CREATED/CONFIRMED',
      'job-1248': 'UPDATED/UNCONFIRMED',
    });
    expect(result.totals.missedDeadline).toBe(0);
    expect(operationsOf('job-1247')).toEqual(['UPDATE', 'CREATE']);
    const createSeq = env.sandbox.postedElements().find((e) => e.operation === 'CREATE')?.callSeq;
    const create = env.sandbox.calls().find((call) => call.seq === createSeq);
    expect(create?.startedAt).toBeLessThan(receivedAt + 6_000);
  });
});

describe('the deadline', () => {
  test('a batch whose call the deadline abandoned unanswered is recorded as outcome unknown, not as not sent', async () => {
    workers = await startWorkers();
    // LinkedIn holds the call unanswered until the deadline abandons it.
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const handle = await deliver(newId(), {
      externalJobPostingIds: ['job-1249', 'job-1250'],
      deadlineMs: 1_500,
      followUpWindowMs: 1_500,
    });
    await gate.reached;

    const { message, details } = await deadlineFailure(handle);
    expect(details.notSent).toEqual([]);
    expect(details.notSentCount).toBe(0);
    expect([...(details.outcomeUnknown ?? [])].sort()).toEqual(['job-1249', 'job-1250']);
    expect(fates(details.result.jobs)).toEqual({
      'job-1249': 'OUTCOME_UNKNOWN',
      'job-1250': 'OUTCOME_UNKNOWN',
    });
    expect(details.result.jobs[0]?.reason).toMatch(/LinkedIn may have received it/);
    expect(details.result.totals).toMatchObject({ missedDeadline: 0, outcomeUnknown: 2 });
    expect(message).toMatch(/2 jobs in a call abandoned unanswered/);
    // LinkedIn did receive that call.
    expect(env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings')).toHaveLength(1);
  });

  test('a resync whose deadline passed before it could start schedules no posting and fails at once', async () => {
    workers = await startWorkers();
    // The worker was down longer than the deadline: the first workflow task runs after it.
    const handle = await deliver(newId(), {
      externalJobPostingIds: ['job-1251', 'job-1252'],
      receivedAt: Date.now() - 5_000,
      deadlineMs: 2_000,
      followUpWindowMs: 2_000,
    });

    const { details } = await within(deadlineFailure(handle), 20_000, 'the resync ending');
    expect(details.notSentCount).toBe(2);
    expect([...details.notSent].sort()).toEqual(['job-1251', 'job-1252']);
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).map(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name,
    );
    expect(scheduled).not.toContain('postBatch');
    expect(scheduled).not.toContain('postBatches');
    expect(env.sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings')).toHaveLength(0);
  });

  test('an ATS outage after a missed deadline still lets the resync end, naming the jobs it knows of', async () => {
    const app = {
      urn: 'urn:li:developerApplication:535353',
      clientId: 'lifecycle-client-id',
      clientSecret: 'lifecycle-client-secret',
      integrationContext: 'urn:li:organization:535353',
      companyName: 'Lifecycle Tests',
    };
    await env.jobStore.ensureApplication(app);
    // More open jobs than one listing page (10,001 once runs fill a workflow run), so the deadline path
    // reads the ATS for the rest.
    await env.jobStore.insertSyntheticJobs(app.urn, 10_200);
    env.sandbox.registerApplication({
      developerApplicationUrn: app.urn,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      kind: 'child',
    });
    let atsDown = false;
    const store = new Proxy(env.jobStore, {
      get(target, property, receiver) {
        if (property === 'listOpenJobIds' && atsDown)
          return () => Promise.reject(new Error('the ATS database is unreachable'));
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    workers = await startWorkers({ jobStore: store });
    // The first call is held until the deadline abandons it.
    const gate = env.sandbox.faults.hold('simpleJobPostings');
    const handle = await deliver(newId(), {
      developerApplicationUrn: app.urn,
      syncAllOpenJobs: true,
      externalJobPostingIds: [],
      deadlineMs: 3_000,
      followUpWindowMs: 3_000,
    });
    // The first page was listed and posting began: from now on the ATS cannot be read.
    await gate.reached;
    atsDown = true;

    const { message, details } = await within(deadlineFailure(handle), 40_000, 'the resync ending');
    expect(message).toMatch(/the ATS could not be read/);
    expect(details.notSentCount).toBeGreaterThan(0);
  });
});

describe('follow-ups', () => {
  test('stuck LinkedIn tasks do not hold every follow-up slot: another resync is still confirmed', async () => {
    workers = await startWorkers({ followUpSlots: 2 });
    const stuck = ['job-1253', 'job-1254', 'job-1255'];
    for (const id of stuck) env.sandbox.faults.taskOutcome(id, 'STUCK');
    const blocking = await Promise.all(
      stuck.map((id) =>
        deliver(newId(), { externalJobPostingIds: [id], deadlineMs: 120_000, followUpWindowMs: 120_000 }),
      ),
    );
    for (const handle of blocking) {
      await eventually(async () => expect((await handle.query(progressQuery)).sent).toBe(1));
    }

    const other = await deliver(newId(), {
      externalJobPostingIds: ['job-1256'],
      deadlineMs: 120_000,
      followUpWindowMs: 120_000,
    });
    const result = (await within(other.result(), 30_000, 'the other resync')) as ResyncResult;
    expect(fates(result.jobs)).toEqual({ 'job-1256': 'UPDATED/CONFIRMED' });
    // The stuck ones are still being followed.
    for (const handle of blocking) expect((await handle.describe()).status.name).toBe('RUNNING');
  });
});
