// The verifier's native backend (node:crypto) must answer exactly as the noble one: every
// Wycheproof Ed25519 case, and SHA-256 on assorted lengths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NATIVE_VERIFIER_CRYPTO } from '../../../core/node/native-verifier-crypto.ts';
import { NOBLE_VERIFIER_CRYPTO } from '../../../core/verifier/verify.ts';
import { CaseCounter, hexField, label, loadWycheproof } from '../crypto/helpers.ts';

test('Wycheproof ed25519_test.json: the native Ed25519 backend gives every expected result', () => {
  const file = loadWycheproof('ed25519_test.json');
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    const pk = hexField(group.publicKey as Record<string, unknown>, 'pk');
    for (const tc of group.tests) {
      const msg = hexField(tc, 'msg');
      const sig = hexField(tc, 'sig');
      const native = NATIVE_VERIFIER_CRYPTO.ed25519.verify(pk, msg, sig);
      assert.equal(native, tc.result === 'valid', label('ed25519 native', tc));
      assert.equal(native, NOBLE_VERIFIER_CRYPTO.ed25519.verify(pk, msg, sig), label('ed25519 native vs noble', tc));
      counter.add(tc.result);
    }
  }
  counter.assertComplete(file);
});

test('native and noble SHA-256 agree, and malformed Ed25519 inputs give false rather than an exception', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 100_000]) {
    const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
    assert.deepEqual(NATIVE_VERIFIER_CRYPTO.sha256(data), NOBLE_VERIFIER_CRYPTO.sha256(data));
  }
  assert.equal(NATIVE_VERIFIER_CRYPTO.ed25519.verify(new Uint8Array(31), new Uint8Array(0), new Uint8Array(64)), false);
  assert.equal(NATIVE_VERIFIER_CRYPTO.ed25519.verify(new Uint8Array(32), new Uint8Array(0), new Uint8Array(63)), false);
});
