/**
 * A job's `jobPostingUrl` is kept and shown only when it is an https URL on a LinkedIn host
 * (docs/security.md): read from LinkedIn's status answers or from a Job Status Change notification, kept in
 * linkedin_job_status and served by GET /jobs/:application/:id/linkedin-status. Anything else is dropped,
 * with a warning where it was read, and the job is kept without one.
 */
import { Client } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';
import type { JobStore } from '../../src/ats/job-store';
import {
  absentStatus,
  droppedJobPostingUrl,
  JobPostingStatusResponse,
  JobStatusChangeNotification,
  linkedInJobPostingUrl,
  readJobPostingStatuses,
} from '../../src/linkedin/job-posting-status';
import { createLogger } from '../../src/logger';
import { recordingStarter } from '../support/recording-starter';
import { serve, type Served } from '../support/serve';

const FOREIGN = [
  ['javascript:', 'javascript:alert(document.cookie)'],
  ['http:', 'http://www.linkedin.com/jobs/view/1'],
  ['another host', 'https://evil.example/jobs/view/1'],
  ['a host that starts like LinkedIn', 'https://linkedin.com.evil.example/jobs/view/1'],
  ['a host that ends like LinkedIn', 'https://evil-linkedin.com/jobs/view/1'],
  ['credentials before the host', 'https://www.linkedin.com@evil.example/jobs/view/1'],
  ['a user on a LinkedIn host', 'https://user:pw@www.linkedin.com/jobs/view/1'],
  ['another port', 'https://www.linkedin.com:8443/jobs/view/1'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['a path alone', '/jobs/view/1'],
  ['too long', `https://www.linkedin.com/jobs/view/${'1'.repeat(2_000)}`],
] as const;

const LINKEDIN = [
  ['www.linkedin.com', 'https://www.linkedin.com/jobs/view/3912345678'],
  ['linkedin.com itself', 'https://linkedin.com/jobs/view/1'],
  ['a country subdomain', 'https://de.linkedin.com/jobs/view/1?trk=x'],
  ['an upper-case host', 'https://WWW.LinkedIn.com/jobs/view/1'],
] as const;

describe('which URLs are LinkedIn job posting URLs', () => {
  test.each(FOREIGN)('%s is dropped', (_what, url) => {
    expect(linkedInJobPostingUrl(url)).toBeUndefined();
    expect(droppedJobPostingUrl(url)).toBe(
      url.length > 64 ? `${url.slice(0, 64)}… (${url.length} characters)` : url,
    );
  });

  test.each(LINKEDIN)('%s is kept, in its normal form', (_what, url) => {
    expect(linkedInJobPostingUrl(url)).toBe(new URL(url).href);
    expect(droppedJobPostingUrl(url)).toBeUndefined();
  });

  test('absent, null, blank or not a string: nothing to keep, nothing to warn of, except a value of another type', () => {
    for (const value of [undefined, null, '', '  ']) {
      expect(linkedInJobPostingUrl(value)).toBeUndefined();
      expect(droppedJobPostingUrl(value)).toBeUndefined();
    }
    expect(droppedJobPostingUrl({ href: 'x' })).toBe('{"href":"x"}');
  });
});

describe('the readers drop a foreign jobPostingUrl', () => {
  test.each(FOREIGN)('a notification carrying %s is read without it', (_what, url) => {
    const parsed = JobStatusChangeNotification.parse({
      developerApplicationUrn: DEMO_APPLICATION.urn,
      type: 'JOB_POSTING_STATUS',
      externalJobPostingId: 'job-1234',
      listingStatus: 'LISTED',
      jobPostingUrl: url,
    });
    expect(parsed.status).toMatchObject({ listingStatus: 'LISTED', jobPostingUrl: null });
  });

  test("LinkedIn's status answer: a foreign URL is dropped and reported, a LinkedIn one kept", () => {
    const results = Object.fromEntries(
      FOREIGN.map(([, url], n) => [`job-${n}`, { listingStatus: 'LISTED', jobPostingUrl: url }]),
    );
    results['job-ok'] = { listingStatus: 'LISTED', jobPostingUrl: 'https://www.linkedin.com/jobs/view/7' };
    const ids = Object.keys(results);
    const dropped: string[] = [];
    const statuses = readJobPostingStatuses(JobPostingStatusResponse.parse({ results }), ids, (id) =>
      dropped.push(id),
    );
    expect(statuses.map((status) => status.jobPostingUrl)).toEqual([
      ...FOREIGN.map(() => null),
      'https://www.linkedin.com/jobs/view/7',
    ]);
    expect(statuses.every((status) => status.listingStatus === 'LISTED')).toBe(true);
    expect(dropped).toEqual(FOREIGN.map((_, n) => `job-${n}`));
  });
});

describe('linkedin_job_status and its endpoint never keep or serve a foreign URL', () => {
  const ADMIN_TOKEN = 'unit-admin-token-0123456789';
  let jobStore: JobStore;
  let api: Served;

  beforeAll(async () => {
    jobStore = await openEmbeddedJobStore({});
    await jobStore.seedDemoData();
    const app = createApp({
      webhookSecrets: ['unit-webhook-secret'],
      jobStore,
      resyncs: recordingStarter(),
      logger: createLogger('silent'),
      admin: { token: ADMIN_TOKEN, client: new Client() },
      jobStatuses: jobStore.jobStatuses,
    });
    api = await serve(app.callback());
  });

  afterAll(async () => {
    await api?.close();
    await jobStore?.close();
  });

  test.each(FOREIGN)('%s recorded is kept and served as no URL', async (_what, url) => {
    await jobStore.jobStatuses.record(
      DEMO_APPLICATION.urn,
      [{ ...absentStatus('job-1234'), onLinkedIn: true, listingStatus: 'LISTED', jobPostingUrl: url }],
      'NOTIFICATION',
      Date.now(),
    );
    expect(await jobStore.jobStatuses.get(DEMO_APPLICATION.urn, 'job-1234')).toMatchObject({
      listingStatus: 'LISTED',
      jobPostingUrl: null,
    });
    const answer = await fetch(`${api.url}/jobs/12345/job-1234/linkedin-status`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ listingStatus: 'LISTED', jobPostingUrl: null });
  });

  test('a LinkedIn URL is kept and served', async () => {
    const url = 'https://www.linkedin.com/jobs/view/3912345678';
    await jobStore.jobStatuses.record(
      DEMO_APPLICATION.urn,
      [{ ...absentStatus('job-2345'), onLinkedIn: true, listingStatus: 'LISTED', jobPostingUrl: url }],
      'NOTIFICATION',
      Date.now(),
    );
    const answer = await fetch(`${api.url}/jobs/12345/job-2345/linkedin-status`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(await answer.json()).toMatchObject({ jobPostingUrl: url });
  });
});
