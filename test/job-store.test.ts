import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  DEMO_APPLICATION,
  DEMO_SAMPLE_JOB_IDS,
  SECOND_DEMO_APPLICATION,
  buildDemoJobs,
} from '../src/ats/demo-data';
import { CREATE_CLAIM_TTL_MS } from '../src/ats/create-claims';
import { openEmbeddedJobStore } from '../src/ats/embedded-store';
import { openJobStore } from '../src/ats/open-job-store';
import { openLanes } from '../src/worker';
import { PostgresLanes } from '../src/ats/postgres-lanes';
import { openPostgresJobStore } from '../src/ats/postgres-store';
import type { AtsJob, DeveloperApplication, JobStore } from '../src/ats/job-store';
import { freePort } from '../tools/dev/ports';
import { jobElement } from '../src/linkedin/elements';
import { validateElement } from '../tools/sandbox/element-rules';
import { eventually } from './support/eventually';
import { createTestDatabase } from './support/postgres';
import { spawnTypeScript, type TypeScriptChild } from './support/typescript-child';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/**
 * What LinkedIn would refuse in an ATS job, by the service's own mapping (a job it cannot send) and then the
 * rules the LinkedIn sandbox applies to every element it receives (test/unit/sandbox.test.ts covers those rules).
 */
function linkedInViolations(job: AtsJob, now: number): string[] {
  // Whose job it is decides only the owner fields, which every application fills.
  const mapped = jobElement(job, DEMO_APPLICATION, 'UPDATE', now);
  if ('problem' in mapped) return [`${job.externalJobPostingId}: ${mapped.problem}`];
  return validateElement(mapped.element, now).errors.map((error) => `${job.externalJobPostingId}: ${error}`);
}

async function allOpenJobIds(
  store: JobStore,
  urn: string,
  limit: number,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  for (;;) {
    const page = await store.listOpenJobIds(urn, { after: ids.at(-1), limit });
    pages += 1;
    ids.push(...page);
    if (page.length < limit) return { ids, pages };
  }
}

function byId(a: AtsJob, b: AtsJob): number {
  return a.externalJobPostingId < b.externalJobPostingId ? -1 : 1;
}

/** How many applications, and jobs of the demo ids, the store holds (through its port). */
async function counts(store: JobStore): Promise<{ applications: number; jobs: number }> {
  const ids = [...new Set(buildDemoJobs({ now: NOW }).map((job) => job.externalJobPostingId))];
  const applications = await store.listApplicationSecrets();
  let jobs = 0;
  for (const { urn } of applications) jobs += (await store.loadJobs(urn, ids)).length;
  return { applications: applications.length, jobs };
}

function testApplication(id: number, companyName: string): DeveloperApplication {
  return {
    urn: `urn:li:developerApplication:${id}`,
    clientId: `client-${id}`,
    clientSecret: `secret-${id}`,
    integrationContext: `urn:li:organization:${id}`,
    companyName,
  };
}

const demoJobs = buildDemoJobs({ now: NOW });
const jobsOf = (urn: string) => demoJobs.filter((job) => job.developerApplicationUrn === urn).sort(byId);
const openIdsOf = (urn: string) =>
  jobsOf(urn)
    .filter((job) => job.status === 'OPEN')
    .map((job) => job.externalJobPostingId);

interface OpenedStore {
  store: JobStore;
  /** Closes the store and removes what it kept. */
  dispose: () => Promise<void>;
}

// The same suite runs against both stores: the same schema and statements must behave the same.
const STORES: Array<[string, () => Promise<OpenedStore>]> = [
  [
    'embedded PGlite',
    async () => {
      const store = await openEmbeddedJobStore({});
      return { store, dispose: () => store.close() };
    },
  ],
  [
    'PostgreSQL server',
    async () => {
      const database = await createTestDatabase('job_store');
      const store = await openPostgresJobStore(database.url);
      return {
        store,
        dispose: async () => {
          await store.close();
          await database.drop();
        },
      };
    },
  ],
];

describe.each(STORES)('the %s job store', (_name, open) => {
  let store: JobStore;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ store, dispose } = await open());
    await store.seedDemoData({ now: NOW });
  });

  afterAll(async () => {
    await dispose();
  });

  describe('getApplication', () => {
    test('returns the demo application with its credentials and integration context', async () => {
      await expect(store.getApplication(DEMO_APPLICATION.urn)).resolves.toEqual({
        urn: 'urn:li:developerApplication:12345',
        clientId: 'demo-child-client-id',
        clientSecret: 'demo-child-client-secret',
        integrationContext: 'urn:li:organization:2414183',
        companyName: 'Acme Robotics',
      });
    });

    test('returns a null integration context as null', async () => {
      await expect(store.getApplication(SECOND_DEMO_APPLICATION.urn)).resolves.toEqual(
        SECOND_DEMO_APPLICATION,
      );
    });

    test('returns undefined for an application the ATS does not know', async () => {
      await expect(store.getApplication('urn:li:developerApplication:404')).resolves.toBeUndefined();
    });
  });

  describe('listApplicationSecrets', () => {
    test("lists every application's urn and client secret, for the webhook's signature checks", async () => {
      const listed = await store.listApplicationSecrets();
      for (const app of [DEMO_APPLICATION, SECOND_DEMO_APPLICATION]) {
        expect(listed).toContainEqual({ urn: app.urn, clientSecret: app.clientSecret });
      }
    });
  });

  describe('listOpenJobIds', () => {
    test('pages through every open job in ascending id order without gaps or repeats', async () => {
      const expected = openIdsOf(DEMO_APPLICATION.urn);
      expect(expected.length).toBeGreaterThanOrEqual(253);

      for (const limit of [1, 7, 100, 1000]) {
        const { ids, pages } = await allOpenJobIds(store, DEMO_APPLICATION.urn, limit);
        expect(ids).toEqual(expected);
        expect(pages).toBe(Math.floor(expected.length / limit) + 1);
      }
    });

    test("excludes closed jobs and other applications' jobs", async () => {
      const { ids } = await allOpenJobIds(store, DEMO_APPLICATION.urn, 100);
      const closed = jobsOf(DEMO_APPLICATION.urn).filter((job) => job.status === 'CLOSED');
      expect(closed.length).toBeGreaterThan(0);
      for (const job of closed) expect(ids).not.toContain(job.externalJobPostingId);
      expect(ids).toEqual(expect.arrayContaining([...DEMO_SAMPLE_JOB_IDS]));

      const second = await allOpenJobIds(store, SECOND_DEMO_APPLICATION.urn, 10);
      expect(second.ids).toEqual(openIdsOf(SECOND_DEMO_APPLICATION.urn));
      expect(second.ids).not.toContain('job-1234');
    });

    test('returns an empty page after the last id and for an unknown application', async () => {
      const { ids } = await allOpenJobIds(store, DEMO_APPLICATION.urn, 500);
      await expect(
        store.listOpenJobIds(DEMO_APPLICATION.urn, { after: ids.at(-1), limit: 10 }),
      ).resolves.toEqual([]);
      await expect(store.listOpenJobIds('urn:li:developerApplication:404', { limit: 10 })).resolves.toEqual(
        [],
      );
    });

    test('starts after an id the ATS does not hold', async () => {
      await expect(
        store.listOpenJobIds(DEMO_APPLICATION.urn, { after: 'job-1000a', limit: 2 }),
      ).resolves.toEqual(['job-1001', 'job-1002']);
    });

    test('rejects a limit that is not a positive integer', async () => {
      await expect(store.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 0 })).rejects.toThrow(RangeError);
      await expect(store.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 2.5 })).rejects.toThrow(RangeError);
    });
  });

  describe('countOpenJobs', () => {
    test('counts the open jobs of one application, up to the bound', async () => {
      const open = openIdsOf(DEMO_APPLICATION.urn).length;
      await expect(store.countOpenJobs(DEMO_APPLICATION.urn, 10_000)).resolves.toBe(open);
      await expect(store.countOpenJobs(DEMO_APPLICATION.urn, open)).resolves.toBe(open);
      await expect(store.countOpenJobs(DEMO_APPLICATION.urn, 101)).resolves.toBe(101);
      await expect(store.countOpenJobs(DEMO_APPLICATION.urn, 1)).resolves.toBe(1);
      await expect(store.countOpenJobs(SECOND_DEMO_APPLICATION.urn, 10_000)).resolves.toBe(
        openIdsOf(SECOND_DEMO_APPLICATION.urn).length,
      );
      await expect(store.countOpenJobs('urn:li:developerApplication:404', 10)).resolves.toBe(0);
    });

    test('rejects a bound that is not a positive integer', async () => {
      await expect(store.countOpenJobs(DEMO_APPLICATION.urn, 0)).rejects.toThrow(RangeError);
      await expect(store.countOpenJobs(DEMO_APPLICATION.urn, 2.5)).rejects.toThrow(RangeError);
    });
  });

  describe('loadJobs', () => {
    test('returns open and closed jobs exactly as they were seeded', async () => {
      for (const app of [DEMO_APPLICATION, SECOND_DEMO_APPLICATION]) {
        const expected = jobsOf(app.urn);
        const loaded = await store.loadJobs(
          app.urn,
          expected.map((job) => job.externalJobPostingId),
        );
        expect(loaded).toEqual(expected);
        expect(loaded.some((job) => job.status === 'CLOSED')).toBe(true);
        expect(typeof loaded[0]?.listedAt).toBe('number');
      }
    });

    test('omits ids the ATS does not hold and returns each job once', async () => {
      const loaded = await store.loadJobs(DEMO_APPLICATION.urn, [
        'job-2345',
        'job-does-not-exist',
        'job-1234',
        'job-2345',
      ]);
      expect(loaded.map((job) => job.externalJobPostingId)).toEqual(['job-1234', 'job-2345']);
      await expect(store.loadJobs(DEMO_APPLICATION.urn, [])).resolves.toEqual([]);
      await expect(store.loadJobs('urn:li:developerApplication:404', ['job-1234'])).resolves.toEqual([]);
    });

    test("never returns another application's job, even under the same id", async () => {
      const [acme] = await store.loadJobs(DEMO_APPLICATION.urn, ['job-1000']);
      const [globex] = await store.loadJobs(SECOND_DEMO_APPLICATION.urn, ['job-1000']);
      expect(acme?.developerApplicationUrn).toBe(DEMO_APPLICATION.urn);
      expect(globex?.developerApplicationUrn).toBe(SECOND_DEMO_APPLICATION.urn);
      expect(globex?.companyApplyUrl).toContain('globex-logistics');
      expect(globex?.title).not.toBe(acme?.title);

      await expect(store.loadJobs(SECOND_DEMO_APPLICATION.urn, [...DEMO_SAMPLE_JOB_IDS])).resolves.toEqual(
        [],
      );
    });
  });

  describe('demo data', () => {
    test('seeding again changes nothing', async () => {
      const before = await counts(store);
      const [job1234] = await store.loadJobs(DEMO_APPLICATION.urn, ['job-1234']);

      await expect(store.seedDemoData({ now: NOW + 86_400_000 })).resolves.toEqual({ seeded: false });

      expect(await counts(store)).toEqual(before);
      await expect(store.loadJobs(DEMO_APPLICATION.urn, ['job-1234'])).resolves.toEqual([job1234]);
    });

    test('holds LinkedIn sample ids as open jobs of the demo application', async () => {
      const loaded = await store.loadJobs(DEMO_APPLICATION.urn, [...DEMO_SAMPLE_JOB_IDS]);
      expect(loaded.map((job) => [job.externalJobPostingId, job.status])).toEqual([
        ['job-1234', 'OPEN'],
        ['job-2345', 'OPEN'],
        ['job-3456', 'OPEN'],
      ]);
    });

    test("every demo job satisfies LinkedIn's rules for a job posting", async () => {
      for (const app of [DEMO_APPLICATION, SECOND_DEMO_APPLICATION]) {
        const ids = jobsOf(app.urn).map((job) => job.externalJobPostingId);
        const loaded = await store.loadJobs(app.urn, ids);
        expect(loaded).toHaveLength(ids.length);
        expect(loaded.flatMap((job) => linkedInViolations(job, NOW))).toEqual([]);
      }
    });

    test('demo jobs vary in title, location and workplace type', () => {
      const acme = jobsOf(DEMO_APPLICATION.urn);
      expect(new Set(acme.map((job) => job.title)).size).toBeGreaterThan(50);
      const locations = new Set(acme.map((job) => job.location));
      for (const city of ['San Francisco, CA', 'London, GB', 'Berlin, DE']) expect(locations).toContain(city);
      expect(new Set(acme.map((job) => job.workplaceType))).toEqual(
        new Set(['On-site', 'Hybrid', 'Remote', null]),
      );
    });
  });

  describe('CREATE claims (linkedin_creates)', () => {
    const urn = DEMO_APPLICATION.urn;

    test('a job is claimed once: another claimant is told who sent its CREATE and when, the first may claim again', async () => {
      const first = await store.creates.claim(urn, ['claim-a', 'claim-b'], 'resync-1/run-1', NOW);
      expect(first).toEqual({ claimed: ['claim-a', 'claim-b'], sentBefore: [] });
      const second = await store.creates.claim(urn, ['claim-b', 'claim-c'], 'resync-2/run-1', NOW + 1_000);
      expect(second).toEqual({
        claimed: ['claim-c'],
        sentBefore: [{ externalJobPostingId: 'claim-b', sentBy: 'resync-1/run-1', sentAt: NOW }],
      });
      // A retry of the first claimant's activity is the same claimant.
      expect((await store.creates.claim(urn, ['claim-a'], 'resync-1/run-1', NOW + 2_000)).claimed).toEqual([
        'claim-a',
      ]);
    });

    test('claims run at once on one job give it to one claimant only', async () => {
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.creates.claim(urn, ['claim-race'], `resync-${i}/run`, NOW)),
      );
      expect(claims.filter((claim) => claim.claimed.length === 1)).toHaveLength(1);
    });

    test('a released claim, or one older than an hour, may be taken by another claimant', async () => {
      await store.creates.claim(urn, ['claim-d', 'claim-e'], 'resync-3/run-1', NOW);
      await store.creates.release(urn, ['claim-d'], 'resync-4/run-1');
      expect((await store.creates.claim(urn, ['claim-d'], 'resync-4/run-1', NOW)).claimed).toEqual([]);
      await store.creates.release(urn, ['claim-d'], 'resync-3/run-1');
      expect((await store.creates.claim(urn, ['claim-d'], 'resync-4/run-1', NOW)).claimed).toEqual([
        'claim-d',
      ]);
      const later = NOW + CREATE_CLAIM_TTL_MS + 1;
      expect((await store.creates.claim(urn, ['claim-e'], 'resync-4/run-1', later)).claimed).toEqual([
        'claim-e',
      ]);
    });
  });

  describe('synthetic jobs', () => {
    test('insertSyntheticJobs of 10,000 jobs pages back as 10,000 distinct ids in order', async () => {
      const app = testApplication(99001, 'Initech');
      await store.ensureApplication(app);
      await store.insertSyntheticJobs(app.urn, 10_000, { now: NOW });

      const { ids } = await allOpenJobIds(store, app.urn, 100);
      expect(ids).toHaveLength(10_000);
      expect(new Set(ids).size).toBe(10_000);
      expect(ids[0]).toBe('syn-000001');
      expect(ids.at(-1)).toBe('syn-010000');
      expect([...ids].sort()).toEqual(ids);
    });

    test("synthetic jobs satisfy LinkedIn's rules and every closedEvery-th one is closed", async () => {
      const app = testApplication(99002, 'Umbrella & Sons');
      await store.ensureApplication(app);
      await store.insertSyntheticJobs(app.urn, 300, { idPrefix: 'ext-', closedEvery: 10, now: NOW });

      const { ids } = await allOpenJobIds(store, app.urn, 100);
      expect(ids).toHaveLength(270);
      expect(ids).not.toContain('ext-000010');

      const all = Array.from({ length: 300 }, (_, k) => `ext-${String(k + 1).padStart(6, '0')}`);
      const loaded = await store.loadJobs(app.urn, all);
      expect(loaded).toHaveLength(300);
      expect(loaded.filter((job) => job.status === 'CLOSED')).toHaveLength(30);
      expect(loaded.flatMap((job) => linkedInViolations(job, NOW))).toEqual([]);
      expect(loaded[0]?.description).toContain('Umbrella &amp; Sons');
      expect(loaded[0]?.description).toContain('ext-000001');
    });

    test('insertSyntheticJobs refuses an application the ATS does not know', async () => {
      await expect(store.insertSyntheticJobs('urn:li:developerApplication:404', 5)).rejects.toThrow(
        /unknown developer application/,
      );
    });

    test('ensureApplication updates the credentials of an existing application', async () => {
      const app = testApplication(99003, 'Hooli');
      await store.ensureApplication(app);
      await store.ensureApplication({ ...app, clientSecret: 'rotated', integrationContext: null });
      await expect(store.getApplication(app.urn)).resolves.toEqual({
        ...app,
        clientSecret: 'rotated',
        integrationContext: null,
      });
    });
  });
});

describe('embedded store on disk', () => {
  test('keeps its data when reopened from the same dataDir, and closes twice without error', async () => {
    const root = await mkdtemp(join(tmpdir(), 'job-store-'));
    const dataDir = join(root, 'nested', 'ats');
    try {
      const first = await openEmbeddedJobStore({ dataDir });
      try {
        await expect(first.seedDemoData({ now: NOW })).resolves.toEqual({ seeded: true });
      } finally {
        await first.close();
      }

      const second = await openEmbeddedJobStore({ dataDir });
      try {
        await expect(second.getApplication(DEMO_APPLICATION.urn)).resolves.toEqual(DEMO_APPLICATION);
        await expect(second.loadJobs(DEMO_APPLICATION.urn, ['job-1234'])).resolves.toEqual(
          jobsOf(DEMO_APPLICATION.urn).filter((job) => job.externalJobPostingId === 'job-1234'),
        );
        const { ids } = await allOpenJobIds(second, DEMO_APPLICATION.urn, 100);
        expect(ids).toEqual(openIdsOf(DEMO_APPLICATION.urn));
        await expect(second.seedDemoData()).resolves.toEqual({ seeded: false });
        await second.close();
        await expect(second.close()).resolves.toBeUndefined();
      } finally {
        await second.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('embedded store opened by a second process', () => {
  let root: string;
  let dataDir: string;
  const holders: TypeScriptChild[] = [];

  /** Another process with the store open, until its stdin ends. */
  async function holdInAnotherProcess(): Promise<TypeScriptChild> {
    const holder = spawnTypeScript(join(__dirname, 'support', 'hold-embedded-store.ts'), [dataDir]);
    holders.push(holder);
    await eventually(() => expect(holder.output()).toContain('open\n'), 60_000);
    return holder;
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'job-store-'));
    dataDir = join(root, 'ats');
  });

  afterEach(async () => {
    for (const holder of holders.splice(0)) {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    await rm(root, { recursive: true, force: true });
  });

  test('the second process refuses to open it, naming DATABASE_URL, until the first closed it', async () => {
    const holder = await holdInAnotherProcess();
    const refusal = openEmbeddedJobStore({ dataDir });
    await expect(refusal).rejects.toThrow('DATABASE_URL');
    await expect(refusal).rejects.toThrow(`process ${holder.child.pid}`);

    holder.child.stdin?.end();
    await expect(holder.exited).resolves.toBe(0);
    const store = await openEmbeddedJobStore({ dataDir });
    await expect(store.seedDemoData({ now: NOW })).resolves.toEqual({ seeded: true });
    await store.close();
  });

  test('a process that died with the store open does not keep the next one out', async () => {
    const holder = await holdInAnotherProcess();
    holder.child.kill('SIGKILL');
    await holder.exited;

    const store = await openEmbeddedJobStore({ dataDir });
    await expect(store.getApplication(DEMO_APPLICATION.urn)).resolves.toBeUndefined();
    await store.close();
  });

  test('one process opening it twice is refused the same way', async () => {
    const first = await openEmbeddedJobStore({ dataDir });
    try {
      await expect(openEmbeddedJobStore({ dataDir })).rejects.toThrow('DATABASE_URL');
    } finally {
      await first.close();
      await first.close();
    }
    const again = await openEmbeddedJobStore({ dataDir });
    await again.close();
  });
});

describe('PostgreSQL store', () => {
  test('stores opened at once on a new database all find the schema ready', async () => {
    const database = await createTestDatabase('job_store');
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresJobStore(database.url)));
      try {
        const [first, ...others] = stores;
        if (first === undefined) throw new Error('no store opened');
        await expect(first.seedDemoData({ now: NOW })).resolves.toEqual({ seeded: true });
        for (const other of others) {
          await expect(other.getApplication(DEMO_APPLICATION.urn)).resolves.toEqual(DEMO_APPLICATION);
          await expect(other.seedDemoData({ now: NOW })).resolves.toEqual({ seeded: false });
        }
      } finally {
        await Promise.all(stores.map((opened) => opened.close()));
      }
    } finally {
      await database.drop();
    }
  });

  test('DATABASE_URL selects it, with lanes on advisory locks beside it', async () => {
    const database = await createTestDatabase('job_store');
    try {
      const config = { databaseUrl: database.url, dataDir: '/nonexistent' };
      const api = await openJobStore(config);
      const worker = { jobStore: await openJobStore(config), ...openLanes(config) };
      try {
        await expect(api.getApplication(DEMO_APPLICATION.urn)).resolves.toBeUndefined();
        expect(worker.lanes).toBeInstanceOf(PostgresLanes);
        await expect(
          worker.lanes.run(DEMO_APPLICATION.urn, new AbortController().signal, () =>
            worker.jobStore.listOpenJobIds(DEMO_APPLICATION.urn, { limit: 10 }),
          ),
        ).resolves.toEqual([]);
      } finally {
        await api.close();
        await Promise.all([worker.jobStore.close(), worker.close()]);
        await expect(worker.jobStore.close()).resolves.toBeUndefined();
      }
    } finally {
      await database.drop();
    }
  });

  test('errors carry neither the password nor the values of a failing row', async () => {
    const secret = 'never-in-a-log';
    const refused = await openPostgresJobStore(
      `postgres://ats:${secret}@127.0.0.1:${await freePort()}/ats`,
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(inspect(refused, { depth: 5 })).not.toContain(secret);

    const malformed = await openPostgresJobStore(`postgres://ats:${secret}@[127.0.0.1/ats`).catch(
      (error: unknown) => error,
    );
    expect(malformed).toEqual(new Error('DATABASE_URL is not a postgres:// or postgresql:// URL'));
    expect(inspect(malformed, { depth: 5 })).not.toContain(secret);

    const database = await createTestDatabase('job_store');
    const store = await openPostgresJobStore(database.url);
    try {
      const app = { ...testApplication(99004, 'Vandelay'), clientSecret: secret };
      const failed = await store
        .ensureApplication({
          ...app,
          companyName: null as unknown as string,
        })
        .catch((error: unknown) => error);
      expect(failed).toMatchObject({
        code: '23502',
        table: 'developer_applications',
        column: 'company_name',
      });
      expect(inspect(failed, { depth: 5 })).not.toContain(secret);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
