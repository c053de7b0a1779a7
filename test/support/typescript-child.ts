import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

// Compiles .ts files on require with SWC, as Jest's transform does, then runs the file named first.
const RUN_TYPESCRIPT = `
const { transformFileSync } = require('@swc/core');
require.extensions['.ts'] = (module, file) =>
  module._compile(
    transformFileSync(file, {
      swcrc: false,
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    }).code,
    file,
  );
process.env.RUN_AS_MAIN ? require('node:module').runMain() : require(process.argv[1]);
`;

export interface TypeScriptChild {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** Runs a TypeScript file of this repository in a Node process of its own, for tests that need two processes. */
export function spawnTypeScript(
  file: string,
  args: string[] = [],
  options: { env?: Record<string, string>; asMain?: boolean } = {},
): TypeScriptChild {
  const child = spawn(process.execPath, ['-e', RUN_TYPESCRIPT, file, ...args], {
    cwd: ROOT,
    // asMain: run as Node's main module, so a file's `require.main === module` entry point (main()) runs.
    env: { PATH: process.env.PATH ?? '', ...options.env, ...(options.asMain ? { RUN_AS_MAIN: '1' } : {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}
