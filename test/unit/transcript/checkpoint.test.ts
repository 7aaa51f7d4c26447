// Checkpoints: C2SP tlog-checkpoint text, C2SP signed-note framing and key IDs (with the Go
// sumdb/note known answers), hybrid co-signing and verification, and the consistency rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { fromBase64, toBase64 } from '../../../core/encoding/base64url.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { ed25519PublicKey, ed25519Sign } from '../../../core/crypto/ed25519.ts';
import { concatBytes } from '../../../core/bytes.ts';
import {
  CEREMONY_ORIGIN_PREFIX,
  ES256_NOTE_TYPE_LABEL,
  MLDSA65_NOTE_TYPE_LABEL,
  appendNoteSignatures,
  assertConsistentCheckpoint,
  ceremonyOrigin,
  formatCheckpoint,
  formatNoteSignatureLine,
  formatSignedNote,
  noteKeyId,
  parseCheckpoint,
  parseCheckpointNote,
  signCheckpoint,
  verifyCheckpointSignatures,
} from '../../../core/transcript/checkpoint.ts';
import type { Checkpoint, KnownPrincipal } from '../../../core/transcript/checkpoint.ts';
import { MerkleTree, leafHash } from '../../../core/transcript/merkle.ts';
import { TranscriptWriter } from '../../../core/transcript/transcript.ts';
import { MemorySink, dec, ed25519Principal, enc, es256Principal, loadJson, steppingClock, throwsCode } from './helpers.ts';
import type { TestPrincipal } from './helpers.ts';

const ORIGIN = ceremonyOrigin('00112233445566778899aabbccddeeff');
const ROOT8 = fromHex('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
const CP: Checkpoint = { origin: ORIGIN, size: 8, root: ROOT8 };
const TEXT = `${ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n`;

const master = ed25519Principal('master');
const trustee = es256Principal('trustee-1');
const witness = ed25519Principal('witness');
const known = (...ps: TestPrincipal[]): KnownPrincipal[] => ps.map((p) => ({ name: p.name, publicKey: p.signer.publicKey }));

test('checkpoint text is origin, size, base64 root, each with LF', () => {
  assert.equal(ORIGIN, `${CEREMONY_ORIGIN_PREFIX}00112233445566778899aabbccddeeff`);
  assert.equal(formatCheckpoint(CP), TEXT);
  assert.deepEqual(parseCheckpoint(TEXT), CP);
  assert.equal(formatCheckpoint({ origin: ORIGIN, size: 0, root: sha256(new Uint8Array(0)) }), `${ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`);
  throwsCode(() => ceremonyOrigin('00112233445566778899AABBCCDDEEFF'), 'INVALID_INPUT');
  throwsCode(() => ceremonyOrigin('0011'), 'INVALID_INPUT');
  for (const bad of [
    { ...CP, origin: '' },
    { ...CP, origin: 'has space' },
    { ...CP, origin: 'has+plus' },
    { ...CP, origin: 'x'.repeat(256) },
    { ...CP, size: -1 },
    { ...CP, size: 1.5 },
    { ...CP, root: new Uint8Array(31) },
  ]) {
    throwsCode(() => formatCheckpoint(bad), 'INVALID_INPUT', JSON.stringify({ ...bad, root: bad.root.length }));
  }
});

test('checkpoint text is parsed strictly', () => {
  const bad: [string, string][] = [
    ['no final LF', TEXT.slice(0, -1)],
    ['leading zero', TEXT.replace('\n8\n', '\n08\n')],
    ['plus sign', TEXT.replace('\n8\n', '\n+8\n')],
    ['negative', TEXT.replace('\n8\n', '\n-8\n')],
    ['space', TEXT.replace('\n8\n', '\n 8\n')],
    ['hex size', TEXT.replace('\n8\n', '\n0x8\n')],
    ['too big', TEXT.replace('\n8\n', '\n9007199254740992\n')],
    ['short root', TEXT.replace('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=', 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==')],
    ['unpadded root', TEXT.replace('Qyg=', 'Qyg')],
    ['non-canonical root bits', TEXT.replace('Qyg=', 'Qyh=')],
    ['base64url root', TEXT.replace('lgz+Nw7/Rg', 'lgz-Nw7_Rg')],
    ['extension line', `${TEXT}extension\n`],
    ['blank line', `${TEXT}\n`],
    ['two lines', `${ORIGIN}\n8\n`],
    ['origin with space', TEXT.replace('keyrite.dev/', 'keyrite.dev /')],
    ['empty origin', TEXT.slice(ORIGIN.length)],
    ['CRLF', TEXT.replace(/\n/g, '\r\n')],
  ];
  for (const [name, text] of bad) throwsCode(() => parseCheckpoint(text), 'INVALID_ENCODING', name);
  assert.equal(parseCheckpoint(TEXT.replace('\n8\n', '\n0\n')).size, 0);
});

interface GoNote {
  text: string;
  signers: { name: string; keyId: string; vkey: string; skey?: string; seedHex?: string; signatureLine: string }[];
}

test('Ed25519 key IDs and signature lines match Go sumdb/note (signed-note type 0x01)', () => {
  const v = loadJson<GoNote>('signed-note/go-sumdb-note-examples.json');
  for (const s of v.signers) {
    const vk = fromBase64(s.vkey.split('+')[2]!);
    assert.equal(vk[0], 0x01);
    const publicKey = vk.subarray(1);
    assert.equal(toHex(noteKeyId(s.name, 'Ed25519', publicKey)), s.keyId);
    const seed = s.skey !== undefined ? fromBase64(s.skey.split('+').slice(4).join('+')).subarray(1) : fromHex(s.seedHex!);
    assert.deepEqual(ed25519PublicKey(seed), publicKey);
    const sig = ed25519Sign(seed, enc.encode(v.text));
    assert.equal(formatNoteSignatureLine({ name: s.name, keyId: fromHex(s.keyId), signature: sig }), s.signatureLine);
  }
});

test('key IDs: 0x01 for Ed25519, 0xFF + Keyrite label for ES256 and ML-DSA-65', () => {
  const name = 'keyrite.dev/principal/x';
  const ed = master.signer.publicKey.classical.publicKey;
  const pq = master.signer.publicKey.pq.publicKey;
  const ec = trustee.signer.publicKey.classical.publicKey;
  const nl = Uint8Array.of(0x0a);
  assert.deepEqual(noteKeyId(name, 'Ed25519', ed), sha256(concatBytes(enc.encode(name), nl, Uint8Array.of(1), ed)).slice(0, 4));
  assert.deepEqual(noteKeyId(name, 'ML-DSA-65', pq), sha256(concatBytes(enc.encode(name), nl, Uint8Array.of(0xff), enc.encode(`${MLDSA65_NOTE_TYPE_LABEL}\n`), pq)).slice(0, 4));
  assert.deepEqual(noteKeyId(name, 'ES256', ec), sha256(concatBytes(enc.encode(name), nl, Uint8Array.of(0xff), enc.encode(`${ES256_NOTE_TYPE_LABEL}\n`), ec)).slice(0, 4));
  assert.equal(ec.length, 65);
  throwsCode(() => noteKeyId(name, 'RSA' as never, ed), 'UNSUPPORTED');
  throwsCode(() => noteKeyId(name, 'ES256', new Uint8Array(65)), 'INVALID_KEY');
  throwsCode(() => noteKeyId('', 'Ed25519', ed), 'INVALID_INPUT');
});

test('one principal signs: two lines, parsed back and verified in every mode', async () => {
  const sigs = await signCheckpoint(CP, master.signer, master.name);
  assert.equal(sigs.length, 2);
  assert.equal(sigs[0]!.signature.length, 64);
  assert.equal(sigs[1]!.signature.length, 3309);
  const note = formatSignedNote(TEXT, sigs);
  assert.ok(note.startsWith(`${TEXT}\n\u2014 ${master.name} `));
  const parsed = parseCheckpointNote(note);
  assert.equal(parsed.text, TEXT);
  assert.deepEqual(parsed.checkpoint, CP);
  assert.deepEqual(parsed.signatures, sigs);
  assert.deepEqual(parseCheckpointNote(enc.encode(note)), parsed);
  for (const mode of ['hybrid', 'classical-only', 'pq-only'] as const) {
    const r = verifyCheckpointSignatures(note, known(master), mode);
    assert.equal(r.valid, true, mode);
    assert.equal(r.mode, mode);
    assert.deepEqual(r.validPrincipals, [master.name]);
    assert.deepEqual(r.principals[0], {
      name: master.name,
      valid: true,
      classical: mode === 'pq-only' ? 'not-checked' : 'pass',
      pq: mode === 'classical-only' ? 'not-checked' : 'pass',
    });
    assert.equal(r.failedSignatures, 0);
    assert.deepEqual(r.unknownSignatures, []);
  }
  // The Ed25519 line is an ordinary C2SP Ed25519 note signature over the note text.
  assert.deepEqual(sigs[0]!.signature, ed25519Sign(sha256(enc.encode('keyrite test seed master/ed25519')), enc.encode(TEXT)));
  // The text form is accepted too.
  assert.deepEqual((await signCheckpoint(TEXT, master.signer, master.name)).map((s) => toHex(s.keyId)), sigs.map((s) => toHex(s.keyId)));
});

test('co-signing: principals add their lines one after another; thresholds count principals', async () => {
  let note = formatSignedNote(TEXT, await signCheckpoint(CP, master.signer, master.name));
  note = appendNoteSignatures(note, await signCheckpoint(CP, trustee.signer, trustee.name));
  note = appendNoteSignatures(enc.encode(note), await signCheckpoint(CP, witness.signer, witness.name));
  assert.equal(parseCheckpointNote(note).signatures.length, 6);
  const r = verifyCheckpointSignatures(note, known(master, trustee, witness));
  assert.equal(r.valid, true);
  assert.deepEqual(r.validPrincipals, [master.name, trustee.name, witness.name]);
  // A verifier that knows only some principals ignores (and lists) the other lines.
  const r2 = verifyCheckpointSignatures(note, known(trustee));
  assert.deepEqual(r2.validPrincipals, [trustee.name]);
  assert.equal(r2.unknownSignatures.length, 4);
  assert.deepEqual(new Set(r2.unknownSignatures.map((u) => u.name)), new Set([master.name, witness.name]));
  // Duplicated lines do not count twice.
  const dup = appendNoteSignatures(note, parseCheckpointNote(note).signatures.slice(0, 2));
  assert.deepEqual(verifyCheckpointSignatures(dup, known(master, trustee, witness)).validPrincipals.length, 3);
});

test('hybrid needs both halves; a missing half is reported as missing', async () => {
  const [classical, pq] = await signCheckpoint(CP, master.signer, master.name);
  const onlyClassical = formatSignedNote(TEXT, [classical!]);
  const h = verifyCheckpointSignatures(onlyClassical, known(master));
  assert.equal(h.valid, false);
  assert.deepEqual(h.principals[0], { name: master.name, valid: false, classical: 'pass', pq: 'missing' });
  assert.equal(verifyCheckpointSignatures(onlyClassical, known(master), 'classical-only').valid, true);
  assert.equal(verifyCheckpointSignatures(onlyClassical, known(master), 'pq-only').valid, false);
  const onlyPq = formatSignedNote(TEXT, [pq!]);
  assert.equal(verifyCheckpointSignatures(onlyPq, known(master), 'pq-only').valid, true);
  assert.deepEqual(verifyCheckpointSignatures(onlyPq, known(master)).principals[0], { name: master.name, valid: false, classical: 'missing', pq: 'pass' });
});

test('altered checkpoints and signatures fail; foreign and renamed lines are ignored', async () => {
  const sigs = [...(await signCheckpoint(CP, master.signer, master.name)), ...(await signCheckpoint(CP, trustee.signer, trustee.name))];
  const note = formatSignedNote(TEXT, sigs);
  // Body altered after signing (size 8 -> 9): every known signature fails, the note is rejected.
  const forged = note.replace('\n8\n', '\n9\n');
  const f = verifyCheckpointSignatures(forged, known(master, trustee));
  assert.equal(f.valid, false);
  assert.equal(f.failedSignatures, 4);
  assert.deepEqual(f.validPrincipals, []);
  assert.deepEqual(f.checkpoint.size, 9);
  // One bit of the trustee's ML-DSA signature flipped.
  const bad = sigs.map((s, i) => (i === 3 ? { ...s, signature: s.signature.map((b, j) => (j === 100 ? b ^ 1 : b)) } : s));
  const b = verifyCheckpointSignatures(formatSignedNote(TEXT, bad), known(master, trustee));
  assert.equal(b.valid, false, 'a failing known-key signature rejects the note');
  assert.deepEqual(b.validPrincipals, [master.name]);
  assert.deepEqual(b.principals[1], { name: trustee.name, valid: false, classical: 'pass', pq: 'fail' });
  // A signature under the trustee's name by another key: key ID differs, so it is unknown.
  const impostor = await signCheckpoint(CP, witness.signer, trustee.name);
  const i = verifyCheckpointSignatures(formatSignedNote(TEXT, impostor), known(master, trustee));
  assert.equal(i.valid, false);
  assert.deepEqual(i.unknownSignatures.map((u) => u.name), [trustee.name, trustee.name]);
  assert.deepEqual(i.principals.map((p) => [p.classical, p.pq]), [['missing', 'missing'], ['missing', 'missing']]);
  // The master's lines relabelled with the trustee's name: key IDs bind the name, so unknown.
  const relabelled = sigs.slice(0, 2).map((s) => ({ ...s, name: trustee.name }));
  assert.equal(verifyCheckpointSignatures(formatSignedNote(TEXT, relabelled), known(master, trustee)).unknownSignatures.length, 2);
});

test('known keys must name distinct principals with distinct keys', async () => {
  const note = formatSignedNote(TEXT, await signCheckpoint(CP, master.signer, master.name));
  throwsCode(() => verifyCheckpointSignatures(note, [...known(master), ...known(master)]), 'INVALID_INPUT');
  throwsCode(() => verifyCheckpointSignatures(note, [...known(master), { name: 'other', publicKey: master.signer.publicKey }]), 'INVALID_INPUT');
  throwsCode(() => verifyCheckpointSignatures(note, known(master), 'lenient' as never), 'INVALID_INPUT');
  throwsCode(() => verifyCheckpointSignatures(note, 'x' as never), 'INVALID_INPUT');
  await assert.rejects(signCheckpoint(CP, master.signer, 'bad name'), { code: 'INVALID_INPUT' });
  await assert.rejects(signCheckpoint(CP, {} as never, master.name), { code: 'INVALID_INPUT' });
  await assert.rejects(signCheckpoint({ ...CP, origin: 'example.com/log' }, master.signer, master.name), { code: 'INVALID_INPUT' });
});

test('malformed notes are rejected', async () => {
  const note = formatSignedNote(TEXT, await signCheckpoint(CP, master.signer, master.name));
  const [line1, line2] = note.slice(TEXT.length + 1).split('\n') as [string, string];
  const bad: [string, string | Uint8Array][] = [
    ['no blank line', `${TEXT}${line1}\n`],
    ['no signatures', `${TEXT}\n`],
    ['no final LF', note.slice(0, -1)],
    ['hyphen instead of em dash', note.replace('\u2014', '-')],
    ['no space after dash', note.replace('\u2014 ', '\u2014')],
    ['two spaces', note.replace(`${master.name} `, `${master.name}  `)],
    ['name with plus', note.replace(master.name, 'a+b')],
    ['name with NBSP', note.replace(master.name, 'a\u00a0b')],
    ['bad base64', note.replace(line1, `${line1.slice(0, -4)}!!!=`)],
    ['base64url', `${TEXT}\n\u2014 n ${toBase64(new Uint8Array(70)).replace(/A/g, '-')}\n`],
    ['too short', `${TEXT}\n\u2014 n ${toBase64(new Uint8Array(4))}\n`],
    ['empty signature line', `${TEXT}\n${line1}\n\n${line2}\n`],
    ['CR', note.replace(/\n/g, '\r\n')],
    ['tab', note.replace(' ', '\t')],
    ['BOM', `\ufeff${note}`],
    ['lone surrogate', note.replace(master.name, 'a\ud800b')],
    ['extension line', `${TEXT}ext\n\n${line1}\n`],
    ['65 signatures', `${TEXT}\n${`${line1}\n`.repeat(65)}`],
    ['not UTF-8', new Uint8Array([...enc.encode(note.slice(0, 10)), 0xff, ...enc.encode(note.slice(10))])],
  ];
  for (const [name, n] of bad) throwsCode(() => parseCheckpointNote(n), 'INVALID_ENCODING', name);
  assert.equal(parseCheckpointNote(`${TEXT}\n${`${line1}\n`.repeat(64)}`).signatures.length, 64);
  // Unknown-key lines with non-ASCII names are kept (signed-note allows them).
  const foreign = `${note}\u2014 witness.example/ω ${toBase64(new Uint8Array(68).fill(7))}\n`;
  const r = verifyCheckpointSignatures(foreign, known(master));
  assert.equal(r.valid, true);
  assert.deepEqual(r.unknownSignatures, [{ name: 'witness.example/ω', keyId: '07070707' }]);
  assert.equal(dec.decode(enc.encode(foreign)), foreign);
});

test('a checkpoint must be a consistent extension of the last one', () => {
  const leaves = Array.from({ length: 8 }, (_, i) => leafHash(Uint8Array.of(i)));
  const t = MerkleTree.fromLeafHashes(leaves);
  const c5: Checkpoint = { origin: ORIGIN, size: 5, root: t.root(5) };
  const c8: Checkpoint = { origin: ORIGIN, size: 8, root: t.root(8) };
  assertConsistentCheckpoint(undefined, c5, []);
  assertConsistentCheckpoint(c5, c8, t.consistencyProof(5, 8));
  assertConsistentCheckpoint(c8, c8, []);
  throwsCode(() => assertConsistentCheckpoint(c8, c5, []), 'VERIFY_FAILED');
  throwsCode(() => assertConsistentCheckpoint(c5, { ...c8, origin: ceremonyOrigin('ffeeddccbbaa99887766554433221100') }, t.consistencyProof(5, 8)), 'VERIFY_FAILED');
  // A different history of the same size.
  const other = MerkleTree.fromLeafHashes([...leaves.slice(0, 4), ...leaves.slice(5), leafHash(enc.encode('x'))]);
  throwsCode(() => assertConsistentCheckpoint(c5, { ...c8, root: other.root(8) }, other.consistencyProof(5, 8)), 'VERIFY_FAILED');
  throwsCode(() => assertConsistentCheckpoint(c5, c8, t.consistencyProof(5, 8).slice(1)), 'VERIFY_FAILED');
  throwsCode(() => assertConsistentCheckpoint(c8, { ...c8, root: t.root(7) }, []), 'VERIFY_FAILED');
});

test('writer checkpoints signed by principals verify end to end', async () => {
  const w = new TranscriptWriter(new MemorySink(), { clock: steppingClock() });
  for (let i = 0; i < 5; i++) await w.append('step.done', 'administrator-1', { i });
  const c1 = await w.checkpoint(ORIGIN);
  const n1 = formatSignedNote(formatCheckpoint(c1), [...(await signCheckpoint(c1, master.signer, master.name)), ...(await signCheckpoint(c1, trustee.signer, trustee.name))]);
  await w.append('checkpoint.cosigned', 'administrator-1', { size: String(c1.size) });
  const c2 = await w.checkpoint(ORIGIN);
  const n2 = formatSignedNote(formatCheckpoint(c2), await signCheckpoint(c2, master.signer, master.name));
  const v1 = verifyCheckpointSignatures(n1, known(master, trustee));
  const v2 = verifyCheckpointSignatures(n2, known(master, trustee));
  assert.equal(v1.valid && v2.valid, true);
  assert.deepEqual(v2.validPrincipals, [master.name]);
  assertConsistentCheckpoint(v1.checkpoint, v2.checkpoint, w.consistencyProof(v1.checkpoint.size, v2.checkpoint.size));
});
