/**
 * `npm run bench -- --sizes 1000,10000,100000 --latency 100`: how a sync-all resync of N jobs behaves end
 * to end, against LinkedIn's sequential floor (posting calls × the latency). One Temporal dev server (in memory) for the whole run; per N, the LinkedIn sandbox in this process and the
 * worker in a child process of its own (bench-worker.ts) with N synthetic jobs in a PGlite store on disk,
 * so the worker's memory is measured alone. Prints a table and writes the figures to
 * .data/bench/results-<timestamp>.json. A benchmark, not a test: it reports, it does not assert; a size whose
 * resync does not end as expected is flagged in the table and the script exits 1.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { buildWorkflowBundle } from '../../src/workflow-bundle';
import { resolveTemporalCli, startTemporalDevServer } from '../dev/temporal-dev-server';
import { projectRoot } from '../project-root';
import { benchmarkSize, log } from './benchmark-size';
import { runFloorBenchmark } from './floor/floor-benchmark';
import { runIntakeBenchmark } from './intake-benchmark';
import { runStormBenchmark } from './storm-benchmark';
import { runTenantsBenchmark } from './tenants-benchmark';
import type { SizeResult } from './figures';
import { within } from './measure';
import { DETAIL_COLUMNS, LEGEND, MAIN_COLUMNS, renderTable } from './report';
import {
  CHILD_STEP_TIMEOUT_MS,
  DEADLINE_MS,
  FOLLOW_UP_WINDOW_MS,
  NAMESPACE,
  RPC_TIMEOUT_MS,
  SAMPLE_EVERY_MS,
  TASK_COMPLETION_MS,
} from './settings';
import { devServerConnectionOptions } from '../../src/temporal-connection';

const ROOT = projectRoot();
const DEFAULT_SIZES = [1_000, 10_000];

/** `--sizes 1000,10000` and `--latency MS` (the sandbox's answer time for each posting, 0 by default). */
function parseOptions(argv: string[]): { sizes: number[]; latencyMs: number } {
  const { values } = parseArgs({
    args: argv,
    options: { sizes: { type: 'string' }, latency: { type: 'string' } },
    strict: true,
  });
  const latencyMs = Number(values.latency ?? 0);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new Error(`--latency takes a number of milliseconds, e.g. 100; got ${values.latency}`);
  }
  return { sizes: parseSizes(values.sizes), latencyMs };
}

function parseSizes(text: string | undefined): number[] {
  if (text === undefined) return DEFAULT_SIZES;
  const sizes = text.split(',').map((text) => Number(text.trim().replace(/_/g, '')));
  for (const size of sizes) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new Error(`--sizes takes positive integers separated by commas, e.g. 1000,10000; got ${text}`);
    }
  }
  return sizes;
}

async function main(): Promise<void> {
  if (process.argv.includes('--tenants')) {
    await runTenantsBenchmark(process.argv.slice(2));
    return;
  }
  if (process.argv.includes('--storm')) {
    await runStormBenchmark(process.argv.slice(2));
    return;
  }
  if (process.argv.includes('--floor')) {
    await runFloorBenchmark(process.argv.slice(2));
    return;
  }
  if (process.argv.includes('--intake')) {
    await runIntakeBenchmark(process.argv.slice(2));
    return;
  }
  const { sizes, latencyMs } = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse())
      await stop().catch((error: unknown) => console.error(error));
  };
  const onInterrupt = new Set<() => void>();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping…`);
      for (const undo of onInterrupt) undo();
      void stopAll().finally(() => process.exit(130));
    });
  }

  const results: SizeResult[] = [];
  try {
    const sizeList = sizes.map((n) => n.toLocaleString('en-US')).join(', ');
    console.log(`Resync benchmark: sizes ${sizeList}; LinkedIn answers each posting after ${latencyMs} ms`);
    const bundleDir = mkdtempSync(join(tmpdir(), 'resync-bench-bundle-'));
    stops.push(() => Promise.resolve(rmSync(bundleDir, { recursive: true, force: true })));
    const workflowBundlePath = join(bundleDir, 'workflows.js');
    // Bundled (as production's is) while the server starts; a failure surfaces once the server can be stopped.
    const bundling = buildWorkflowBundle(workflowBundlePath);
    bundling.catch(() => undefined);
    const server = await startTemporalDevServer({
      cliPath: resolveTemporalCli(ROOT, process.env),
      startTimeoutMs: 90_000,
    });
    stops.push(() => server.stop());
    await within(CHILD_STEP_TIMEOUT_MS, 'bundling the workflows', bundling);

    const connection = await within(
      RPC_TIMEOUT_MS,
      'connecting',
      Connection.connect(devServerConnectionOptions(server.address)),
    );
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: NAMESPACE });
    console.log(`Temporal dev server on ${server.address}; workflows bundled once`);

    for (const jobs of sizes) {
      const result = await benchmarkSize(jobs, {
        client,
        temporalAddress: server.address,
        workflowBundlePath,
        latencyMs,
        onInterrupt,
      });
      if (result.error) log(jobs, `FAILED: ${result.error}`);
      else if (!result.ok) log(jobs, `finished with problems: ${result.problems.join('; ')}`);
      results.push(result);
    }
  } finally {
    await stopAll();
  }

  console.log(
    ['', renderTable(MAIN_COLUMNS, results), '', renderTable(DETAIL_COLUMNS, results), '', LEGEND, ''].join(
      '\n',
    ),
  );
  const outDir = join(ROOT, '.data', 'bench');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `results-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const report = {
    startedAt: startedAt.toISOString(),
    machine: { cpus: cpus().length, totalMemoryBytes: totalmem(), node: process.version },
    settings: {
      deadlineMs: DEADLINE_MS,
      followUpWindowMs: FOLLOW_UP_WINDOW_MS,
      sandboxTaskCompletionMs: TASK_COMPLETION_MS,
      postingLatencyMs: latencyMs,
      memorySampleEveryMs: SAMPLE_EVERY_MS,
    },
    results,
  };
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Figures written to ${outFile}`);
  if (results.some((result) => result.error !== undefined || !result.ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
