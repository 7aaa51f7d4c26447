/**
 * Crash and resume of a signing ceremony (docs/CEREMONY-SCRIPTS.md "Signing", "Resuming"): the
 * CLI runs as a child process and is killed (SIGKILL) during check-request, during share
 * collection, right after sign-document linked the first envelope into place (a test-only
 * preload, test/helpers/kill-after-link.mjs, kills it there: no progress line marks that point)
 * and after co-sign (an envelope changed after the crash is refused, naming it, never
 * overwritten). The next run on the same --out folder ends with a signing bundle that
 * `keyrite verify --trust` accepts; every document and envelope an interrupted run wrote is kept
 * byte for byte (never signed twice, never two contents); the run folder holds exactly the
 * expected files, no temporary file, and no secret the test can reconstruct (passphrases, seeds,
 * shares, K, S, the master keys).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recoverTranscript } from '../../../core/transcript/transcript.ts';
import type { TranscriptEntry } from '../../../core/transcript/entry.ts';
import { repoRoot } from '../../helpers/cli.ts';
import { assertVerifiesAnchored, knownSecrets, listFiles, isDemoPassphraseFile, newTmpEntries, scanForSecrets, spawnCli, tmpSnapshot, TRUSTEES } from '../ceremony/helpers.ts';
import { trustedFingerprint, type DemoCopies } from '../recovery/helpers.ts';
import { REHEARSAL_SIGNING, sign, signingCopies, signingEntries } from './helpers.ts';

let copies: DemoCopies & { allPins: Record<string, string> };
before(async () => {
  copies = await signingCopies('keyrite-signing-crash-');
});
after(() => copies?.remove());

const KILL_AFTER_LINK = join(repoRoot, 'test', 'helpers', 'kill-after-link.mjs');
const DOCUMENTS = ['endorsed-keys.jwks.json', 'artifacts.intoto.json'];

function argv(d: string): string[] {
  return ['ceremony', 'run', REHEARSAL_SIGNING, '--answers', join(d, 'signing-answers.yaml'), '--out', join(d, 'sign')];
}

interface Killed {
  d: string;
  tmpBefore: Set<string>;
  /** The interrupted run's transcript prefix (what a resumed run keeps). */
  prefix: TranscriptEntry[];
  /** Files under sign/signed/ after the kill, path → bytes. */
  signed: Map<string, Buffer>;
}

/** Runs the signing rehearsal as a child process until it is killed (by `line` on stdout, or by the preload after linking a file ending in `afterLink`). */
async function killed(how: { line: RegExp } | { afterLink: string }): Promise<Killed> {
  const tmpBefore = tmpSnapshot();
  const d = copies.copy();
  const env = 'afterLink' in how ? { ...copies.allPins, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${KILL_AFTER_LINK}`.trim(), KEYRITE_TEST_KILL_AFTER_LINK: how.afterLink } : copies.allPins;
  const r = await spawnCli(argv(d), env, 'line' in how ? { killOn: how.line } : {}).done;
  assert.equal(r.signal, 'SIGKILL', `the child was not killed (exit ${r.code}); stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const prefix = [...recoverTranscript(readFileSync(join(d, 'sign', 'journal', 'transcript.jsonl'))).entries];
  assert.equal(prefix[0]!.type, 'ceremony.start');
  const signed = new Map(listFiles(join(d, 'sign', 'signed')).map((f) => [f, readFileSync(join(d, 'sign', 'signed', f))]));
  return { d, tmpBefore, prefix, signed };
}

/** The next run on the same folder: exit 0, resumed, a bundle that verifies anchored; returns its whole transcript. */
async function resume(k: Killed): Promise<TranscriptEntry[]> {
  const r = await sign(k.d, 'sign', copies.allPins);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.resumed, true);
  assert.deepEqual(res.documents.map((x: { name: string }) => x.name), DOCUMENTS);
  const out = join(k.d, 'sign');
  await assertVerifiesAnchored(join(out, 'bundle'), trustedFingerprint(k.d));
  // Whatever the interrupted run wrote to signed/ is still there byte for byte (documents and envelopes alike).
  for (const [name, bytes] of k.signed) {
    if (/\.tmp|^\./.test(name)) continue;
    assert.ok(readFileSync(join(out, 'signed', name)).equals(bytes), `signed/${name} changed after the resume`);
  }
  // The bundle's documents and envelopes are the run folder's.
  for (const name of DOCUMENTS.flatMap((n) => [n, `${n}.dsse.json`])) assert.ok(readFileSync(join(out, 'bundle', 'signed', name)).equals(readFileSync(join(out, 'signed', name))), name);
  const entries = signingEntries(out);
  // One request, checked once or again with the same digest and time (the documents' signedAt).
  const checks = entries.filter((e) => e.type === 'request.check');
  assert.ok(checks.length >= 1);
  assert.equal(new Set(checks.map((c) => `${c.body.sha256} ${c.body.checkedAt}`)).size, 1, 'a resumed run checked another request or re-dated it');
  // Each document has one content and one envelope over all runs.
  for (const name of DOCUMENTS) {
    const signs = entries.filter((e) => e.type === 'document.sign' && e.body.name === name);
    assert.ok(signs.length >= 1, name);
    assert.equal(new Set(signs.map((e) => `${e.body.sha256} ${e.body.envelopeSha256}`)).size, 1, `${name} was signed with two contents`);
  }
  await assertRunFolderClean(k);
  return entries;
}

/** Exactly the expected files (journal, signed documents, the bundle bundle.json lists), no temporary file, no secret. */
async function assertRunFolderClean(k: Killed): Promise<void> {
  const out = join(k.d, 'sign');
  const manifest = JSON.parse(readFileSync(join(out, 'bundle', 'bundle.json'), 'utf8')) as { files: { path: string }[] };
  const notes = listFiles(join(out, 'journal', 'checkpoints'));
  assert.deepEqual(notes, ['01-quorum-present.note', '02-signed.note', '03-final.note']);
  const expected = [
    'bundle.keyrite.tar',
    'bundle/bundle.json',
    ...manifest.files.map((f) => `bundle/${f.path}`),
    ...notes.map((n) => `journal/checkpoints/${n}`),
    'journal/statement.dsse.json',
    'journal/transcript.jsonl',
    ...DOCUMENTS.flatMap((n) => [`signed/${n}`, `signed/${n}.dsse.json`]),
  ].sort();
  assert.deepEqual(listFiles(out), expected);
  const passphrases = new Map([...TRUSTEES, 'master'].map((id) => [id, copies.allPins[`KEYRITE_REHEARSAL_PIN_${id.toUpperCase().replace('-', '_')}`]!]));
  const secrets = await knownSecrets({ dir: k.d, passphrases }, (id) => join(k.d, 'trustees', id, 'token.keyrite-token'), (id) => join(k.d, 'trustees', id), 3);
  for (const l of ['master seed S', 'master Ed25519 seed', 'master ML-DSA secret key', 'escrow key K']) assert.ok(secrets.some((s) => s.label === l), `the test could not reconstruct ${l}`);
  assert.deepEqual(scanForSecrets([out, ...newTmpEntries(k.tmpBefore, [copies.dir])], secrets, isDemoPassphraseFile), [], 'secret material found on disk');
}

function afterResume(entries: TranscriptEntry[]): TranscriptEntry[] {
  const at = entries.findIndex((e) => e.type === 'ceremony.resume');
  assert.ok(at > 0, 'no ceremony.resume entry');
  return entries.slice(at);
}

test('killed during check-request: the next run checks the same request again, keeps the time of the first check, and signs', async () => {
  const k = await killed({ line: /Signing request checked against the script's limits/ });
  const first = k.prefix.find((e) => e.type === 'request.check')!;
  assert.ok(first, 'the kill came before request.check');
  assert.equal(k.prefix.some((e) => e.type === 'share.accepted'), false);
  const entries = await resume(k);
  const later = afterResume(entries);
  assert.equal(later.filter((e) => e.type === 'request.check').length, 1, 'checked again');
  assert.equal(later.filter((e) => e.type === 'request.confirm').length, 3, 'confirmed again by every trustee');
  const doc = JSON.parse(readFileSync(join(k.d, 'sign', 'signed', 'endorsed-keys.jwks.json'), 'utf8'));
  assert.equal(doc.keyrite.signedAt, first.body.checkedAt);
});

test('killed during share collection: the next run collects three shares again and signs', async () => {
  const k = await killed({ line: /Share of .* \(trustee-1\) accepted: 1 of 3/ });
  assert.equal(k.prefix.filter((e) => e.type === 'share.accepted').length >= 1, true);
  assert.equal(k.signed.size, 0);
  const later = afterResume(await resume(k));
  assert.equal(later.filter((e) => e.type === 'share.accepted').length, 3, 'shares are never stored: offered again');
  assert.equal(later.find((e) => e.type === 'step.aborted')?.body.step, 'collect-share');
});

test('killed right after the first envelope was linked into place: an envelope changed meanwhile is refused, naming it, and left as it is; the original back, the next run checks that envelope and keeps it byte for byte, signs only the second document, and no temporary file survives', async () => {
  const k = await killed({ afterLink: 'endorsed-keys.jwks.json.dsse.json' });
  assert.deepEqual([...k.signed.keys()].filter((n) => !n.startsWith('.')).sort(), ['endorsed-keys.jwks.json', 'endorsed-keys.jwks.json.dsse.json']);
  assert.ok(listFiles(join(k.d, 'sign', 'signed')).some((n) => n.startsWith('.')), 'the kill left no temporary file (the preload did not kill at the link)');
  assert.equal(k.prefix.some((e) => e.type === 'document.sign'), false, 'the kill came after document.sign');

  // Someone swaps the ML-DSA-65 signature of the envelope the crash left: it is not signed over, nor overwritten.
  const envelopePath = join(k.d, 'sign', 'signed', 'endorsed-keys.jwks.json.dsse.json');
  const original = readFileSync(envelopePath);
  const changed = JSON.parse(original.toString('utf8')) as { signatures: { sig: string }[] };
  const sig = Buffer.from(changed.signatures[1]!.sig, 'base64');
  sig[100]! ^= 1;
  changed.signatures[1]!.sig = sig.toString('base64');
  const tampered = Buffer.from(JSON.stringify(changed));
  writeFileSync(envelopePath, tampered);
  const refused = await sign(k.d, 'sign', copies.allPins);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  const why = JSON.parse(refused.stdout);
  assert.equal(why.code, 'OBJECT_EXISTS');
  assert.match(why.message, /endorsed-keys\.jwks\.json\.dsse\.json already exists and is not the master key's signature of this document \(the ML-DSA-65 signature of the master key does not verify over the envelope's payload\); Keyrite never overwrites a file\. Move it away and run again\.$/);
  assert.ok(readFileSync(envelopePath).equals(tampered), 'the refused run changed the envelope');
  assert.equal(signingEntries(join(k.d, 'sign')).some((e) => e.type === 'document.sign'), false, 'the refused run signed something');
  writeFileSync(envelopePath, original);

  const later = afterResume(await resume(k));
  const signs = later.filter((e) => e.type === 'document.sign');
  assert.deepEqual(signs.map((e) => e.body.name), DOCUMENTS);
  assert.match(signs[0]!.body.kept as string, /signed by an earlier run of this ceremony; checked and kept, not signed again/);
  assert.equal(signs[1]!.body.kept, undefined);
});

test('killed after co-sign: the closed transcript is not appended to; the bundle is exported and verifies, with the envelopes of the first run', async () => {
  const k = await killed({ line: /done: co-sign/ });
  const journal = readFileSync(join(k.d, 'sign', 'journal', 'transcript.jsonl'));
  assert.equal(k.prefix.at(-1)!.type, 'ceremony.end');
  assert.equal(k.signed.size, 4);
  const entries = await resume(k);
  assert.ok(readFileSync(join(k.d, 'sign', 'journal', 'transcript.jsonl')).equals(journal), 'the resumed run changed the closed transcript');
  assert.equal(entries.filter((e) => e.type === 'document.sign').length, 2);
});
