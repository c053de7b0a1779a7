import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { type ResyncResult } from '../src/contract';
import {
  resolveTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../tools/dev/temporal-dev-server';
import { freePort } from '../tools/dev/ports';
import { startTestEnvironment, type TestEnvironment } from './support/environment';

const cliPath = resolveTemporalCli(join(__dirname, '..'), process.env);
let dataDir: string;
let port: number;
let server: TemporalDevServer | undefined;
let env: TestEnvironment;

const startServer = () => startTemporalDevServer({ cliPath, port, dbFilename: join(dataDir, 'temporal.db') });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'resync-outage-'));
  port = await freePort();
  server = await startServer();
  env = await startTestEnvironment({ temporalAddress: server.address, metrics: true });
});

afterAll(async () => {
  await env?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('with Temporal down a notification gets 500 within 5 s, and its redelivery after the restart gets 200 and is sent', async () => {
  const body = JSON.stringify({
    developerApplicationUrn: DEMO_APPLICATION.urn,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: false,
    externalJobPostingIds: ['job-1100', 'job-1101'],
  });
  await server?.stop();
  server = undefined;

  const started = performance.now();
  const refused = await env.notify(body);
  const elapsedMs = performance.now() - started;
  expect(refused.status).toBe(500);
  expect(await refused.text()).toBe('');
  expect(elapsedMs).toBeLessThan(5_000);
  expect((await fetch(`${env.apiUrl}/readyz`)).status).toBe(503);
  expect(env.sandbox.postedElements()).toHaveLength(0);
  // The failed start is counted and timed apart from the accepted ones.
  const failed = await (await fetch(`${env.metricsUrl ?? ''}/metrics`)).text();
  expect(failed).toMatch(/^resync_start_duration_seconds_count\{result="failed"\} 1$/m);
  // Every series is served from the first scrape (at zero): no start was accepted.
  expect(failed).toMatch(/^resync_start_duration_seconds_count\{result="accepted"\} 0$/m);
  expect(failed).toMatch(/^linkedin_notifications_total\{status="500"\} 1$/m);

  server = await startServer();
  // LinkedIn delivers again after any answer but 200; it does so until it gets one.
  let status = 0;
  for (let attempt = 0; attempt < 30 && status !== 200; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    status = (await env.notify(body)).status;
  }
  expect(status).toBe(200);

  const metrics = await (await fetch(`${env.metricsUrl ?? ''}/metrics`)).text();
  expect(metrics).toMatch(/^resync_start_duration_seconds_count\{result="accepted"\} 1$/m);
  expect(metrics).toMatch(/^linkedin_notifications_total\{status="200"\} 1$/m);

  const workflowId = env.workflowIdOf(body);
  const result = (await env.client.workflow.getHandle(workflowId).result()) as ResyncResult;
  expect(result.totals.sent).toBe(2);
  expect(
    env.sandbox
      .postedElements(DEMO_APPLICATION.urn)
      .map((element) => element.externalJobPostingId)
      .sort(),
  ).toEqual(['job-1100', 'job-1101']);
});
