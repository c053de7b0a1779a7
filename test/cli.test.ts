import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { openPostgresJobStore } from '../src/ats/postgres-store';
import { syncDriftSchedules } from '../src/drift/schedules';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { DEMO_APPLICATION } from '../src/ats/demo-data';
import type { SecretInput } from '../src/cli/secret-input';
import type { Output } from '../src/cli/args';
import { runCli, type CliDeps } from '../src/cli/resync';
import { notificationBody, retryDelayMs } from '../src/cli/send';
import { progressLine } from '../src/cli/watch';
import { JobResyncNotification, type ResyncResult } from '../src/contract';
import { workflowIdFor } from '../src/api/workflow-id';
import {
  SAMPLE_ALL_OPEN,
  SAMPLE_INDIVIDUAL,
  startTestEnvironment,
  WEBHOOK_SECRET,
  type TestEnvironment,
} from './support/environment';
import { temporalAddress } from './support/temporal';
import { eventually } from './support/eventually';

let env: TestEnvironment;

beforeAll(async () => {
  env = await startTestEnvironment();
});

afterAll(async () => {
  await env?.close();
});

function capture(isTTY = false): Output & { text(): string } {
  const chunks: string[] = [];
  return {
    isTTY,
    write: (text: string) => chunks.push(text),
    text: () => chunks.join(''),
  };
}

function cliEnv(): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: temporalAddress(),
    TASK_QUEUE: env.taskQueue,
    WORKFLOW_ID_PREFIX: env.workflowIdPrefix,
  };
}

/** What `printf '%s' … |` gives the CLI's stdin. */
function piped(text: string): SecretInput {
  return Object.assign(Readable.from([Buffer.from(text)]), { isTTY: false });
}

/** Runs the CLI against this file's Temporal task queue, with its output captured. */
async function cli(argv: string[], deps: Partial<CliDeps> = {}) {
  const out = capture();
  const err = capture();
  const code = await runCli(argv, {
    env: cliEnv(),
    out,
    err,
    watchIntervalMs: 200,
    ...deps,
  });
  return { code, out: out.text(), err: err.text() };
}

function workflowIdOf(application: string, ids: string[]): string {
  return workflowIdFor(
    JobResyncNotification.parse({
      developerApplicationUrn: application,
      type: 'RESYNC_JOBS',
      syncAllOpenJobs: false,
      externalJobPostingIds: ids,
    }),
    env.workflowIdPrefix,
  );
}

describe('send', () => {
  test('builds the notification byte for byte like LinkedIn', () => {
    expect(notificationBody(JobResyncNotification.parse(JSON.parse(SAMPLE_INDIVIDUAL)))).toBe(
      SAMPLE_INDIVIDUAL,
    );
    expect(notificationBody(JobResyncNotification.parse(JSON.parse(SAMPLE_ALL_OPEN)))).toBe(SAMPLE_ALL_OPEN);
  });

  test('a signed notification to the real API gets 200 and its resync runs', async () => {
    const ids = ['job-1270', 'job-1271'];
    const { code, out } = await cli(
      [
        'send',
        '--url',
        `${env.apiUrl}/webhooks/linkedin`,
        '--application',
        DEMO_APPLICATION.urn,
        '--ids',
        ids.join(','),
      ],
      { env: { ...cliEnv(), LINKEDIN_WEBHOOK_SECRET: WEBHOOK_SECRET } },
    );
    expect(code).toBe(0);
    const workflowId = workflowIdOf(DEMO_APPLICATION.urn, ids);
    expect(out).toBe(`attempt 1/6: 200 OK\naccepted: workflow ${workflowId}\n`);
    const result = (await env.client.workflow.getHandle(workflowId).result()) as ResyncResult;
    expect(result.outcome).toBe('SUCCEEDED');
    expect(result.totals.sent).toBe(2);
  });

  test('a wrong secret is delivered again the bounded number of times with growing delays, then exits 1', async () => {
    let requests = 0;
    const delays: number[] = [];
    const { code, out } = await cli(
      [
        'send',
        '--url',
        `${env.apiUrl}/webhooks/linkedin`,
        '--application',
        DEMO_APPLICATION.urn,
        '--all',
        '--retries',
        '2',
      ],
      {
        env: { ...cliEnv(), LINKEDIN_WEBHOOK_SECRET: 'not-the-secret' },
        fetch: (input, init) => {
          requests++;
          return fetch(input, init);
        },
        sleep: (ms) => {
          delays.push(ms);
          return Promise.resolve();
        },
      },
    );
    expect(code).toBe(1);
    expect(requests).toBe(3);
    expect(delays).toEqual([retryDelayMs(1), retryDelayMs(2)]);
    expect(delays).toEqual([1_000, 2_000]);
    const refusal = '401 X-LI-Signature does not match the body for any configured client secret';
    expect(out.split('\n')).toEqual([
      `attempt 1/3: ${refusal}`,
      '  delivering again in 1 s',
      `attempt 2/3: ${refusal}`,
      '  delivering again in 2 s',
      `attempt 3/3: ${refusal}`,
      'gave up after 3 attempts',
      '',
    ]);
  });

  test('an API that cannot be reached counts as a failed delivery', async () => {
    const { code, out } = await cli(
      ['send', '--url', 'http://127.0.0.1:9/webhooks/linkedin'].concat([
        '--application',
        DEMO_APPLICATION.urn,
        '--all',
        '--retries',
        '0',
      ]),
      { stdin: piped('s\n') },
    );
    expect(code).toBe(1);
    expect(out).toMatch(/^attempt 1\/1: no answer: fetch failed/);
  });
});

describe("send's secret: the environment, a file or stdin, never argv", () => {
  const args = (ids: string[]) => [
    'send',
    '--url',
    `${env.apiUrl}/webhooks/linkedin`,
    '--application',
    DEMO_APPLICATION.urn,
    '--ids',
    ids.join(','),
  ];

  test('piped on stdin, the notification is signed with it and accepted', async () => {
    const ids = ['job-1275'];
    const { code, out } = await cli(args(ids), { stdin: piped(`${WEBHOOK_SECRET}\n`) });
    expect({ code, out }).toEqual({
      code: 0,
      out: `attempt 1/6: 200 OK\naccepted: workflow ${workflowIdOf(DEMO_APPLICATION.urn, ids)}\n`,
    });
  });

  test('from the file LINKEDIN_WEBHOOK_SECRET_FILE names, and never with LINKEDIN_WEBHOOK_SECRET beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'send-secret-'));
    const file = join(dir, 'webhook-secret');
    writeFileSync(file, `${WEBHOOK_SECRET}\n`);
    const ids = ['job-1276'];
    const fromFile = await cli(args(ids), { env: { ...cliEnv(), LINKEDIN_WEBHOOK_SECRET_FILE: file } });
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toContain('accepted');
    const both = await cli(args(ids), {
      env: { ...cliEnv(), LINKEDIN_WEBHOOK_SECRET_FILE: file, LINKEDIN_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
    expect(both).toEqual({
      code: 2,
      out: '',
      err: 'invalid configuration:\n  LINKEDIN_WEBHOOK_SECRET and LINKEDIN_WEBHOOK_SECRET_FILE are both set: give the secret one way only\n',
    });
  });

  test('--secret is refused before anything is sent, pointing to the ways that keep it out of argv', async () => {
    let requests = 0;
    for (const argv of [
      [...args(['job-1277']), '--secret', WEBHOOK_SECRET],
      [...args(['job-1277']), `--secret=${WEBHOOK_SECRET}`],
    ]) {
      const { code, err } = await cli(argv, {
        fetch: () => {
          requests++;
          return Promise.reject(new Error('no request expected'));
        },
      });
      expect(code).toBe(2);
      expect(err).toContain('--secret is not accepted: a secret in the command line is visible');
      expect(err).toContain('set LINKEDIN_WEBHOOK_SECRET (or LINKEDIN_WEBHOOK_SECRET_FILE');
      // The secret given is not repeated back.
      expect(err).not.toContain(WEBHOOK_SECRET);
    }
    expect(requests).toBe(0);
  });

  test('with no secret in the environment and a terminal on stdin, it says how to give one', async () => {
    const terminal = Object.assign(Readable.from([]), { isTTY: true });
    const { code, err } = await cli(args(['job-1278']), { stdin: terminal });
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe(
      'no secret on stdin: set LINKEDIN_WEBHOOK_SECRET (or LINKEDIN_WEBHOOK_SECRET_FILE, a file holding it), or pipe it on stdin',
    );
    const empty = await cli(args(['job-1278']), { stdin: piped('') });
    expect(empty.err.split('\n')[0]).toBe('stdin holds no secret');
  });
});

describe('start, watch and list', () => {
  test('a resync started by hand is watched until a final line names its outcome', async () => {
    // LinkedIn lacks job-1272: it is CREATEd after its UPDATE fails.
    const ids = ['job-1272', 'job-1273'];
    const workflowId = workflowIdOf(DEMO_APPLICATION.urn, ids);
    const started = await cli(['start', '--application', DEMO_APPLICATION.urn, '--ids', ids.join(',')]);
    expect(started.code).toBe(0);
    expect(started.out).toContain(`resync running: ${workflowId}`);
    expect(started.out).toContain(`http://localhost:8233/namespaces/default/workflows/${workflowId}`);

    const watched = await cli(['watch', workflowId]);
    expect(watched.code).toBe(0);
    const lines = watched.out.trimEnd().split('\n');
    expect(lines.at(-2)).toBe(`${workflowId}: COMPLETED SUCCEEDED`);
    expect(lines.at(-1)).toBe(
      '  2 of 2 sent (1 updated, 1 created, 0 closed) · 2 confirmed · 0 unconfirmed · 0 rejected · 0 not in ATS · 0 missed the deadline',
    );
    expect(lines.at(-3)).toMatch(/^\[#+\] 2\/2 · 2 sent · 2 confirmed · 0 rejected · 0 pending$/);

    // On a terminal the bar is redrawn in place, and the final lines start on a line of their own.
    const terminal = capture(true);
    const code = await runCli(['watch', workflowId], {
      env: {
        TEMPORAL_ADDRESS: temporalAddress(),
        TASK_QUEUE: env.taskQueue,
        WORKFLOW_ID_PREFIX: env.workflowIdPrefix,
      },
      out: terminal,
      err: capture(),
    });
    expect(code).toBe(0);
    const [bar, final] = terminal.text().split('\n');
    expect(bar?.startsWith('\r\u001b[2K[#')).toBe(true);
    expect(bar).toContain('] 2/2 · 2 sent');
    expect(final).toBe(`${workflowId}: COMPLETED SUCCEEDED`);
  });

  test('list shows a resync started by hand in a table', async () => {
    const ids = ['job-1274'];
    const workflowId = workflowIdOf(DEMO_APPLICATION.urn, ids);
    expect((await cli(['start', '--application', DEMO_APPLICATION.urn, '--ids', ids[0] ?? ''])).code).toBe(0);
    await env.client.workflow.getHandle(workflowId).result();

    await eventually(async () => {
      const { code, out } = await cli(['list', '--application', DEMO_APPLICATION.urn, '--limit', '500']);
      expect(code).toBe(0);
      const [header, ...rows] = out.trimEnd().split('\n');
      expect(header).toMatch(/^STARTED +CLOSED +STATUS +OUTCOME +APPLICATION +WORKFLOW ID$/);
      const row = rows.find((line) => line.endsWith(workflowId));
      expect(row).toMatch(
        new RegExp(`^\\S+ \\S+ +\\S+ \\S+ +COMPLETED +SUCCEEDED +${DEMO_APPLICATION.urn} +${workflowId}$`),
      );
    });
  });

  test('watch of an unknown workflow id says so and exits 1', async () => {
    const { code, out } = await cli(['watch', 'resync-app-12345-1-jobs-ffffffffffffffff']);
    expect(code).toBe(1);
    expect(out).toBe('no resync with workflow id resync-app-12345-1-jobs-ffffffffffffffff\n');
  });

  test('the progress bar shows settled jobs of the total, and what is still being listed', () => {
    const progress = {
      total: 10,
      sent: 4,
      confirmed: 2,
      rejected: 1,
      notInAts: 0,
      pending: 5,
      awaitingConfirmation: 1,
    };
    expect(progressLine(progress, 10)).toBe(
      '[#####.....] 5/10 · 4 sent · 2 confirmed · 1 rejected · 5 pending',
    );
    expect(progressLine({ ...progress, total: null, pending: null }, 4)).toBe(
      '[????] listing open jobs… 4 sent · 2 confirmed · 1 rejected',
    );
  });
});

describe('usage', () => {
  test.each([
    [['list', '--outcome', 'FAILED'], 'outcome must be one of SUCCEEDED, PARTIAL, DEADLINE_EXCEEDED'],
    [['send', '--application', DEMO_APPLICATION.urn], 'give either --all or --ids a,b,c'],
    [
      ['start', '--application', 'urn:li:developerApplication:x', '--all'],
      'developerApplicationUrn must look',
    ],
    [['start', '--ids', 'job-1'], '--application <urn> is required'],
    [['watch'], 'watch takes one workflow id'],
    [['list', '--bogus'], "Unknown option '--bogus'"],
    [['resend'], 'unknown command resend'],
    [[], 'a command is required'],
  ])('%j exits 2 with the problem and the usage', async (argv, message) => {
    const { code, err } = await cli(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain('Usage: npm run resync -- <command>');
  });

  test("the CLI reads only what it uses: a worker's LinkedIn endpoint it never calls does not stop it", async () => {
    const { code, out, err } = await cli(['list'], {
      env: {
        TEMPORAL_ADDRESS: temporalAddress(),
        TASK_QUEUE: env.taskQueue,
        LINKEDIN_API_URL: 'http://linkedin.example',
      },
    });
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).not.toBe('');
  });

  test('bad configuration exits 2 naming the variable', async () => {
    const { code, err } = await cli(['list'], { env: { RESYNC_DEADLINE: 'soon' } });
    expect(code).toBe(2);
    expect(err).toContain('RESYNC_DEADLINE');
  });
});

describe('applications: customers onboarded by command, in the PostgreSQL job store', () => {
  let database: TestDatabase;
  const urn = 'urn:li:developerApplication:777001';
  const prefix = `apps-${Date.now().toString(36)}-`;
  /** Made as LinkedIn issues one; never written in the repository. */
  const secret = randomBytes(16).toString('hex');

  beforeAll(async () => {
    database = await createTestDatabase('applications');
  });

  afterAll(async () => {
    await database?.drop();
  });

  const storeEnv = () => ({ DATABASE_URL: database.url, WORKFLOW_ID_PREFIX: prefix });
  const apps = (argv: string[], stdin?: SecretInput, extra: Record<string, string> = {}) =>
    cli(['applications', ...argv], { env: { ...storeEnv(), ...extra }, ...(stdin ? { stdin } : {}) });
  const stored = async () => {
    const store = await openPostgresJobStore(database.url);
    try {
      return await store.getApplication(urn);
    } finally {
      await store.close();
    }
  };

  test('add takes the secret from stdin; list shows urn, client id and company, never the secret; the drift schedule follows; remove deletes', async () => {
    const added = await apps(
      ['add', '--application', urn, '--client-id', '86abc777', '--company', 'Acme Staffing'],
      piped(`${secret}\n`),
    );
    expect(added).toEqual({
      code: 0,
      out: `added ${urn} (client id 86abc777, company Acme Staffing). The API accepts its notifications within 30 s; the worker creates its drift schedule ${prefix}drift-app-777001 within 5 minutes.\n`,
      err: '',
    });
    expect(await stored()).toEqual({
      urn,
      clientId: '86abc777',
      clientSecret: secret,
      companyName: 'Acme Staffing',
      integrationContext: null,
    });

    const listed = await apps(['list']);
    expect(listed.code).toBe(0);
    expect(listed.out).not.toContain(secret);
    expect(listed.out.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^APPLICATION +CLIENT ID +COMPANY +ORGANIZATION$/),
      expect.stringMatching(new RegExp(`^${urn} +86abc777 +Acme Staffing +-$`)),
    ]);

    // What the worker does every 5 minutes, from the same store: the new application gets its schedule.
    const store = await openPostgresJobStore(database.url);
    const scheduleOptions = {
      taskQueue: env.taskQueue,
      intervalMs: 3_600_000,
      deadlineMs: 60_000,
      followUpWindowMs: 60_000,
      workflowIdPrefix: prefix,
    };
    try {
      const synced = await syncDriftSchedules(
        env.client,
        await store.jobStatuses.listApplicationUrns(),
        scheduleOptions,
      );
      expect(synced.created).toEqual([`${prefix}drift-app-777001`]);

      const removed = await apps(['remove', '--application', urn]);
      expect(removed.code).toBe(0);
      expect(removed.out).toContain(`removed ${urn}`);
      expect(await stored()).toBeUndefined();
      expect((await apps(['list'])).out).toBe('no applications in the job store\n');
      const after = await syncDriftSchedules(
        env.client,
        await store.jobStatuses.listApplicationUrns(),
        scheduleOptions,
      );
      expect(after.removed).toEqual([`${prefix}drift-app-777001`]);
    } finally {
      await store.close();
    }
    expect(await apps(['remove', '--application', urn])).toEqual({
      code: 1,
      out: `no application ${urn} in the job store\n`,
      err: '',
    });
  });

  test('add again rotates the client secret, read from --client-secret-file, keeping the company', async () => {
    expect(
      (await apps(['add', '--application', urn, '--client-id', 'id-1', '--company', 'Acme'], piped(secret)))
        .code,
    ).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'child-secret-')), 'secret');
    const rotated = randomBytes(16).toString('hex');
    writeFileSync(file, `${rotated}\n`);
    const updated = await apps([
      'add',
      '--application',
      urn,
      '--client-id',
      'id-1',
      '--client-secret-file',
      file,
      '--organization',
      'urn:li:organization:42',
    ]);
    expect(updated.code).toBe(0);
    expect(updated.out).toBe(
      `updated ${urn} (client id id-1, company Acme): the new client secret is used within 30 s.\n`,
    );
    expect(await stored()).toMatchObject({
      clientSecret: rotated,
      companyName: 'Acme',
      integrationContext: 'urn:li:organization:42',
    });
  });

  test.each([
    [
      ['add', '--application', urn, '--client-id', 'x', '--client-secret', 'abc'],
      '--client-secret is not accepted: a secret in the command line',
    ],
    [
      ['add', '--application', urn, '--client-id', 'x', '--client-secret=abc'],
      '--client-secret is not accepted',
    ],
    [
      ['add', '--application', 'urn:li:developerApplication:x', '--client-id', 'x'],
      'must look like urn:li:developerApplication:{numeric id}',
    ],
    [['add', '--application', urn], '--client-id <id> is required'],
    [['add', '--application', urn, '--client-id', 'a b'], 'is not a LinkedIn client id'],
    [
      ['add', '--application', urn, '--client-id', 'x', '--client-secret-file', '/nonexistent/secret'],
      '--client-secret-file /nonexistent/secret cannot be read (ENOENT)',
    ],
    [
      ['add', '--application', urn, '--client-id', 'x', '--organization', '42'],
      'must look like urn:li:organization:{id}',
    ],
    [['remove'], '--application <urn> is required'],
    [['rename'], 'unknown applications command rename'],
    [[], 'applications needs add, list or remove'],
  ])('applications %j exits 2 naming the problem', async (argv, message) => {
    const { code, err } = await apps(argv, piped(secret));
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  test('a secret the API would never use is refused, a terminal on stdin too, and a new application needs its company', async () => {
    const add = ['add', '--application', 'urn:li:developerApplication:777002', '--client-id', 'c'];
    const short = await apps([...add, '--company', 'A'], piped('too-short'));
    expect(short.err.split('\n')[0]).toBe(
      'the client secret is shorter than 16 characters: give the one LinkedIn issued for urn:li:developerApplication:777002',
    );
    const published = await apps([...add, '--company', 'A'], piped(DEMO_APPLICATION.clientSecret));
    expect(published.err.split('\n')[0]).toContain('the client secret is published in this repository');
    // In development the demo secrets are accepted, as the API accepts them there.
    expect(
      (
        await apps([...add, '--company', 'A'], piped(DEMO_APPLICATION.clientSecret), {
          NODE_ENV: 'development',
        })
      ).code,
    ).toBe(0);

    const terminal = await apps(
      [...add, '--company', 'A'],
      Object.assign(Readable.from([]), { isTTY: true }),
    );
    expect(terminal.err.split('\n')[0]).toContain('no secret on stdin: pipe it');
    const noCompany = await apps(
      ['add', '--application', 'urn:li:developerApplication:777003', '--client-id', 'c'],
      piped(secret),
    );
    expect(noCompany.code).toBe(2);
    expect(noCompany.err).toContain('--company <name> is required for a new application');
  });
});
