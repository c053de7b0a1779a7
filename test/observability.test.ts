import { Writable } from 'node:stream';
import { Runtime } from '@temporalio/worker';
import { DEMO_APPLICATION } from '../src/ats/demo-data';

import { freePort } from '../tools/dev/ports';
import { createLogger } from '../src/logger';
import { temporalLoggerFor } from '../src/observability/temporal-logger';
import {
  SAMPLE_ALL_OPEN,
  SAMPLE_INDIVIDUAL,
  startTestEnvironment,
  WEBHOOK_SECRET,
  type TestEnvironment,
} from './support/environment';

/** Every log line of the run, API and worker alike, as written. */
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
const logger = createLogger('debug', sink);
let metricsPort: number;
let env: TestEnvironment;

beforeAll(async () => {
  metricsPort = await freePort();
  // This file's worker logs through pino and exports metrics, as the worker process does in production.
  Runtime.install({
    logger: temporalLoggerFor(logger.child({ component: 'worker' })),
    telemetryOptions: {
      logging: { filter: { core: 'INFO', other: 'INFO' }, forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}`, countersTotalSuffix: true } },
    },
  });
  env = await startTestEnvironment({ logger: logger.child({ component: 'api' }), metrics: true });
  // A run that touches every credential: a token fetched, expired and fetched again, a rejected job.
  await run(SAMPLE_INDIVIDUAL);
  env.sandbox.faults.expireAllTokens();
  env.sandbox.faults.rejectElement('job-1000', { status: 422, message: 'ERROR :: /title :: too long' });
  await run(SAMPLE_ALL_OPEN);
  await env.notify(SAMPLE_INDIVIDUAL, 'f'.repeat(64));
});

afterAll(async () => {
  await env?.close();
});

async function run(body: string): Promise<void> {
  expect((await env.notify(body)).status).toBe(200);
  await env.client.workflow.getHandle(env.workflowIdOf(body)).result();
}

function parsed(): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('logs are JSON lines, and every line of a resync names its workflow and application', () => {
  const entries = parsed();
  const ofResyncs = entries.filter((entry) => typeof entry.workflowId === 'string');
  expect(ofResyncs.length).toBeGreaterThan(10);
  const workflowLines = ofResyncs.filter((entry) => entry.sdkComponent === 'workflow');
  const activityLines = ofResyncs.filter((entry) => entry.sdkComponent === 'activity');
  expect(workflowLines.length).toBeGreaterThan(0);
  expect(activityLines.length).toBeGreaterThan(0);
  const unnamed = ofResyncs.filter((entry) => entry.developerApplicationUrn !== DEMO_APPLICATION.urn);
  expect(unnamed).toEqual([]);
  expect(
    entries.some(
      (entry) => entry.msg === 'resync accepted' && entry.developerApplicationUrn === DEMO_APPLICATION.urn,
    ),
  ).toBe(true);
  expect(entries.some((entry) => entry.msg === 'resync finished')).toBe(true);
});

test('no secret or token ever appears in the logs of a full run', () => {
  const tokens = env.sandbox
    .calls()
    .filter((call) => call.endpoint === 'token' && call.status === 200)
    .map((call) => (call.responseBody as { access_token: string }).access_token);
  expect(tokens.length).toBeGreaterThanOrEqual(2);
  const secrets = [WEBHOOK_SECRET, DEMO_APPLICATION.clientSecret, ...tokens];
  const text = lines.join('\n');
  expect(text.length).toBeGreaterThan(1_000);
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/Bearer\s+\S/);
});

test("the API's /metrics counts notifications by status and times the start", async () => {
  const body = await (await fetch(`${env.metricsUrl ?? ''}/metrics`)).text();
  expect(body).toMatch(/^linkedin_notifications_total\{status="200"\} 2$/m);
  expect(body).toMatch(/^linkedin_notifications_total\{status="401"\} 1$/m);
  expect(body).toMatch(/^resync_start_duration_seconds_count\{result="accepted"\} 2$/m);
  expect(body).toMatch(/^process_resident_memory_bytes \d+/m);
});

test("the worker's /metrics has the SDK's metrics and the resync's own", async () => {
  const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  // Only this file's worker: the SDK labels its metrics with the task queue.
  const ours = body
    .split('\n')
    .filter((line) => line.includes(`task_queue="${env.taskQueue}"`))
    .join('\n');
  const value = (pattern: RegExp) => Number(pattern.exec(ours)?.[1] ?? Number.NaN);
  expect(value(/^resyncs_completed_total\{[^}]*outcome="SUCCEEDED"[^}]*\} (\d+)$/m)).toBe(1);
  expect(value(/^resyncs_completed_total\{[^}]*outcome="PARTIAL"[^}]*\} (\d+)$/m)).toBe(1);
  expect(value(/^resync_jobs_rejected_total\{[^}]*\} (\d+)$/m)).toBe(1);
  const sent = [...ours.matchAll(/^resync_jobs_sent_total\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  expect(sent).toBeGreaterThan(250);
  expect(body).toMatch(/^temporal_workflow_completed_total\{/m);
  expect(body).toMatch(/^temporal_activity_execution_latency/m);
});

test("a missed deadline shows on the worker's /metrics", async () => {
  const late = await startTestEnvironment({ deadlineMs: 1_500 });
  try {
    late.sandbox.faults.setLatency('simpleJobPostings', 1_000);
    expect((await late.notify(SAMPLE_ALL_OPEN)).status).toBe(200);
    await expect(
      late.client.workflow.getHandle(late.workflowIdOf(SAMPLE_ALL_OPEN)).result(),
    ).rejects.toThrow();
    const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const ours = body.split('\n').filter((line) => line.includes(`task_queue="${late.taskQueue}"`));
    expect(ours).toContainEqual(
      expect.stringMatching(/^resyncs_completed_total\{[^}]*outcome="DEADLINE_EXCEEDED"[^}]*\} 1$/),
    );
    expect(ours).toContainEqual(expect.stringMatching(/^resync_deadlines_missed_total\{[^}]*\} 1$/));
  } finally {
    await late.close();
  }
});
