const { openEmbeddedJobStore } = require('./ats/embedded-store.js');
const { seedDemoData } = require('./ats/demo-data.js');
const os = require('node:os'), path = require('node:path'), fs = require('node:fs');
(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-reopen-')); const dataDir = path.join(root, 'a', 'b');
  let s = performance.now(); let st = await openEmbeddedJobStore({ dataDir }); console.log('first open', performance.now() - s);
  console.log(await seedDemoData(st.db)); s = performance.now(); await st.close(); console.log('close', performance.now() - s);
  s = performance.now(); st = await openEmbeddedJobStore({ dataDir }); console.log('reopen', performance.now() - s);
  console.log(await seedDemoData(st.db), (await st.listOpenJobIds('urn:li:developerApplication:12345', { limit: 3 })));
  await st.close(); await st.close().catch((e) => console.log('second close:', e.message)); console.log('second close ok?');
  fs.rmSync(root, { recursive: true, force: true });
})().catch((e) => { console.error(e); process.exit(1); });
