// A second process for test/job-store.test.ts: opens the embedded store in the directory given, says
// "open", and closes it when its stdin ends.
import { openEmbeddedJobStore } from '../../src/ats/embedded-store';

async function main(): Promise<void> {
  const store = await openEmbeddedJobStore({ dataDir: process.argv[2] });
  process.stdout.write('open\n');
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
