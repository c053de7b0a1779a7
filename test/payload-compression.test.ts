/**
 * PAYLOAD_COMPRESSION on the full stack (the dev server, the workers, the embedded store and the LinkedIn
 * sandbox): a resync runs as it does without, its history holds compressed payloads and is smaller, and
 * workers of either setting finish what workers of the other started, which is how an operator turns it on
 * and off with resyncs open.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { WORKFLOW_TYPE, type ResyncInput, type ResyncResult } from '../src/contract';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import { ZLIB_ENCODING } from '../src/payload-codec';
import { SAMPLE_ALL_OPEN, startTestEnvironment, type TestEnvironment } from './support/environment';
import { fates } from './support/notifications';
import { temporalAddress, testClient } from './support/temporal';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { codecRoutes } from '../src/codec-server';
import { serveMetrics } from '../src/metrics-server';
import { resolveTemporalCli } from '../tools/dev/temporal-dev-server';

let compressing: TestEnvironment;
let plain: TestEnvironment;

beforeAll(async () => {
  [compressing, plain] = await Promise.all([
    startTestEnvironment({ payloadCompression: 'zlib' }),
    startTestEnvironment(),
  ]);
});

afterAll(async () => {
  await Promise.all([compressing?.close(), plain?.close()]);
});

beforeEach(() => {
  for (const env of [compressing, plain]) {
    env.sandbox.reset();
    env.seedSandboxWithDemoJobs();
  }
});

async function syncAll(env: TestEnvironment): Promise<WorkflowHandle> {
  const response = await env.notify(SAMPLE_ALL_OPEN);
  expect(response.status).toBe(200);
  return env.client.workflow.getHandle(env.workflowIdOf(SAMPLE_ALL_OPEN));
}

/** Every payload of a history's events, as Temporal stores them (not decoded). */
function payloadsOf(history: temporal.api.history.v1.IHistory): temporal.api.common.v1.IPayload[] {
  const found: temporal.api.common.v1.IPayload[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const record = value as Record<string, unknown>;
    if (record.data instanceof Uint8Array && typeof record.metadata === 'object') {
      found.push(record);
      return;
    }
    Object.values(record).forEach(visit);
  };
  visit(history.events);
  return found;
}

/** The payloads in `temporal workflow show --output json`, their encoding and data read from base64. */
function cliPayloads(output: string): { encoding: string; data: string }[] {
  const found: { encoding: string; data: string }[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const record = value as { metadata?: { encoding?: unknown }; data?: unknown };
    if (typeof record.metadata?.encoding === 'string' && typeof record.data === 'string') {
      const text = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');
      found.push({ encoding: text(record.metadata.encoding), data: text(record.data) });
      return;
    }
    Object.values(record).forEach(visit);
  };
  visit(JSON.parse(output));
  return found;
}

const encodingOf = (payload: temporal.api.common.v1.IPayload) =>
  new TextDecoder().decode(payload.metadata?.encoding ?? new Uint8Array());
const bytesOf = (payloads: temporal.api.common.v1.IPayload[]) =>
  payloads.reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0);

describe('PAYLOAD_COMPRESSION=zlib', () => {
  test('a sync-all ends as it does without, and its history carries its lists compressed, in fewer bytes', async () => {
    const [zipped, unzipped] = await Promise.all([syncAll(compressing), syncAll(plain)]);
    const [zippedResult, unzippedResult] = (await Promise.all([zipped.result(), unzipped.result()])) as [
      ResyncResult,
      ResyncResult,
    ];
    expect(zippedResult.totals.sent).toBeGreaterThan(100);
    expect(fates(zippedResult.jobs)).toEqual(fates(unzippedResult.jobs));
    expect(zippedResult.totals).toEqual(unzippedResult.totals);

    const zippedPayloads = payloadsOf(await zipped.fetchHistory());
    const unzippedPayloads = payloadsOf(await unzipped.fetchHistory());
    expect(unzippedPayloads.filter((payload) => encodingOf(payload) === ZLIB_ENCODING)).toEqual([]);
    const compressed = zippedPayloads.filter((payload) => encodingOf(payload) === ZLIB_ENCODING);
    // The result, the posting run's answers and the follow-up's task urns at least.
    expect(compressed.length).toBeGreaterThanOrEqual(3);
    expect(bytesOf(zippedPayloads)).toBeLessThan(bytesOf(unzippedPayloads) * 0.6);
  });

  test('a client that does not compress reads what a compressing worker wrote', async () => {
    const handle = await syncAll(compressing);
    await handle.result();
    const reader: Client = testClient(undefined, 'off');
    try {
      const result = (await reader.workflow.getHandle(handle.workflowId).result()) as ResyncResult;
      expect(result.totals.sent).toBeGreaterThan(100);
    } finally {
      await reader.connection.close();
    }
  });
});

describe("the codec server, as Temporal's own tools use it", () => {
  test("`temporal workflow show --codec-endpoint` reads a compressed history through the API's admin listener", async () => {
    const handle = await syncAll(compressing);
    await handle.result();
    const admin = await serveMetrics(new Registry(), { host: '127.0.0.1', port: 0 }, {}, [
      codecRoutes({ allowedOrigins: [] }),
    ]);
    try {
      // Asynchronously: the codec server answers from this process.
      const show = async (codec: string[]) =>
        (
          await promisify(execFile)(
            resolveTemporalCli(process.cwd(), process.env),
            [
              'workflow',
              'show',
              '--address',
              temporalAddress(),
              '--workflow-id',
              handle.workflowId,
              '--output',
              'json',
              ...codec,
            ],
            { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
          )
        ).stdout;
      // The CLI prints each payload as protobuf's JSON: its metadata and data in base64.
      const raw = cliPayloads(await show([]));
      expect(raw.map((payload) => payload.encoding)).toContain(ZLIB_ENCODING);
      expect(raw.some((payload) => payload.data.includes('"job-1234"'))).toBe(false);
      const decoded = cliPayloads(await show(['--codec-endpoint', `${admin.url}/codec`]));
      expect(decoded).toHaveLength(raw.length);
      expect(decoded.map((payload) => payload.encoding)).not.toContain(ZLIB_ENCODING);
      expect(decoded.some((payload) => payload.data.includes('"job-1234"'))).toBe(true);
    } finally {
      await admin.close();
    }
  });
});

describe('turning PAYLOAD_COMPRESSION on and off with a resync open', () => {
  test.each([
    ['on', 'zlib'],
    ['off', 'off'],
  ] as const)(
    'turned %s: the workers of the new setting finish the resync the others started, with the same fates',
    async (_turned, next) => {
      const env = next === 'zlib' ? plain : compressing;
      // What a sync-all of the demo application ends with, from the seeded state.
      const reference = (await (await syncAll(env)).result()) as ResyncResult;
      env.sandbox.reset();
      env.seedSandboxWithDemoJobs();

      // The first call is answered, the second held: the resync has written payloads of the first setting.
      const gate = env.sandbox.faults.hold('simpleJobPostings', { passing: 1 });
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: env.taskQueue,
        workflowId: `${env.workflowIdPrefix}turned-${next}`,
        args: [
          {
            developerApplicationUrn: DEMO_APPLICATION.urn,
            syncAllOpenJobs: true,
            externalJobPostingIds: [],
            receivedAt: Date.now(),
            deadlineMs: 120_000,
            followUpWindowMs: 120_000,
          } satisfies ResyncInput,
        ],
      });
      await gate.reached;
      // A restart as a rolling deploy does it: the old workers drain (the held call ends), the new take over.
      const restarting = env.startWorkers({ payloadCompression: next });
      gate.release();
      try {
        await restarting;
        const result = (await handle.result()) as ResyncResult;
        expect(fates(result.jobs)).toEqual(fates(reference.jobs));
        expect(result.totals).toEqual(reference.totals);
        const encodings = new Set(payloadsOf(await handle.fetchHistory()).map(encodingOf));
        // Both settings wrote into the one history.
        expect(encodings.has(ZLIB_ENCODING)).toBe(true);
        expect(encodings.has('json/plain')).toBe(true);
      } finally {
        await env.startWorkers();
      }
    },
  );
});
