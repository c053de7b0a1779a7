import { randomInt } from 'node:crypto';
import { Runtime, DefaultLogger, type LogEntry } from '@temporalio/worker';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { freePort } from '../tools/dev/ports';
import { demoJobIds } from '../tools/sandbox/demo-sandbox';
import { DRIFT_CHECK_WORKFLOW_TYPE, type DriftCheckResult } from '../src/contract/drift';
import { startTestEnvironment, type TestEnvironment } from './support/environment';
import { eventually } from './support/eventually';

let metricsPort: number;
let env: TestEnvironment;
/** What the worker logged at WARN or above, workflow logs included. */
const logged: LogEntry[] = [];

beforeAll(async () => {
  metricsPort = await freePort();
  // This file's worker exports metrics, as the worker process does in production.
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => logged.push(entry)),
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
  const ours = body.split('\n').filter((line) => line.includes(`task_queue="${env.taskQueue}"`));
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

/** This file's metrics as the worker exports them. */
async function ourMetrics(): Promise<string[]> {
  const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return body.split('\n').filter((line) => line.includes(`task_queue="${env.taskQueue}"`));
}

test('a check whose comparison disagrees with LinkedIn on most listed jobs counts drift_comparison_disagreements_total and logs a warning', async () => {
  const id = randomInt(100_000, 999_999);
  const urn = `urn:li:developerApplication:${id}`;
  const app = {
    urn,
    clientId: `metrics-client-${id}`,
    clientSecret: `metrics-secret-${id}`,
    integrationContext: null,
    companyName: 'Metrics Test Inc',
  };
  await env.jobStore.ensureApplication(app);
  await env.jobStore.insertSyntheticJobs(urn, 20);
  env.sandbox.registerApplication({
    developerApplicationUrn: urn,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    kind: 'child',
  });
  // LinkedIn lists every job as sent, but shows each location spelled out.
  const jobs = await env.jobStatuses.listJobsToCheck(urn, { limit: 100 });
  env.sandbox.seedExistingJobs(
    urn,
    jobs.map((job) => job.externalJobPostingId),
  );
  for (const job of jobs) {
    env.sandbox.drift.changeInfo(urn, job.externalJobPostingId, {
      listedAt: job.listedAt,
      location: job.location,
    });
  }
  env.sandbox.drift.showInfoAs(urn, { location: 'EXPANDED' });

  const workflowId = `${env.workflowIdPrefix}drift-disagrees`;
  const result = (await env.client.workflow.execute(DRIFT_CHECK_WORKFLOW_TYPE, {
    taskQueue: env.taskQueue,
    workflowId,
    args: [{ developerApplicationUrn: urn, deadlineMs: 60_000, followUpWindowMs: 60_000 }],
  })) as DriftCheckResult;
  expect(result).toMatchObject({
    comparisonDisagrees: true,
    drifted: { CHANGED: 20 },
    repaired: { CHANGED: 0 },
  });

  expect(await ourMetrics()).toContainEqual(
    expect.stringMatching(/^drift_comparison_disagreements_total\{[^}]*\} 1$/),
  );
  // Workflow logs reach the worker's logger once the workflow task that made them is done.
  await eventually(() => {
    const warning = logged.find((entry) => entry.level === 'WARN' && entry.meta?.workflowId === workflowId);
    expect(warning?.message).toBe(
      'drift check: the comparison disagrees with LinkedIn, CHANGED jobs not repaired',
    );
    expect(warning?.meta).toMatchObject({ developerApplicationUrn: urn, listed: 20, changed: 20 });
  });
});
