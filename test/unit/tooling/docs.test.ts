// The docs match the code: every repository path they name in backquotes exists, and every
// Markdown table is one table (a row after a blank line would render as text, outside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../..', import.meta.url).pathname;
const DOCS = [...readdirSync(join(ROOT, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`), 'README.md'];
const TOP = ['core', 'cli', 'electron', 'renderer', 'test', 'build', 'ceremony-scripts', 'docs', 'bin'];

test('every repository path the docs name in backquotes exists', () => {
  const missing: string[] = [];
  for (const doc of DOCS) {
    for (const [, path] of readFileSync(join(ROOT, doc), 'utf8').matchAll(/`([a-z][\w./-]*\.(?:ts|tsx|mjs|cjs|js|yaml|yml|md|json|html))`/g)) {
      if (!TOP.includes(path!.split('/')[0]!) || path!.includes('<') || path!.includes('*')) continue;
      if (!existsSync(join(ROOT, path!))) missing.push(`${doc}: ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every Markdown table is one table', () => {
  const broken: string[] = [];
  for (const doc of DOCS) {
    const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
    lines.forEach((line, i) => {
      // A row that follows a blank line must start a table: its next line is the separator.
      if (line.startsWith('|') && lines[i - 1] === '' && !/^\|\s*:?-/.test(lines[i + 1] ?? '')) broken.push(`${doc}:${i + 1}`);
    });
  }
  assert.deepEqual(broken, []);
});

test('README states the Node versions package.json and Electron\'s installer declare', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const own = /^>=(\d+\.\d+)$/.exec(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node)![1]!;
  assert.ok(readme.includes(`Node.js ≥ ${own}`), `README names Node ≥ ${own}`);
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } }> };
  const electron = /^>=(\d+\.\d+)\.0$/.exec(lock.packages['node_modules/@electron/get']!.engines!.node!)![1]!;
  assert.ok(readme.includes(`Node ≥ ${electron}`), `README names Electron's Node ≥ ${electron}`);
});

test('docs/DESIGN.md is the shared design document, verbatim (compared where the shared folder is next to the clone)', () => {
  const shared = join(ROOT, '..', 'shared', 'DESIGN.md');
  const copy = readFileSync(join(ROOT, 'docs', 'DESIGN.md'), 'utf8');
  assert.match(copy, /^# /);
  if (existsSync(shared)) assert.equal(copy, readFileSync(shared, 'utf8'), 'docs/DESIGN.md differs from ../shared/DESIGN.md: copy it again');
});
