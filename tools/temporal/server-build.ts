import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTemporalCli } from '../dev/temporal-dev-server';
import { projectRoot } from '../project-root';

/**
 * Temporal's own server (v1.30.4) as `node scripts/setup.mjs --for-tests` (or `--temporal-server`) builds it
 * from the Go module proxy and records it in .data/: the server, its SQL tool and schema files, and the CLI.
 * tools/temporal/production-server.ts runs it.
 */
const ROOT = projectRoot();
const RECORDED = ['temporal-server-path', 'temporal-sql-tool-path', 'temporal-schema-dir'] as const;

export interface TemporalServerBuild {
  server: string;
  sqlTool: string;
  schemaDir: string;
  cli: string;
}

/** What `node scripts/setup.mjs --for-tests` (or `--temporal-server`) built and recorded in .data/. */
export function temporalServerBuild(): TemporalServerBuild {
  const recorded = (name: (typeof RECORDED)[number]) => {
    try {
      return readFileSync(join(ROOT, '.data', name), 'utf8').trim();
    } catch {
      throw new Error(`.data/${name} is missing: run \`node scripts/setup.mjs --for-tests\` (npm test does)`);
    }
  };
  return {
    server: recorded('temporal-server-path'),
    sqlTool: recorded('temporal-sql-tool-path'),
    schemaDir: recorded('temporal-schema-dir'),
    cli: resolveTemporalCli(ROOT, process.env),
  };
}

/** Whether setup recorded a server build whose files are still there. */
function builtAlready(): boolean {
  return RECORDED.every((name) => {
    try {
      return existsSync(readFileSync(join(ROOT, '.data', name), 'utf8').trim());
    } catch {
      return false;
    }
  });
}

/**
 * The server build, built first when missing (`node scripts/setup.mjs --temporal-server`: `go install`
 * from the Go module proxy, a few minutes the first time). For `npm run bench`, whose setup (plain
 * `setup.mjs`, as `npm run dev`'s) does not build the server.
 */
export function ensureTemporalServerBuild(log: (message: string) => void): TemporalServerBuild {
  if (!builtAlready()) {
    log(
      "Temporal's server is not built here yet: building it (node scripts/setup.mjs --temporal-server; " +
        'a few minutes the first time)…',
    );
    const setup = spawnSync(process.execPath, [join(ROOT, 'scripts', 'setup.mjs'), '--temporal-server'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (setup.status !== 0)
      throw new Error(
        `building Temporal's server failed (node scripts/setup.mjs --temporal-server exited ${setup.status ?? setup.signal})`,
      );
  }
  return temporalServerBuild();
}
