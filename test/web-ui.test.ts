import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

import { SAMPLE_INDIVIDUAL, startTestEnvironment, type TestEnvironment } from './support/environment';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '..', 'docs', 'web-ui.png');

let env: TestEnvironment;
let browser: Browser;

beforeAll(async () => {
  env = await startTestEnvironment();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function resync(body: string): Promise<string> {
  expect((await env.notify(body)).status).toBe(200);
  const workflowId = env.workflowIdOf(body);
  await env.client.workflow.getHandle(workflowId).result();
  return workflowId;
}

test("an operator finds a resync in Temporal's Web UI by filtering on ResyncOutcome", async () => {
  const succeeded = await resync(SAMPLE_INDIVIDUAL);
  const partial = await resync(
    JSON.stringify({
      developerApplicationUrn: 'urn:li:developerApplication:12345',
      type: 'RESYNC_JOBS',
      syncAllOpenJobs: false,
      externalJobPostingIds: ['job-1234', 'job-that-the-ats-does-not-have'],
    }),
  );
  const uiUrl = process.env.TEMPORAL_TEST_UI_URL;
  if (!uiUrl) throw new Error('TEMPORAL_TEST_UI_URL is unset: the global setup starts the Web UI');

  const page = await browser.newPage({ viewport: { width: 1500, height: 700 } });
  const query = `ResyncOutcome="SUCCEEDED" AND TaskQueue="${env.taskQueue}"`;
  // Visibility is eventually consistent: reload (bounded) until the row is listed.
  let found = false;
  for (let attempt = 0; attempt < 20 && !found; attempt++) {
    await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    found = await page
      .getByText(succeeded, { exact: true })
      .first()
      .waitFor({ timeout: 3_000 })
      .then(() => true)
      .catch(() => false);
  }
  expect(found).toBe(true);
  await expect(page.getByText(partial, { exact: true }).count()).resolves.toBe(0);
  mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  await page.close();
});

test('the resync page shows its summary and its result', async () => {
  const workflowId = env.workflowIdOf(SAMPLE_INDIVIDUAL);
  const { runId } = await env.client.workflow.getHandle(workflowId).describe();
  const uiUrl = process.env.TEMPORAL_TEST_UI_URL ?? '';
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
  await page
    .getByText('Resync 3 jobs for urn:li:developerApplication:12345')
    .first()
    .waitFor({ timeout: 15_000 });
  await page.getByText('"outcome": "SUCCEEDED"').first().waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(SCREENSHOT, '..', 'web-ui-resync.png'), fullPage: true });
  await page.close();
});
