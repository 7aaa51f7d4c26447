// Wycheproof ML-DSA-65 vectors (verify; sign from seed) through core/crypto/mldsa65.ts.
// Wycheproof's absent `ctx` means the empty context, so it is passed explicitly
// (Keyrite's default context is 'keyrite/v1').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mldsa65KeyFromSeed,
  mldsa65Sign,
  mldsa65SignExternalMu,
  mldsa65Verify,
  mldsa65VerifyExternalMu,
} from '../../../core/crypto/mldsa65.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { CaseCounter, hasFlag, hexField, label, loadWycheproof, optHexField, throwsCode } from './helpers.ts';

const EMPTY = new Uint8Array(0);

test('Wycheproof mldsa_65_verify_test.json: every case through mldsa65Verify', (t) => {
  const file = loadWycheproof('mldsa_65_verify_test.json');
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.type, 'MlDsaVerify');
    const pk = hexField(group, 'publicKey');
    for (const tc of group.tests) {
      const name = label('mldsa verify', tc);
      const context = optHexField(tc, 'ctx') ?? EMPTY;
      const msg = hexField(tc, 'msg');
      const sig = hexField(tc, 'sig');
      if (tc.result === 'valid') {
        assert.equal(mldsa65Verify(pk, msg, sig, { context }), true, name);
        counter.add('valid');
      } else {
        assert.equal(tc.result, 'invalid', name);
        if (hasFlag(tc, 'IncorrectPublicKeyLength')) {
          throwsCode(() => mldsa65Verify(pk, msg, sig, { context }), 'INVALID_KEY', name);
          counter.add('invalid: malformed public key throws INVALID_KEY');
        } else if (hasFlag(tc, 'InvalidContext')) {
          throwsCode(() => mldsa65Verify(pk, msg, sig, { context }), 'INVALID_LENGTH', name);
          counter.add('invalid: context > 255 bytes throws INVALID_LENGTH');
        } else {
          assert.equal(mldsa65Verify(pk, msg, sig, { context }), false, name);
          counter.add('invalid: verify false');
        }
      }
    }
  }
  counter.assertComplete(file);
  t.diagnostic(`mldsa_65_verify: ${JSON.stringify(counter.counts)}`);
});

test('Wycheproof mldsa_65_sign_seed_test.json: every case through mldsa65KeyFromSeed / mldsa65Sign', (t) => {
  const file = loadWycheproof('mldsa_65_sign_seed_test.json');
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.type, 'MlDsaSign');
    const seed = hexField(group, 'privateSeed');
    if (seed.length !== 32) {
      // IncorrectPrivateKeyLength groups: key generation itself must refuse the seed.
      for (const tc of group.tests) {
        assert.equal(tc.result, 'invalid', label('mldsa sign', tc));
        assert.ok(hasFlag(tc, 'IncorrectPrivateKeyLength'), label('mldsa sign', tc));
        throwsCode(() => mldsa65KeyFromSeed(seed), 'INVALID_LENGTH', label('mldsa sign', tc));
        counter.add('invalid: wrong seed length throws INVALID_LENGTH');
      }
      continue;
    }
    const { publicKey, secretKey } = mldsa65KeyFromSeed(seed);
    assert.equal(toHex(publicKey), group.publicKey, `public key from seed, group of tcId ${group.tests[0]?.tcId}`);
    for (const tc of group.tests) {
      const name = label('mldsa sign', tc);
      const context = optHexField(tc, 'ctx') ?? EMPTY;
      const rnd = optHexField(tc, 'rnd');
      const random = rnd ?? 'deterministic';
      const msg = optHexField(tc, 'msg');
      const mu = optHexField(tc, 'mu');
      if (tc.result === 'invalid') {
        assert.ok(hasFlag(tc, 'InvalidContext'), name);
        throwsCode(() => mldsa65Sign(secretKey, msg ?? EMPTY, { context, random }), 'INVALID_LENGTH', name);
        counter.add('invalid: context > 255 bytes throws INVALID_LENGTH');
        continue;
      }
      assert.equal(tc.result, 'valid', name);
      const expected = String(tc.sig);
      if (msg !== undefined) {
        const sig = mldsa65Sign(secretKey, msg, { context, random });
        assert.equal(toHex(sig), expected, name);
        assert.equal(mldsa65Verify(publicKey, msg, sig, { context }), true, name);
        counter.add('valid: message signed');
      } else {
        counter.add('valid: external-mu only (Internal)');
      }
      if (mu !== undefined) {
        // Signing µ directly must give the same bytes, which also checks the vector's µ.
        const sig = mldsa65SignExternalMu(secretKey, mu, { random });
        assert.equal(toHex(sig), expected, `${name} (external µ)`);
        assert.equal(mldsa65VerifyExternalMu(publicKey, mu, sig), true, `${name} (external µ)`);
      } else {
        assert.ok(msg !== undefined, name);
      }
    }
  }
  counter.assertComplete(file);
  t.diagnostic(`mldsa_65_sign_seed: ${JSON.stringify(counter.counts)}`);
});
