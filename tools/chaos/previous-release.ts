/**
 * The previous release of the service, built from git history into .data/chaos/releases/<commit>/ (kept
 * for the next run): the newest release whose histories test/fixtures/histories holds, unless named. The
 * build reuses this checkout's node_modules.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceBuild } from './rig';

function git(root: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

/** Whether `commit` runs the same workflow and activity code as HEAD's. */
function sameServiceCode(root: string, commit: string): boolean {
  try {
    git(root, ['diff', '--quiet', commit, 'HEAD', '--', 'src']);
    return true;
  } catch {
    return false;
  }
}

/**
 * The commit to build: `ref` when given, else the newest recorded release that HEAD descends from and whose
 * service code differs from HEAD's.
 */
export function previousReleaseCommit(root: string, ref: string | undefined): string {
  if (ref !== undefined) return git(root, ['rev-parse', '--verify', `${ref}^{commit}`]);
  const releases = readdirSync(join(root, 'test', 'fixtures', 'histories'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      try {
        const commit = git(root, ['rev-parse', '--verify', `${entry.name}^{commit}`]);
        git(root, ['merge-base', '--is-ancestor', commit, 'HEAD']);
        // This build's own histories (recorded by HEAD or a commit with the same service code) are not a
        // release before it.
        if (sameServiceCode(root, commit)) return [];
        return [{ commit, time: Number(git(root, ['log', '-1', '--format=%ct', commit])) }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.time - a.time);
  const newest = releases[0];
  if (newest === undefined)
    throw new Error('no release of test/fixtures/histories is in this clone’s git history');
  return newest.commit;
}

/** Builds (once) the release at `commit`; its dist/ holds worker.js, api/main.js and the workflow bundle. */
export function buildRelease(root: string, commit: string): ServiceBuild {
  const dir = join(root, '.data', 'chaos', 'releases', commit.slice(0, 12));
  const label = commit.slice(0, 7);
  const build = { label, distDir: join(dir, 'dist'), cwd: dir };
  if (existsSync(join(dir, 'dist', 'workflows.bundle.js'))) return build;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git -C "${root}" archive ${commit} | tar -x -C "${dir}"`], {
    stdio: 'inherit',
  });
  if (archive.status !== 0) throw new Error(`git archive ${commit} failed`);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: dir,
      stdio: ['ignore', 2, 2],
    },
  );
  if (tsc.status !== 0) throw new Error(`building release ${label} failed (tsc)`);
  const bundle = spawnSync(process.execPath, [join(dir, 'dist', 'build-workflow-bundle.js')], {
    cwd: dir,
    stdio: ['ignore', 2, 2],
  });
  if (bundle.status !== 0) throw new Error(`bundling the workflows of release ${label} failed`);
  return build;
}
