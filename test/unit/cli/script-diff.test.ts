// keyrite script diff: the shipped rehearsal and live scripts differ only where a rehearsal may
// (exit 0, every difference listed); a change to what runs — the quorum, a witness flag, the paper
// backup, a step removed, an entropy source other than hsm — is NOT ALLOWED (exit 1); comments and
// layout are not differences; a file that is not a script is a usage error (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess, repoRoot } from '../../helpers/cli.ts';
import { diffScripts } from '../../../core/script/diff.ts';
import { parseCeremonyScript } from '../../../core/script/script.ts';

const REHEARSAL = join(repoRoot, 'ceremony-scripts/root-keygen-3of5-rehearsal.yaml');
const LIVE = join(repoRoot, 'ceremony-scripts/root-keygen-3of5.yaml');
const liveText = readFileSync(LIVE, 'utf8');
const parse = (text: string) => parseCeremonyScript(new TextEncoder().encode(text));

/** The live script with one replacement, which must hit. */
function liveWith(from: string | RegExp, to: string): string {
  const out = liveText.replace(from, to);
  assert.notEqual(out, liveText, `the replacement of ${from} hit nothing`);
  return out;
}

test('the shipped rehearsal and live scripts: every difference allowed and listed, exit 0', async () => {
  const r = await runInProcess(['script', 'diff', REHEARSAL, LIVE, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const diff = JSON.parse(r.stdout) as ReturnType<typeof diffScripts>;
  assert.equal(diff.ok, true);
  const paths = diff.differences.map((d) => d.path);
  for (const p of ['mode', 'airGap', 'name', 'tokens.master.token.kind', 'tokens.master.keyLabel', 'tokens.trustee.kind', 'steps[8] entropy.params.sources', 'steps[3] check-in.title']) assert.ok(paths.includes(p), `${p} is listed: ${paths.join(', ')}`);
  assert.equal(diff.rehearsal.mode, 'rehearsal');
  assert.match(diff.live.hexGroups, /^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
  assert.equal(diff.live.words.length, 16);

  const text = await runInProcess(['script', 'diff', REHEARSAL, LIVE]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^allowed {6}mode\n {4}rehearsal: "rehearsal"\n {4}live: {6}"live"\n/m);
  assert.match(text.stdout, /\d+ differences, all allowed: the rehearsal runs what the live ceremony runs\.\n$/);
});

test('a script compared with itself, or with only its comments and layout changed, has no difference', () => {
  const same = diffScripts(parse(liveText), parse(`# a comment added at the top\n${liveText.replace('quorum: { n: 5, t: 3 }', 'quorum:\n  t: 3\n  n: 5')}`));
  assert.deepEqual(same.differences, []);
  assert.equal(same.ok, true);
});

test('a change to what runs is NOT ALLOWED and named: quorum, witness flag, paper backup, a removed step, an entropy source other than hsm; exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-script-diff-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: { what: string; text: string; path: string }[] = [
    { what: 'quorum', text: liveWith('quorum: { n: 5, t: 3 }', 'quorum: { n: 5, t: 2 }'), path: 'quorum.t' },
    { what: 'witness flag', text: liveWith(/( {2}- id: generate\n(?: {4}.*\n)*? {4}witness: )true/, '$1false'), path: 'steps[9] generate.witness' },
    { what: 'entropy source', text: liveWith('params: { sources: [hsm, os, trustee-dice], min-dice: 50 }', 'params: { sources: [hsm, os] }'), path: 'steps[8] entropy.params.sources' },
    { what: 'paper backup', text: liveWith('paper-backup: true', 'paper-backup: false'), path: 'escrow.paperBackup' },
  ];
  for (const c of cases) {
    const file = join(dir, `${c.what.replace(/ /g, '-')}.yaml`);
    writeFileSync(file, c.text);
    const r = await runInProcess(['script', 'diff', file, LIVE, '--json']);
    assert.equal(r.code, 1, `${c.what}: ${r.stdout}`);
    const d = (JSON.parse(r.stdout) as ReturnType<typeof diffScripts>).differences.find((x) => x.path === c.path);
    assert.ok(d && !d.allowed, `${c.what}: ${c.path} is NOT ALLOWED`);
    assert.match(r.stderr, /^keyrite: the rehearsal script differs from the live one where it may not\.\n$/);
  }
  // A step taken out: every later step is compared with the wrong one, and the last one is missing.
  const removed = diffScripts(parse(liveWith(/ {2}- id: air-gap-again\n(?: {4}.*\n)+/, '')), parse(liveText));
  assert.equal(removed.ok, false);
  assert.ok(removed.differences.some((d) => d.path === 'steps[17] export' && d.rehearsal === '(absent)'), removed.differences.map((d) => d.path).join(', '));

  const text = await runInProcess(['script', 'diff', join(dir, 'quorum.yaml'), LIVE]);
  assert.match(text.stdout, /^NOT ALLOWED {2}quorum\.t\n {4}rehearsal: 2\n {4}live: {6}3\n {4}the rehearsal must run what the live ceremony runs\n/m);
  assert.match(text.stdout, /1 of 1 differences are NOT allowed/);
});

test('a file that is not a ceremony script, or is missing, is a usage error naming it (exit 2)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-script-diff-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'answers.yaml'), 'keyrite-answers: 1\n');
  const bad = await runInProcess(['script', 'diff', join(dir, 'answers.yaml'), LIVE]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^keyrite: Rehearsal script .*answers\.yaml: The ceremony script is not valid/);
  const missing = await runInProcess(['script', 'diff', REHEARSAL, join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yaml/);
  const usage = await runInProcess(['script', 'diff', REHEARSAL]);
  assert.equal(usage.code, 2);
});

test('every shipped rehearsal script differs from its live script only where allowed', async () => {
  const dir = join(repoRoot, 'ceremony-scripts');
  const pairs = readdirSync(dir).filter((f) => f.endsWith('-rehearsal.yaml')).map((f) => [f, f.replace('-rehearsal.yaml', '.yaml')] as const);
  assert.ok(pairs.length >= 3, pairs.join(' '));
  for (const [rehearsal, live] of pairs) {
    const r = await runInProcess(['script', 'diff', join(dir, rehearsal), join(dir, live)]);
    assert.equal(r.code, 0, `${rehearsal} vs ${live}: ${r.stdout}`);
  }
});
