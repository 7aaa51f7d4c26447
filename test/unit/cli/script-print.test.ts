// keyrite script print: the paper script of the rehearsal with an answers file, rendered to PNG
// by pdftoppm and read back by pdftotext: the hash in hex and words, the participants and their
// tokens (never dice or PIN sources), every step numbered with its actor, what to check and the
// initials/time boxes; the same input gives the same bytes; an existing --out is never
// overwritten; a bad answers file is a usage error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess, repoRoot } from '../../helpers/cli.ts';
import { fixtureAnswersText } from '../../helpers/golden.ts';
import { parseCeremonyScript } from '../../../core/script/script.ts';

const SCRIPT = join(repoRoot, 'ceremony-scripts/root-keygen-3of5-rehearsal.yaml');
const parsed = parseCeremonyScript(new Uint8Array(readFileSync(SCRIPT)));
const TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5'];
const DICE = '6 5 4 3 2 1 '.repeat(10).trim();
let dir: string;
let answers: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyrite-script-print-'));
  answers = join(dir, 'answers.yaml');
  const text = fixtureAnswersText({ ceremonyId: '0123456789abcdef0123456789abcdef', clock: '2026-01-01T09:00:00Z', tag: 'Print', trustees: TRUSTEES, pinVar: (id) => `PIN_${id.toUpperCase().replace(/-/g, '_')}`, dice: () => DICE, confirm: [] });
  writeFileSync(answers, text);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function pdftotext(pdf: string): string {
  const r = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('the rehearsal with its answers: hash, participants, every step with actor, check and boxes; rendered by pdftoppm', async () => {
  const out = join(dir, 'script.pdf');
  const r = await runInProcess(['script', 'print', SCRIPT, '--answers', answers, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { out: string; sha256: string; participants: number; script: { sha256: string } };
  assert.equal(result.out, out);
  assert.equal(result.participants, 7);
  assert.equal(result.script.sha256, parsed.hashHex);

  const text = pdftotext(out);
  assert.match(text, /Root key ceremony \(3-of-5 escrow\) - rehearsal/);
  assert.match(text, /Mode: REHEARSAL \(practice only/);
  assert.ok(text.includes(parsed.hashHexGroups), 'the hash in hex groups');
  for (const [i, word] of parsed.hashWords.entries()) assert.match(text, new RegExp(`${i + 1}\\. ${word}\\b`), `word ${i + 1}`);
  for (let i = 1; i <= 5; i++) assert.match(text, new RegExp(`trustee · trustee-${i} · Print Trustee ${i} · token software token tokens/trustee-${i}\\.keyrite-token`));
  assert.match(text, /administrator · admin · .+ · token master: software token tokens\/master\.keyrite-token/);
  assert.ok(!text.includes('6 5 4 3 2 1') && !text.includes('PIN_TRUSTEE'), 'no dice and no PIN source on paper');
  // Every step, numbered, with its actor, what to check and the boxes; witnessed ones with the witness's box.
  const flat = text.replace(/\s+/g, ' ');
  parsed.script.steps.forEach((step, i) => {
    assert.match(flat, new RegExp(`${i + 1}\\. .*?Actor: ${step.actor} · action ${step.action} \\(${step.id}\\)${step.witness ? ' · a witness confirms it' : ''} Check: .+? Initials Time${step.witness ? ' Witness' : ''}`), `step ${i + 1} ${step.id}`);
  });
  assert.doesNotMatch(flat, /\d+\. (enrolled|login-master|key-generated|escrowed) Actor/, 'untitled steps get readable titles');
  assert.match(flat, /page 1 of \d/);

  // pdftoppm renders every page; the first one is mostly white with ink on it.
  const png = join(dir, 'page');
  const render = spawnSync('pdftoppm', ['-r', '50', '-png', out, png], { encoding: 'utf8' });
  assert.equal(render.status, 0, render.stderr);
  const pages = Number(/page (\d+) of (\d+)/.exec(flat)![2]);
  for (let p = 1; p <= pages; p++) assert.ok(statSync(`${png}-${p}.png`).size > 2000, `page ${p} rendered`);
});

test('the same script and answers give the same bytes; without answers, lines to fill in', async () => {
  const a = join(dir, 'a.pdf');
  const b = join(dir, 'b.pdf');
  assert.equal((await runInProcess(['script', 'print', SCRIPT, '--answers', answers, '--out', a])).code, 0);
  assert.equal((await runInProcess(['script', 'print', SCRIPT, '--answers', answers, '--out', b])).code, 0);
  assert.deepEqual(readFileSync(a), readFileSync(b));
  const blank = join(dir, 'blank.pdf');
  assert.equal((await runInProcess(['script', 'print', SCRIPT, '--out', blank])).code, 0);
  const text = pdftotext(blank);
  assert.match(text, /trustee 5: name _+ +token label, serial _+/);
  assert.match(text, /witness 1: name _+/);
});

test('an existing --out is never overwritten; a bad answers file and a missing --out are usage errors (exit 2)', async () => {
  const out = join(dir, 'exists.pdf');
  writeFileSync(out, 'keep me');
  const r = await runInProcess(['script', 'print', SCRIPT, '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /already exists; Keyrite never overwrites a file/);
  assert.equal(readFileSync(out, 'utf8'), 'keep me');

  const bad = join(dir, 'bad-answers.yaml');
  writeFileSync(bad, 'keyrite-answers: 1\nparticipants: []\n');
  const b = await runInProcess(['script', 'print', SCRIPT, '--answers', bad, '--out', join(dir, 'never.pdf')]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /^keyrite: Answers file .*bad-answers\.yaml: /);
  assert.ok(!existsSync(join(dir, 'never.pdf')));
  assert.equal((await runInProcess(['script', 'print', SCRIPT])).code, 2);
});

test('every shipped script prints, each step with a check of its own action (none falls back to the generic line)', async () => {
  const scripts = readdirSync(join(repoRoot, 'ceremony-scripts')).filter((f) => f.endsWith('.yaml'));
  assert.ok(scripts.length >= 4);
  for (const f of scripts) {
    const out = join(dir, `shipped-${f}.pdf`);
    const r = await runInProcess(['script', 'print', join(repoRoot, 'ceremony-scripts', f), '--out', out]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    const text = pdftotext(out).replace(/\s+/g, ' ');
    assert.doesNotMatch(text, /The screen shows the step done, with no warning/, `${f}: an action without its own check`);
    assert.doesNotMatch(text, /undefined/, f);
  }
});
