/**
 * Records the workflow histories that test/replay.test.ts replays: one resync of each path, with the
 * histories of its followers, run by the workflow code of this checkout on a real dev server against the
 * LinkedIn sandbox. Run it (`npm run record-histories`) on each release, so a later change to workflow code
 * is checked against what running resyncs of every kept release recorded. Each release writes a folder of
 * its own under test/fixtures/histories, named by HISTORIES_RELEASE (default: the commit recorded), and
 * the folders of earlier releases stay. `npm test` never runs this file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import {
  DEVELOPER_APPLICATION_URN,
  summaryOf,
  WORKFLOW_TYPE,
  type ResyncInput,
  type ResyncResult,
} from '../../src/contract';
import { notificationReceivedSignal, progressQuery } from '../../src/workflows/signals';
import { resolveTemporalCli } from '../../tools/dev/temporal-dev-server';
import { startTestEnvironment, type TestEnvironment } from './environment';
import { temporalAddress } from './temporal';
import { eventually } from './eventually';

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
const SMALL_APPLICATION = {
  urn: 'urn:li:developerApplication:424242',
  clientId: 'replay-client-id',
  clientSecret: 'replay-client-secret',
  integrationContext: 'urn:li:organization:424242',
  companyName: 'Replay Fixtures',
};

/** Writes every run of the workflow (following continue-as-new) and of its followers, once all closed. */
async function save(path: string, first: WorkflowHandleWithSignaledRunId): Promise<void> {
  const workflowId = first.workflowId;
  let next: string | undefined = first.signaledRunId;
  for (let run = 1; next; run++) {
    const runId: string = next;
    const handle = env.client.workflow.getHandle(workflowId, runId);
    await eventually(async () => expect((await handle.describe()).status.name).not.toBe('RUNNING'), 60_000);
    const history = await handle.fetchHistory();
    write(`${path}-run${run}`, workflowId, WORKFLOW_TYPE, historyJson(workflowId, runId));
    const children: Array<{ workflowId: string; runId: string }> = [];
    next = undefined;
    for (const event of history.events ?? []) {
      const started = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (started?.workflowId && started.runId)
        children.push({ workflowId: started.workflowId, runId: started.runId });
      next = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? next;
    }
    for (const [index, child] of children.entries()) {
      const childHandle = env.client.workflow.getHandle(child.workflowId, child.runId);
      await childHandle.result().catch(() => undefined);
      write(
        `${path}-run${run}-follower${index + 1}`,
        child.workflowId,
        'followResyncTasks',
        historyJson(child.workflowId, child.runId),
      );
    }
  }
}

/** The history as `temporal workflow show --output json` prints it (what the replayer reads). */
function historyJson(workflowId: string, runId: string): string {
  const cli = resolveTemporalCli(join(__dirname, '..', '..'), process.env);
  const args = ['workflow', 'show', '--address', temporalAddress(), '--output', 'json'];
  return execFileSync(cli, [...args, '--workflow-id', workflowId, '--run-id', runId]).toString();
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
