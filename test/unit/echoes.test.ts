/**
 * Whatever a request carries, the API and the CLI echo it back cut short (docs/security.md, "Caller text
 * reflected into answers and logs"): every answer below is given a string of a megabyte where it echoes
 * one, stays short, and holds the event loop less than 50 ms. The API runs through `createApp` on a server
 * that accepts headers of several megabytes (Node's own limit, 16 KiB, would refuse these paths first).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { MAX_ERROR_MESSAGE_LENGTH } from '../../src/api/http-error';
import { signNotification } from '../../src/api/signature';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import type { JobStore } from '../../src/ats/job-store';
import { runCli, USAGE } from '../../src/cli/resync';
import { JobResyncNotification } from '../../src/contract';
import { JobStatusChangeNotification } from '../../src/linkedin/job-posting-status';
import { createLogger } from '../../src/logger';
import { leastOfThree, longestBlock, stallFigures } from '../support/event-loop';
import { recordingStarter } from '../support/recording-starter';

const SECRET = 'unit-webhook-secret';
const ADMIN_TOKEN = 'unit-admin-token-0123456789';
const MB = 1_000_000;
/** A megabyte of text that URL-encodes as itself. */
const HUGE = 'x'.repeat(MB);

let jobStore: JobStore;
let server: Server;
let url: string;
const lines: string[] = [];
/** Never connected: the routes below answer before asking Temporal. */
const temporal = new Client();

beforeAll(async () => {
  jobStore = await openEmbeddedJobStore({});
  await jobStore.seedDemoData();
  const app = createApp({
    webhookSecrets: [SECRET],
    jobStore,
    resyncs: recordingStarter(),
    logger: createLogger('info', sink(lines)),
    maxBodyBytes: 8 * MB,
    admin: { token: ADMIN_TOKEN, client: temporal },
    jobStatuses: jobStore.jobStatuses,
  });
  const handle = app.callback();
  server = createServer({ maxHeaderSize: 8 * MB }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await jobStore?.close();
});

function sink(into: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
}

const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

describe('the API echoes a megabyte cut short, and never holds the event loop 50 ms doing so', () => {
  const record = stallFigures('longest event-loop block while the API echoed 1 MB (ms)');
  const signedPost = (body: string): [string, RequestInit] => [
    '/webhooks/linkedin',
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-LI-Signature': signNotification(SECRET, body) },
      body,
    },
  ];

  test.each<[string, () => [string, RequestInit], number, RegExp]>([
    ['an unknown route', () => [`/${HUGE}`, {}], 404, /^no route for GET \/x{63}… \(1000001 characters\)$/],
    [
      "the admin API's unknown resync",
      () => [`/resyncs/${HUGE}`, { headers: admin }],
      404,
      /^no resync with workflow id x{64}… \(1000000 characters\)$/,
    ],
    [
      "the admin API's LinkedIn status of a job with a megabyte id",
      () => [`/jobs/12345/${HUGE}/linkedin-status`, { headers: admin }],
      400,
      /^externalJobPostingId is longer than 200 characters \(1000000\)$/,
    ],
    [
      "the admin API's LinkedIn status of a megabyte application",
      () => [`/jobs/${'1'.repeat(MB)}/job-1234/linkedin-status`, { headers: admin }],
      400,
      /^application must be urn:li:developerApplication:\{numeric id\} or the numeric id$/,
    ],
    [
      "the admin API's resync list filtered by a megabyte application",
      () => [`/resyncs?application=${HUGE}`, { headers: admin }],
      400,
      /^application is longer than 200 characters \(1000000\)$/,
    ],
    [
      'a challenge with a megabyte code',
      () => [`/webhooks/linkedin?challengeCode=${HUGE}`, {}],
      400,
      /^challengeCode must be a UUID$/,
    ],
    [
      'a notification whose type is a megabyte',
      () =>
        signedPost(
          JSON.stringify({
            developerApplicationUrn: DEMO_APPLICATION.urn,
            type: HUGE,
            syncAllOpenJobs: true,
          }),
        ),
      400,
      /^type "x{63}… \(1000002 characters\) is not supported; only RESYNC_JOBS is handled here$/,
    ],
    [
      'a notification naming a megabyte application',
      () =>
        signedPost(
          JSON.stringify({
            developerApplicationUrn: `urn:li:developerApplication:${'1'.repeat(MB)}`,
            type: 'RESYNC_JOBS',
            syncAllOpenJobs: true,
          }),
        ),
      400,
      /^developerApplicationUrn is longer than 200 characters \(1000028\)$/,
    ],
  ])('%s', async (what, request, status, errorMessage) => {
    const [path, init] = request();
    lines.length = 0;
    const answers: { status: number; text: string }[] = [];
    const blockedMs = await leastOfThree(50, async () => {
      const { blockedMs: once } = await longestBlock(async () => {
        const answer = await fetch(`${url}${path}`, init);
        answers.push({ status: answer.status, text: await answer.text() });
      });
      return once;
    });
    record(`${what}`, blockedMs);
    for (const answer of answers) {
      expect(answer.status).toBe(status);
      expect(answer.text.length).toBeLessThan(MAX_ERROR_MESSAGE_LENGTH);
      expect((JSON.parse(answer.text) as { errorMessage: string }).errorMessage).toMatch(errorMessage);
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(4_000);
    expect(blockedMs).toBeLessThan(50);
  });

  test('a 404 of the LinkedIn status of a job echoes its id cut short', async () => {
    const id = 'j'.repeat(200);
    const answer = await fetch(`${url}/jobs/12345/${id}/linkedin-status`, { headers: admin });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({
      errorMessage: `no LinkedIn status recorded for ${'j'.repeat(64)}… (200 characters) of ${DEMO_APPLICATION.urn}`,
    });
  });
});

describe("a Job Status Change notification's texts are at most 1,000 characters", () => {
  const base = {
    developerApplicationUrn: DEMO_APPLICATION.urn,
    type: 'JOB_POSTING_STATUS',
    externalJobPostingId: 'job-1234',
    listingStatus: 'LISTED',
  };

  test.each([
    ['jobPostingInfo.location', { jobPostingInfo: { location: HUGE } }],
    ['rawLocation', { rawLocation: HUGE }],
    ['listingStatusDetail.statusMessage', { listingStatusDetail: { statusMessage: HUGE } }],
    ['linkedInApplyStatusDetail.statusMessage', { linkedInApplyStatusDetail: { statusMessage: HUGE } }],
    ['promotionStatusDetail.statusMessage', { promotionStatusDetail: { statusMessage: HUGE } }],
  ])('%s of a megabyte is refused, naming the field and its length', async (field, fields) => {
    const { result, blockedMs } = await longestBlock(() =>
      Promise.resolve(JobStatusChangeNotification.safeParse({ ...base, ...fields })),
    );
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      `${field} is longer than 1000 characters (1000000)`,
    ]);
    expect(blockedMs).toBeLessThan(50);
  });

  test('texts of 1,000 characters are read', () => {
    const text = 'l'.repeat(1_000);
    expect(
      JobStatusChangeNotification.parse({
        ...base,
        rawLocation: text,
        jobPostingInfo: { location: text },
        listingStatusDetail: { statusMessage: text },
      }).status,
    ).toMatchObject({ rawLocation: text, location: text, listingStatusDetail: { statusMessage: text } });
  });

  test("a resync notification's type is echoed cut short", () => {
    const parsed = JobResyncNotification.safeParse({ ...base, type: HUGE, syncAllOpenJobs: true });
    expect(parsed.error?.issues[0]?.message.length).toBeLessThan(200);
  });
});

describe('the CLI echoes what it was given cut short', () => {
  async function cli(argv: string[], fetchImpl?: typeof fetch) {
    let out = '';
    let err = '';
    const code = await runCli(argv, {
      // send signs with the secret the environment gives it.
      env: { LINKEDIN_WEBHOOK_SECRET: 's' },
      out: { write: (text: string) => (out += text) },
      err: { write: (text: string) => (err += text) },
      sleep: () => Promise.resolve(),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
    return { code, out, err };
  }
  // The usage text follows an unknown option; the echo of what was given adds at most a few hundred.
  const usageLength = USAGE.length;

  test.each([
    ['an unknown command', [HUGE], /^unknown command x{64}… \(1000000 characters\)\n/],
    ['an unknown option', ['list', `--${HUGE}`], /^Unknown option '--x{250,}… \(\d+ characters\)\n/],
    [
      'a --url that is not a URL',
      ['send', '--application', DEMO_APPLICATION.urn, '--all', '--url', HUGE],
      /^--url x{64}… \(1000000 characters\) is not a URL\n/,
    ],
    ['a workflow id to watch', ['watch', HUGE], /^a workflow id is at most 1000 characters, not 1000000\n/],
  ])('%s', async (_what, argv, message) => {
    const { code, err } = await cli(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.length).toBeLessThan(usageLength + 400);
  });

  test('a webhook answering a megabyte errorMessage is shown cut short by send', async () => {
    const answering = createServer((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorMessage: HUGE }));
    });
    await new Promise<void>((resolve) => answering.listen(0, '127.0.0.1', resolve));
    try {
      const webhook = `http://127.0.0.1:${(answering.address() as AddressInfo).port}/webhooks/linkedin`;
      const { code, out } = await cli([
        'send',
        '--application',
        DEMO_APPLICATION.urn,
        '--all',
        '--retries',
        '0',
        '--url',
        webhook,
      ]);
      expect(code).toBe(1);
      expect(out).toMatch(/^attempt 1\/1: 400 x{496}… \(1000004 characters\)\n/);
      expect(out.length).toBeLessThan(1_000);
    } finally {
      await new Promise<void>((resolve) => answering.close(() => resolve()));
    }
  });
});
