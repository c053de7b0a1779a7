/**
 * `npm run chaos [-- --only <scenario>[,<scenario>] --quick --fault-seconds N --previous <git ref>]`: the
 * production path under faults. The built API and worker as child processes, a Temporal dev server on a
 * SQLite file, a throwaway PostgreSQL as the job store, the LinkedIn sandbox over HTTP. Each scenario ends
 * by judging from the sandbox's record of calls: every notification answered 200 had all its jobs reach
 * LinkedIn, no job was CREATEd twice, no call carried an id twice. Prints a table, writes
 * .data/chaos/results-<time>.json, exits 1 when a scenario failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveTemporalCli } from '../dev/temporal-dev-server';
import { projectRoot } from '../project-root';
import { badInput, redelivery } from './intake-scenarios';
import { linkedinFaults, tokenRevocation } from './linkedin-scenarios';
import { buildRelease, previousReleaseCommit } from './previous-release';
import { temporalRestart, workerKill } from './process-scenarios';
import { newRelease } from './release-scenario';
import { LEGEND, renderTable, type ScenarioRow } from './report';
import { Rig, type ServiceBuild } from './rig';
import type { Scenario, ScenarioContext } from './scenario';

const ROOT = projectRoot();
const SCENARIOS: readonly Scenario[] = [
  workerKill,
  temporalRestart,
  linkedinFaults,
  tokenRevocation,
  redelivery,
  newRelease,
  badInput,
];

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'fault-seconds': { type: 'string' },
      previous: { type: 'string' },
    },
    strict: true,
  });
  const names = values.only?.split(',').map((name) => name.trim());
  const unknown = names?.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  const faultSeconds =
    values['fault-seconds'] === undefined ? (values.quick ? 15 : 60) : Number(values['fault-seconds']);
  if (!Number.isFinite(faultSeconds) || faultSeconds <= 0)
    throw new Error('--fault-seconds takes a positive number');
  return {
    scenarios:
      names === undefined ? SCENARIOS : SCENARIOS.filter((scenario) => names.includes(scenario.name)),
    quick: values.quick,
    faultSeconds,
    previous: values.previous,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const runDir = join(ROOT, '.data', 'chaos', `run-${stamp}`);
  mkdirSync(runDir, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const log = (message: string) =>
    console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}`);
  const current: ServiceBuild = { label: 'current', distDir: join(ROOT, 'dist'), cwd: ROOT };
  let previousBuild: Promise<ServiceBuild | { unavailable: string }> | undefined;
  const previous = () =>
    (previousBuild ??= Promise.resolve().then(() => {
      try {
        const commit = previousReleaseCommit(ROOT, options.previous);
        log(`building the previous release ${commit.slice(0, 7)} (once; kept under .data/chaos/releases)`);
        return buildRelease(ROOT, commit);
      } catch (error) {
        return { unavailable: (error as Error).message };
      }
    }));

  const rig = new Rig({
    root: ROOT,
    runDir,
    temporalCli: resolveTemporalCli(ROOT, process.env),
    databaseUrl: process.env.DATABASE_URL || undefined,
  });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      console.error(`\n${signal}: stopping…`);
      void rig.close().finally(() => process.exit(130));
    });
  }
  const rows: ScenarioRow[] = [];
  const load = { atStart: loadavg(), atEnd: [] as number[] };
  let applicationNumber = 770_000;
  try {
    log(
      `starting Temporal (SQLite file), PostgreSQL, the sandbox, the built worker and API (logs in ${runDir})`,
    );
    await rig.start(current);
    const context: ScenarioContext = {
      rig,
      quick: options.quick,
      faultSeconds: options.faultSeconds,
      current,
      previous,
      root: ROOT,
      nextApplicationNumber: () => ++applicationNumber,
      log,
    };
    for (const scenario of options.scenarios) {
      if (stopping) break;
      log(`${scenario.name}: ${scenario.title}`);
      const started = Date.now();
      const row: ScenarioRow = { name: scenario.name, seconds: 0, result: undefined, error: undefined };
      try {
        row.result = await scenario.run(context);
      } catch (error) {
        row.error = (error as Error).stack ?? String(error);
        log(`${scenario.name} stopped with an error: ${row.error}`);
      }
      row.seconds = (Date.now() - started) / 1000;
      rows.push(row);
      for (const problem of row.result?.problems ?? []) log(`${scenario.name}: ${problem}`);
      log(
        `${scenario.name}: ${row.error ? 'ERROR' : row.result?.problems.length ? 'FAIL' : 'ok'} in ${row.seconds.toFixed(0)} s`,
      );
      await rig.ensure(current);
    }
  } finally {
    load.atEnd = loadavg();
    await rig.close();
  }

  console.log(['', renderTable(rows), '', LEGEND, ''].join('\n'));
  const outFile = join(ROOT, '.data', 'chaos', `results-${stamp}.json`);
  const report = {
    startedAt: startedAt.toISOString(),
    options: { ...options, scenarios: options.scenarios.map((scenario) => scenario.name) },
    machine: { cpus: cpus().length, totalMemoryBytes: totalmem(), node: process.version, loadAverage: load },
    scenarios: rows.map((row) => ({ name: row.name, seconds: row.seconds, error: row.error, ...row.result })),
  };
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Figures written to ${outFile}; process logs in ${runDir}`);
  if (rows.some((row) => row.error !== undefined || (row.result?.problems.length ?? 0) > 0))
    process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
