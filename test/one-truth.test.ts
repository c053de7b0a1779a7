/**
 * One application, several resyncs at once (two notifications, a notification beside a drift or status
 * repair): what depends on LinkedIn's side of a job is decided in the application's lane against what all of
 * them learned. A job LinkedIn lacks is CREATEd once, whichever resync meets it first.
 * Full stack: the resyncs on the Temporal dev server, the sandbox over HTTP, the job store.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { schedulesCreate } from './support/creates';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { WORKFLOW_TYPE, type ResyncInput, type ResyncResult } from '../src/contract';
import { demoJobsMissingOnLinkedIn, useEnvironment } from './support/environment';
import { eventually } from './support/eventually';

const DEMO = DEMO_APPLICATION.urn;
const env = useEnvironment();

async function start(ids: string[]): Promise<WorkflowHandle> {
  return env().client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: env().taskQueue,
    workflowId: `${env().workflowIdPrefix}one-truth-${randomUUID()}`,
    args: [
      {
        developerApplicationUrn: DEMO,
        syncAllOpenJobs: false,
        externalJobPostingIds: ids,
        receivedAt: Date.now(),
        deadlineMs: 60_000,
        followUpWindowMs: 60_000,
      } satisfies ResyncInput,
    ],
  });
}

function createsOf(id: string): number {
  return env()
    .sandbox.postedElements(DEMO)
    .filter((element) => element.operation === 'CREATE' && element.externalJobPostingId === id).length;
}

describe('two resyncs of one application that both meet a job LinkedIn lacks', () => {
  test('CREATE it once: the second learns in the lane that the first CREATEd it', async () => {
    const missing = demoJobsMissingOnLinkedIn()[0] ?? '';
    const ids = [missing, 'job-1234'];
    // Both resyncs' UPDATEs go (LinkedIn fails both tasks: it lacks the job); the first CREATE is held
    // until the other resync has asked for its CREATE too.
    const firstCreate = env().sandbox.faults.hold('simpleJobPostings', { carrying: missing, passing: 2 });
    const [a, b] = await Promise.all([start(ids), start(ids)]);
    await firstCreate.reached;
    await eventually(async () => {
      expect(await schedulesCreate(a)).toBe(true);
      expect(await schedulesCreate(b)).toBe(true);
    });
    firstCreate.release();
    const results = (await Promise.all([a.result(), b.result()])) as ResyncResult[];

    expect(createsOf(missing)).toBe(1);
    // One way to send: the CREATEs went as runs of one batch, as the UPDATEs did.
    for (const handle of [a, b]) {
      const types = ((await handle.fetchHistory()).events ?? []).flatMap((event) => {
        const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
        return name ? [name] : [];
      });
      expect(types.filter((type) => type.startsWith('post'))).toEqual(['postBatches', 'postCreates']);
    }
    const fatesOfMissing = results.map(
      (result) => result.jobs.find((job) => job.externalJobPostingId === missing)?.fate,
    );
    expect(fatesOfMissing).toEqual(['CREATED', 'CREATED']);
    const reasons = results.map(
      (result) => result.jobs.find((job) => job.externalJobPostingId === missing)?.reason ?? '',
    );
    expect(reasons.filter((reason) => /CREATEd already by another resync/.test(reason))).toHaveLength(1);
    expect(env().sandbox.heldJob(DEMO, missing)).toBeDefined();
  });
});
