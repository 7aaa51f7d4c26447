// Hybrid signatures (hybrid.ts): verification modes, token-style part-signers, the
// software check of every returned half, and the pairwise-consistency tests (pairwise.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHybridSigner, softwareHybridSigner, verifyHybrid } from '../../../core/crypto/hybrid.ts';
import type { HybridSignature, HybridSigner } from '../../../core/crypto/hybrid.ts';
import { PAIRWISE_TEST_PREFIX, checkKemKeyPair, checkSigningKeyPair, pairwiseTestMessage } from '../../../core/crypto/pairwise.ts';
import { deriveMasterKeys, deriveTrusteeKeys } from '../../../core/crypto/derive.ts';
import { ed25519PublicKey, ed25519Sign } from '../../../core/crypto/ed25519.ts';
import { mldsa65KeyFromSeed, mldsa65Sign } from '../../../core/crypto/mldsa65.ts';
import { p256PublicKey, p256Sign } from '../../../core/crypto/p256.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import { fromUtf8, utf8 } from '../../../core/bytes.ts';
import { rejectsCode, throwsCode } from './helpers.ts';

const master = deriveMasterKeys(Uint8Array.from({ length: 32 }, (_, i) => 100 + i));
const signer = softwareHybridSigner(master.ed25519.seed, master.mldsa65.secretKey, master.mldsa65.publicKey);
const MSG = utf8('DSSEv1 28 application/vnd.in-toto+json 2 {}');

function flip(b: Uint8Array, bit = 0): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

test('a good hybrid signature passes in every mode, and the mode is reported', async () => {
  const sig = await signer.sign(MSG);
  assert.deepEqual(verifyHybrid(signer.publicKey, MSG, sig), { valid: true, mode: 'hybrid', classical: 'pass', pq: 'pass' });
  assert.deepEqual(verifyHybrid(signer.publicKey, MSG, sig, 'classical-only'), { valid: true, mode: 'classical-only', classical: 'pass', pq: 'not-checked' });
  assert.deepEqual(verifyHybrid(signer.publicKey, MSG, sig, 'pq-only'), { valid: true, mode: 'pq-only', classical: 'not-checked', pq: 'pass' });
  assert.deepEqual(verifyHybrid(signer.publicKey, utf8('other'), sig), { valid: false, mode: 'hybrid', classical: 'fail', pq: 'fail' });
});

test('a broken PQ half: classical-only passes, hybrid and pq-only fail', async () => {
  const sig = await signer.sign(MSG);
  const broken: HybridSignature = { classical: sig.classical, pq: flip(sig.pq, 100) };
  assert.deepEqual(verifyHybrid(signer.publicKey, MSG, broken, 'classical-only'), { valid: true, mode: 'classical-only', classical: 'pass', pq: 'not-checked' });
  assert.deepEqual(verifyHybrid(signer.publicKey, MSG, broken, 'hybrid'), { valid: false, mode: 'hybrid', classical: 'pass', pq: 'fail' });
  assert.equal(verifyHybrid(signer.publicKey, MSG, broken, 'pq-only').valid, false);
  // A missing (empty) PQ half is a failed half, not an error.
  assert.deepEqual(verifyHybrid(signer.publicKey, MSG, { classical: sig.classical, pq: new Uint8Array(0) }), { valid: false, mode: 'hybrid', classical: 'pass', pq: 'fail' });
});

test('a broken classical half: pq-only passes, hybrid and classical-only fail', async () => {
  const sig = await signer.sign(MSG);
  const broken: HybridSignature = { classical: flip(sig.classical, 3), pq: sig.pq };
  assert.deepEqual(verifyHybrid(signer.publicKey, MSG, broken, 'pq-only'), { valid: true, mode: 'pq-only', classical: 'not-checked', pq: 'pass' });
  assert.deepEqual(verifyHybrid(signer.publicKey, MSG, broken, 'hybrid'), { valid: false, mode: 'hybrid', classical: 'fail', pq: 'pass' });
  assert.equal(verifyHybrid(signer.publicKey, MSG, broken, 'classical-only').valid, false);
});

test('swapped halves from two different keys do not make a valid hybrid signature', async () => {
  const other = deriveMasterKeys(randomBytes(32));
  const otherSigner = softwareHybridSigner(other.ed25519.seed, other.mldsa65.secretKey, other.mldsa65.publicKey);
  const a = await signer.sign(MSG);
  const b = await otherSigner.sign(MSG);
  assert.equal(verifyHybrid(signer.publicKey, MSG, { classical: a.classical, pq: b.pq }).valid, false);
  assert.equal(verifyHybrid(signer.publicKey, MSG, { classical: b.classical, pq: a.pq }).valid, false);
});

test('ES256 classical half from a token-style async signer', async () => {
  const secret = randomBytes(32);
  const dsa = mldsa65KeyFromSeed(randomBytes(32));
  const tokenSigner = makeHybridSigner(
    { alg: 'ES256', publicKey: p256PublicKey(secret), sign: async (m) => p256Sign(secret, m) },
    { publicKey: dsa.publicKey, sign: async (m) => mldsa65Sign(dsa.secretKey, m) },
  );
  const sig = await tokenSigner.sign(MSG);
  assert.equal(sig.classical.length, 64);
  assert.deepEqual(verifyHybrid(tokenSigner.publicKey, MSG, sig), { valid: true, mode: 'hybrid', classical: 'pass', pq: 'pass' });
  await checkSigningKeyPair('trustee 2 (ES256 token)', tokenSigner);
});

test('the hybrid signer refuses a half that does not verify (a token returning garbage)', async () => {
  const seed = randomBytes(32);
  const dsa = mldsa65KeyFromSeed(randomBytes(32));
  const pq = { publicKey: dsa.publicKey, sign: (m: Uint8Array) => mldsa65Sign(dsa.secretKey, m) };
  const garbage = makeHybridSigner({ alg: 'Ed25519', publicKey: ed25519PublicKey(seed), sign: async () => randomBytes(64) }, pq);
  await rejectsCode(() => garbage.sign(MSG), 'INVALID_SIGNATURE');
  const notBytes = makeHybridSigner({ alg: 'Ed25519', publicKey: ed25519PublicKey(seed), sign: async () => 'signature' as never }, pq);
  await rejectsCode(() => notBytes.sign(MSG), 'INVALID_SIGNATURE');
  const wrongKey = makeHybridSigner({ alg: 'Ed25519', publicKey: ed25519PublicKey(seed), sign: async (m) => ed25519Sign(randomBytes(32), m) }, pq);
  await rejectsCode(() => wrongKey.sign(MSG), 'INVALID_SIGNATURE');
  const badPq = makeHybridSigner(
    { alg: 'Ed25519', publicKey: ed25519PublicKey(seed), sign: async (m) => ed25519Sign(seed, m) },
    { publicKey: dsa.publicKey, sign: (m) => mldsa65Sign(dsa.secretKey, m, { context: new Uint8Array(0) }) },
  );
  await rejectsCode(() => badPq.sign(MSG), 'INVALID_SIGNATURE', 'a PQ half with the wrong context is refused');
  await rejectsCode(() => checkSigningKeyPair('trustee 4', badPq), 'SELFTEST_FAILED');
  // A part-signer that changes the message it was given cannot change what the other half signs.
  const mutating = makeHybridSigner(
    { alg: 'Ed25519', publicKey: ed25519PublicKey(seed), sign: async (m) => { const s = ed25519Sign(seed, m); m.fill(0); return s; } },
    pq,
  );
  const sig = await mutating.sign(MSG);
  assert.equal(verifyHybrid(mutating.publicKey, MSG, sig).valid, true);
});

test('pairwise consistency: test message is domain separated, checks pass for good keys', async () => {
  const msg = pairwiseTestMessage(new Uint8Array(32));
  assert.ok(fromUtf8(msg.subarray(0, PAIRWISE_TEST_PREFIX.length)) === 'keyrite/v1/pairwise-consistency-test');
  assert.equal(msg.length, PAIRWISE_TEST_PREFIX.length + 32);
  assert.notEqual(msg[0], '{'.charCodeAt(0));
  throwsCode(() => pairwiseTestMessage(new Uint8Array(31)), 'INVALID_LENGTH');
  await checkSigningKeyPair('the master key', signer);
  const trustee = deriveTrusteeKeys(randomBytes(32));
  checkKemKeyPair('trustee 1 encryption key', trustee.xwing.publicKey, trustee.xwing.secretKey);
});

test('pairwise consistency: mismatched keys raise SELFTEST_FAILED naming the key', async () => {
  const a = deriveTrusteeKeys(randomBytes(32));
  const b = deriveTrusteeKeys(randomBytes(32));
  assert.throws(
    () => checkKemKeyPair('trustee 3 encryption key', a.xwing.publicKey, b.xwing.secretKey),
    (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'SELFTEST_FAILED' && e.message.includes('trustee 3 encryption key'),
  );
  // A signer whose declared public key does not match what it signs with.
  const liar: HybridSigner = {
    publicKey: signer.publicKey,
    sign: async (m) => {
      const s = await signer.sign(m);
      return { classical: s.classical, pq: flip(s.pq, 9) };
    },
  };
  await assert.rejects(
    () => checkSigningKeyPair('the master key', liar),
    (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'SELFTEST_FAILED' && e.message.includes('the master key') && e.message.includes('ML-DSA-65'),
  );
  throwsCode(() => softwareHybridSigner(master.ed25519.seed, master.mldsa65.secretKey, mldsa65KeyFromSeed(randomBytes(32)).publicKey), 'INVALID_KEY');
});
