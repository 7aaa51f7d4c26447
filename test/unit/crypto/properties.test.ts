// Property tests (fast-check): sealed-box round trip and tamper detection, hybrid
// signatures failing on any bit flip, entropy mixing determinism and sensitivity.
// numRuns stays modest: ML-DSA and X-Wing are slow in JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openSealed, sealToRecipient } from '../../../core/crypto/seal.ts';
import type { Sealed } from '../../../core/crypto/seal.ts';
import { xwingKeyFromSeed } from '../../../core/crypto/xwing.ts';
import { softwareHybridSigner, verifyHybrid } from '../../../core/crypto/hybrid.ts';
import { deriveMasterKeys } from '../../../core/crypto/derive.ts';
import { mixEntropy } from '../../../core/crypto/entropy.ts';
import type { EntropySource } from '../../../core/crypto/entropy.ts';
import { xchachaOpen, xchachaSeal } from '../../../core/crypto/aead.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { toHex } from '../../../core/encoding/hex.ts';

const recipient = xwingKeyFromSeed(Uint8Array.from({ length: 32 }, (_, i) => 7 * i));
const master = deriveMasterKeys(Uint8Array.from({ length: 32 }, (_, i) => 255 - i));
const signer = softwareHybridSigner(master.ed25519.seed, master.mldsa65.secretKey, master.mldsa65.publicKey);

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

function failsToOpen(sealed: Sealed, aad: Uint8Array): boolean {
  try {
    openSealed(sealed, recipient.secretKey, aad);
    return false;
  } catch (e) {
    return isKeyriteError(e, 'DECRYPTION_FAILED');
  }
}

test('seal/open round trip for random plaintext and AAD', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 200 }), (plaintext, aad) => {
      const sealed = sealToRecipient(recipient.publicKey, plaintext, aad);
      assert.equal(toHex(openSealed(sealed, recipient.secretKey, aad)), toHex(plaintext));
    }),
    { numRuns: 60 },
  );
});

test('any single-bit flip in kemCiphertext, nonce, ciphertext or AAD makes open fail', () => {
  const fields = ['kemCiphertext', 'nonce', 'ciphertext', 'aad'] as const;
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.constantFrom(...fields),
      fc.nat(),
      (plaintext, aad, field, r) => {
        const sealed = sealToRecipient(recipient.publicKey, plaintext, aad);
        const target = field === 'aad' ? aad : sealed[field];
        const bit = r % (target.length * 8);
        if (field === 'aad') return failsToOpen(sealed, flipBit(aad, bit));
        return failsToOpen({ ...sealed, [field]: flipBit(target, bit) }, aad);
      },
    ),
    { numRuns: 120 },
  );
});

test('XChaCha20-Poly1305: any single-bit flip in the sealed bytes fails to open', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.uint8Array({ maxLength: 100 }), fc.nat(), (key, nonce, pt, r) => {
      const ct = xchachaSeal(key, nonce, pt, new Uint8Array(0));
      const flipped = flipBit(ct, r % (ct.length * 8));
      assert.throws(() => xchachaOpen(key, nonce, flipped, new Uint8Array(0)), (e: unknown) => isKeyriteError(e, 'DECRYPTION_FAILED'));
    }),
    { numRuns: 200 },
  );
});

test('hybrid verify fails on any bit flip in the message or either signature half', async () => {
  const msg = new TextEncoder().encode('keyrite test statement for bit flips');
  const sig = await signer.sign(msg);
  assert.equal(verifyHybrid(signer.publicKey, msg, sig).valid, true);
  fc.assert(
    fc.property(fc.constantFrom('message', 'classical', 'pq'), fc.nat(), (where, r) => {
      if (where === 'message') {
        const res = verifyHybrid(signer.publicKey, flipBit(msg, r % (msg.length * 8)), sig);
        return !res.valid && res.classical === 'fail' && res.pq === 'fail';
      }
      if (where === 'classical') {
        const res = verifyHybrid(signer.publicKey, msg, { ...sig, classical: flipBit(sig.classical, r % 512) });
        return !res.valid && res.classical === 'fail' && res.pq === 'pass';
      }
      const res = verifyHybrid(signer.publicKey, msg, { ...sig, pq: flipBit(sig.pq, r % (sig.pq.length * 8)) });
      return !res.valid && res.classical === 'pass' && res.pq === 'fail';
    }),
    { numRuns: 150 },
  );
});

test('hybrid sign/verify round trip for random messages', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (msg) => {
      const sig = await signer.sign(msg);
      assert.equal(verifyHybrid(signer.publicKey, msg, sig).valid, true);
    }),
    { numRuns: 25 },
  );
});

const nameArb = fc.stringMatching(/^[a-z][a-z0-9:-]{0,15}$/);
const sourcesArb = fc
  .uniqueArray(nameArb, { minLength: 2, maxLength: 5 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: names.length, maxLength: names.length }),
      fc.uint8Array({ minLength: 32, maxLength: 64 }),
    ),
  )
  .map(([names, values, strong]): EntropySource[] => names.map((name, i) => ({ name, bytes: i === 0 ? strong : values[i]! })))
  .filter((sources) => {
    try {
      mixEntropy(sources);
      return true;
    } catch {
      return false; // e.g. a generated all-equal or duplicate value, which mixEntropy refuses
    }
  });

test('mixEntropy is deterministic and sensitive to order, names and bytes', () => {
  fc.assert(
    fc.property(sourcesArb, fc.nat(), (sources, r) => {
      const s = toHex(mixEntropy(sources));
      assert.equal(toHex(mixEntropy(sources.map((x) => ({ name: x.name, bytes: x.bytes.slice() })))), s, 'deterministic');
      const reversed = [...sources].reverse();
      assert.notEqual(toHex(mixEntropy(reversed)), s, 'order matters');
      const i = r % sources.length;
      const renamed = sources.map((x, j) => (j === i ? { name: `${x.name}x`, bytes: x.bytes } : x));
      if (new Set(renamed.map((x) => x.name)).size === renamed.length) assert.notEqual(toHex(mixEntropy(renamed)), s, 'names matter');
      const changed = sources.map((x, j) => (j === i ? { name: x.name, bytes: flipBit(x.bytes, r % (x.bytes.length * 8)) } : x));
      try {
        assert.notEqual(toHex(mixEntropy(changed)), s, 'bytes matter');
      } catch (e) {
        if (!isKeyriteError(e)) throw e; // the flip made a value mixEntropy refuses
      }
      // Moving a byte from one name into the value must not collide (length prefixes).
      const shifted = sources.map((x, j) => (j === i && x.name.length > 1 ? { name: x.name.slice(0, -1), bytes: Uint8Array.of(x.name.charCodeAt(x.name.length - 1), ...x.bytes) } : x));
      if (shifted[i]!.name !== sources[i]!.name && new Set(shifted.map((x) => x.name)).size === shifted.length) {
        assert.notEqual(toHex(mixEntropy(shifted)), s, 'boundaries matter');
      }
    }),
    { numRuns: 200 },
  );
});
