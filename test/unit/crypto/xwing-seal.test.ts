// X-Wing (draft-connolly-cfrg-xwing-kem-08 vectors), ML-KEM-768 round trip, and the sealed
// box (seal.ts), whose key schedule is re-derived here with node:crypto's HKDF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { xwingDecapsulate, xwingEncapsulate, xwingKeyFromSeed } from '../../../core/crypto/xwing.ts';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768KeyFromSeed } from '../../../core/crypto/mlkem768.ts';
import { SEAL_KDF_INFO, decodeSealed, encodeSealed, openSealed, sealToRecipient } from '../../../core/crypto/seal.ts';
import { xchachaOpen } from '../../../core/crypto/aead.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import { utf8 } from '../../../core/bytes.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { loadFixture, throwsCode } from './helpers.ts';

interface XWingVector {
  sk: string;
  eseed: string;
  ss: string;
  pkHead: string;
  pkTail: string;
  ctHead: string;
  ctTail: string;
}

test('X-Wing: draft-08 Appendix C vectors through the wrappers', () => {
  const { vectors } = loadFixture<{ vectors: XWingVector[] }>('xwing/draft-connolly-cfrg-xwing-kem-08.json');
  assert.ok(vectors.length >= 3);
  for (const v of vectors) {
    const { publicKey, secretKey } = xwingKeyFromSeed(fromHex(v.sk));
    assert.equal(toHex(secretKey), v.sk);
    assert.equal(publicKey.length, 1216);
    assert.equal(toHex(publicKey.subarray(0, 32)), v.pkHead);
    assert.equal(toHex(publicKey.subarray(-32)), v.pkTail);
    const { cipherText, sharedSecret } = xwingEncapsulate(publicKey, fromHex(v.eseed));
    assert.equal(cipherText.length, 1120);
    assert.equal(toHex(cipherText.subarray(0, 32)), v.ctHead);
    assert.equal(toHex(cipherText.subarray(-32)), v.ctTail);
    assert.equal(toHex(sharedSecret), v.ss);
    assert.equal(toHex(xwingDecapsulate(cipherText, secretKey)), v.ss);
  }
});

test('X-Wing: vector 1 in full (every byte of pk and ct)', () => {
  const { vectors } = loadFixture<{ vectors: { sk: string; pk: string; eseed: string; ct: string; ss: string }[] }>('xwing/xwing_test_vectors.json');
  assert.ok(vectors.length >= 1);
  for (const v of vectors) {
    const { publicKey, secretKey } = xwingKeyFromSeed(fromHex(v.sk));
    assert.equal(toHex(publicKey), v.pk);
    const { cipherText, sharedSecret } = xwingEncapsulate(fromHex(v.pk), fromHex(v.eseed));
    assert.equal(toHex(cipherText), v.ct);
    assert.equal(toHex(sharedSecret), v.ss);
    assert.equal(toHex(xwingDecapsulate(fromHex(v.ct), secretKey)), v.ss);
  }
});

test('X-Wing: low-order X25519 parts are refused', () => {
  const { publicKey, secretKey } = xwingKeyFromSeed(randomBytes(32));
  const badPk = publicKey.slice();
  badPk.fill(0, 1184);
  throwsCode(() => xwingEncapsulate(badPk), 'INVALID_KEY');
  const { cipherText } = xwingEncapsulate(publicKey);
  const badCt = cipherText.slice();
  badCt.fill(0, 1088);
  throwsCode(() => xwingDecapsulate(badCt, secretKey), 'DECRYPTION_FAILED');
  // A changed ML-KEM part decapsulates (implicit rejection) to a different secret.
  const flipped = cipherText.slice();
  flipped[0]! ^= 1;
  assert.notEqual(toHex(xwingDecapsulate(flipped, secretKey)), toHex(xwingDecapsulate(cipherText, secretKey)));
});

test('ML-KEM-768: round trip with fresh randomness', () => {
  const { publicKey, secretKey } = mlkem768KeyFromSeed(randomBytes(64));
  const a = mlkem768Encapsulate(publicKey);
  const b = mlkem768Encapsulate(publicKey);
  assert.notEqual(toHex(a.cipherText), toHex(b.cipherText));
  assert.equal(toHex(mlkem768Decapsulate(a.cipherText, secretKey)), toHex(a.sharedSecret));
  const wrongSk = secretKey.slice();
  wrongSk[1200]! ^= 1; // inside the embedded public key: the FIPS 203 §7.3 hash check fails
  throwsCode(() => mlkem768Decapsulate(a.cipherText, wrongSk), 'INVALID_KEY');
});

test('seal: key = HKDF-SHA-256(ss, no salt, "keyrite/v1/seal/xchacha20poly1305", 32), AAD bound', () => {
  const { publicKey, secretKey } = xwingKeyFromSeed(randomBytes(32));
  const random = randomBytes(88);
  const header = utf8('{"v":1,"kind":"share-envelope"}');
  const plaintext = utf8('share bytes');
  const sealed = sealToRecipient(publicKey, plaintext, header, { random });
  assert.equal(toHex(sealed.nonce), toHex(random.subarray(64)));
  const { cipherText, sharedSecret } = xwingEncapsulate(publicKey, random.subarray(0, 64));
  assert.equal(toHex(sealed.kemCiphertext), toHex(cipherText));
  const key = new Uint8Array(hkdfSync('sha256', sharedSecret, new Uint8Array(0), utf8(SEAL_KDF_INFO), 32));
  assert.equal(toHex(xchachaOpen(key, sealed.nonce, sealed.ciphertext, header)), toHex(plaintext));
  assert.equal(toHex(openSealed(sealed, secretKey, header)), toHex(plaintext));
  throwsCode(() => openSealed(sealed, secretKey, utf8('{"v":1,"kind":"share-envelopf"}')), 'DECRYPTION_FAILED');
  throwsCode(() => openSealed(sealed, xwingKeyFromSeed(randomBytes(32)).secretKey, header), 'DECRYPTION_FAILED');
  // Same randomness, same output (golden fixtures); fresh randomness by default.
  assert.equal(toHex(encodeSealed(sealToRecipient(publicKey, plaintext, header, { random }))), toHex(encodeSealed(sealed)));
  assert.notEqual(toHex(sealToRecipient(publicKey, plaintext, header).nonce), toHex(sealed.nonce));
});

test('encodeSealed / decodeSealed: layout and strict checks', () => {
  const { publicKey, secretKey } = xwingKeyFromSeed(randomBytes(32));
  const sealed = sealToRecipient(publicKey, new Uint8Array(0), new Uint8Array(0));
  const bytes = encodeSealed(sealed);
  assert.equal(bytes.length, 1 + 1120 + 24 + 16);
  assert.equal(bytes[0], 1);
  const back = decodeSealed(bytes);
  assert.equal(toHex(back.kemCiphertext), toHex(sealed.kemCiphertext));
  assert.equal(toHex(back.nonce), toHex(sealed.nonce));
  assert.equal(toHex(back.ciphertext), toHex(sealed.ciphertext));
  assert.equal(openSealed(back, secretKey, new Uint8Array(0)).length, 0);
  throwsCode(() => decodeSealed(bytes.subarray(0, bytes.length - 1)), 'INVALID_LENGTH');
  const v2 = bytes.slice();
  v2[0] = 2;
  throwsCode(() => decodeSealed(v2), 'INVALID_ENCODING');
  throwsCode(() => decodeSealed('00' as never), 'INVALID_INPUT');
  throwsCode(() => encodeSealed({ ...sealed, nonce: new Uint8Array(12) }), 'INVALID_LENGTH');
  throwsCode(() => encodeSealed({ ...sealed, ciphertext: new Uint8Array(15) }), 'INVALID_LENGTH');
  throwsCode(() => encodeSealed({ ...sealed, kemCiphertext: new Uint8Array(1088) }), 'INVALID_LENGTH');
  throwsCode(() => encodeSealed(null as never), 'INVALID_INPUT');
  // Decoding copies: changing the input afterwards does not change the decoded value.
  const copy = bytes.slice();
  const decoded = decodeSealed(copy);
  copy.fill(0);
  assert.equal(toHex(decoded.nonce), toHex(sealed.nonce));
});
