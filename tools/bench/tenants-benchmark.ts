/**
 * `npm run bench -- --tenants`: does one application's large resync delay the others? One Temporal dev
 * server; the LinkedIn sandbox in a process of its own (LinkedIn is not on the worker's CPU); the worker
 * process (tenants-worker.ts: the resync workers and their in-memory PGlite store), as production runs
 * `node dist/worker.js`; and this process, which only sends the load (starting resyncs as the API does)
 * and measures. Small applications' notifications arrive throughout a window, first alone, then beside
 * one application's sync-all of many jobs; for each small resync the time from receipt to its last UPDATE
 * call answered by LinkedIn's side is measured. Then the worker's idle CPU with and without 10,000 drift
 * schedules. A benchmark, not a test: it reports, it does not assert. Figures go to
 * .data/bench/tenants-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { machineReport } from './measure';
import { join } from 'node:path';
import { projectRoot } from '../project-root';
import { idleSchedules } from './tenants-idle-schedules';
import { besideLargeResync } from './tenants-large-phase';
import { parseTenantsOptions } from './tenants-options';
import { startTenantsRig } from './tenants-rig';
import { smallPhase } from './tenants-small-phase';

const ROOT = projectRoot();

export async function runTenantsBenchmark(argv: string[]): Promise<void> {
  const options = parseTenantsOptions(argv);
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const rig = await startTenantsRig(options, stops);

    console.log(`Phase 1: ${options.smallApps} small resyncs over ${options.windowMs / 1000} s, alone`);
    const alone = await smallPhase(rig, 'alone-');
    console.log(`  p50 ${alone.p50Ms} ms, p99 ${alone.p99Ms} ms`);
    console.log(JSON.stringify({ ...alone, series: undefined }));

    const { beside, besideWhileSending, large } = await besideLargeResync(rig);

    const schedules = options.schedules > 0 ? await idleSchedules(rig) : null;

    const report = {
      startedAt: startedAt.toISOString(),
      machine: machineReport(loadAverageAtStart),
      processes: 'the bench (load and measurement), the LinkedIn sandbox, the worker: one each',
      options,
      small: {
        alone,
        beside,
        p99Ratio: alone.p99Ms && beside.p99Ms ? beside.p99Ms / alone.p99Ms : null,
        besideWhileSending,
        p99RatioWhileSending:
          alone.p99Ms && besideWhileSending.p99Ms ? besideWhileSending.p99Ms / alone.p99Ms : null,
      },
      large,
      schedules,
    };
    console.log(JSON.stringify(report, null, 2));
    const outDir = join(ROOT, '.data', 'bench');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `tenants-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Figures written to ${outFile}`);
  } finally {
    for (const stop of stops.splice(0).reverse())
      await stop().catch((error: unknown) => console.error(error));
  }
}
