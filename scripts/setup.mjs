// Makes a fresh machine ready for `npm run dev` and `npm test`: installs the npm packages when they are
// missing or stale, and makes the Temporal CLI available (its dev server is a real dependency); for the
// tests also PostgreSQL, Chromium and Temporal's server with its SQL tool (the production configuration).
// `--temporal-server` builds that server alone: the storm benchmark asks for it when it runs on the
// production configuration (`npm run bench -- --storm --temporal production`), so plain setup stays quick.
// Plain Node and built-ins only: it runs before anything is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MIN_VERSION = [1, 5, 1];
const INSTALL_TARGET = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

function log(message) {
  console.log(`[setup] ${message}`);
}

function installPackages() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm packages (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

function capture(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function goBinary() {
  return onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

function atLeast(version) {
  for (let i = 0; i < MIN_VERSION.length; i++) {
    const a = version[i] ?? 0;
    const b = MIN_VERSION[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

// Built with `go install`, the CLI calls itself 0.0.0-DEV; its module version is in the build info.
function cliVersion(path) {
  const printed = capture(path, ['--version']);
  const match = /temporal version (\d+)\.(\d+)\.(\d+)/.exec(printed ?? '');
  if (!match) return undefined;
  const version = match.slice(1, 4).map(Number);
  if (version.some((part) => part !== 0)) return version;
  const go = goBinary();
  const buildInfo = go ? capture(go, ['version', '-m', path]) : undefined;
  const mod = /\bmod\s+github\.com\/temporalio\/cli\s+v(\d+)\.(\d+)\.(\d+)/.exec(buildInfo ?? '');
  return mod ? mod.slice(1, 4).map(Number) : undefined;
}

function goBinDir(go) {
  const gobin = capture(go, ['env', 'GOBIN'])?.trim();
  if (gobin) return gobin;
  return join(capture(go, ['env', 'GOPATH']).trim().split(delimiter)[0], 'bin');
}

function ensureTemporalCli() {
  const go = goBinary();
  const candidates = [process.env.TEMPORAL_CLI, onPath('temporal'), go && join(goBinDir(go), 'temporal')];
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    const version = cliVersion(candidate);
    if (version && atLeast(version)) return candidate;
    log(`${candidate} is version ${version?.join('.') ?? 'unknown'}; need ≥ ${MIN_VERSION.join('.')}`);
  }
  if (!go)
    throw new Error('no Temporal CLI ≥ 1.5.1 found and no Go toolchain to build one (set TEMPORAL_CLI)');
  log(`building the Temporal CLI: go install ${INSTALL_TARGET} (a few minutes the first time)…`);
  run(go, ['install', INSTALL_TARGET], { env: { ...process.env, CGO_ENABLED: '0' } });
  const built = join(goBinDir(go), 'temporal');
  if (!existsSync(built)) throw new Error(`go install succeeded but ${built} is missing`);
  return built;
}

// The production configuration's Temporal server (test/production-temporal.test.ts, the storm benchmark's
// `--temporal production`), the same version as the
// temporalio/server and temporalio/admin-tools images of docker-compose.production.yml.
const TEMPORAL_SERVER_VERSION = 'v1.30.4';
const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';

/** The server module's build info of a binary: its version when it was built from that module. */
function serverModuleVersion(go, path) {
  const buildInfo = capture(go, ['version', '-m', path]);
  return /\bmod\s+go\.temporal\.io\/server\s+(v\S+)/.exec(buildInfo ?? '')?.[1];
}

/**
 * Builds Temporal's server and its SQL tool (`go install`, CGO off) when they are missing, into a directory
 * of their own (the binaries are called `server` and `sql`), and finds the PostgreSQL schema files in the
 * module's source: the tests create Temporal's databases with them as Temporal's admin-tools image does.
 */
function ensureTemporalServer() {
  const go = goBinary();
  if (!go) throw new Error('no Go toolchain to build the Temporal server (the production configuration)');
  const gopath = capture(go, ['env', 'GOPATH']).trim().split(delimiter)[0];
  const binDir = join(gopath, 'temporal-server', TEMPORAL_SERVER_VERSION);
  const server = join(binDir, 'server');
  const sqlTool = join(binDir, 'sql');
  const built = [server, sqlTool].every(
    (path) => existsSync(path) && serverModuleVersion(go, path) === TEMPORAL_SERVER_VERSION,
  );
  if (!built) {
    const targets = ['cmd/server', 'cmd/tools/sql'].map(
      (pkg) => `${TEMPORAL_SERVER_MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION}`,
    );
    log(`building the Temporal server: go install ${targets.join(' ')} (a few minutes the first time)…`);
    const started = Date.now();
    run(go, ['install', ...targets], { env: { ...process.env, CGO_ENABLED: '0', GOBIN: binDir } });
    log(`Temporal server built in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const modCache = capture(go, ['env', 'GOMODCACHE']).trim();
  const moduleDir = join(modCache, `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`);
  if (!existsSync(join(moduleDir, 'schema'))) {
    run(go, ['mod', 'download', `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`]);
  }
  const schema = join(moduleDir, 'schema');
  for (const path of [server, sqlTool, join(schema, 'postgresql', 'v12', 'temporal', 'versioned')]) {
    if (!existsSync(path)) throw new Error(`the Temporal server build left no ${path}`);
  }
  return { server, sqlTool, schema };
}

const PG_ROOT = '/usr/lib/postgresql';

function postgresInstalled() {
  if (!existsSync(PG_ROOT)) return false;
  return readdirSync(PG_ROOT).some((version) => existsSync(join(PG_ROOT, version, 'bin', 'initdb')));
}

let aptUpdated = false;

/**
 * Installs a Debian package the tests need when it is missing: as root with apt-get (CI and the
 * project's machines), otherwise it says what to install.
 */
function ensureDebianPackage(name, installed, why) {
  if (installed()) return;
  const aptGet = onPath('apt-get');
  if (process.getuid?.() !== 0 || !aptGet) {
    log(`${name} is missing: install Debian's ${name} package (${why})`);
    return;
  }
  log(`installing ${name} (apt-get install -y ${name}) for ${why}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // A fresh machine may have no package lists yet.
  if (!aptUpdated) run(aptGet, ['update', '-qq'], { env });
  aptUpdated = true;
  run(aptGet, ['install', '-y', '-qq', name], { env });
  if (!installed()) throw new Error(`${name} installed, but still not found`);
}

const forTests = process.argv.includes('--for-tests');
const withServer = forTests || process.argv.includes('--temporal-server');
installPackages();
if (forTests) {
  ensureDebianPackage('postgresql', postgresInstalled, 'the tests start a throwaway PostgreSQL server');
  ensureDebianPackage('chromium', () => existsSync('/usr/bin/chromium'), 'the Web UI browser test');
  ensureDebianPackage(
    'sqlite3',
    () => onPath('sqlite3') !== undefined,
    "test/dispatch-order.test.ts reads the dev server's SQLite file",
  );
  ensureDebianPackage(
    'prometheus',
    () => onPath('promtool') !== undefined,
    'promtool and the alert rules test',
  );
}
const cli = ensureTemporalCli();
mkdirSync(join(root, '.data'), { recursive: true });
// The dev runner and the test setup read the resolved path from here.
writeFileSync(join(root, '.data', 'temporal-cli-path'), cli);
log(`Temporal CLI: ${cli}`);
if (withServer) {
  const temporalServer = ensureTemporalServer();
  writeFileSync(join(root, '.data', 'temporal-server-path'), temporalServer.server);
  writeFileSync(join(root, '.data', 'temporal-sql-tool-path'), temporalServer.sqlTool);
  writeFileSync(join(root, '.data', 'temporal-schema-dir'), temporalServer.schema);
  log(`Temporal server ${TEMPORAL_SERVER_VERSION}: ${temporalServer.server}`);
}
