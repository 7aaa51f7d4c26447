// The Node adapter: each script in its own worker thread under a watchdog, files read with
// clear errors, and the worker entry found both from source (tsx) and from an esbuild bundle.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { auditScriptsError, resolveAuditWorker, runAuditScriptInWorker, runAuditScripts } from '../../../core/node/audit-runner.ts';
import { auditLoadAllowanceMs, serializeAuditBundle } from '../../../core/audit/sandbox.ts';
import { AUDIT_SCRIPTS, FIXTURES, REPO, assertErrorKind, goodCeremony, rejectsCode, view } from './helpers.ts';

const bundle = view(goodCeremony());
const ESBUILD_NODE = { bundle: true, platform: 'node' as const, format: 'esm' as const, target: 'node20', packages: 'external' as const, logLevel: 'error' as const };

// Most tests use the worker built once the way build/build.mjs builds it (a worker started
// through tsx compiles TypeScript at every start); the source path has its own tests below.
// Written under dist/ so that the external packages resolve from the repository's node_modules.
let builtDir = '';
let builtWorker: { workerUrl: URL } = { workerUrl: new URL('file:///unset') };
before(async () => {
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  builtDir = mkdtempSync(join(REPO, 'dist', '.audit-worker-test-'));
  await esbuild.build({ ...ESBUILD_NODE, entryPoints: [`${REPO}core/node/audit-worker.ts`], outfile: join(builtDir, 'audit-worker.mjs') });
  builtWorker = { workerUrl: pathToFileURL(join(builtDir, 'audit-worker.mjs')) };
});
after(() => rmSync(builtDir, { recursive: true, force: true }));

function tempScripts(files: Record<string, string | Uint8Array>): { dir: string; paths: string[]; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-audit-scripts-'));
  const paths = Object.entries(files).map(([name, content]) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  });
  return { dir, paths, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('from source, the runner loads the worker through tsx', () => {
  const w = resolveAuditWorker();
  assert.equal(w.mode, 'source');
  assert.match(w.url.pathname, /core\/node\/audit-worker\.ts$/);
});

test('the example scripts run in workers (loaded from source through tsx) and pass on a good ceremony', async () => {
  const paths = ['every-trustee-checked-in.js', 'no-unwitnessed-deviation.js', 'ceremony-within-one-day.js'].map((f) => `${AUDIT_SCRIPTS}${f}`);
  const runs = await runAuditScripts(paths, bundle);
  assert.equal(runs.length, 3);
  for (const r of runs) {
    assert.equal(r.error, undefined, `${r.fileName}: ${r.error?.message}`);
    assert.equal(r.ok, true, JSON.stringify(r.checks));
    assert.ok(r.checks.every((c) => c.name.startsWith(`audit:${r.fileName}: `)));
  }
  assert.equal(auditScriptsError(runs), undefined);
});

test('script errors and timeouts come back as results; auditScriptsError turns them into AUDIT_SCRIPT_ERROR', async () => {
  const t = tempScripts({
    'good.js': `check('fine', true)`,
    'loop.js': `check('before', true); while (true) {}`,
    'throws.js': `throw new Error('nope')`,
    'binary.js': Uint8Array.from([0xff, 0xfe, 0x00, 0x41, 0xc3]),
    'recursion.js': `function f() { return f() + 1 } f()`,
    'bom.js': `\uFEFFcheck('bom stripped', true)`,
  });
  try {
    const runs = await runAuditScripts(t.paths, bundle, { timeMs: 300 }, builtWorker);
    const by = Object.fromEntries(runs.map((r) => [r.fileName, r]));
    assert.equal(by['good.js']!.ok, true);
    assertErrorKind(by['loop.js']!, 'timeout', /time limit of 300 ms and was stopped/);
    assert.equal(by['loop.js']!.checks.length, 1, 'checks before the timeout are kept');
    assertErrorKind(by['throws.js']!, 'exception', /Error: nope/);
    assertErrorKind(by['binary.js']!, 'invalid-script', /not UTF-8/);
    assertErrorKind(by['recursion.js']!, 'stack', /too deeply/);
    assert.equal(by['bom.js']!.ok, true, by['bom.js']!.error?.message);
    assert.equal(runs[0]!.path, t.paths[0]);
    const e = auditScriptsError(runs);
    assert.equal(e?.code, 'AUDIT_SCRIPT_ERROR');
    assert.match(e!.message, /^4 audit scripts did not complete: loop\.js: timeout/);
  } finally {
    t.done();
  }
});

test('each script runs in a fresh worker and runtime', async () => {
  const t = tempScripts({
    'a-pollute.js': `globalThis.leak = 1; Object.prototype.polluted = 1; check('polluted', true)`,
    'b-clean.js': `check('no leak', typeof leak === 'undefined' && ({}).polluted === undefined)`,
  });
  try {
    const runs = await runAuditScripts(t.paths, bundle, {}, builtWorker);
    assert.deepEqual(
      runs.map((r) => [r.fileName, r.ok]),
      [
        ['a-pollute.js', true],
        ['b-clean.js', true],
      ],
    );
  } finally {
    t.done();
  }
});

test('the watchdog kills a worker that hangs past the time limit plus grace', async () => {
  const json = serializeAuditBundle(bundle);
  const r = await runAuditScriptInWorker({ source: `check('x', true)`, fileName: 'hang.js' }, json, { timeMs: 200, graceMs: 100 }, { workerUrl: pathToFileURL(`${FIXTURES}hanging-worker.mjs`) });
  assertErrorKind(r, 'timeout', /time limit of 200 ms \(plus 100 ms grace\) and its worker was stopped/);
  const silent = await runAuditScriptInWorker({ source: `check('x', true)`, fileName: 'silent.js' }, json, { startupMs: 300 }, { workerUrl: pathToFileURL(`${FIXTURES}silent-worker.mjs`) });
  assertErrorKind(silent, 'crash', /did not start within 300 ms/);
});

test('while the bundle data loads, the watchdog allows for its size, then stops a worker that hangs', async () => {
  const json = serializeAuditBundle(bundle);
  const r = await runAuditScriptInWorker({ source: `check('x', true)`, fileName: 'hang-while-loading.js' }, json, { graceMs: 100 }, { workerUrl: pathToFileURL(`${FIXTURES}hanging-worker.mjs`) });
  assertErrorKind(r, 'timeout', new RegExp(`Loading the bundle data \\(${json.length} characters of JSON\\) did not finish within its allowance of ${auditLoadAllowanceMs(json.length)} ms \\(plus 100 ms grace\\)`));
});

test('a script the watchdog has to stop still reports the checks it recorded', async () => {
  // The real worker, with the sandbox's own deadline out of reach (as if its interrupt
  // handler had failed): only the runner's watchdog can stop the script's endless loop.
  const outfile = join(builtDir, 'no-deadline-worker.mjs');
  const contents = `import { workerData } from 'node:worker_threads';
    workerData.limits = { ...workerData.limits, timeMs: 600_000 };
    await import(${JSON.stringify(`${REPO}core/node/audit-worker.ts`)});`;
  await esbuild.build({ ...ESBUILD_NODE, stdin: { contents, resolveDir: REPO, sourcefile: 'no-deadline-worker.ts', loader: 'ts' }, outfile });
  const source = `check('recorded first', true); check('recorded second', false, 'seen before the loop'); for (;;) {}`;
  const r = await runAuditScriptInWorker({ source, fileName: 'endless.js' }, serializeAuditBundle(bundle), { timeMs: 300, graceMs: 0 }, { workerUrl: pathToFileURL(outfile) });
  assertErrorKind(r, 'timeout', /time limit of 300 ms \(plus 0 ms grace\) and its worker was stopped/);
  assert.deepEqual(r.checks, [
    { name: 'audit:endless.js: recorded first', ok: true, reason: '' },
    { name: 'audit:endless.js: recorded second', ok: false, reason: 'seen before the loop' },
  ]);
});

test('a worker that exhausts its V8 heap is stopped by its resource limits; a forged result is refused', async () => {
  const json = serializeAuditBundle(bundle);
  const greedy = await runAuditScriptInWorker({ source: `check('x', true)`, fileName: 'greedy.js' }, json, { timeMs: 20_000 }, {
    workerUrl: pathToFileURL(`${FIXTURES}greedy-worker.mjs`),
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  assertErrorKind(greedy, 'memory', /ran out of memory/);
  const lying = await runAuditScriptInWorker({ source: `check('x', true)`, fileName: 'liar.js' }, json, {}, { workerUrl: pathToFileURL(`${FIXTURES}lying-worker.mjs`) });
  assertErrorKind(lying, 'crash', /malformed result/);
  assert.deepEqual(lying.checks, []);
});

test('unreadable files, bad names and bad inputs are refused before any script runs', async () => {
  const t = tempScripts({ 'ok.js': `check('x', true)`, 'bad name.js': `check('x', true)` });
  const folder = join(t.dir, 'folder.js');
  mkdirSync(folder);
  try {
    await rejectsCode(runAuditScripts([join(t.dir, 'missing.js')], bundle), 'IO_ERROR', /missing\.js": no such file/);
    await rejectsCode(runAuditScripts([folder], bundle), 'IO_ERROR', /is not a file/);
    await rejectsCode(runAuditScripts([t.paths[1]!], bundle), 'USAGE', /file name "bad name\.js"/);
    await rejectsCode(runAuditScripts([t.paths[0]!, t.paths[0]!], bundle), 'USAGE', /Two audit scripts are named "ok\.js"/);
    await rejectsCode(runAuditScripts([t.paths[0]!], bundle, { graceMs: -1 }), 'INVALID_INPUT', /graceMs/);
    await rejectsCode(runAuditScripts([t.paths[0]!], bundle, { timeMs: 0 }), 'INVALID_INPUT', /timeMs/);
    await rejectsCode(runAuditScripts([t.paths[0]!], { ...bundle, transcript: 'x' } as never), 'INVALID_INPUT', /transcript/);
    await rejectsCode(runAuditScripts('x' as never, bundle), 'INVALID_INPUT');
  } finally {
    t.done();
  }
});

test('from an esbuild bundle (as dist/cli is built), the runner starts audit-worker.mjs next to it, without tsx', async () => {
  // Same options as build/build.mjs's cli target.
  const out = mkdtempSync(join(REPO, 'dist', '.audit-bundle-test-'));
  try {
    const entry = join(out, 'entry.ts');
    writeFileSync(
      entry,
      `import { resolveAuditWorker, runAuditScripts } from ${JSON.stringify(`${REPO}core/node/audit-runner.ts`)};
       const runs = await runAuditScripts([process.argv[2]], JSON.parse(process.argv[3]));
       process.stdout.write(JSON.stringify({ mode: resolveAuditWorker().mode, runs }));`,
    );
    await esbuild.build({ ...ESBUILD_NODE, entryPoints: [entry], outfile: join(out, 'app.mjs') });
    await esbuild.build({ ...ESBUILD_NODE, entryPoints: [`${REPO}core/node/audit-worker.ts`], outfile: join(out, 'audit-worker.mjs') });
    const r = spawnSync(process.execPath, [join(out, 'app.mjs'), `${AUDIT_SCRIPTS}ceremony-within-one-day.js`, JSON.stringify(bundle)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { mode: string; runs: { ok: boolean; error?: unknown; checks: unknown[] }[] };
    assert.equal(result.mode, 'bundle');
    assert.equal(result.runs[0]!.error, undefined, JSON.stringify(result.runs[0]));
    assert.equal(result.runs[0]!.ok, true);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
