const { openEmbeddedJobStore } = require('./ats/embedded-store.js');
const { seedDemoData, insertSyntheticJobs, ensureApplication, DEMO_APPLICATION } = require('./ats/demo-data.js');
const os = require('node:os'), path = require('node:path'), fs = require('node:fs');
const t = () => performance.now();
(async () => {
  for (const dataDir of [undefined, path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ats-smoke-')), 'ats')]) {
    let s = t(); const store = await openEmbeddedJobStore(dataDir ? { dataDir } : {}); const open = t() - s;
    s = t(); const r = await seedDemoData(store.db); const seed = t() - s;
    const app = { urn: 'urn:li:developerApplication:1', clientId: 'a', clientSecret: 'b', integrationContext: null, companyName: 'Initech' };
    await ensureApplication(store.db, app);
    s = t(); await insertSyntheticJobs(store.db, app.urn, 10000); const ins10k = t() - s;
    s = t(); let after, n = 0; for (;;) { const p = await store.listOpenJobIds(app.urn, { after, limit: 100 }); n += p.length; if (p.length < 100) break; after = p.at(-1); } const page10k = t() - s;
    s = t(); const jobs = await store.loadJobs(app.urn, Array.from({length:100},(_,k)=>`syn-${String(k+1).padStart(6,'0')}`)); const load100 = t() - s;
    const app2 = { ...app, urn: 'urn:li:developerApplication:2' }; await ensureApplication(store.db, app2);
    s = t(); await insertSyntheticJobs(store.db, app2.urn, 100000); const ins100k = t() - s;
    s = t(); after = undefined; let m = 0; for (;;) { const p = await store.listOpenJobIds(app2.urn, { after, limit: 100 }); m += p.length; if (p.length < 100) break; after = p.at(-1); } const page100k = t() - s;
    console.log({ dataDir: dataDir ?? 'memory', open, seeded: r.seeded, seed, ins10k, page10k, n, load100, loaded: jobs.length, listedAtType: typeof jobs[0].listedAt, ins100k, page100k, m });
    s = t(); await store.close(); console.log('close', t() - s);
    if (dataDir) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
})().catch((e) => { console.error(e); process.exit(1); });
