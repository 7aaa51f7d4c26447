/**
 * A recovery with one paper share (`keyrite recover` on the demo's recovery-paper-answers.yaml):
 * trustee-3 has "lost" their token and types the 34 paper-backup words (here from the
 * environment variable the answers name). The right words recover to a bundle `keyrite verify
 * --trust` accepts, in which trustee-3 is a paper participant who signs nothing and whose share
 * the witness attested; a typo, a swapped pair of words, another trustee's words and another
 * ceremony's words are refused before anything is combined; words with a valid checksum but a
 * wrong share are named after the escrow blob does not open; words written into the answers
 * file are refused without being repeated. The README's copy-paste commands run as written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { shareToWords, wordsToShare } from '../../../core/escrow/paper-words.ts';
import { PAPER_RECOVERY_ANSWERS, PAPER_WORDS_VARIABLE } from '../../../cli/commands/demo.ts';
import { DemoCopies, REHEARSAL_RECOVERY, recoveryEntries, trustedFingerprint } from './helpers.ts';
import { readBundleDir, rehash, setTranscriptLines, transcriptLines, type MutableBundle } from '../../helpers/bundle-files.ts';
import { encodeEntryLine, entryHashHex, GENESIS_PREV, makeEntry } from '../../../core/transcript/entry.ts';
import { verifyBundle } from '../../../core/verifier/verify.ts';

let copies: DemoCopies;
let pins: Record<string, string>;

before(async () => {
  copies = await DemoCopies.make('keyrite-paper-');
  pins = { ...copies.pins };
  for (const line of ['recovery-paper', 'master'].flatMap((who) => readFileSync(join(copies.demo, who, 'REHEARSAL-ONLY-passphrase.env'), 'utf8').split('\n'))) {
    const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
    if (m) pins[m[1]!] = m[2]!;
  }
});
after(() => copies.remove());

/** The numbered words of a demo trustee's share-paper-backup.txt, in order. */
function paperWords(d: string, trustee: string): string[] {
  return [...readFileSync(join(d, 'trustees', trustee, 'share-paper-backup.txt'), 'utf8').matchAll(/^ *\d+\. ([a-z]+)$/gm)].map((m) => m[1]!);
}

function ceremonyIdOf(d: string): string {
  return JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).ceremonyId;
}

async function recoverWithWords(d: string, words: string, out = 'rec') {
  const r = await runInProcess(['recover', REHEARSAL_RECOVERY, '--bundle', join(d, 'bundle'), '--answers', join(d, PAPER_RECOVERY_ANSWERS), '--out', join(d, out), '--json'], undefined, { ...pins, [PAPER_WORDS_VARIABLE]: words });
  return r;
}

/** No three consecutive words of `words` appear in `text` (the words are common English: single ones may appear anyway). */
function assertNoWords(text: string, words: readonly string[], what: string): void {
  const flat = ` ${text.toLowerCase().replace(/[^a-z]+/g, ' ')} `;
  for (let i = 0; i + 3 <= words.length; i++) assert.equal(flat.includes(` ${words.slice(i, i + 3).join(' ')} `), false, `paper words reached ${what}`);
}

/** A refusal before combining: exit 1, the sentence names trustee-3 and `why`, no word is quoted, nothing was combined or restored. */
function assertRefusedBeforeCombining(d: string, r: { code: number; stdout: string; stderr: string }, words: readonly string[], why: RegExp): void {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const said = r.stdout + r.stderr;
  assert.match(said, /trustee-3/);
  assert.match(said, why);
  assertNoWords(said, words, 'a paper word was repeated');
  const entries = recoveryEntries(join(d, 'rec'));
  assert.equal(entries.some((e) => e.type === 'key.restore'), false, 'nothing may be combined');
  const refused = entries.find((e) => e.type === 'share.rejected' && e.body.trusteeId === 'trustee-3');
  assert.equal(refused?.body.source, 'paper');
  assert.equal(entries.some((e) => e.type === 'share.accepted' && e.body.trusteeId === 'trustee-3'), false);
  const transcript = readFileSync(join(d, 'rec', 'journal', 'transcript.jsonl'), 'utf8');
  assertNoWords(transcript, words, 'a paper word reached the transcript');
}

test('the right paper words recover: the bundle verifies anchored, trustee-3 is a paper participant attested by the witness who signs nothing', async () => {
  const d = copies.copy();
  const words = paperWords(d, 'trustee-3');
  assert.equal(words.length, 34);
  const r = await recoverWithWords(d, words.join(' '));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const res = JSON.parse(r.stdout);
  assert.deepEqual([...res.used].sort(), ['trustee-1', 'trustee-2', 'trustee-3']);
  assert.deepEqual(res.paper, ['trustee-3']);
  const fp = trustedFingerprint(d);
  assert.equal(res.recoveredFingerprint, fp);
  const v = await runInProcess(['verify', join(d, 'rec', 'bundle'), '--trust', fp, '--json']);
  assert.equal(v.code, 0, v.stdout);

  const entries = recoveryEntries(join(d, 'rec'));
  const start = entries[0]!.body as { participants: { id: string; role: string; participantKind?: string }[] };
  assert.deepEqual(start.participants.find((p) => p.id === 'trustee-3'), { id: 'trustee-3', name: 'Dave Trustee', role: 'trustee', participantKind: 'paper' });
  const checkIn = entries.find((e) => e.type === 'participant.check-in' && e.body.participantId === 'trustee-3')!;
  assert.equal(checkIn.body.participantKind, 'paper');
  assert.equal('fingerprint' in checkIn.body, false, 'a paper participant holds no keys');
  const attested = entries.find((e) => e.type === 'witness.confirm' && e.body.paperShare === 'trustee-3');
  const accepted = entries.find((e) => e.type === 'share.accepted' && e.body.trusteeId === 'trustee-3');
  assert.ok(attested && accepted && attested.seq < accepted.seq, 'the witness attests the paper share before it is accepted');
  assert.equal(accepted.body.source, 'paper');
  assert.deepEqual(entries.find((e) => e.type === 'key.restore')!.body.paperShares, ['trustee-3']);
  const end = entries.at(-1)!.body as { signers: string[]; trustees: { id: string }[]; sharesCombined: string[] };
  assert.equal(end.signers.length, 3, 'the master key and trustees 1 and 2 sign; trustee-3 does not');
  assert.deepEqual(end.trustees.map((t) => t.id), ['trustee-1', 'trustee-2']);
  assert.deepEqual([...end.sharesCombined].sort(), ['trustee-1', 'trustee-2', 'trustee-3']);
  const transcript = readFileSync(join(d, 'rec', 'bundle', 'transcript.jsonl'), 'utf8');
  assertNoWords(transcript, words, 'a paper word reached the transcript');
});

test('a typo in one word is refused by the checksum before combining, naming trustee-3 and no word', async () => {
  const d = copies.copy();
  const words = paperWords(d, 'trustee-3');
  const typo = [...words];
  typo[9] = typo[9] === 'academic' ? 'acid' : 'academic';
  assertRefusedBeforeCombining(d, await recoverWithWords(d, typo.join(' ')), words, /checksum/);
});

test('a swapped pair of words is refused by the checksum before combining', async () => {
  const d = copies.copy();
  const words = paperWords(d, 'trustee-3');
  const i = words.findIndex((w, k) => k > 5 && w !== words[k + 1]);
  const swapped = [...words];
  [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
  assertRefusedBeforeCombining(d, await recoverWithWords(d, swapped.join(' ')), words, /checksum/);
});

test('a word not in the list, and a missing word, are refused by position and count', async () => {
  const d = copies.copy();
  const words = paperWords(d, 'trustee-3');
  const unknown = [...words];
  unknown[4] = 'notaword';
  assertRefusedBeforeCombining(d, await recoverWithWords(d, unknown.join(' ')), words, /word 5 is not in the word list/i);
  const e = copies.copy();
  assertRefusedBeforeCombining(e, await recoverWithWords(e, words.slice(1).join(' ')), words, /exactly 34 words; 33 were given/);
});

test("another trustee's words are refused by their share index before combining", async () => {
  const d = copies.copy();
  const other = paperWords(d, 'trustee-4');
  assertRefusedBeforeCombining(d, await recoverWithWords(d, other.join(' ')), [...other, ...paperWords(d, 'trustee-3')], /another trustee's words/);
});

test("another ceremony's words are refused by their ceremony words before combining", async () => {
  const d = copies.copy();
  const own = paperWords(d, 'trustee-3');
  const decoded = wordsToShare(own.join(' '), { ceremonyId: ceremonyIdOf(d) });
  const otherId = ceremonyIdOf(d).replace(/^./, (c) => (c === '0' ? '1' : '0'));
  const foreign = shareToWords(otherId, decoded.share);
  assertRefusedBeforeCombining(d, await recoverWithWords(d, foreign.join(' ')), [...own, ...foreign], /another ceremony/);
});

test('words with a valid checksum, the right ceremony and index but a wrong share are named as the culprit once the escrow blob does not open', async () => {
  const d = copies.copy();
  const own = paperWords(d, 'trustee-3');
  const id = ceremonyIdOf(d);
  const mine = wordsToShare(own.join(' '), { ceremonyId: id });
  const theirs = wordsToShare(paperWords(d, 'trustee-4').join(' '), { ceremonyId: id });
  // trustee-4's share bytes under trustee-3's index: every check before combining passes.
  const wrong = shareToWords(id, { x: mine.share.x, y: theirs.share.y });
  const r = await recoverWithWords(d, wrong.join(' '));
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const said = r.stdout + r.stderr;
  assert.match(said, /The share of Dave Trustee \(trustee-3\), typed from paper words, is wrong/);
  assertNoWords(said, [...own, ...wrong], 'a paper word was repeated');
  const entries = recoveryEntries(join(d, 'rec'));
  assert.equal(entries.find((e) => e.type === 'share.accepted' && e.body.trusteeId === 'trustee-3')?.body.source, 'paper', 'the words passed every check before combining');
  assert.equal(entries.some((e) => e.type === 'key.restore'), false);
});

test('paper words written into the answers file, or a path to them, are refused without repeating them', async () => {
  const d = copies.copy();
  const words = paperWords(d, 'trustee-3');
  const file = join(d, PAPER_RECOVERY_ANSWERS);
  const original = readFileSync(file, 'utf8');
  for (const edit of [
    (a: string) => a.replace(`paper-words: { env: ${PAPER_WORDS_VARIABLE} }`, `paper-words: "${words.join(' ')}"`),
    (a: string) => a.replace(`paper-words: { env: ${PAPER_WORDS_VARIABLE} }`, 'paper-words: { file: trustees/trustee-3/share-paper-backup.txt }'),
    (a: string) => a.replace('name: Dave Trustee', `name: "${words.slice(0, 12).join(' ')}"`),
  ]) {
    const changed = edit(original);
    assert.notEqual(changed, original);
    writeFileSync(file, changed);
    const r = await recoverWithWords(d, words.join(' '), 'rec-bad');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /ANSWERS_INVALID[\s\S]*Paper-backup words never go in an answers file/);
    assertNoWords(r.stdout + r.stderr, words, 'a paper word was repeated');
  }
});

test("README.md's paper-share recovery runs as written (bash) to a recovery bundle that verifies", async () => {
  const d = copies.copy();
  const fp = trustedFingerprint(d);
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const commands = /one paper share:\n\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(commands, 'the paper-share commands are in README.md');
  const run = commands.replaceAll('/tmp/keyrite-demo', d).replaceAll('<the master fingerprint>', fp);
  const r = spawnSync('bash', ['-euc', run], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /VALID/);
});

type Entry = Record<string, unknown> & { type: string; body: Record<string, unknown> };

/** Rewrites the transcript's entries (chain and seq made again) and bundle.json: every forgery below is consistent up to the signatures. */
function forge(files: MutableBundle, edit: (entries: Entry[]) => Entry[]): MutableBundle {
  const out: MutableBundle = new Map(files);
  const edited = edit(transcriptLines(files).map((l) => JSON.parse(l) as Entry));
  let prev = GENESIS_PREV;
  const lines = edited.map((e, seq) => {
    const entry = makeEntry({ seq, time: e.time as string, type: e.type as string, actor: e.actor as string, body: e.body as Record<string, unknown>, prev });
    prev = entryHashHex(entry);
    return new TextDecoder().decode(encodeEntryLine(entry)).replace(/\n$/, '');
  });
  setTranscriptLines(out, lines);
  return rehash(out);
}

const isType = (e: Record<string, unknown>, type: string, trustee?: string): boolean => e.type === type && (trustee === undefined || (e.body as Record<string, unknown>).trusteeId === trustee || (e.body as Record<string, unknown>).participantId === trustee);

test('the verifier refuses forged transcripts: a paper participant counted as a signer or carrying keys, a paper share passed off as token-checked or unattested, paper shares beyond t − 1', async () => {
  const d = copies.copy();
  const r = await recoverWithWords(d, paperWords(d, 'trustee-3').join(' '));
  assert.equal(r.code, 0, r.stderr);
  const genuine = readBundleDir(join(d, 'rec', 'bundle'));
  const structure = (files: MutableBundle) => verifyBundle(files).checks.find((c) => c.name === 'transcript-structure')!;
  assert.equal(structure(genuine).status, 'pass');
  const cases: [string, (entries: Entry[]) => Entry[], RegExp][] = [
    [
      'trustee-3 also checked in with keys (a token check-in copied from trustee-2)',
      (es) => {
        const i = es.findIndex((e) => isType(e, 'participant.check-in', 'trustee-2'));
        const copy = structuredClone(es[i]!);
        copy.body = { ...copy.body, participantId: 'trustee-3', name: 'Dave Trustee' };
        copy.actor = 'trustee-3';
        return [...es.slice(0, i + 1), copy, ...es.slice(i + 1)];
      },
      /trustee-3 checked in both with a token and as a paper participant/,
    ],
    ['the paper check-in carries a fingerprint', (es) => es.map((e) => (isType(e, 'participant.check-in', 'trustee-3') ? { ...e, body: { ...e.body, fingerprint: 'ab'.repeat(32) } } : e)), /unexpected member "fingerprint"/],
    [
      "trustee-3's share accepted as opened with a token",
      (es) => es.map((e) => (isType(e, 'share.accepted', 'trustee-3') ? { ...e, body: Object.fromEntries(Object.entries(e.body).filter(([k]) => k !== 'source')) } : e)),
      /trustee-3 checked in as a paper participant, but their share was accepted as opened with a token/,
    ],
    ['the witness attestation removed', (es) => es.filter((e) => !(e.type === 'witness.confirm' && e.body.paperShare === 'trustee-3')), /paper share of trustee-3 was accepted without a witness attesting it first/],
    ['key.restore without its paper shares', (es) => es.map((e) => (e.type === 'key.restore' ? { ...e, body: Object.fromEntries(Object.entries(e.body).filter(([k]) => k !== 'paperShares')) } : e)), /key.restore names other paper shares/],
    [
      'trustees 1 and 2 turned into paper participants too: 3 paper shares of t = 3',
      (es) => {
        const out: Entry[] = [];
        for (const e of es) {
          for (const id of ['trustee-1', 'trustee-2']) {
            if (isType(e, 'share.accepted', id)) {
              const attest = structuredClone(es.find((x) => x.type === 'witness.confirm' && x.body.paperShare === 'trustee-3')!);
              attest.body.paperShare = id;
              out.push({ ...attest, time: e.time });
            }
          }
          if (['trustee-1', 'trustee-2'].some((id) => isType(e, 'participant.check-in', id))) {
            out.push({ ...e, body: { step: e.body.step, role: 'trustee', participantKind: 'paper', participantId: e.body.participantId, name: e.body.name, enrolled: false, x: 1 + out.length, note: 'forged' } });
          } else if (['trustee-1', 'trustee-2'].some((id) => isType(e, 'share.accepted', id))) out.push({ ...e, body: { ...e.body, source: 'paper' } });
          else if (e.type === 'key.restore') out.push({ ...e, body: { ...e.body, paperShares: e.body.trustees } });
          else out.push(e);
        }
        return out;
      },
      /3 of the shares combined were typed from paper words \(trustee-1, trustee-2, trustee-3\); a quorum combines at most t − 1 = 2/,
    ],
  ];
  for (const [what, edit, why] of cases) {
    const forged = forge(genuine, edit);
    const report = verifyBundle(forged);
    assert.equal(report.verdict, 'invalid', what);
    const s = structure(forged);
    assert.equal(s.status, 'fail', `${what}: ${s.detail}`);
    assert.match(s.detail, why, what);
  }
});

test('the signing kind takes a paper share in its quorum unlock too: the documents are signed, the bundle verifies, trustee-3 signs nothing', async () => {
  const d = copies.copy();
  const file = join(d, 'signing-answers.yaml');
  const before = readFileSync(file, 'utf8');
  // trustee-3's token, PIN, keyring and envelope give way to their paper words.
  const after = before.replace(/( {2}- id: trustee-3\n {4}name: .*\n {4}role: trustee\n)(?: {4}.*\n)*?(?= {2}- id: )/, `$1    paper-words: { env: ${PAPER_WORDS_VARIABLE} }\n`);
  assert.notEqual(after, before);
  writeFileSync(file, after);
  const r = await runInProcess(['ceremony', 'run', join(repoRoot, 'ceremony-scripts', 'signing-rehearsal.yaml'), '--answers', file, '--out', join(d, 'signing'), '--json'], undefined, { ...pins, [PAPER_WORDS_VARIABLE]: paperWords(d, 'trustee-3').join(' ') });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(JSON.parse(r.stdout).paper, ['trustee-3']);
  const v = await runInProcess(['verify', join(d, 'signing', 'bundle'), '--trust', trustedFingerprint(d)]);
  assert.equal(v.code, 0, v.stdout);
  const entries = recoveryEntries(join(d, 'signing'));
  assert.equal(entries.find((e) => e.type === 'share.accepted' && e.body.trusteeId === 'trustee-3')?.body.source, 'paper');
  assert.equal(entries.some((e) => e.type === 'request.confirm' && e.body.participantId === 'trustee-3'), false, 'a paper participant confirms nothing with a signature');
  assert.deepEqual((entries.at(-1)!.body as { trustees: { id: string }[] }).trustees.map((t) => t.id), ['trustee-1', 'trustee-2']);
});

test('a recovery stopped by refused paper words resumes in the same folder with the right words, and its bundle verifies', async () => {
  const d = copies.copy();
  const words = paperWords(d, 'trustee-3');
  const typo = [...words];
  [typo[20], typo[21]] = [typo[21]!, typo[20]!];
  const first = await recoverWithWords(d, typo.join(' '));
  assert.equal(first.code, 1, first.stdout + first.stderr);
  const again = await recoverWithWords(d, words.join(' '));
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.equal(JSON.parse(again.stdout).resumed, true);
  const v = await runInProcess(['verify', join(d, 'rec', 'bundle'), '--trust', trustedFingerprint(d)]);
  assert.equal(v.code, 0, v.stdout);
  const entries = recoveryEntries(join(d, 'rec'));
  assert.equal(entries.filter((e) => e.type === 'share.rejected' && e.body.trusteeId === 'trustee-3').length, 1);
  assert.equal(entries.filter((e) => e.type === 'share.accepted' && e.body.trusteeId === 'trustee-3').length, 1);
});

test('the paper script lists a trustee offering paper words as a trustee without a token, and no source of the words', async () => {
  const d = copies.copy();
  const r = await runInProcess(['script', 'print', REHEARSAL_RECOVERY, '--answers', join(d, PAPER_RECOVERY_ANSWERS), '--out', join(d, 'script.pdf'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).participants, 5);
  const text = spawnSync('pdftotext', ['-layout', join(d, 'script.pdf'), '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
  assert.match(text, /trustee-3 .*Dave Trustee .*no token: paper-backup words/);
  assert.equal(text.includes(PAPER_WORDS_VARIABLE), false);
  assert.equal(text.includes('paper-trustee'), false);
});
