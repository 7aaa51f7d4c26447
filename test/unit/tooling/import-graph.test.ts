// The shape of core/ as its imports draw it (docs/ARCHITECTURE.md "Layers"), every import
// counted, type-only ones too: the verifier imports nothing of the ceremony that writes what
// it checks; no two folders of core/ import each other, even through others; no file imports
// itself back through others; no function of the verifier is longer than about 80 lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

const ROOT = new URL('../../..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const p = join(dir, name);
    return statSync(join(ROOT, p)).isDirectory() ? sources(p) : /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** file → the files of the tree it imports (static, type-only and dynamic imports, re-exports). */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(dir)) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(file), s)));
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const CORE = importGraph('core');
const folderOf = (file: string): string => relative('core', file).split('/').slice(0, -1)[0] ?? '.';

test('no file in core/verifier imports core/ceremony', () => {
  const bad = [...CORE].flatMap(([f, ts]) => (f.startsWith('core/verifier/') ? ts.filter((t) => t.startsWith('core/ceremony/')).map((t) => `${f} → ${t}`) : []));
  assert.deepEqual(bad, []);
});

test('the files of core/ import each other without a cycle, type-only imports included', () => {
  assert.deepEqual(cycles(CORE), []);
});

test('the folders of core/ import each other without a cycle', () => {
  const folders = new Map<string, string[]>();
  for (const [f, targets] of CORE) {
    const from = folderOf(f);
    const list = folders.get(from) ?? [];
    for (const t of targets) if (folderOf(t) !== from && !list.includes(folderOf(t))) list.push(folderOf(t));
    folders.set(from, list);
  }
  assert.deepEqual(cycles(folders), []);
  assert.ok(folders.get('verifier')!.includes('bundle') && folders.get('ceremony')!.includes('bundle'), 'core/bundle is the formats both sides read');
});

test('the test sees a cycle and an edge that runs back up (it would fail on the old graph)', () => {
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
});

test('no function of core/verifier is longer than 80 lines', () => {
  const long: string[] = [];
  for (const file of sources('core/verifier')) {
    const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) && 'body' in n && n.body) {
        const lines = sf.getLineAndCharacterOfPosition(n.getEnd()).line - sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
        if (lines > 80) long.push(`${file}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1} (${lines} lines)`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  assert.deepEqual(long, []);
});
