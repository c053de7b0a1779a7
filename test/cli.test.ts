import { DEMO_APPLICATION } from '../src/ats/demo-data';
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

/** Runs the CLI against this file's Temporal task queue, with its output captured. */
async function cli(argv: string[], deps: Partial<CliDeps> = {}) {
  const out = capture();
  const err = capture();
  const code = await runCli(argv, {
    env: {
      TEMPORAL_ADDRESS: temporalAddress(),
      TASK_QUEUE: env.taskQueue,
      WORKFLOW_ID_PREFIX: env.workflowIdPrefix,
    },
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
    const { code, out } = await cli([
      'send',
      '--url',
      `${env.apiUrl}/webhooks/linkedin`,
      '--secret',
      WEBHOOK_SECRET,
      '--application',
      DEMO_APPLICATION.urn,
      '--ids',
      ids.join(','),
    ]);
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
        '--secret',
        'not-the-secret',
        '--application',
        DEMO_APPLICATION.urn,
        '--all',
        '--retries',
        '2',
      ],
      {
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
      ['send', '--url', 'http://127.0.0.1:9/webhooks/linkedin', '--secret', 's'].concat([
        '--application',
        DEMO_APPLICATION.urn,
        '--all',
        '--retries',
        '0',
      ]),
    );
    expect(code).toBe(1);
    expect(out).toMatch(/^attempt 1\/1: no answer: fetch failed/);
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
    [['send', '--secret', 's', '--application', DEMO_APPLICATION.urn], 'give either --all or --ids a,b,c'],
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
