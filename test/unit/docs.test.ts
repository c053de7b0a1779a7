/**
 * The README is a one-screen start that links the reference in docs/: every link between them points at a
 * file that exists and, with an anchor, at one of its headings.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1] ?? '')));
}

test('every relative link of the README and the docs points at a file, and a heading, that exist', () => {
  const broken: string[] = [];
  let links = 0;
  for (const page of PAGES) {
    const file = join(ROOT, page);
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      links++;
      const [path = '', anchor] = target.split('#');
      const linked = path === '' ? file : resolve(dirname(file), path);
      if (!existsSync(linked)) broken.push(`${page} → ${target}: no ${relative(ROOT, linked)}`);
      else if (anchor !== undefined && linked.endsWith('.md') && !anchorsOf(linked).has(anchor))
        broken.push(`${page} → ${target}: no such heading`);
    }
  }
  expect(broken).toEqual([]);
  expect(links).toBeGreaterThan(10);
});

test('the README stays a one-screen start and links every reference page', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(readme.length).toBeLessThan(12_000);
  for (const page of PAGES.filter((name) => name.startsWith('docs/'))) {
    expect({ page, linked: readme.includes(`](${page})`) }).toEqual({ page, linked: true });
  }
  for (const section of ['## Two commands', '## Layout', '## Where a change goes'])
    expect(readme).toContain(section);
});
