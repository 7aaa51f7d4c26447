// Runs every test/**/*.test.ts with node:test through tsx.
// Node 20's `--test` takes no globs, so the files are listed here.
// Usage: node build/run-tests.mjs [substring-filter ...]
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'lint-fixtures' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}

const files = collect(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(2);
}
const started = Date.now();
// Fixtures the files share, made once in this run (test/helpers/run-cache.ts).
const runCache = mkdtempSync(join(tmpdir(), 'keyrite-test-run-'));
const r = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=2',
    // The usual report, then the slowest files (build/slowest-tests-reporter.mjs).
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
    '--test-reporter=./build/slowest-tests-reporter.mjs', '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, KEYRITE_TEST_RUN_CACHE: runCache } },
);
rmSync(runCache, { recursive: true, force: true });
console.log(`tests: ${files.length} files in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(r.status ?? 1);
