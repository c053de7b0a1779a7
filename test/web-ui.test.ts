import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

import { SAMPLE_INDIVIDUAL, startTestEnvironment, type TestEnvironment } from './support/environment';

const CHROMIUM = '/usr/bin/chromium';
/**
 * Screenshots go to a temporary folder; `npm run screenshots` sets SCREENSHOTS_DIR=docs to refresh the
 * README's pictures. A test run never rewrites tracked files.
 */
const SCREENSHOTS = process.env.SCREENSHOTS_DIR
  ? resolve(__dirname, '..', process.env.SCREENSHOTS_DIR)
  : mkdtempSync(join(tmpdir(), 'web-ui-'));

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
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'web-ui.png') });
  await page.close();
});

test('the resync page shows its summary and its result', async () => {
  const workflowId = await resync(SAMPLE_INDIVIDUAL);
  const { runId } = await env.client.workflow.getHandle(workflowId).describe();
  const uiUrl = process.env.TEMPORAL_TEST_UI_URL ?? '';
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
  const summary = page.getByText('Resync 3 jobs for urn:li:developerApplication:12345').first();
  const outcome = page.getByText('"outcome": "SUCCEEDED"').first();
  await summary.waitFor({ timeout: 15_000 });
  await outcome.waitFor({ timeout: 15_000 });
  expect(await summary.isVisible()).toBe(true);
  expect(await outcome.isVisible()).toBe(true);
  // The result lists the sample's jobs.
  for (const id of ['job-1234', 'job-2345', 'job-3456'])
    expect(await page.getByText(`"externalJobPostingId": "${id}"`).count()).toBeGreaterThan(0);
  await page.screenshot({ path: join(SCREENSHOTS, 'web-ui-resync.png'), fullPage: true });
  await page.close();
});
