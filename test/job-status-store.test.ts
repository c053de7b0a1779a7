import { DEMO_APPLICATION, buildDemoJobs } from '../src/ats/demo-data';
import { openEmbeddedJobStore } from '../src/ats/embedded-store';
import type { JobStore } from '../src/ats/job-store';
import { openPostgresJobStore } from '../src/ats/postgres-store';
import { absentStatus, type LinkedInJobStatus } from '../src/linkedin/job-posting-status';
import { createTestDatabase } from './support/postgres';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

interface OpenedStore {
  store: JobStore;
  reopen: () => Promise<JobStore>;
  dispose: () => Promise<void>;
}

// linkedin_job_status lives in the ATS store: the same statements must hold on PGlite and on PostgreSQL.
const STORES: Array<[string, () => Promise<OpenedStore>]> = [
  [
    'embedded PGlite',
    async () => {
      const store = await openEmbeddedJobStore({});
      return { store, reopen: () => Promise.resolve(store), dispose: () => store.close() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const database = await createTestDatabase('job_status');
      const store = await openPostgresJobStore(database.url);
      const others: JobStore[] = [];
      return {
        store,
        reopen: async () => {
          const other = await openPostgresJobStore(database.url);
          others.push(other);
          return other;
        },
        dispose: async () => {
          await Promise.all([store.close(), ...others.map((other) => other.close())]);
          await database.drop();
        },
      };
    },
  ],
];

function listed(id: string, overrides: Partial<LinkedInJobStatus> = {}): LinkedInJobStatus {
  return {
    ...absentStatus(id),
    onLinkedIn: true,
    jobPostingUrl: `https://www.linkedin.com/jobs/view/${id}`,
    listingStatus: 'LISTED',
    linkedInApplyStatus: 'NOT_ENABLED',
    promotionStatus: 'NOT_PROMOTED',
    listedAt: NOW - 1_000,
    location: 'Berlin, DE',
    ...overrides,
  };
}

describe.each(STORES)('linkedin_job_status on the %s store', (_name, open) => {
  let opened: OpenedStore;

  beforeEach(async () => {
    opened = await open();
    await opened.store.seedDemoData({ now: NOW });
  });

  afterEach(async () => {
    await opened.dispose();
  });

  test('keeps what LinkedIn showed, details and undocumented values included, and serves it back', async () => {
    const statuses = opened.store.jobStatuses;
    await statuses.record(
      DEMO_APPLICATION.urn,
      [
        listed('job-1234', {
          listingStatus: 'NOT_LISTED',
          jobPostingUrl: null,
          listingStatusDetail: {
            errorCode: 3,
            errorType: 'CUSTOMER_ERROR',
            statusMessage: 'Reported by members',
          },
          promotionStatus: 'UNKNOWN',
        }),
        absentStatus('job-2345'),
      ],
      'DRIFT_CHECK',
      NOW,
    );
    expect(await statuses.get(DEMO_APPLICATION.urn, 'job-1234')).toEqual({
      ...listed('job-1234'),
      developerApplicationUrn: DEMO_APPLICATION.urn,
      listingStatus: 'NOT_LISTED',
      jobPostingUrl: null,
      listingStatusDetail: {
        errorCode: 3,
        errorType: 'CUSTOMER_ERROR',
        statusMessage: 'Reported by members',
      },
      promotionStatus: 'UNKNOWN',
      source: 'DRIFT_CHECK',
      checkedAt: NOW,
    });
    expect(await statuses.get(DEMO_APPLICATION.urn, 'job-2345')).toMatchObject({
      onLinkedIn: false,
      listingStatus: null,
    });
    expect(await statuses.get(DEMO_APPLICATION.urn, 'job-9999')).toBeUndefined();
  });

  test('an older reading never replaces a newer one', async () => {
    const statuses = opened.store.jobStatuses;
    await statuses.record(DEMO_APPLICATION.urn, [listed('job-1234')], 'NOTIFICATION', NOW);
    await statuses.record(
      DEMO_APPLICATION.urn,
      [listed('job-1234', { listingStatus: 'NOT_LISTED' })],
      'DRIFT_CHECK',
      NOW - 60_000,
    );
    expect(await statuses.get(DEMO_APPLICATION.urn, 'job-1234')).toMatchObject({
      listingStatus: 'LISTED',
      source: 'NOTIFICATION',
      checkedAt: NOW,
    });
    await statuses.record(
      DEMO_APPLICATION.urn,
      [listed('job-1234', { listingStatus: 'NOT_LISTED' })],
      'DRIFT_CHECK',
      NOW + 60_000,
    );
    expect(await statuses.get(DEMO_APPLICATION.urn, 'job-1234')).toMatchObject({
      listingStatus: 'NOT_LISTED',
    });
  });

  test.each([
    'javascript:alert(1)',
    'http://www.linkedin.com/jobs/view/1',
    'https://evil.example/jobs/view/1',
    'https://linkedin.com.evil.example/jobs/view/1',
  ])('a jobPostingUrl %s is kept as absent, the rest of the reading as it is', async (url) => {
    const statuses = opened.store.jobStatuses;
    await statuses.record(
      DEMO_APPLICATION.urn,
      [listed('job-1234', { jobPostingUrl: url })],
      'NOTIFICATION',
      NOW,
    );
    expect(await statuses.get(DEMO_APPLICATION.urn, 'job-1234')).toMatchObject({
      listingStatus: 'LISTED',
      jobPostingUrl: null,
    });
  });

  test('a reading is written only over one no newer, and says which jobs it wrote', async () => {
    const statuses = opened.store.jobStatuses;
    const urn = DEMO_APPLICATION.urn;
    expect(await statuses.record(urn, [listed('job-1234'), listed('job-2345')], 'DRIFT_CHECK', NOW)).toEqual([
      'job-1234',
      'job-2345',
    ]);
    // The same reading again (a retried activity) is written again; an older one is not.
    expect(await statuses.record(urn, [listed('job-1234')], 'DRIFT_CHECK', NOW)).toEqual(['job-1234']);
    expect(
      await statuses.record(
        urn,
        [listed('job-1234', { listingStatus: 'NOT_LISTED' })],
        'DRIFT_CHECK',
        NOW - 1,
      ),
    ).toEqual([]);
    expect(await statuses.get(urn, 'job-1234')).toMatchObject({ listingStatus: 'LISTED', checkedAt: NOW });
  });

  test('a notification delivered again is a reading of its first delivery: it never replaces what was read since', async () => {
    const statuses = opened.store.jobStatuses;
    const urn = DEMO_APPLICATION.urn;
    const delisted = listed('job-1234', { listingStatus: 'NOT_LISTED', jobPostingUrl: null });
    expect(await statuses.recordNotification(urn, delisted, NOW)).toEqual({ stored: true, readAt: NOW });
    // A drift check asked a minute later: LinkedIn lists the job again.
    expect(await statuses.record(urn, [listed('job-1234')], 'DRIFT_CHECK', NOW + 60_000)).toEqual([
      'job-1234',
    ]);
    // The first notification, delivered again an hour later (or replayed by whoever kept it).
    expect(await statuses.recordNotification(urn, delisted, NOW + 3_600_000)).toEqual({
      stored: false,
      readAt: NOW,
    });
    expect(await statuses.get(urn, 'job-1234')).toMatchObject({
      listingStatus: 'LISTED',
      source: 'DRIFT_CHECK',
      checkedAt: NOW + 60_000,
    });
    // Its delivery again before anything newer, as its retried activity does, still counts as written.
    const promoted = listed('job-2345', { promotionStatus: 'PROMOTED' });
    expect(await statuses.recordNotification(urn, promoted, NOW + 10)).toEqual({
      stored: true,
      readAt: NOW + 10,
    });
    expect(await statuses.recordNotification(urn, promoted, NOW + 20)).toEqual({
      stored: true,
      readAt: NOW + 10,
    });
    // Another notification, first received later, is newer than the drift check.
    expect(await statuses.recordNotification(urn, delisted, NOW + 3_600_000)).toMatchObject({
      stored: false,
    });
    const again = listed('job-1234', { listingStatus: 'NOT_LISTED', promotionStatus: 'UNKNOWN' });
    expect(await statuses.recordNotification(urn, again, NOW + 120_000)).toEqual({
      stored: true,
      readAt: NOW + 120_000,
    });
    // What notifications were first received goes with the application.
    await opened.store.removeApplication(urn);
    await opened.store.seedDemoData({ now: NOW });
    expect(await statuses.recordNotification(urn, delisted, NOW + 3_600_000)).toEqual({
      stored: true,
      readAt: NOW + 3_600_000,
    });
  });

  test('readings written at once, from several connections: the newest stays, whatever order they land in', async () => {
    const urn = DEMO_APPLICATION.urn;
    const stores = [opened.store, await opened.reopen(), await opened.reopen()];
    const times = Array.from({ length: 30 }, (_, n) => NOW + ((n * 7919) % 30) * 1_000);
    const written = await Promise.all(
      times.map((at, n) => {
        const store = stores[n % stores.length]!.jobStatuses;
        const reading = listed('job-1234', { location: `at ${at}` });
        return n % 2 === 0
          ? store.record(urn, [reading], 'DRIFT_CHECK', at)
          : store.recordNotification(urn, reading, at);
      }),
    );
    expect(written.length).toBe(30);
    const newest = Math.max(...times);
    expect(await opened.store.jobStatuses.get(urn, 'job-1234')).toMatchObject({
      checkedAt: newest,
      location: `at ${newest}`,
    });
  });

  test('pages every job of an application, open and closed, in id order', async () => {
    const statuses = opened.store.jobStatuses;
    const expected = buildDemoJobs({ now: NOW })
      .filter((job) => job.developerApplicationUrn === DEMO_APPLICATION.urn)
      .map((job) => job.externalJobPostingId)
      .sort();
    const seen: string[] = [];
    for (;;) {
      const page = await statuses.listJobsToCheck(DEMO_APPLICATION.urn, { after: seen.at(-1), limit: 100 });
      seen.push(...page.map((job) => job.externalJobPostingId));
      if (page.length < 100) break;
    }
    expect(seen).toEqual(expected);
    const [first] = await statuses.listJobsToCheck(DEMO_APPLICATION.urn, { limit: 1 });
    expect(first).toEqual({
      externalJobPostingId: expected[0],
      status: expect.stringMatching(/^(OPEN|CLOSED)$/) as unknown,
      listedAt: expect.any(Number) as unknown,
      location: expect.any(String) as unknown,
    });
    expect(await statuses.listApplicationUrns()).toContain(DEMO_APPLICATION.urn);
  });

  test("an application's statuses go with it, and opening the store again keeps them", async () => {
    const statuses = opened.store.jobStatuses;
    await statuses.record(DEMO_APPLICATION.urn, [listed('job-1234')], 'DRIFT_CHECK', NOW);
    const again = (await opened.reopen()).jobStatuses;
    expect(await again.get(DEMO_APPLICATION.urn, 'job-1234')).toMatchObject({ listingStatus: 'LISTED' });
    await opened.store.removeApplication(DEMO_APPLICATION.urn);
    expect(await statuses.get(DEMO_APPLICATION.urn, 'job-1234')).toBeUndefined();
  });

  test('CHANGED differences: noted by a check, marked re-posted by that check alone, replaced, forgotten, gone with their application', async () => {
    const statuses = opened.store.jobStatuses;
    const urn = DEMO_APPLICATION.urn;
    const austin = {
      externalJobPostingId: 'job-1234',
      atsListedAt: NOW - 1_000,
      atsLocation: 'Austin, TX',
      shownListedAt: NOW - 1_000,
      shownLocation: 'Austin, Texas, United States',
    };
    const later = { ...austin, externalJobPostingId: 'job-2345', shownLocation: null, shownListedAt: NOW };
    await statuses.noteDifferences(urn, 'check-1', [austin, later], NOW);
    expect(await statuses.notedDifferences(urn, ['job-1234', 'job-2345', 'job-3456'])).toEqual([
      { ...austin, notedBy: 'check-1', repairedAt: null },
      { ...later, notedBy: 'check-1', repairedAt: null },
    ]);

    // Another check's repair does not mark what check-1 noted; check-1's does.
    await statuses.markRepaired(urn, 'check-0', ['job-1234'], NOW + 1);
    await statuses.markRepaired(urn, 'check-1', ['job-1234'], NOW + 2);
    const [marked, unmarked] = await statuses.notedDifferences(urn, ['job-1234', 'job-2345']);
    expect(marked).toMatchObject({ repairedAt: NOW + 2 });
    expect(unmarked).toMatchObject({ repairedAt: null });

    // A new difference replaces the old one, not yet re-posted; the same on another store opened on it.
    const moved = { ...austin, atsLocation: 'Dallas, TX', shownLocation: 'Dallas, Texas, United States' };
    await statuses.noteDifferences(urn, 'check-2', [moved], NOW + 3);
    const again = (await opened.reopen()).jobStatuses;
    expect(await again.notedDifferences(urn, ['job-1234'])).toEqual([
      { ...moved, notedBy: 'check-2', repairedAt: null },
    ]);

    await statuses.forgetDifferences(urn, ['job-2345']);
    expect(
      (await statuses.notedDifferences(urn, ['job-1234', 'job-2345'])).map((d) => d.externalJobPostingId),
    ).toEqual(['job-1234']);
    await opened.store.removeApplication(urn);
    expect(await statuses.notedDifferences(urn, ['job-1234'])).toEqual([]);
  });
});
