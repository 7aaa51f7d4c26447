// The Node adapter's scrypt (node:crypto, off the main thread) is the same function as the
// core's (@noble/hashes): RFC 7914 §12's test vectors for both, and equal outputs for random
// inputs and parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { utf8 } from '../../../core/bytes.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { scryptKey } from '../../../core/crypto/scrypt.ts';
import { nativeScrypt } from '../../../core/node/native-scrypt.ts';
import { isKeyriteError } from '../../../core/errors.ts';

// RFC 7914 §12 (the fourth vector, N = 2^20, needs 1 GiB and is left out).
const VECTORS = [
  { P: '', S: '', N: 16, r: 1, p: 1, dk: '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906' },
  { P: 'password', S: 'NaCl', N: 1024, r: 8, p: 16, dk: 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640' },
  { P: 'pleaseletmein', S: 'SodiumChloride', N: 16384, r: 8, p: 1, dk: '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887' },
];

test('RFC 7914 test vectors: node:crypto and @noble/hashes give the published keys', async () => {
  for (const v of VECTORS) {
    const params = { N: v.N, r: v.r, p: v.p };
    assert.equal(toHex(await nativeScrypt(utf8(v.P), utf8(v.S), params, 64)), v.dk, `native, N=${v.N}`);
    assert.equal(toHex(await scryptKey(utf8(v.P), utf8(v.S), params, 64)), v.dk, `noble, N=${v.N}`);
  }
});

test('for random passphrases, salts and parameters both give the same key', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 32 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 16, max: 64 }), async (pw, salt, logN, r, p, length) => {
      const params = { N: 2 ** logN, r, p };
      assert.equal(toHex(await nativeScrypt(pw, salt, params, length)), toHex(await scryptKey(pw, salt, params, length)));
    }),
    { numRuns: 40 },
  );
});

test('the software token defaults (N = 2^15, r = 8, p = 1): the same key', async () => {
  const params = { N: 2 ** 15, r: 8, p: 1 };
  const pw = utf8('correct horse battery staple');
  const salt = utf8('0123456789abcdef');
  assert.equal(toHex(await nativeScrypt(pw, salt, params, 32)), toHex(await scryptKey(pw, salt, params, 32)));
});

test('parameters node:crypto refuses (N not a power of two) are a KeyriteError, not a crash', async () => {
  await assert.rejects(nativeScrypt(utf8('x'), utf8('y'), { N: 1000, r: 8, p: 1 }, 32), (e) => isKeyriteError(e) && e.code === 'INVALID_INPUT');
});
