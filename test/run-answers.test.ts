/**
 * What a run of batches records, whatever ends it: each job carries what LinkedIn answered for it, found by
 * its id, never by its place among the batches. REJECTED means LinkedIn refused that job; Temporal giving up
 * on an activity (its next retry would come after its bound) is the deadline; one element LinkedIn keeps
 * refusing for now gets a bounded number of tries and then carries LinkedIn's last answer.
 * Full stack: the resync on the Temporal dev server, the sandbox over HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { WORKFLOW_TYPE, type JobResult, type ResyncInput, type ResyncResult } from '../src/contract';
import { parseFollowerWorkflowId } from '../src/contract/workflow-ids';
import { deadlineFailure } from './support/deadline';
import { useEnvironment } from './support/environment';
import { openDemoJobIds } from './support/notifications';
import { eventually } from './support/eventually';

const DEMO = DEMO_APPLICATION.urn;
/** 250 open demo jobs in the order a resync sends them: three batches (100, 100, 50). */
const IDS = openDemoJobIds(250);
const BATCHES = [IDS.slice(0, 100), IDS.slice(100, 200), IDS.slice(200)];

const env = useEnvironment();

beforeEach(() => {
  // LinkedIn holds every one of them: no CREATE fallback here, each job's fate is its UPDATE's.
  env().sandbox.seedExistingJobs(DEMO, IDS);
});

async function start(input: Partial<ResyncInput> & Pick<ResyncInput, 'deadlineMs'>): Promise<WorkflowHandle> {
  return env().client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: env().taskQueue,
    workflowId: `${env().workflowIdPrefix}run-answers-${randomUUID()}`,
    args: [
      {
        developerApplicationUrn: DEMO,
        syncAllOpenJobs: false,
        externalJobPostingIds: IDS,
        receivedAt: Date.now(),
        followUpWindowMs: input.deadlineMs,
        ...input,
      } satisfies ResyncInput,
    ],
  });
}

function fateCounts(jobs: readonly JobResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const job of jobs) counts[job.fate] = (counts[job.fate] ?? 0) + 1;
  return counts;
}

function callsCarrying(id: string): number {
  return env()
    .sandbox.calls()
    .filter((call) => call.endpoint === 'simpleJobPostings')
    .filter((call) =>
      (call.elements ?? []).some(
        (element) => (element as { externalJobPostingId?: unknown }).externalJobPostingId === id,
      ),
    ).length;
}

async function events(handle: WorkflowHandle): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

describe('Temporal giving up on a run is the deadline, not LinkedIn refusing', () => {
  test('a job LinkedIn throttles longer than the time left is not sent, and the jobs LinkedIn accepted stay accepted', async () => {
    // The third call answers 200 with one element throttled (429): its retry would come after the
    // deadline, so Temporal stops retrying the run well before the deadline.
    const throttled = BATCHES[2]?.[10] ?? '';
    env().sandbox.faults.rejectElement(throttled, { status: 429, message: 'throttled', operation: 'UPDATE' });
    const handle = await start({ deadlineMs: 12_000 });

    const details = await deadlineFailure(handle);
    expect(details.notSent).toEqual([throttled]);
    expect(details.outcomeUnknown ?? []).toEqual([]);
    const { result } = details;
    expect(result.totals.rejected).toBe(0);
    expect(fateCounts(result.jobs)).toEqual({ UPDATED: 249, MISSED_DEADLINE: 1 });
    expect(result.jobs).toHaveLength(IDS.length);
  });
});

describe('a batch LinkedIn refuses for good in the middle of a run', () => {
  test('rejects that batch alone: the batch before stays answered and the batch after is sent', async () => {
    const [first = [], second = [], third = []] = BATCHES;
    env().sandbox.faults.enqueue({
      endpoint: 'simpleJobPostings',
      carrying: second[0],
      status: 403,
      serviceErrorCode: 100,
      body: { message: 'Not enough permissions to access: simpleJobPostings', status: 403 },
    });
    const handle = await start({ deadlineMs: 30_000 });

    const result = (await handle.result()) as ResyncResult;
    const fateOf = new Map(result.jobs.map((job) => [job.externalJobPostingId, job.fate]));
    expect([...first, ...third].every((id) => fateOf.get(id) === 'UPDATED')).toBe(true);
    expect(second.every((id) => fateOf.get(id) === 'REJECTED')).toBe(true);
    expect(result.totals).toMatchObject({ updated: 150, rejected: 100 });
  });
});

describe('an element LinkedIn keeps refusing for now', () => {
  test('gets three tries, then carries LinkedIn last answer, and the rest of its run goes on', async () => {
    const failing = BATCHES[1]?.[5] ?? '';
    env().sandbox.faults.rejectElement(failing, { status: 500, message: 'boom', operation: 'UPDATE' });
    const handle = await start({ deadlineMs: 20_000 });

    const result = (await handle.result()) as ResyncResult;
    expect(callsCarrying(failing)).toBe(3);
    const job = result.jobs.find((candidate) => candidate.externalJobPostingId === failing);
    expect(job).toMatchObject({ fate: 'REJECTED' });
    expect(job?.reason).toMatch(/500.*boom/);
    expect(fateCounts(result.jobs)).toEqual({ UPDATED: 249, REJECTED: 1 });
    // The batch after it went.
    expect(callsCarrying(BATCHES[2]?.[0] ?? '')).toBe(1);
    expect(result.outcome).toBe('PARTIAL');
  });
});

describe('answers are recorded by the ids they answer', () => {
  test('with the last batch still out at the deadline and the rest of its run answered, each job is counted once', async () => {
    const [first = [], second = [], third = []] = BATCHES;
    // One run of the three batches (PATCH.firstBatchInRun): the third call is held unanswered until the
    // deadline, after the first two were answered.
    const held = env().sandbox.faults.hold('simpleJobPostings', { carrying: third[0] ?? '' });
    const handle = await start({ deadlineMs: 9_000 });
    await held.reached;

    const details = await deadlineFailure(handle);
    held.release();
    expect(details.notSent).toEqual([]);
    expect([...(details.outcomeUnknown ?? [])].sort()).toEqual([...third].sort());
    const { result } = details;
    expect(result.jobs).toHaveLength(IDS.length);
    expect(new Set(result.jobs.map((job) => job.externalJobPostingId)).size).toBe(IDS.length);
    expect(fateCounts(result.jobs)).toEqual({ UPDATED: 200, OUTCOME_UNKNOWN: 50 });
    const updated = result.jobs
      .filter((job) => job.fate === 'UPDATED')
      .map((job) => job.externalJobPostingId);
    expect(updated.sort()).toEqual([...first, ...second].sort());
    // The answered batches were followed once they were answered (signalled), not when the run ended.
    const history = await events(handle);
    const answeredFollower = history.findIndex(followsFirstBatch);
    const runEnded = history.findIndex(
      (event) =>
        event.activityTaskCompletedEventAttributes ??
        event.activityTaskFailedEventAttributes ??
        event.activityTaskTimedOutEventAttributes,
    );
    expect(answeredFollower).toBeGreaterThan(-1);
    expect(runEnded === -1 || answeredFollower < runEnded).toBe(true);
  });
});

/**
 * Whether the event starts following the first batch's tasks: in the resync itself (its last workflow run,
 * PATCH.followInResync: a followTasks activity, the only one a run of named ids schedules), or by a
 * follower child named after the batch.
 */
function followsFirstBatch(event: temporal.api.history.v1.IHistoryEvent): boolean {
  if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'followTasks') return true;
  const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
  return id !== undefined && id !== null && parseFollowerWorkflowId(id)?.batchNumber === 1;
}

describe('a batch is followed as soon as LinkedIn answered it', () => {
  test('while the rest of its run is still out, the answered batches are followed', async () => {
    const [first = [], second = [], third = []] = BATCHES;
    // One run of batches 1 to 3: batches 1 and 2 are answered, batch 3's call is held until the test lets
    // it go.
    const held = env().sandbox.faults.hold('simpleJobPostings', { carrying: third[0] ?? '' });
    const handle = await start({ deadlineMs: 60_000 });
    await held.reached;

    await eventually(async () => expect((await events(handle)).some(followsFirstBatch)).toBe(true));
    held.release();
    const result = (await handle.result()) as ResyncResult;
    expect(fateCounts(result.jobs)).toEqual({ UPDATED: 250 });
    // Each job once, whichever way its answer came (signalled, or in the run's report).
    expect(new Set(result.jobs.map((job) => job.externalJobPostingId)).size).toBe(250);
    expect(result.totals).toMatchObject({ requested: 250 });
    for (const id of [...first, ...second])
      expect(result.jobs.some((job) => job.externalJobPostingId === id)).toBe(true);
  });
});
