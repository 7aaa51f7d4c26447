// Wycheproof X25519 and ML-KEM-768 vectors through core/crypto/x25519.ts and mlkem768.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { x25519 } from '../../../core/crypto/x25519.ts';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768KeyFromSeed } from '../../../core/crypto/mlkem768.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { CaseCounter, hasFlag, hexField, label, loadWycheproof, throwsCode } from './helpers.ts';

test('Wycheproof x25519_test.json: every case through x25519', (t) => {
  const file = loadWycheproof('x25519_test.json');
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.type, 'XdhComp');
    for (const tc of group.tests) {
      const name = label('x25519', tc);
      const priv = hexField(tc, 'private');
      const pub = hexField(tc, 'public');
      if (tc.result === 'acceptable' && hasFlag(tc, 'ZeroSharedSecret')) {
        // Acceptable either way in Wycheproof; Keyrite refuses low-order points (RFC 7748 §6.1).
        assert.equal(tc.shared, '0'.repeat(64), name);
        throwsCode(() => x25519(priv, pub), 'INVALID_KEY', name);
        counter.add('acceptable: zero shared secret refused');
      } else {
        // valid, and acceptable twist / non-canonical public values: RFC 7748 says compute them.
        assert.notEqual(tc.result, 'invalid', name);
        assert.equal(toHex(x25519(priv, pub)), tc.shared, name);
        counter.add(tc.result === 'valid' ? 'valid' : 'acceptable: computed and matched');
      }
    }
  }
  counter.assertComplete(file);
  t.diagnostic(`x25519: ${JSON.stringify(counter.counts)}`);
});

test('Wycheproof mlkem_768_keygen_seed_test.json: every case through mlkem768KeyFromSeed', (t) => {
  const file = loadWycheproof('mlkem_768_keygen_seed_test.json');
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.parameterSet, 'ML-KEM-768');
    for (const tc of group.tests) {
      assert.equal(tc.result, 'valid', label('mlkem keygen', tc));
      const { publicKey, secretKey } = mlkem768KeyFromSeed(hexField(tc, 'seed'));
      assert.equal(toHex(publicKey), tc.ek, label('mlkem keygen', tc));
      assert.equal(toHex(secretKey), tc.dk, label('mlkem keygen', tc));
      counter.add('valid');
    }
  }
  counter.assertComplete(file);
  t.diagnostic(`mlkem_768_keygen_seed: ${JSON.stringify(counter.counts)}`);
});

test('Wycheproof mlkem_768_encaps_test.json: every case through mlkem768Encapsulate', (t) => {
  const file = loadWycheproof('mlkem_768_encaps_test.json');
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.parameterSet, 'ML-KEM-768');
    for (const tc of group.tests) {
      const name = label('mlkem encaps', tc);
      const ek = hexField(tc, 'ek');
      const m = hexField(tc, 'm');
      if (tc.result === 'valid') {
        const { cipherText, sharedSecret } = mlkem768Encapsulate(ek, m);
        assert.equal(toHex(cipherText), tc.c, name);
        assert.equal(toHex(sharedSecret), tc.K, name);
        counter.add('valid');
      } else {
        assert.equal(tc.result, 'invalid', name);
        // Wrong length or a coefficient not reduced mod q (FIPS 203 §7.2): the key is refused.
        throwsCode(() => mlkem768Encapsulate(ek, m), 'INVALID_KEY', name);
        counter.add(ek.length === 1184 ? 'invalid: unreduced key throws INVALID_KEY' : 'invalid: wrong key length throws INVALID_KEY');
      }
    }
  }
  counter.assertComplete(file);
  t.diagnostic(`mlkem_768_encaps: ${JSON.stringify(counter.counts)}`);
});

test('Wycheproof mlkem_768_test.json: every case through mlkem768KeyFromSeed / mlkem768Decapsulate', (t) => {
  const file = loadWycheproof('mlkem_768_test.json');
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.parameterSet, 'ML-KEM-768');
    for (const tc of group.tests) {
      const name = label('mlkem decaps', tc);
      const seed = hexField(tc, 'seed');
      const c = hexField(tc, 'c');
      if (tc.result === 'valid') {
        const { publicKey, secretKey } = mlkem768KeyFromSeed(seed);
        if (typeof tc.ek === 'string') assert.equal(toHex(publicKey), tc.ek, name);
        // Includes implicit rejection: a modified c yields the pseudo-random K from z.
        assert.equal(toHex(mlkem768Decapsulate(c, secretKey)), tc.K, name);
        counter.add('valid');
        continue;
      }
      assert.equal(tc.result, 'invalid', name);
      if (seed.length !== 64) {
        throwsCode(() => mlkem768KeyFromSeed(seed), 'INVALID_LENGTH', name);
        counter.add('invalid: wrong seed length throws INVALID_LENGTH');
      } else {
        const { secretKey } = mlkem768KeyFromSeed(seed);
        assert.notEqual(c.length, 1088, name);
        throwsCode(() => mlkem768Decapsulate(c, secretKey), 'INVALID_LENGTH', name);
        counter.add('invalid: wrong ciphertext length throws INVALID_LENGTH');
      }
    }
  }
  counter.assertComplete(file);
  t.diagnostic(`mlkem_768: ${JSON.stringify(counter.counts)}`);
});
