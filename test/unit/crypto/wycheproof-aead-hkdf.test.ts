// Wycheproof ChaCha20-Poly1305, XChaCha20-Poly1305 and HKDF vectors through
// core/crypto/aead.ts and core/crypto/hkdf.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chachaOpen, chachaSeal, xchachaOpen, xchachaSeal } from '../../../core/crypto/aead.ts';
import { hkdf } from '../../../core/crypto/hkdf.ts';
import type { HkdfHash } from '../../../core/crypto/hkdf.ts';
import { concatBytes } from '../../../core/bytes.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { CaseCounter, hasFlag, hexField, label, loadWycheproof, throwsCode } from './helpers.ts';

type Seal = (k: Uint8Array, n: Uint8Array, p: Uint8Array, a: Uint8Array) => Uint8Array;

function runAead(fileName: string, nonceLength: number, seal: Seal, open: Seal): Record<string, number> {
  const file = loadWycheproof(fileName);
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.type, 'AeadTest');
    for (const tc of group.tests) {
      const name = label(fileName, tc);
      const key = hexField(tc, 'key');
      const iv = hexField(tc, 'iv');
      const aad = hexField(tc, 'aad');
      const msg = hexField(tc, 'msg');
      const sealed = concatBytes(hexField(tc, 'ct'), hexField(tc, 'tag'));
      if (tc.result === 'valid') {
        assert.equal(toHex(seal(key, iv, msg, aad)), toHex(sealed), name);
        assert.equal(toHex(open(key, iv, sealed, aad)), toHex(msg), name);
        counter.add('valid');
      } else {
        assert.equal(tc.result, 'invalid', name);
        if (iv.length !== nonceLength) {
          assert.ok(hasFlag(tc, 'InvalidNonceSize'), name);
          throwsCode(() => seal(key, iv, msg, aad), 'INVALID_LENGTH', name);
          throwsCode(() => open(key, iv, sealed, aad), 'INVALID_LENGTH', name);
          counter.add('invalid: wrong nonce size throws INVALID_LENGTH');
        } else {
          throwsCode(() => open(key, iv, sealed, aad), 'DECRYPTION_FAILED', name);
          counter.add('invalid: open throws DECRYPTION_FAILED');
        }
      }
    }
  }
  counter.assertComplete(file);
  return counter.counts;
}

test('Wycheproof chacha20_poly1305_test.json: every case through chachaSeal / chachaOpen', (t) => {
  t.diagnostic(`chacha20_poly1305: ${JSON.stringify(runAead('chacha20_poly1305_test.json', 12, chachaSeal, chachaOpen))}`);
});

test('Wycheproof xchacha20_poly1305_test.json: every case through xchachaSeal / xchachaOpen', (t) => {
  t.diagnostic(`xchacha20_poly1305: ${JSON.stringify(runAead('xchacha20_poly1305_test.json', 24, xchachaSeal, xchachaOpen))}`);
});

function runHkdf(fileName: string, hash: HkdfHash): Record<string, number> {
  const file = loadWycheproof(fileName);
  const counter = new CaseCounter();
  for (const group of file.testGroups) {
    counter.groups++;
    assert.equal(group.type, 'HkdfTest');
    for (const tc of group.tests) {
      const name = label(fileName, tc);
      const args = [hexField(tc, 'ikm'), hexField(tc, 'salt'), hexField(tc, 'info'), Number(tc.size)] as const;
      if (tc.result === 'valid') {
        assert.equal(toHex(hkdf(hash, ...args)), tc.okm, name);
        counter.add('valid');
      } else {
        assert.equal(tc.result, 'invalid', name);
        assert.ok(hasFlag(tc, 'SizeTooLarge'), name);
        throwsCode(() => hkdf(hash, ...args), 'INVALID_LENGTH', name);
        counter.add('invalid: size too large throws INVALID_LENGTH');
      }
    }
  }
  counter.assertComplete(file);
  return counter.counts;
}

test('Wycheproof hkdf_sha256_test.json: every case through hkdf', (t) => {
  t.diagnostic(`hkdf_sha256: ${JSON.stringify(runHkdf('hkdf_sha256_test.json', 'sha256'))}`);
});

test('Wycheproof hkdf_sha512_test.json: every case through hkdf', (t) => {
  t.diagnostic(`hkdf_sha512: ${JSON.stringify(runHkdf('hkdf_sha512_test.json', 'sha512'))}`);
});
