import { Runtime, DefaultLogger } from '@temporalio/worker';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { freePort } from '../tools/dev/ports';
import { demoJobIds } from '../tools/sandbox/demo-sandbox';
import { DRIFT_CHECK_WORKFLOW_TYPE, type DriftCheckResult } from '../src/drift-contract';
import { startTestEnvironment, type TestEnvironment } from './support/environment';

let metricsPort: number;
let env: TestEnvironment;

beforeAll(async () => {
  metricsPort = await freePort();
  // This file's worker exports metrics, as the worker process does in production.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: {
      logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}`, countersTotalSuffix: true } },
    },
  });
  env = await startTestEnvironment();
});

afterAll(async () => {
  await env?.close();
});

test("a drift check counts the jobs it checked and those it repaired, by kind, on the worker's /metrics", async () => {
  // LinkedIn lists every demo job, closed ones included: each kind of drift is there to be counted.
  env.sandbox.seedExistingJobs(DEMO_APPLICATION.urn, demoJobIds(DEMO_APPLICATION.urn));
  env.sandbox.drift.forget(DEMO_APPLICATION.urn, 'job-1234');
  env.sandbox.drift.changeInfo(DEMO_APPLICATION.urn, 'job-2345', { location: 'Elsewhere, XX' });
  const result = (await env.client.workflow.execute(DRIFT_CHECK_WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    workflowId: `${env.workflowIdPrefix}drift-metrics`,
    args: [{ developerApplicationUrn: DEMO_APPLICATION.urn, deadlineMs: 60_000, followUpWindowMs: 60_000 }],
  })) as DriftCheckResult;
  expect(result.repaired).toEqual({
    NOT_LISTED: 1,
    CHANGED: 1,
    CLOSED_BUT_LISTED: result.drifted.CLOSED_BUT_LISTED,
  });
  expect(result.drifted.CLOSED_BUT_LISTED).toBeGreaterThan(0);

  const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const ours = body.split('\n').filter((line) => line.includes(`taskQueue="${env.taskQueue}"`));
  expect(ours).toContainEqual(
    expect.stringMatching(new RegExp(`^drift_checked_jobs_total\\{[^}]*\\} ${result.checked}$`)),
  );
  const repaired = (kind: string) =>
    Number(
      ours
        .map(
          (line) =>
            new RegExp(`^drift_repaired_jobs_total\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)$`).exec(line)?.[1],
        )
        .find((value) => value !== undefined) ?? Number.NaN,
    );
  expect(repaired('NOT_LISTED')).toBe(1);
  expect(repaired('CHANGED')).toBe(1);
  expect(repaired('CLOSED_BUT_LISTED')).toBe(result.drifted.CLOSED_BUT_LISTED);
});
