/**
 * Found by `npm run chaos` (scenario redelivery): a burst of identical deliveries made one signal-with-start
 * each, all queued on one workflow; on a busy machine most waited past the webhook's start timeout and were
 * answered 500 (and LinkedIn's redeliveries of those came after the resync had ended, starting it again).
 */
import { WORKFLOW_TYPE } from '../src/contract';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { useEnvironment } from './support/environment';
import { notification } from './support/notifications';

const env = useEnvironment();
const IDS = ['job-1234', 'job-2345', 'job-3456'];

test('100 deliveries of one notification at once are all answered 200 and reach Temporal as shared signal-with-starts, not one each', async () => {
  const body = notification(IDS);
  const answers = await Promise.all(Array.from({ length: 100 }, () => env().notify(body)));
  expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 100 }, () => 200));

  const workflowId = env().workflowIdOf(body);
  await env().client.workflow.getHandle(workflowId).result();
  // Every run of the id (a delivery after everything was sent starts another round): its deliveries.
  let signals = 0;
  for await (const run of env().client.workflow.list({ query: `WorkflowId="${workflowId}"` })) {
    if (run.type !== WORKFLOW_TYPE) continue;
    const events = (await env().client.workflow.getHandle(workflowId, run.runId).fetchHistory()).events ?? [];
    signals += events.filter(
      (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'notificationReceived',
    ).length;
  }
  // Deliveries that arrive while an identical one is being started share its start (one each before: 100).
  expect(signals).toBeGreaterThanOrEqual(1);
  expect(signals).toBeLessThanOrEqual(50);
  const updated = env()
    .sandbox.postedElements(DEMO_APPLICATION.urn)
    .filter((element) => element.operation === 'UPDATE' && element.status === 202)
    .map((element) => element.externalJobPostingId);
  expect([...new Set(updated)].sort()).toEqual(IDS);
});
