import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { p256Ecdh, p256PublicKey, p256RandomSecretKey } from '../../../core/crypto/p256.ts';
import { scryptKey } from '../../../core/crypto/scrypt.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { utf8 } from '../../../core/bytes.ts';
import { isKeyriteError } from '../../../core/errors.ts';

test('P-256 ECDH agrees both ways and with node:crypto', () => {
  const a = p256RandomSecretKey();
  const b = p256RandomSecretKey();
  const ab = p256Ecdh(a, p256PublicKey(b));
  assert.equal(ab.length, 32);
  assert.deepEqual(ab, p256Ecdh(b, p256PublicKey(a)));
  const node = createECDH('prime256v1');
  node.setPrivateKey(Buffer.from(a));
  assert.equal(toHex(ab), node.computeSecret(Buffer.from(p256PublicKey(b))).toString('hex'));
});

test('P-256 ECDH refuses points off the curve and bad secrets', () => {
  const a = p256RandomSecretKey();
  const bad = p256PublicKey(p256RandomSecretKey());
  bad[64] = bad[64]! ^ 1;
  assert.throws(() => p256Ecdh(a, bad), (e) => isKeyriteError(e, 'INVALID_KEY'));
  assert.throws(() => p256Ecdh(new Uint8Array(32), p256PublicKey(a)), (e) => isKeyriteError(e, 'INVALID_KEY'));
});

test('scrypt: RFC 7914 §12 test vector 2', async () => {
  const out = await scryptKey(utf8('password'), utf8('NaCl'), { N: 1024, r: 8, p: 16 }, 64);
  assert.equal(
    toHex(out),
    'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
  );
  await assert.rejects(scryptKey('password' as unknown as Uint8Array, utf8('NaCl'), { N: 1024, r: 8, p: 1 }), (e) => isKeyriteError(e, 'INVALID_INPUT'));
});
