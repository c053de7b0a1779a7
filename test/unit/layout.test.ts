/**
 * The service and its tools live apart: src/ is what the production image runs and never imports tools/
 * (the sandbox, bench and dev launcher), which import src/. ESLint refuses such an import too; this test
 * holds even where lint is not run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of import, export … from and require() in a file. */
function relativeSpecifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)];
  return found.map((match) => match[1] ?? '');
}

test('no service file imports from tools/', () => {
  const files = typeScriptFiles(join(ROOT, 'src'));
  expect(files.length).toBeGreaterThan(40);
  const offending = files.flatMap((file) =>
    relativeSpecifiers(file)
      .map((specifier) => relative(ROOT, resolve(dirname(file), specifier)))
      .filter((target) => !target.startsWith(`src`))
      .map((target) => `${relative(ROOT, file)} → ${target}`),
  );
  expect(offending).toEqual([]);
});

test('the sandbox, the bench and the dev launcher are under tools/, built apart from the service', () => {
  const src = readdirSync(join(ROOT, 'src'));
  for (const tool of ['sandbox', 'bench', 'dev']) {
    expect({ tool, inSrc: src.includes(tool) }).toEqual({ tool, inSrc: false });
    expect(typeScriptFiles(join(ROOT, 'tools', tool)).length).toBeGreaterThan(0);
  }
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
    include: string[];
    compilerOptions: { rootDir: string };
  };
  expect(build.include).toEqual(['src']);
  expect(build.compilerOptions.rootDir).toBe('src');
});

test('the tools import the service and each other, never test code', () => {
  const offending = typeScriptFiles(join(ROOT, 'tools')).flatMap((file) =>
    relativeSpecifiers(file)
      .map((specifier) => relative(ROOT, resolve(dirname(file), specifier)))
      .filter((target) => !target.startsWith('src') && !target.startsWith('tools'))
      .map((target) => `${relative(ROOT, file)} → ${target}`),
  );
  expect(offending).toEqual([]);
});
