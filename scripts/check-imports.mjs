// Holds the import structure of src/ and tools/ (docs/development.md, "Limits the linter holds"):
// no import cycle, type-only imports included (a cycle of types is still two modules that cannot be read
// apart), and the folders' directions. Reads the imports with TypeScript's own preprocessor and resolver.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const options = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node10 };

/** Folder a file may not import from, and why. */
const FORBIDDEN = [
  ['src/', 'tools/', 'the service never imports the development tools'],
  ['src/api/', 'src/workflows/', 'the API speaks to workflows through src/contract only'],
  ['src/cli/', 'src/workflows/', 'the CLI speaks to workflows through src/contract only'],
  ['src/api/', 'src/drift/workflow/', 'the API speaks to workflows through src/contract only'],
  ['src/cli/', 'src/drift/workflow/', 'the CLI speaks to workflows through src/contract only'],
  ['src/linkedin/', 'src/ats/', "LinkedIn's client knows nothing of the ATS"],
];

function files(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const sources = [...files('src'), ...files('tools')];
const known = new Set(sources);
const edges = new Map();
for (const file of sources) {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  const targets = new Set();
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const resolved = ts.resolveModuleName(fileName, join(root, file), options, ts.sys).resolvedModule;
    const target = resolved && relative(root, resolved.resolvedFileName);
    if (target && known.has(target)) targets.add(target);
  }
  edges.set(file, [...targets]);
}

const problems = [];
for (const [file, targets] of edges)
  for (const target of targets)
    for (const [from, to, why] of FORBIDDEN)
      if (file.startsWith(from) && target.startsWith(to)) problems.push(`${file} imports ${target}: ${why}`);

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
const stack = [];
const state = new Map();
function visit(file) {
  const node = { index, low: index, onStack: true };
  index++;
  state.set(file, node);
  stack.push(file);
  for (const target of edges.get(file) ?? []) {
    const seen = state.get(target);
    if (!seen) node.low = Math.min(node.low, visit(target).low);
    else if (seen.onStack) node.low = Math.min(node.low, seen.index);
  }
  if (node.low === node.index) {
    const component = [];
    for (let top; top !== file;) {
      top = stack.pop();
      state.get(top).onStack = false;
      component.push(top);
    }
    if (component.length > 1) problems.push(`import cycle: ${component.sort().join(' ↔ ')}`);
  }
  return node;
}
for (const file of sources) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`check-imports: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  process.exit(1);
}
console.log(`check-imports: ${sources.length} files, no cycle, directions held`);
