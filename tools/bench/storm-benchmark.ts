/**
 * `npm run bench -- --storm [--apps N --jobs M --latency MS --store postgres|embedded --workers 1|2
 * --temporal dev|production --small K --throttle --knee --json FILE]`: N applications notified within a
 * few seconds, each a sync-all of M jobs, on the production path (storm-rig.ts), on the Temporal dev server
 * or on Temporal's server on PostgreSQL as deployed (storm-temporal.ts). Prints each storm's figures (storm-report.ts) and
 * writes them to JSON (.data/bench/storm-<time>.json unless --json names a file). With --knee, storms of
 * growing N on one rig until the p99 passes the deadline, a resync misses it, or the CPU is spent. With
 * --traced, the same storm twice on one rig, the API and the worker(s) tracing off, then on.
 * A benchmark, not a test: it reports; it exits 1 only when a job was lost or the run failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { machineReport } from './measure';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from '../project-root';
import { kneeStopOf, type StormFigures } from './storm-measures';
import { parseStormOptions } from './storm-options';
import { renderKnee, renderStorm, renderTracingCost, type KneeStep } from './storm-report';
import { StormRig } from './storm-rig';
import type { TemporalDescription } from './storm-temporal';
import { runStorm, SMALL_JOBS, STORM_BASE } from './storm-run';

export async function runStormBenchmark(argv: string[]): Promise<void> {
  const options = parseStormOptions(argv);
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  const stops: Array<() => Promise<unknown>> = [];
  const storms: StormFigures[] = [];
  const knee: KneeStep[] = [];
  let temporal: TemporalDescription | undefined;
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping…`);
      void stopAll(stops).finally(() => process.exit(130));
    });
  }
  try {
    const rig = new StormRig(options, stops);
    await rig.start();
    temporal = rig.temporal.description;
    let base = STORM_BASE;
    const steps = options.knee
      ? options.kneeSteps
      : options.traced
        ? [options.apps, options.apps]
        : [options.apps];
    for (const [step, apps] of steps.entries()) {
      if (interrupted) break;
      const traced = options.traced && step === 1;
      if (options.traced) await rig.traceFrom(traced);
      const spansBefore = rig.spansExported();
      const figures = await runStorm(rig, apps, base);
      if (options.traced) figures.tracing = { on: traced, spansExported: rig.spansExported() - spansBefore };
      base += apps + options.small;
      storms.push(figures);
      console.log(`\n${renderStorm(figures, options, temporal)}\n`);
      if (!options.knee) continue;
      const stop = kneeStopOf(figures, options.deadlineMs);
      knee.push({ apps, figures, stop });
      if (stop !== undefined) break;
    }
    if (options.knee) console.log(`${renderKnee(knee, options.deadlineMs)}\n`);
    const [off, on] = storms;
    if (options.traced && off && on) console.log(`${renderTracingCost(off, on, options)}\n`);
  } finally {
    await stopAll(stops);
  }
  const outFile = options.json
    ? resolve(options.json)
    : join(projectRoot(), '.data', 'bench', `storm-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(outFile), { recursive: true });
  const report = {
    startedAt: startedAt.toISOString(),
    machine: machineReport(loadAverageAtStart),
    options: { ...options, smallJobs: SMALL_JOBS },
    /** Which Temporal ran, as it reported itself. */
    temporal: temporal ?? { configuration: options.temporal },
    storms,
    knee: options.knee
      ? {
          steps: knee.map(({ apps, stop }) => ({ apps, stop: stop ?? null })),
          at: knee.find((k) => k.stop)?.apps ?? null,
        }
      : undefined,
  };
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Figures written to ${outFile}`);
  if (storms.some((storm) => storm.linkedin.jobsLost > 0)) process.exitCode = 1;
}

async function stopAll(stops: Array<() => Promise<unknown>>): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => console.error(error));
}
