// Makes a fresh machine ready for `npm run dev` and `npm test`: installs the npm packages when they are
// missing or stale, and makes the Temporal CLI available (its dev server is a real dependency).
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
installPackages();
if (forTests) {
  ensureDebianPackage('postgresql', postgresInstalled, 'the tests start a throwaway PostgreSQL server');
  ensureDebianPackage('chromium', () => existsSync('/usr/bin/chromium'), 'the Web UI browser test');
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
