// The verifier tests' ML-DSA-65 cache (test/helpers/cached-verifier-crypto.ts) must give
// noble's verdict for every input, and serve from the cache only the exact same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mldsa65KeyFromSeed, mldsa65Sign } from '../../../core/crypto/mldsa65.ts';
import { NOBLE_MLDSA65 } from '../../../core/crypto/hybrid.ts';
import { cachedMlDsa65 } from '../../helpers/cached-verifier-crypto.ts';

test('the cached ML-DSA-65 verifier answers as noble, and only the same bytes are served from the cache', () => {
  const key = mldsa65KeyFromSeed(new Uint8Array(32).fill(7));
  const other = mldsa65KeyFromSeed(new Uint8Array(32).fill(8));
  const msg = new TextEncoder().encode('keyrite checkpoint');
  const sig = mldsa65Sign(key.secretKey, msg);
  const cached = cachedMlDsa65();
  const flipped = sig.slice();
  flipped[100]! ^= 1;
  const longerMsg = new Uint8Array([...msg, sig[0]!]);
  const shorterSig = sig.subarray(1);
  const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
    [key.publicKey, msg, sig],
    [key.publicKey, msg, flipped],
    [other.publicKey, msg, sig],
    [key.publicKey, msg.subarray(1), sig],
    // The same bytes in total, split differently between signature and message.
    [key.publicKey, longerMsg, shorterSig],
  ];
  for (const [pk, m, s] of cases) assert.equal(cached.verify(pk, m, s), NOBLE_MLDSA65.verify(pk, m, s));
  assert.equal(cached.hits(), 0, 'five different inputs: five noble verifications');
  assert.deepEqual(cases.map(([pk, m, s]) => cached.verify(pk.slice(), m.slice(), s.slice())), [true, false, false, false, false]);
  assert.equal(cached.hits(), 5, 'the same bytes again, in fresh arrays: served from the cache');
});
