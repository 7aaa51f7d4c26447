/** The crash-journal reader (core/ceremony/journal.ts) and the trustee keyring reader (keyring.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyriteError } from '../../../core/errors.ts';
import { utf8 } from '../../../core/bytes.ts';
import { makeEntry, GENESIS_PREV, type TranscriptEntry } from '../../../core/transcript/entry.ts';
import { ABORT_REASON, analyzeJournal } from '../../../core/ceremony/journal.ts';
import { KEYRING_FORMAT, encodeKeyring, parseKeyring, trusteeSeedAad, type TrusteeKeyring } from '../../../core/ceremony/keyring.ts';
import { publicKeyToJwkWithKid } from '../../../core/encoding/thumbprint.ts';
import { deriveMasterKeys } from '../../../core/crypto/derive.ts';
import { ENTRY } from '../../../core/bundle/entries.ts';

let seq = 0;
function e(type: string, body: Record<string, unknown>): TranscriptEntry {
  return makeEntry({ seq: seq++, time: '2026-01-01T09:00:00.000Z', type, actor: 'admin', body, prev: GENESIS_PREV });
}

const keys = deriveMasterKeys(new Uint8Array(32).fill(7));
const masterBody = {
  role: 'master',
  fingerprint: 'ab'.repeat(32),
  classical: { jwk: publicKeyToJwkWithKid('Ed25519', keys.ed25519.publicKey) },
  pq: { jwk: publicKeyToJwkWithKid('ML-DSA-65', keys.mldsa65.publicKey) },
};
const start = () => e(ENTRY.ceremonyStart, { ceremonyId: '00'.repeat(16), script: { sha256: 'cd'.repeat(32) }, participants: [{ id: 'admin', name: 'A', role: 'administrator' }] });

test('a step started and not ended is the interrupted one; the master key life follows generate, distribute and abandonment', () => {
  seq = 0;
  const base = [start(), e(ENTRY.stepStart, { step: 'entropy', action: 'entropy' }), e(ENTRY.stepEnd, { step: 'entropy', action: 'entropy' })];
  let j = analyzeJournal(base);
  assert.equal(j.key, 'none');
  assert.equal(j.interrupted, undefined);
  assert.equal(j.runs, 1);

  const generating = [...base, e(ENTRY.stepStart, { step: 'generate', action: 'generate' }), e(ENTRY.keyGenerate, masterBody)];
  j = analyzeJournal(generating);
  assert.equal(j.key, 'in-flight');
  assert.deepEqual(j.interrupted, { step: 'generate', action: 'generate' });
  assert.equal(j.master?.fingerprint, 'ab'.repeat(32));

  const abandoned = [...generating, e(ENTRY.ceremonyResume, { run: 2 }), e(ENTRY.stepAborted, { step: 'generate', action: 'generate', reason: ABORT_REASON }), e(ENTRY.keyAbandoned, { fingerprint: 'ab'.repeat(32) })];
  j = analyzeJournal(abandoned);
  assert.equal(j.key, 'none');
  assert.equal(j.master, undefined);
  assert.equal(j.interrupted, undefined);
  assert.equal(j.abandonedKeys, 1);
  assert.equal(j.lastAbandonedSeq, abandoned.length - 1);
  assert.equal(j.runs, 2);

  const escrowed = [
    ...abandoned,
    e(ENTRY.stepStart, { step: 'generate', action: 'generate' }),
    e(ENTRY.keyGenerate, masterBody),
    e(ENTRY.stepEnd, { step: 'generate', action: 'generate' }),
    e(ENTRY.escrowSplit, { manifest: 'journal/escrow/x.manifest.json', manifestSha256: 'ef'.repeat(32) }),
    e(ENTRY.stepStart, { step: 'distribute', action: 'distribute' }),
    e(ENTRY.escrowDistribute, { trusteeId: 'trustee-1', envelopeSha256: '01'.repeat(32) }),
    e(ENTRY.stepEnd, { step: 'distribute', action: 'distribute' }),
  ];
  j = analyzeJournal(escrowed);
  assert.equal(j.key, 'escrowed');
  assert.equal(j.manifestPath, 'journal/escrow/x.manifest.json');
  assert.equal(j.distributed.get('trustee-1'), '01'.repeat(32));
  assert.equal(j.attempts.get('generate'), 2);
  assert.ok(j.completedSteps.has('distribute'));
});

test('a journal that does not start with ceremony.start, or holds an unusable entry, is refused with CEREMONY_ERROR', () => {
  seq = 0;
  assert.throws(() => analyzeJournal([e(ENTRY.stepStart, { step: 'x', action: 'x' })]), (err: unknown) => err instanceof KeyriteError && err.code === 'CEREMONY_ERROR');
  seq = 0;
  assert.throws(() => analyzeJournal([start(), e(ENTRY.escrowSplit, { manifest: 42 })]), (err: unknown) => err instanceof KeyriteError && err.code === 'CEREMONY_ERROR' && /new folder/.test(err.message));
});

function keyring(): TrusteeKeyring {
  return {
    format: KEYRING_FORMAT,
    ceremonyId: '00'.repeat(16),
    trusteeId: 'trustee-1',
    name: 'Bob',
    fingerprint: 'ab'.repeat(32),
    token: { uri: 'pkcs11:token=T', label: 'T', serial: '01', model: 'M', manufacturer: 'X', rehearsalOnly: false },
    signingKey: { ref: { kind: 'signing-key', label: 'l1', id: '4b52540101' + '00'.repeat(15), alg: 'Ed25519' }, jwk: publicKeyToJwkWithKid('Ed25519', keys.ed25519.publicKey) },
    sealKey: { kind: 'seal-key', label: 'l2', id: '4b52540102' + '00'.repeat(15), alg: 'aes-256-gcm' },
    pq: { jwk: publicKeyToJwkWithKid('ML-DSA-65', keys.mldsa65.publicKey) },
    kem: { alg: 'X-Wing', publicKey: 'AA' },
    sealedSeed: { v: 1, scheme: 'aes-256-gcm', keyId: '4b52540102' + '00'.repeat(15), nonce: 'AAAAAAAAAAAAAAAA', ct: 'AA' },
  };
}

test('a keyring round-trips, refuses unknown members and other formats, and its seed AAD binds its identity', () => {
  const k = keyring();
  assert.deepEqual(parseKeyring(encodeKeyring(k)), k);
  const extra = { ...JSON.parse(new TextDecoder().decode(encodeKeyring(k))), seed: 'AAAA' };
  assert.throws(() => parseKeyring(utf8(JSON.stringify(extra))), /unexpected member "seed"/);
  assert.throws(() => parseKeyring(utf8(JSON.stringify({ ...extra, seed: undefined, format: 'other' }))), /is not a keyrite\/trustee-keyring\/v1 file/);
  const aad = new TextDecoder().decode(trusteeSeedAad(k));
  assert.equal(aad, `{"ceremonyId":"${'00'.repeat(16)}","format":"keyrite/trustee-seed/v1","sealKeyId":"${k.sealKey.id}","signingKeyId":"${k.signingKey.ref.id}","tokenSerial":"01","trusteeId":"trustee-1"}`);
  assert.notEqual(new TextDecoder().decode(trusteeSeedAad({ ...k, trusteeId: 'trustee-2' })), aad);
});

test('witness confirmations are read per step, so a resumed run can ask for one the earlier run never recorded', () => {
  seq = 0;
  const j = analyzeJournal([
    start(),
    e(ENTRY.stepStart, { step: 'check-in', action: 'check-in' }),
    e(ENTRY.witnessConfirm, { step: 'check-in', witness: 'witness-1' }),
    e(ENTRY.stepEnd, { step: 'check-in', action: 'check-in' }),
    e(ENTRY.stepStart, { step: 'enrolled', action: 'checkpoint' }),
    e(ENTRY.stepFailed, { step: 'enrolled', action: 'checkpoint', code: 'CEREMONY_ERROR', reason: 'stopped' }),
  ]);
  assert.deepEqual([...j.witnessed], ['check-in']);
  assert.equal(j.interrupted, undefined);
});
