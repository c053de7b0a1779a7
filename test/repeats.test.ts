import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { MAX_ROUNDS_PER_WINDOW } from '../src/contract/repeats';
import { useEnvironment } from './support/environment';
import { notification } from './support/notifications';

/**
 * Repeats bounded per notification (contract/repeats.ts): the same signed notification sent again and
 * again, by LinkedIn or by whoever saw it, is carried out in full at most twice within its window.
 */
const env = useEnvironment();

/** The calls that carried one job: one a round. */
function updatesOf(id: string): number {
  return env()
    .sandbox.postedElements()
    .filter((element) => element.externalJobPostingId === id && element.operation === 'UPDATE').length;
}

test('the same signed sync-all sent ten times, each once the last was carried out, is carried out twice', async () => {
  const body = notification('all');
  const workflowId = env().workflowIdOf(body);
  const [job] = await env().jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 1 });
  if (!job) throw new Error('the demo application has no open job');
  const runs = new Set<string>();
  for (let sent = 0; sent < 10; sent++) {
    const answer = await env().notify(body);
    // Every repeat is answered 200: LinkedIn does not deliver it again, and nothing is lost.
    expect(answer.status).toBe(200);
    const handle = env().client.workflow.getHandle(workflowId);
    await handle.result();
    runs.add((await handle.describe()).runId);
  }
  expect(updatesOf(job)).toBe(MAX_ROUNDS_PER_WINDOW);
  // The first execution and the one repeat: the eight later repeats started nothing.
  expect(runs.size).toBe(2);
  const described = await env().client.workflow.getHandle(workflowId).describe();
  expect(described.memo).toMatchObject({ roundWindow: { rounds: 2 } });
});
