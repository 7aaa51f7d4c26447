// The Electronegativity gate (build/electronegativity.mjs, `npm run electronegativity`)
// bites: it fails on a window with Node integration and no context isolation, refuses
// inline suppressions, and passes a small hardened app (so it does not simply fail on
// everything). The app itself is scanned by `npm run electronegativity` in `npm test`.
// Offline: the script stubs the tool's HTTP client and refuses every socket connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = new URL('../../../', import.meta.url).pathname;
const SCRIPT = join(repo, 'build/electronegativity.mjs');

interface Finding {
  id: string;
  severity: string;
  toolSeverity?: string;
  file: string;
  line: number;
  outcome: 'fail' | 'allowed' | 'note';
  reason?: string;
}
interface Report {
  ok: boolean;
  files: string[];
  findings: Finding[];
  problems: string[];
  networkAttempts: string[];
  allowList: Array<{ id: string; file: string; reason: string }>;
}

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-eng-test-'));
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function gate(fixture: string): { status: number | null; stdout: string; report: Report } {
  const json = join(work, `${fixture}.json`);
  const r = spawnSync(process.execPath, [SCRIPT, '--input', `test/lint-fixtures/${fixture}`, '--json', json], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  assert.notEqual(r.status, 2, `the gate did not run: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, report: JSON.parse(readFileSync(json, 'utf8')) as Report };
}

const failing = (report: Report) => report.findings.filter((f) => f.outcome === 'fail');
let goodRun: ReturnType<typeof gate> | undefined;
const good = () => (goodRun ??= gate('electronegativity-good'));

test('fails on nodeIntegration: true and contextIsolation: false', () => {
  const { status, stdout, report } = gate('electronegativity-bad');
  assert.equal(status, 1, stdout);
  assert.equal(report.ok, false);
  assert.deepEqual(report.files, ['test/lint-fixtures/electronegativity-bad/main.js']);
  const at = (id: string) => failing(report).find((f) => f.id === id && f.file === 'test/lint-fixtures/electronegativity-bad/main.js');
  const node = at('NODE_INTEGRATION_JS_CHECK');
  assert.ok(node, stdout);
  assert.equal(node.line, 10);
  // The tool rates an explicit nodeIntegration: true as INFORMATIONAL; the gate raises it.
  assert.equal(node.severity, 'HIGH');
  assert.equal(node.toolSeverity, 'INFORMATIONAL');
  const isolation = at('CONTEXT_ISOLATION_JS_CHECK');
  assert.ok(isolation, stdout);
  assert.equal(isolation.line, 11);
  assert.equal(isolation.severity, 'HIGH');
  assert.ok(at('SANDBOX_JS_CHECK'), stdout);
  // The allow-list is for electron/main.ts and the generated window-options probe only.
  assert.deepEqual(report.findings.filter((f) => f.outcome === 'allowed'), []);
  assert.match(stdout, /electronegativity: FAILED/);
});

test('refuses inline eng-disable suppressions', () => {
  const { status, report } = gate('electronegativity-suppressed');
  assert.equal(status, 1);
  assert.ok(
    report.problems.some((p) => p.startsWith('test/lint-fixtures/electronegativity-suppressed/main.js:7:') && p.includes('eng-disable')),
    report.problems.join('\n'),
  );
});

test('passes a small hardened app', () => {
  const { status, stdout, report } = good();
  assert.equal(status, 0, stdout);
  assert.equal(report.ok, true);
  assert.deepEqual(failing(report), []);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.files.sort(), ['test/lint-fixtures/electronegativity-good/index.html', 'test/lint-fixtures/electronegativity-good/main.js']);
});

test('stays offline and every allow-list entry carries a reason', () => {
  const { report } = good();
  // The only thing the tool reaches for is its translation file, and the stub refuses it.
  for (const attempt of report.networkAttempts) assert.match(attempt, /^got https:\/\/electronegativity-i18n\./);
  assert.ok(report.allowList.length > 0 && report.allowList.length <= 8, 'a small allow-list');
  for (const entry of report.allowList) {
    assert.match(entry.id, /^[A-Z_]+_CHECK$/);
    assert.ok(entry.file.startsWith('electron/'), entry.file);
    assert.ok(entry.reason.length >= 80, `${entry.id} on ${entry.file} needs a reason`);
  }
});
