/**
 * Records the workflow histories that test/replay.test.ts replays: one resync of each path, with the
 * histories of its followers, and one drift check and one Job Status Change, with the repair resync each
 * starts and its followers, run by the workflow code of this checkout on a real dev server against the
 * LinkedIn sandbox. Run it (`npm run record-histories`) on each release, so a later change to workflow code
 * is checked against what running resyncs of every kept release recorded. Each release writes a folder of
 * its own under test/fixtures/histories, named by HISTORIES_RELEASE (default: the commit recorded), and
 * the folders of earlier releases stay. `npm test` never runs this file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultPayloadConverter,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowHandleWithSignaledRunId,
} from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createJobStatusChanges, jobStatusWorkflowIdOf } from '../../src/api/job-status';
import { createResyncStarter } from '../../src/api/resync-starter';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import {
  DEVELOPER_APPLICATION_URN,
  summaryOf,
  WORKFLOW_TYPE,
  type ResyncInput,
  type ResyncResult,
} from '../../src/contract';
import { parseFollowerWorkflowId } from '../../src/contract/workflow-ids';
import {
  DRIFT_CHECK_WORKFLOW_TYPE,
  type DriftCheckInput,
  type DriftCheckResult,
  type JobStatusChangedResult,
} from '../../src/contract/drift';
import { JobStatusChangeNotification } from '../../src/linkedin/job-posting-status';
import { createLogger } from '../../src/logger';
import { notificationReceivedSignal, progressQuery } from '../../src/contract/signals';
import { resolveTemporalCli } from '../../tools/dev/temporal-dev-server';
import { startTestEnvironment, WEBHOOK_SECRET, type TestEnvironment } from './environment';
import { temporalAddress } from './temporal';
import { eventually } from './eventually';
import { serve } from './serve';

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname }).toString().trim();
const RELEASE = process.env.HISTORIES_RELEASE ?? commit;
if (!/^[\w.-]+$/.test(RELEASE)) throw new Error(`HISTORIES_RELEASE must be a folder name, got ${RELEASE}`);
const OUT_DIR = join(__dirname, '..', 'fixtures', 'histories', RELEASE);

let env: TestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment();
});

afterAll(async () => {
  await env?.close();
});

/** Starts a resync as the webhook does (signal-with-start), with options a notification cannot set. */
async function deliver(
  workflowId: string,
  input: Omit<ResyncInput, 'developerApplicationUrn' | 'receivedAt'> & { developerApplicationUrn?: string },
): Promise<WorkflowHandleWithSignaledRunId> {
  const receivedAt = Date.now();
  const full: ResyncInput = { developerApplicationUrn: DEMO_APPLICATION.urn, ...input, receivedAt };
  return env.client.workflow.signalWithStart(WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    workflowId,
    args: [full],
    signal: notificationReceivedSignal,
    signalArgs: [{ receivedAt }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: full.developerApplicationUrn }],
    staticSummary: summaryOf(full),
  });
}

const MINUTES = 60_000;
const SECONDS = 1_000;
/** The workflow type of a resync's followers. */
const FOLLOWER_TYPE = 'followResyncTasks';
const SMALL_APPLICATION = {
  urn: 'urn:li:developerApplication:424242',
  clientId: 'replay-client-id',
  clientSecret: 'replay-client-secret',
  integrationContext: 'urn:li:organization:424242',
  companyName: 'Replay Fixtures',
};

/**
 * Writes every run of the workflow (following continue-as-new) as `<path>-run<n>`, once each closed, and
 * every child it started: a follower as `<path>-run<n>-follower<k>`, any other child (a drift check's or a
 * status change's repair resync) with its own runs and children as `<path>-run<n>-child<k>-run<m>`.
 */
async function save(
  path: string,
  first: WorkflowHandleWithSignaledRunId | WorkflowHandleWithFirstExecutionRunId,
): Promise<void> {
  const runId = 'signaledRunId' in first ? first.signaledRunId : first.firstExecutionRunId;
  await saveRuns(path, first.workflowId, runId);
}

async function saveRuns(path: string, workflowId: string, firstRunId: string): Promise<void> {
  let next: string | undefined = firstRunId;
  for (let run = 1; next; run++) next = await saveRun(`${path}-run${run}`, workflowId, next);
}

/** Writes one run once it closed, and its children; returns the run it continued as, if any. */
async function saveRun(name: string, workflowId: string, runId: string): Promise<string | undefined> {
  const handle = env.client.workflow.getHandle(workflowId, runId);
  await eventually(async () => expect((await handle.describe()).status.name).not.toBe('RUNNING'), 120_000);
  const json = historyJson(workflowId, runId);
  write(name, workflowId, workflowTypeOf(json), json);
  const history = await handle.fetchHistory();
  const children: Array<{ workflowId: string; runId: string; type: string; initiated: number }> = [];
  let next: string | undefined;
  for (const event of history.events ?? []) {
    const started = event.childWorkflowExecutionStartedEventAttributes;
    const execution = started?.workflowExecution;
    if (execution?.workflowId && execution.runId)
      children.push({
        workflowId: execution.workflowId,
        runId: execution.runId,
        type: started?.workflowType?.name ?? '',
        initiated: Number(started?.initiatedEventId ?? 0),
      });
    next = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? next;
  }
  // In the order the workflow started them (Temporal may report the starts in another).
  children.sort((a, b) => a.initiated - b.initiated);
  let followers = 0;
  let others = 0;
  for (const child of children) {
    if (child.type === FOLLOWER_TYPE)
      await saveRun(`${name}-follower${++followers}`, child.workflowId, child.runId);
    else await saveRuns(`${name}-child${++others}`, child.workflowId, child.runId);
  }
  return next;
}

/** The workflow type a history's first event names. */
function workflowTypeOf(historyJson: string): string {
  const history = JSON.parse(historyJson) as {
    events?: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }>;
  };
  const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (!type) throw new Error('a history that does not begin with its workflow type');
  return type;
}

/** The history as `temporal workflow show --output json` prints it (what the replayer reads). */
function historyJson(workflowId: string, runId: string): string {
  const cli = resolveTemporalCli(join(__dirname, '..', '..'), process.env);
  const args = ['workflow', 'show', '--address', temporalAddress(), '--output', 'json'];
  return execFileSync(cli, [...args, '--workflow-id', workflowId, '--run-id', runId], {
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
}

function write(name: string, workflowId: string, workflowType: string, historyJson: string): void {
  const fixture = {
    workflowId,
    workflowType,
    recordedAt: commit,
    history: JSON.parse(historyJson) as unknown,
  };
  writeFileSync(join(OUT_DIR, `${name}.json`), `${JSON.stringify(fixture)}\n`);
}

beforeAll(() => {
  mkdirSync(OUT_DIR, { recursive: true });
  for (const file of readdirSync(OUT_DIR)) if (file.endsWith('.json')) rmSync(join(OUT_DIR, file));
});

beforeEach(() => {
  env.sandbox.reset();
  env.seedSandboxWithDemoJobs();
});

const ids = (list: string[]) => ({ syncAllOpenJobs: false, externalJobPostingIds: [...list].sort() });

test('a few jobs: updated, closed, one not in the ATS', async () => {
  const handle = await deliver('replay-few-jobs', {
    ...ids(['job-1234', 'job-2345', 'job-3456', 'job-1039', 'job-unknown']),
    deadlineMs: 30 * MINUTES,
    followUpWindowMs: 60 * MINUTES,
  });
  expect(((await handle.result()) as ResyncResult).outcome).toBe('PARTIAL');
  await save('few-jobs', handle);
});

test('a sync-all that continues as new', async () => {
  // An application of 101 open jobs: two runs of one batch each keep the histories small.
  await env.jobStore.ensureApplication(SMALL_APPLICATION);
  await env.jobStore.insertSyntheticJobs(SMALL_APPLICATION.urn, 101);
  env.sandbox.registerApplication({
    developerApplicationUrn: SMALL_APPLICATION.urn,
    clientId: SMALL_APPLICATION.clientId,
    clientSecret: SMALL_APPLICATION.clientSecret,
    kind: 'child',
  });
  env.sandbox.seedExistingJobs(
    SMALL_APPLICATION.urn,
    await env.jobStore.listOpenJobIds(SMALL_APPLICATION.urn, { limit: 1_000 }),
  );
  const handle = await deliver('replay-sync-all', {
    developerApplicationUrn: SMALL_APPLICATION.urn,
    syncAllOpenJobs: true,
    externalJobPostingIds: [],
    deadlineMs: 30 * MINUTES,
    followUpWindowMs: 60 * MINUTES,
    batchesPerRun: 1,
  });
  expect(((await handle.result()) as ResyncResult).continuedAsNew).toBe(1);
  await save('sync-all', handle);
});

test('the CREATE fallback: LinkedIn does not have one job', async () => {
  env.sandbox.reset();
  env.sandbox.seedExistingJobs(DEMO_APPLICATION.urn, ['job-1091']);
  const handle = await deliver('replay-create-fallback', {
    ...ids(['job-1091', 'job-1092']),
    deadlineMs: 30 * MINUTES,
    followUpWindowMs: 60 * MINUTES,
  });
  expect(((await handle.result()) as ResyncResult).totals.created).toBe(1);
  await save('create-fallback', handle);
});

test('a missed deadline: the CREATE of a job LinkedIn does not have gets no answer in time', async () => {
  env.sandbox.reset();
  env.sandbox.seedExistingJobs(DEMO_APPLICATION.urn, ['job-1093']);
  // The UPDATE call is answered; the CREATE call after it is still unanswered at the deadline.
  env.sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', latencyMs: 0 });
  env.sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', hang: true });
  const handle = await deliver('replay-missed-deadline', {
    ...ids(['job-1093', 'job-1094']),
    deadlineMs: 3_000,
    followUpWindowMs: 3_000,
  });
  await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'ResyncDeadlineExceeded' } });
  await save('missed-deadline', handle);
});

test('a second round: a delivery after everything was sent', async () => {
  env.sandbox.faults.taskOutcome('job-1262', 'STUCK');
  const request = {
    ...ids(['job-1260', 'job-1261', 'job-1262']),
    // The first round's follower of the stuck task gives up soon, so every history closes.
    deadlineMs: 5_000,
    followUpWindowMs: 5_000,
  };
  const handle = await deliver('replay-second-round', request);
  await eventually(async () => expect((await handle.query(progressQuery)).sent).toBe(3));
  env.sandbox.faults.clear();
  await deliver('replay-second-round', request);
  expect(((await env.client.workflow.getHandle(handle.workflowId).result()) as ResyncResult).outcome).toBe(
    'SUCCEEDED',
  );
  await save('second-round', handle);
});

test('a partial report: a job to CREATE is reported while a batch-mate is still running', async () => {
  env.sandbox.reset();
  env.sandbox.seedExistingJobs(DEMO_APPLICATION.urn, ['job-1095']);
  // job-1095's task never ends; job-1096 is not on LinkedIn, so its CREATE goes before the window closes.
  env.sandbox.faults.taskOutcome('job-1095', 'STUCK');
  const handle = await deliver('replay-partial-report', {
    ...ids(['job-1095', 'job-1096']),
    deadlineMs: 5_000,
    followUpWindowMs: 5_000,
  });
  const result = (await handle.result()) as ResyncResult;
  expect(result.totals.created).toBe(1);
  expect(result.totals.unconfirmed).toBe(1);
  await save('partial-report', handle);
});

// ---- Paths of runs of batches, of drift checks and of status changes (recorded from release 3c3d431) ----

/** The id `insertSyntheticJobs` gives its n-th job (from 1). */
function synId(n: number): string {
  return `syn-${String(n).padStart(6, '0')}`;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => synId(from + k));

/**
 * An application of its own (`424200 + number`, so no two cases share one) with `count` synthetic jobs in
 * the ATS (every `closedEvery`-th closed, if given), known to LinkedIn's side; LinkedIn holds every job as
 * the ATS has it except `lacking`.
 */
async function syntheticApplication(
  number: number,
  count: number,
  options: { lacking?: string[]; closedEvery?: number } = {},
): Promise<string> {
  const id = 424_200 + number;
  const urn = `urn:li:developerApplication:${id}`;
  await env.jobStore.ensureApplication({
    urn,
    clientId: `replay-client-${id}`,
    clientSecret: `replay-secret-${id}`,
    integrationContext: `urn:li:organization:${id}`,
    companyName: 'Replay Fixtures',
  });
  await env.jobStore.insertSyntheticJobs(
    urn,
    count,
    options.closedEvery === undefined ? {} : { closedEvery: options.closedEvery },
  );
  env.sandbox.registerApplication({
    developerApplicationUrn: urn,
    clientId: `replay-client-${id}`,
    clientSecret: `replay-secret-${id}`,
    kind: 'child',
  });
  const lacking = new Set(options.lacking ?? []);
  const closed = (n: number) => options.closedEvery !== undefined && n % options.closedEvery === 0;
  const held = range(1, count).filter((job) => !lacking.has(job));
  env.sandbox.seedExistingJobs(
    urn,
    held.filter((_, k) => !closed(k + 1)),
    'OPEN',
  );
  if (options.closedEvery !== undefined)
    env.sandbox.seedExistingJobs(
      urn,
      held.filter((_, k) => closed(k + 1)),
      'CLOSED',
    );
  return urn;
}

/** A sync-all of the application, as `deliver` starts it. */
function syncAll(
  workflowId: string,
  developerApplicationUrn: string,
  terms: Pick<ResyncInput, 'deadlineMs' | 'followUpWindowMs' | 'batchesPerRun'>,
): Promise<WorkflowHandleWithSignaledRunId> {
  return deliver(workflowId, {
    developerApplicationUrn,
    syncAllOpenJobs: true,
    externalJobPostingIds: [],
    ...terms,
  });
}

type Events = NonNullable<Awaited<ReturnType<WorkflowHandleWithSignaledRunId['fetchHistory']>>['events']>;

async function eventsOf(workflowId: string, runId?: string): Promise<Events> {
  return (await env.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
}

/** The postBatches activities of a run's history, in the order scheduled: their batches and completion. */
function runsOf(events: Events): Array<{ batches: string[][]; completedEventId?: number }> {
  const runs = new Map<string, { batches: string[][]; completedEventId?: number }>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'postBatches') {
      const input = defaultPayloadConverter.fromPayload<{ batches: string[][] }>(
        scheduled.input?.payloads?.[0] ?? {},
      );
      runs.set(String(event.eventId), { batches: input.batches });
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const run = completed && runs.get(String(completed.scheduledEventId));
    if (run) run.completedEventId = Number(event.eventId);
  }
  return [...runs.values()];
}

/** The followers a run started: [first batch, last batch, operation] from their ids and summaries. */
function followersOf(events: Events): Array<[number, number, string]> {
  return events.flatMap((event) => {
    const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (started?.workflowType?.name !== FOLLOWER_TYPE) return [];
    const follower = parseFollowerWorkflowId(started.workflowId ?? '');
    const summary = defaultPayloadConverter.fromPayload<string>(event.userMetadata?.summary ?? {});
    const [, first, last] = /batch(?:es)? (\d+)(?:–(\d+))?/.exec(summary) ?? [];
    return [[Number(first), Number(last ?? first), follower?.operation ?? '']];
  });
}

/** The sizes (in batches) of the postBatches runs of a run's history. */
const runSizes = (events: Events) => runsOf(events).map((run) => run.batches.length);

test('a long run: the first batch split off a run of the rest, followers 25 batches at a time', async () => {
  // 3,100 open jobs: one workflow run of 31 batches, sent as batch 1 beside a run of batches 2-31.
  const urn = await syntheticApplication(1, 3_100);
  const handle = await syncAll('replay-long-run', urn, {
    deadlineMs: 2 * MINUTES,
    followUpWindowMs: 2 * MINUTES,
  });
  const result = (await handle.result()) as ResyncResult;
  expect(result.totals).toMatchObject({ requested: 3_100, sent: 3_100, confirmed: 3_100 });
  expect(result.continuedAsNew).toBe(0);
  const events = await eventsOf(handle.workflowId, handle.signaledRunId);
  expect(runSizes(events)).toEqual([1, 30]);
  expect(followersOf(events)).toEqual([
    [1, 1, 'UPDATE'],
    [2, 26, 'UPDATE'],
    [27, 31, 'UPDATE'],
  ]);
  await save('long-run', handle);
}, 300_000);

test('a sync-all that continues as new between runs of several batches', async () => {
  // 1,200 open jobs, 5 batches a workflow run: batch 1 and a run of 2-5, a run of 6-10, a run of 11-12.
  const urn = await syntheticApplication(2, 1_200);
  const handle = await syncAll('replay-run-continues', urn, {
    deadlineMs: 2 * MINUTES,
    followUpWindowMs: 2 * MINUTES,
    batchesPerRun: 5,
  });
  const result = (await handle.result()) as ResyncResult;
  expect(result.totals).toMatchObject({ requested: 1_200, sent: 1_200, confirmed: 1_200 });
  expect(result.continuedAsNew).toBe(2);
  const first = await eventsOf(handle.workflowId, handle.signaledRunId);
  expect(runSizes(first)).toEqual([1, 4]);
  expect(followersOf(first)).toEqual([
    [1, 1, 'UPDATE'],
    [2, 5, 'UPDATE'],
  ]);
  await save('run-continues', handle);
}, 300_000);

test("a late first batch: the resync's first batch is answered after the rest of its run", async () => {
  // 250 open jobs: batch 1 (syn-1 to 100) beside a run of batches 2 (101-200) and 3 (201-250).
  const urn = await syntheticApplication(3, 250);
  // Every call carrying the first batch is held until the run of the rest has reported. When the first
  // batch's call takes the lane first, the rest waits behind it until the request times out (10 s) and
  // its retry is held in turn.
  const gate = env.sandbox.faults.hold('simpleJobPostings', { carrying: synId(1) });
  const handle = await syncAll('replay-first-batch-late', urn, {
    deadlineMs: 2 * MINUTES,
    followUpWindowMs: 2 * MINUTES,
  });
  await gate.reached;
  await eventually(async () => {
    const [, rest] = runsOf(await eventsOf(handle.workflowId, handle.signaledRunId));
    expect(rest?.completedEventId).toBeDefined();
  }, 60_000);
  gate.release();
  const result = (await handle.result()) as ResyncResult;
  expect(result.totals).toMatchObject({ requested: 250, sent: 250, confirmed: 250 });
  const [first, rest] = runsOf(await eventsOf(handle.workflowId, handle.signaledRunId));
  expect(first?.batches).toHaveLength(1);
  expect(rest?.batches).toHaveLength(2);
  expect(first?.completedEventId).toBeGreaterThan(rest?.completedEventId ?? Infinity);
  await save('first-batch-late', handle);
}, 300_000);

test('the CREATE fallback of a job in a later batch of a run', async () => {
  // 350 open jobs: batch 1 beside a run of batches 2-4; LinkedIn lacks syn-000250, of batch 3.
  const urn = await syntheticApplication(4, 350, { lacking: [synId(250)] });
  const handle = await syncAll('replay-run-create-fallback', urn, {
    deadlineMs: 2 * MINUTES,
    followUpWindowMs: 2 * MINUTES,
  });
  const result = (await handle.result()) as ResyncResult;
  expect(result.totals).toMatchObject({ requested: 350, created: 1, updated: 349 });
  expect(result.outcome).toBe('SUCCEEDED');
  const events = await eventsOf(handle.workflowId, handle.signaledRunId);
  expect(runSizes(events)).toEqual([1, 3]);
  expect(followersOf(events)).toEqual([
    [1, 1, 'UPDATE'],
    [2, 4, 'UPDATE'],
    [5, 5, 'CREATE'],
  ]);
  await save('run-create-fallback', handle);
}, 300_000);

test('a run out at the deadline: a call of the run hangs and the resync fails', async () => {
  // 400 open jobs: batch 1 beside a run of batches 2-4; the call of batch 3 is held past the deadline.
  const urn = await syntheticApplication(5, 400);
  const gate = env.sandbox.faults.hold('simpleJobPostings', { carrying: synId(201) });
  const handle = await syncAll('replay-run-deadline', urn, {
    deadlineMs: 8 * SECONDS,
    followUpWindowMs: 8 * SECONDS,
  });
  await gate.reached;
  await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'ResyncDeadlineExceeded' } });
  gate.release();
  const events = await eventsOf(handle.workflowId, handle.signaledRunId);
  expect(runSizes(events)).toEqual([1, 3]);
  expect(followersOf(events)).toEqual([
    [1, 1, 'UPDATE'],
    [2, 2, 'UPDATE'],
  ]);
  await save('run-deadline', handle);
}, 300_000);

test('a drift check that finds drift and repairs it through a resync', async () => {
  // Ten jobs, every 5th closed; LinkedIn lost one, delisted one, changed one and relisted a closed one.
  const urn = await syntheticApplication(6, 10, { closedEvery: 5 });
  env.sandbox.drift.forget(urn, synId(1));
  env.sandbox.drift.delist(urn, synId(2), {
    errorType: 'CUSTOMER_ERROR',
    statusMessage: 'Job was reported by members',
  });
  env.sandbox.drift.changeInfo(urn, synId(3), { location: 'Elsewhere, XX' });
  env.sandbox.drift.relist(urn, synId(5));
  // As the application's schedule starts it.
  const input: DriftCheckInput = {
    developerApplicationUrn: urn,
    deadlineMs: 2 * MINUTES,
    followUpWindowMs: 2 * MINUTES,
  };
  const handle = await env.client.workflow.start(DRIFT_CHECK_WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    workflowId: 'replay-drift-repair',
    args: [input],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [{ key: DEVELOPER_APPLICATION_URN, value: urn }],
    staticSummary: `Drift check of ${urn}`,
  });
  const result = (await handle.result()) as DriftCheckResult;
  expect(result).toMatchObject({
    checked: 10,
    drifted: { NOT_LISTED: 2, CLOSED_BUT_LISTED: 1, CHANGED: 1 },
    repaired: { NOT_LISTED: 2, CLOSED_BUT_LISTED: 1, CHANGED: 1 },
    notRepaired: 0,
  });
  expect(result.repairWorkflowIds).toEqual(['replay-drift-repair-repair-1']);
  await save('drift-repair', handle);
}, 300_000);

test('a Job Status Change notification of a job no longer listed, repaired through a resync', async () => {
  // The webhook as the API serves it, with Job Status Change notifications, for the sandbox to notify.
  const logger = createLogger('silent');
  const terms = { deadlineMs: 2 * MINUTES, followUpWindowMs: 2 * MINUTES };
  const workflowIdPrefix = 'replay-status-change-';
  const api = await serve(
    createApp({
      webhookSecrets: [WEBHOOK_SECRET],
      jobStore: env.jobStore,
      logger,
      jobStatusChanges: createJobStatusChanges(
        { client: env.client, jobStore: env.jobStore, logger },
        { taskQueue: env.taskQueue, ...terms, workflowIdPrefix, startTimeoutMs: 4_000 },
      ),
      resyncs: createResyncStarter(env.client, {
        taskQueue: env.taskQueue,
        ...terms,
        workflowIdPrefix,
        startTimeoutMs: 4_000,
      }),
    }).callback(),
  );
  try {
    env.sandbox.drift.notifyTo({ url: `${api.url}/webhooks/linkedin`, secret: WEBHOOK_SECRET });
    env.sandbox.drift.delist(DEMO_APPLICATION.urn, 'job-3456');
    await eventually(() => {
      expect(env.sandbox.statusNotifications().map((n) => n.status)).toEqual([200]);
    });
  } finally {
    env.sandbox.drift.notifyTo(undefined);
    await api.close();
  }
  const [delivered] = env.sandbox.statusNotifications();
  const notification = JobStatusChangeNotification.parse(JSON.parse(delivered?.body ?? '{}'));
  const handle = env.client.workflow.getHandle(jobStatusWorkflowIdOf(notification, workflowIdPrefix));
  const result = (await handle.result()) as JobStatusChangedResult;
  expect(result).toMatchObject({ drift: 'NOT_LISTED', repairFate: 'CREATED' });
  const { runId } = await handle.describe();
  await saveRuns('status-change', handle.workflowId, runId);
}, 300_000);
