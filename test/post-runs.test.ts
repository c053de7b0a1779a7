/**
 * UPDATE batches go to LinkedIn in runs: one postBatches activity sends many batches back to back (the
 * first batch of a resync alone, so its follower starts at once, the rest of the run right behind it). A retry
 * of the run (a failed attempt, a worker stopped) resumes after the last batch LinkedIn answered, each job
 * LinkedIn lacks is CREATEd once, and every batch stays visible: its own result, its own follower.
 * Full stack: signed notification, the resync on the Temporal dev server, the sandbox over HTTP.
 */
import { defaultPayloadConverter, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import type { ResyncResult } from '../src/contract';
import type { PostedBatch } from '../src/contract/posted-batch';
import type { resyncJobs } from '../src/workflows';
import type { RecordedCall } from '../tools/sandbox/linkedin-sandbox';
import { demoJobsMissingOnLinkedIn, useEnvironment, type TestEnvironment } from './support/environment';
import { eventually } from './support/eventually';
import { followUpsIn } from './support/follow-ups';
import { fates, notification, openDemoJobIds } from './support/notifications';

const DEMO = DEMO_APPLICATION.urn;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** 250 demo jobs open in the ATS, in the order a resync sends them: three batches (100, 100, 50). */
const IDS = openDemoJobIds(250);
const BATCHES = [IDS.slice(0, 100), IDS.slice(100, 200), IDS.slice(200)];
/** Of them, the jobs LinkedIn lacks: their UPDATE task fails and the resync CREATEs them. */
const MISSING = demoJobsMissingOnLinkedIn().filter((id) => IDS.includes(id));

async function deliver(env: TestEnvironment): Promise<WorkflowHandle<typeof resyncJobs>> {
  const body = notification(IDS);
  expect((await env.notify(body)).status).toBe(200);
  return env.client.workflow.getHandle<typeof resyncJobs>(env.workflowIdOf(body));
}

function updateCalls(env: TestEnvironment): RecordedCall[] {
  return env.sandbox
    .calls()
    .filter((call) => call.endpoint === 'simpleJobPostings')
    .filter((call) => operationOf(call) === 'UPDATE');
}

function operationOf(call: RecordedCall): unknown {
  return (call.elements?.[0] as { jobPostingOperationType?: unknown } | undefined)?.jobPostingOperationType;
}

function idsOf(call: RecordedCall): unknown[] {
  return (call.elements ?? []).map(
    (element) => (element as { externalJobPostingId?: unknown }).externalJobPostingId,
  );
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

async function events(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

/**
 * The postBatches activities of the history that send UPDATEs (CREATEs go as runs too): their input
 * batches, started attempt and result.
 */
function runsOf(history: HistoryEvent[]) {
  const byScheduledId = new Map<
    string,
    { batches: string[][]; attempt?: number | undefined; result?: PostedBatch[] }
  >();
  for (const event of history) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'postBatches') {
      const payload = scheduled.input?.payloads?.[0];
      const input = defaultPayloadConverter.fromPayload<{ batches: string[][]; operation?: string }>(
        payload ?? {},
      );
      if (input.operation !== 'CREATE') byScheduledId.set(String(event.eventId), { batches: input.batches });
    }
    const started = event.activityTaskStartedEventAttributes;
    const startedRun = started && byScheduledId.get(String(started.scheduledEventId));
    if (startedRun) startedRun.attempt = started.attempt ?? undefined;
    const completed = event.activityTaskCompletedEventAttributes;
    const completedRun = completed && byScheduledId.get(String(completed.scheduledEventId));
    if (completedRun) {
      const payload = completed.result?.payloads?.[0];
      completedRun.result = defaultPayloadConverter.fromPayload<{ batches: PostedBatch[] }>(
        payload ?? {},
      ).batches;
    }
  }
  return [...byScheduledId.values()];
}

/**
 * The UPDATE calls: the first two batches once each, then the third twice, the batch whose answer was lost
 * (before PATCH.firstBatchInRun the first batch went as a run of its own, to the lane with the rest).
 */
function expectCallsResumingAtTheThirdBatch(env: TestEnvironment): void {
  const calls = updateCalls(env).map(idsOf);
  expect(calls).toHaveLength(4);
  expect(calls.slice(0, 2)).toEqual(expect.arrayContaining([BATCHES[0], BATCHES[1]]));
  expect(calls.slice(2)).toEqual([BATCHES[2], BATCHES[2]]);
}

function expectEveryMissingJobCreatedOnce(env: TestEnvironment, result: ResyncResult): void {
  expect(MISSING.length).toBeGreaterThan(0);
  expect(acceptedCreates(env)).toEqual(Object.fromEntries(MISSING.map((id) => [id, 1])));
  const outcome = fates(result.jobs);
  for (const id of MISSING) expect(outcome[id]).toBe('CREATED/CONFIRMED');
  for (const id of IDS.filter((id) => !MISSING.includes(id))) expect(outcome[id]).toBe('UPDATED/CONFIRMED');
  expect(result.outcome).toBe('SUCCEEDED');
}

describe('a run of batches retried after a failed attempt', () => {
  const env = useEnvironment();

  test('resumes after the last batch LinkedIn answered: only the batch whose answer was lost goes again, and each missing job is CREATEd once', async () => {
    // The third call of the run of batches 1 to 3 is applied, then its connection drops: the attempt fails
    // and Temporal retries it, from the third batch.
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', times: 2 });
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', disconnectAfterApply: true });

    const handle = await deliver(env());
    const result = await handle.result();

    expectCallsResumingAtTheThirdBatch(env());
    expectEveryMissingJobCreatedOnce(env(), result);
    const runs = runsOf(await events(handle));
    // One run: the resync's first batch goes with the others (PATCH.firstBatchInRun).
    expect(runs.map((run) => [run.batches, run.attempt])).toEqual([
      [[BATCHES[0], BATCHES[1], BATCHES[2]], 2],
    ]);
  });

  test('every batch of the run is visible: its result in the activity, its tasks followed with the run, and the jobs one by one', async () => {
    const handle = await deliver(env());
    const result = await handle.result();

    const history = await events(handle);
    const runs = runsOf(history);
    expect(
      runs.map((run) => run.result?.map((batch) => ('jobs' in batch ? batch.jobs.length : batch.failed))),
    ).toEqual([[100, 100, 50]]);
    // A job LinkedIn holds is its task urn; the result names no job body.
    const first = runs[0]?.result?.[0];
    expect(first && 'jobs' in first ? typeof first.jobs[0] : undefined).toBe('string');
    // The run's batches are followed together, by the resync itself (PATCH.followInResync); one signalled
    // before the others were answered (more than 2 s apart on a loaded machine) is followed on its own: in
    // order, every task. Each group's first slice asks for all its tasks; later slices for the rest.
    const groups = new Map<string, number>();
    for (const { summary } of followUpsIn(history)) {
      const [group = '', left = ''] = summary.split(', ');
      if (group.endsWith(' UPDATE)') && !groups.has(group)) groups.set(group, parseInt(left, 10));
    }
    const followed = [...groups];
    expect(followed[0]?.[0]).toMatch(/^Follow LinkedIn's tasks of batch(es)? 1[ –]/);
    expect(followed.reduce((sum, [, tasks]) => sum + tasks, 0)).toBe(250);
    if (followed.length === 1)
      expect(followed).toEqual([["Follow LinkedIn's tasks of batches 1–3 (250 UPDATE)", 250]]);
    // No follower child: the resync is one workflow run.
    expect(history.some((event) => event.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(false);
    const summaries = history
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'postBatches')
      .map((event) => defaultPayloadConverter.fromPayload<string>(event.userMetadata?.summary ?? {}))
      // The runs of UPDATEs; the CREATEs of the jobs LinkedIn lacks follow as runs of their own.
      .filter((summary) => summary.includes(': UPDATE '));
    expect(summaries).toEqual([`batches 1–3: UPDATE 250 jobs from ${IDS[0]}`]);
    expect(result.jobs).toHaveLength(IDS.length);
  });
});

describe('a run of batches when the worker stops', () => {
  // LinkedIn's answer would come later than the worker's shutdown grace: the shutdown abandons the call.
  const env = useEnvironment({ requestTimeoutMs: 60_000 });

  test('the next worker resumes after the last batch LinkedIn answered, and each missing job is CREATEd once', async () => {
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', times: 2 });
    env().sandbox.faults.enqueue({ endpoint: 'simpleJobPostings', hangAfterApply: true });
    const handle = await deliver(env());
    await eventually(() => expect(updateCalls(env())).toHaveLength(3));

    await env().stopWorkers();
    await env().startWorkers();
    const result = await handle.result();

    expectCallsResumingAtTheThirdBatch(env());
    expectEveryMissingJobCreatedOnce(env(), result);
  });
});
