/**
 * `keyrite verify` as an auditor runs it (docs/VERIFIER.md, docs/CLI.md): exit 0 valid,
 * 1 verification failed naming the check, 2 usage or I/O error, 3 an audit script that did
 * not complete — hostile scripts included — and the JSON form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot, runBinary, runInProcess } from '../../helpers/cli.ts';
import { readBundleDir, rehash, setStatementEnvelope, statementEnvelope, text, type MutableBundle } from '../../helpers/bundle-files.ts';

function writeBundleDir(files: MutableBundle, dir: string): void {
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}

const GOLDEN = join(repoRoot, 'test/fixtures/golden-bundle');
const GOLDEN_FP = '8047460895e45caaf54a2be033a6aa947ac20e4f4dc484f0892b52005038a27a';
const OTHER_FP = 'aa'.repeat(32);

function tempCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-verify-'));
  cpSync(GOLDEN, join(dir, 'bundle'), { recursive: true });
  return join(dir, 'bundle');
}

function script(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

test('the golden bundle verifies: exit 0, every check named, and the output says it was not anchored', async () => {
  const r = await runInProcess(['verify', GOLDEN]);
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['bundle-files', 'transcript-chain', 'checkpoint-roots', 'statement-signatures', 'hybrid-rule', 'threshold']) assert.match(r.stdout, new RegExp(`pass  ${name} `));
  assert.match(r.stdout, /NOT ANCHORED/);
  assert.match(r.stdout, /VALID REHEARSAL BUNDLE: all \d+ checks passed/);
});

test('a rehearsal bundle cannot pass for a real one: banner, verdict line, stderr note, "rehearsal": true, and --require-live fails it', async () => {
  const text = await runInProcess(['verify', GOLDEN, '--trust', GOLDEN_FP]);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  assert.match(lines[1]!, /^ {2}REHEARSAL BUNDLE: .*must never be used for real\.$/);
  assert.match(lines.at(-1)!, /^VALID REHEARSAL BUNDLE: all 23 checks passed\. Practice keys: never use them for real\.$/);
  assert.match(text.stderr, /^keyrite: note: REHEARSAL BUNDLE: .*--require-live refuses rehearsal bundles/);
  const json = await runInProcess(['verify', GOLDEN, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { rehearsal: boolean }).rehearsal, true);
  assert.match(json.stderr, /REHEARSAL BUNDLE/);
  const live = await runInProcess(['verify', GOLDEN, '--require-live', '--json']);
  assert.equal(live.code, 1);
  const doc = JSON.parse(live.stdout) as { ok: boolean; verdict: string; rehearsal: boolean; checks: { name: string; status: string; detail: string }[] };
  assert.equal(doc.ok, false);
  assert.equal(doc.verdict, 'invalid');
  const check = doc.checks.at(-1)!;
  assert.deepEqual([check.name, check.status], ['live-ceremony', 'fail']);
  assert.match(check.detail, /REHEARSAL.*never be used for real/);
  assert.match(live.stderr, /live-ceremony failed/);
});

test('--mode classical-only with every ML-DSA-65 statement signature broken: VALID, saying the ML-DSA-65 half was NOT checked, mode in the final line', async () => {
  const files = readBundleDir(GOLDEN);
  const env = statementEnvelope(files);
  const pqKeyIds = new Set(JSON.parse(text(files, 'keys/jwks.json')).keys.filter((k: { kty: string }) => k.kty === 'AKP').map((k: { kid: string }) => k.kid));
  let broken = 0;
  for (const s of env.signatures) {
    if (!pqKeyIds.has(s.keyid)) continue;
    s.sig = `${s.sig[0] === 'A' ? 'B' : 'A'}${s.sig.slice(1)}`;
    broken++;
  }
  assert.equal(broken, 6);
  setStatementEnvelope(files, env);
  const dir = join(mkdtempSync(join(tmpdir(), 'keyrite-verify-')), 'bundle');
  writeBundleDir(rehash(files), dir);
  const hybrid = await runInProcess(['verify', dir]);
  assert.equal(hybrid.code, 1, 'hybrid notices the broken half');
  const classical = await runInProcess(['verify', dir, '--mode', 'classical-only']);
  assert.equal(classical.code, 0, classical.stderr);
  assert.doesNotMatch(classical.stdout, /all valid|12 signatures.*valid$/m);
  assert.match(classical.stdout, /pass {2}statement-signatures +12 signatures over the DSSE PAE, each from a distinct key of this ceremony; the 6 classical ones are valid, the 6 ML-DSA-65 ones were NOT checked \(classical-only mode\)/);
  assert.match(classical.stdout, /pass {2}hybrid-rule +classical-only mode: .*the ML-DSA-65 half was NOT checked/);
  assert.match(classical.stdout.trimEnd().split('\n').at(-1)!, /^VALID REHEARSAL BUNDLE \(classical-only mode: classical signatures only, ML-DSA-65 signatures NOT checked\): all 22 checks passed/);
  const pq = await runInProcess(['verify', dir, '--mode', 'pq-only']);
  assert.equal(pq.code, 1);
  assert.match(pq.stdout.trimEnd().split('\n').at(-1)!, /^INVALID REHEARSAL BUNDLE \(pq-only mode: ML-DSA-65 signatures only, classical signatures NOT checked\): /);
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

test('the fingerprint at the top of an invalid bundle\'s report is labelled as not verified', async () => {
  const dir = tempCopy();
  writeFileSync(join(dir, 'policy.json'), '{}');
  const r = await runInProcess(['verify', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /master key fingerprint \(as the bundle states it; NOT verified\): 8047 4608/);
  const good = await runInProcess(['verify', GOLDEN]);
  assert.match(good.stdout, /^ {2}master key fingerprint: 8047 4608/m);
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

test('--trust anchors the master key (hex or the 16 words); a different fingerprint exits 1', async () => {
  const hex = await runInProcess(['verify', GOLDEN, '--trust', GOLDEN_FP.match(/.{4}/g)!.join(' ')]);
  assert.equal(hex.code, 0, hex.stderr);
  assert.match(hex.stdout, /ANCHORED: the master key matches .*all 32 bytes/);
  const words = await runInProcess(['verify', GOLDEN, '--trust', 'merit determine cubic antenna preclude tradition escape pedigree vapor direction briefcase tobacco chisel paragon reward molecule']);
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stdout, /first 16 bytes/);
  const other = await runInProcess(['verify', GOLDEN, '--trust', OTHER_FP]);
  assert.equal(other.code, 1);
  assert.match(other.stdout, /FAIL {2}trust-anchor/);
  assert.match(other.stdout, /ANCHOR MISMATCH/);
});

test('--json gives one document with the verdict, the anchor and every check', async () => {
  const r = await runInProcess(['verify', GOLDEN, '--json', '--trust', GOLDEN_FP, '--mode', 'pq-only']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; verdict: string; mode: string; anchor: { anchored: boolean; matches: boolean }; checks: { name: string; status: string }[] };
  assert.equal(doc.ok, true);
  assert.equal(doc.verdict, 'valid');
  assert.equal(doc.mode, 'pq-only');
  assert.deepEqual(doc.anchor, { anchored: true, given: GOLDEN_FP, compared: 'full', matches: true });
  assert.ok(doc.checks.length >= 20 && doc.checks.every((c) => c.status === 'pass'));
});

test('a tampered copy exits 1 naming the failing check, on the built binary too', async () => {
  const dir = tempCopy();
  try {
    const path = join(dir, 'transcript.jsonl');
    const bytes = readFileSync(path);
    bytes[100] = bytes[100]! ^ 0x01;
    writeFileSync(path, bytes);
    const r = runBinary(['verify', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}bundle-files +The files differ from bundle.json; changed .*transcript\.jsonl/);
    assert.match(r.stderr, /^keyrite: the bundle did not verify: .*bundle-files/);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('usage and I/O problems exit 2 with one sentence on stderr', async () => {
  const missing = await runInProcess(['verify', join(tmpdir(), 'no-such-keyrite-bundle')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^keyrite: Cannot read the bundle at .*: it does not exist\.\n$/);
  const mode = await runInProcess(['verify', GOLDEN, '--mode', 'rsa']);
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /--mode must be hybrid, classical-only or pq-only/);
  const trust = await runInProcess(['verify', GOLDEN, '--trust', 'not a fingerprint']);
  assert.equal(trust.code, 2);
  assert.match(trust.stderr, /--trust must be the master fingerprint/);
  const none = await runInProcess(['verify']);
  assert.equal(none.code, 2);
});

test('a bundle holding a symbolic link is refused, not followed', async () => {
  const dir = tempCopy();
  try {
    symlinkSync('/etc/passwd', join(dir, 'keys', 'extra.pem'));
    const r = await runInProcess(['verify', dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /keys\/extra\.pem, which is a symbolic link/);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('the shipped audit scripts pass on the golden bundle and their checks join the report', async () => {
  const scripts = ['every-trustee-checked-in.js', 'ceremony-within-one-day.js', 'no-unwitnessed-deviation.js'].map((s) => join(repoRoot, 'ceremony-scripts/audit', s));
  const r = await runInProcess(['verify', GOLDEN, '--json', ...scripts.flatMap((s) => ['--script', s])]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { checks: { name: string; status: string }[]; auditScripts: { file: string; ok: boolean }[] };
  assert.deepEqual(doc.auditScripts.map((s) => [s.file, s.ok]), [['every-trustee-checked-in.js', true], ['ceremony-within-one-day.js', true], ['no-unwitnessed-deviation.js', true]]);
  assert.ok(doc.checks.some((c) => c.name.startsWith('audit:ceremony-within-one-day.js: ') && c.status === 'pass'));
});

test('an audit script check that fails makes the verification fail (exit 1)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-audit-'));
  try {
    const s = script(dir, 'strict.js', "check('more than 100 entries', bundle.transcript.length > 100, String(bundle.transcript.length) + ' entries');\n");
    const r = await runInProcess(['verify', GOLDEN, '--script', s]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}audit:strict\.js: more than 100 entries +86 entries/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile audit scripts end with exit 3 and a clear message, never hang the verifier or reach the host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-audit-'));
  try {
    const cases: [string, string, RegExp][] = [
      ['loop.js', 'for (;;) {}', /loop\.js: timeout/],
      ['memory.js', "const a = []; for (;;) a.push('x'.repeat(1e6) + a.length);", /memory\.js: memory/],
      ['recursion.js', 'function f(n) { return f(n + 1) + 1; } f(0);', /recursion\.js: stack/],
      ['host.js', "check('require', typeof require === 'function', ''); check('process', typeof process === 'object', ''); check('fetch', typeof fetch === 'function', ''); require('fs');", /host\.js: exception/],
    ];
    for (const [name, source, expected] of cases) {
      const s = script(dir, name, source);
      const r = await runInProcess(['verify', GOLDEN, '--script', s]);
      assert.equal(r.code, 3, `${name}: ${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.match(r.stdout, new RegExp(`FAIL  audit:${name.replace('.', '\\.')} +The audit script did not complete`));
    }
    const host = await runInProcess(['verify', GOLDEN, '--json', '--script', join(dir, 'host.js')]);
    const doc = JSON.parse(host.stdout) as { checks: { name: string; status: string }[] };
    for (const g of ['require', 'process', 'fetch']) assert.equal(doc.checks.find((c) => c.name === `audit:host.js: ${g}`)?.status, 'fail', `${g} must not exist in the sandbox`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
