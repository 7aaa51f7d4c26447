// The public-key checks core/signing runs on keys it endorses: ML-KEM-768's FIPS 203 §7.2
// modulus check and X25519's low-order check, on the Wycheproof vectors and on made keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlkem768IsValidPublicKey, mlkem768KeyFromSeed, MLKEM768_PUBLIC_KEY_LENGTH } from '../../../core/crypto/mlkem768.ts';
import { x25519IsValidPublicKey, x25519PublicKey } from '../../../core/crypto/x25519.ts';
import { xwingKeyFromSeed } from '../../../core/crypto/xwing.ts';
import { hasFlag, hexField, label, loadWycheproof } from './helpers.ts';

test('Wycheproof mlkem_768_encaps_test.json: mlkem768IsValidPublicKey is true exactly for the valid cases (every invalid one is an unreduced key or a wrong length)', () => {
  let overflow = 0;
  let valid = 0;
  for (const group of loadWycheproof('mlkem_768_encaps_test.json').testGroups) {
    for (const tc of group.tests) {
      const ek = hexField(tc, 'ek');
      const expected = tc.result === 'valid';
      assert.equal(mlkem768IsValidPublicKey(ek), expected, label('mlkem encaps', tc));
      if (!expected && ek.length === MLKEM768_PUBLIC_KEY_LENGTH) overflow++;
      if (expected) valid++;
    }
  }
  assert.ok(overflow >= 100 && valid >= 100, `${overflow} unreduced keys, ${valid} valid keys`);
});

test('mlkem768IsValidPublicKey: generated keys pass; one coefficient set to q or 4095 fails; the key is not changed', () => {
  const pub = mlkem768KeyFromSeed(new Uint8Array(64).fill(9)).publicKey;
  const copy = Uint8Array.from(pub);
  assert.equal(mlkem768IsValidPublicKey(pub), true);
  assert.deepEqual(pub, copy);
  for (const coefficient of [3329, 4095]) {
    const bad: Uint8Array = Uint8Array.from(pub);
    bad[0] = coefficient & 0xff;
    bad[1] = (bad[1]! & 0xf0) | (coefficient >> 8);
    assert.equal(mlkem768IsValidPublicKey(bad), false, String(coefficient));
  }
  assert.equal(mlkem768IsValidPublicKey(pub.subarray(0, 1183)), false);
});

test('Wycheproof x25519_test.json: x25519IsValidPublicKey is false exactly for the public values whose shared secret is zero', () => {
  let lowOrder = 0;
  for (const group of loadWycheproof('x25519_test.json').testGroups) {
    for (const tc of group.tests) {
      const zero = hasFlag(tc, 'ZeroSharedSecret');
      assert.equal(x25519IsValidPublicKey(hexField(tc, 'public')), !zero, label('x25519', tc));
      if (zero) lowOrder++;
    }
  }
  assert.ok(lowOrder >= 10);
});

test('x25519IsValidPublicKey: made keys and the X25519 half of an X-Wing key pass; u = 0 and u = 1 and wrong lengths fail', () => {
  assert.equal(x25519IsValidPublicKey(x25519PublicKey(new Uint8Array(32).fill(3))), true);
  assert.equal(x25519IsValidPublicKey(xwingKeyFromSeed(new Uint8Array(32).fill(4)).publicKey.subarray(MLKEM768_PUBLIC_KEY_LENGTH)), true);
  assert.equal(x25519IsValidPublicKey(new Uint8Array(32)), false);
  assert.equal(x25519IsValidPublicKey(Uint8Array.of(1, ...new Uint8Array(31))), false);
  assert.equal(x25519IsValidPublicKey(new Uint8Array(31)), false);
});
