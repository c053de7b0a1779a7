// `node scripts/build-if-stale.mjs service|tools`: builds only when the output is missing or older than a
// source, so `npm run resync` and the tools start at once from the built JavaScript. Where the sources are
// absent (the production image holds dist/ alone) there is nothing to compare and nothing is built.
// Plain Node and built-ins only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TARGETS = {
  // The last file `npm run build` writes is the workflow bundle.
  service: {
    sources: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    output: 'dist/workflows.bundle.js',
    build: ['run', 'build', '--silent'],
  },
  tools: {
    sources: ['src', 'tools', 'tsconfig.json', 'package-lock.json'],
    output: 'dist-tools/tools/dev/main.js',
    build: ['run', 'build:tools', '--silent'],
  },
};

/** The newest modification time (ms) under the given paths; 0 when none exists. */
function newestSource(paths) {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const path of paths.map((p) => join(root, p))) if (existsSync(path)) visit(path);
  return newest;
}

const name = process.argv[2];
const target = TARGETS[name];
if (target === undefined) {
  console.error(`usage: node scripts/build-if-stale.mjs ${Object.keys(TARGETS).join('|')}`);
  process.exit(2);
}
const output = join(root, target.output);
const sources = newestSource(target.sources);
const stale = !existsSync(output) || (sources > 0 && statSync(output).mtimeMs < sources);
if (stale) {
  if (sources === 0) {
    console.error(`${target.output} is missing and there are no sources to build it from`);
    process.exit(1);
  }
  console.error(
    `[build] ${target.output} is missing or older than the sources: npm ${target.build.join(' ')}`,
  );
  // The build's own output goes to stderr: stdout belongs to the command that runs next.
  const result = spawnSync('npm', target.build, { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
