// The Keyrite object labelling scheme, sealed-box checks, and software verification of
// token signatures (a bad signature from a token is refused with a clear error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeyriteError } from '../../../core/errors.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import { ed25519PublicKey, ed25519Sign } from '../../../core/crypto/ed25519.ts';
import { p256PublicKey, p256Sign } from '../../../core/crypto/p256.ts';
import { newObjectId, objectIdHex, objectIdKind, parseObjectIdHex, parseTokenObjectLabel, tokenObjectLabel } from '../../../core/tokens/labels.ts';
import { decodeSealedBox, ecdhOpen, ecdhSeal, sealAad } from '../../../core/tokens/seal.ts';
import { assertPairwiseSignature, assertTokenSignature, signatureValid } from '../../../core/tokens/signatures.ts';
import { p256 } from '@noble/curves/nist.js';
import type { KeyRef } from '../../../core/tokens/token.ts';

test('object labels: "keyrite:" prefix, strict label rules', () => {
  assert.equal(tokenObjectLabel('master-2025.v1'), 'keyrite:master-2025.v1');
  assert.equal(parseTokenObjectLabel('keyrite:master'), 'master');
  assert.equal(parseTokenObjectLabel('master'), undefined);
  assert.equal(parseTokenObjectLabel('keyrite:'), undefined);
  assert.equal(parseTokenObjectLabel('keyrite:a b'), undefined);
  for (const bad of ['', '-x', 'a b', 'a:b', 'x'.repeat(65)]) assert.throws(() => tokenObjectLabel(bad), (e) => isKeyriteError(e, 'INVALID_INPUT'));
});

test('object ids: "KRT" v1, kind byte, 15 random bytes; anything else is foreign', () => {
  const id = newObjectId('seal-key', randomBytes(15));
  assert.equal(id.length, 20);
  assert.match(objectIdHex(id), /^4b52540102[0-9a-f]{30}$/);
  assert.equal(objectIdKind(id), 'seal-key');
  assert.equal(objectIdKind(newObjectId('signing-key', randomBytes(15))), 'signing-key');
  assert.equal(objectIdKind(Uint8Array.of(1, 2)), undefined);
  const wrongKind = id.slice();
  wrongKind[4] = 9;
  assert.equal(objectIdKind(wrongKind), undefined);
  assert.throws(() => parseObjectIdHex('0102'), (e) => isKeyriteError(e, 'INVALID_INPUT'));
  assert.deepEqual(parseObjectIdHex(objectIdHex(id)), id);
});

test('token signatures are verified in software; a bad one is INVALID_SIGNATURE naming token and key', () => {
  const seed = randomBytes(32);
  const pub = ed25519PublicKey(seed);
  const msg = new TextEncoder().encode('statement');
  const sig = ed25519Sign(seed, msg);
  assertTokenSignature('Ed25519', pub, msg, sig, 'Trustee 1', 'master');
  const bad = sig.slice();
  bad[10]! ^= 1;
  assert.throws(
    () => assertTokenSignature('Ed25519', pub, msg, bad, 'Trustee 1', 'master'),
    (e) => isKeyriteError(e, 'INVALID_SIGNATURE') && /^Token "Trustee 1" returned an Ed25519 signature with key "master" that does not verify/.test(e.message),
  );
  assert.throws(() => assertPairwiseSignature('Ed25519', pub, msg, bad, 'Trustee 1', 'master'), (e) => isKeyriteError(e, 'SELFTEST_FAILED'));
  const sk = p256.utils.randomSecretKey();
  const ppub = p256PublicKey(sk);
  const psig = p256Sign(sk, msg);
  assert.ok(signatureValid('ES256', ppub, msg, psig));
  assert.ok(!signatureValid('ES256', ppub, msg, psig.slice(1)), 'wrong length');
  assert.ok(!signatureValid('ES256', pub, msg, psig), 'wrong key type');
  assert.ok(!signatureValid('Ed25519', pub, msg, new Uint8Array(64)));
});

test('sealed boxes: AAD binds scheme and key id; malformed boxes are refused', () => {
  const id = objectIdHex(newObjectId('seal-key', randomBytes(15)));
  const a = sealAad('aes-256-gcm', id, Uint8Array.of(1));
  const b = sealAad('ecdh-p256', id, Uint8Array.of(1));
  assert.notDeepEqual(a, b);
  const sk = p256.utils.randomSecretKey();
  const pub = p256.getPublicKey(sk, false);
  const ref: KeyRef = { kind: 'seal-key', label: 's', id, alg: 'ecdh-p256' };
  const data = randomBytes(40);
  const box = ecdhSeal(pub, id, data, Uint8Array.of(9));
  const decoded = decodeSealedBox(ref, box);
  // What the token computes with CKM_ECDH1_DERIVE (CKD_NULL): the x coordinate.
  const shared = p256.getSharedSecret(sk, decoded.epk!, true).slice(1);
  assert.deepEqual(ecdhOpen(shared, pub, id, decoded, Uint8Array.of(9)), data);
  const shared2 = p256.getSharedSecret(sk, decoded.epk!, true).slice(1);
  assert.throws(() => ecdhOpen(shared2, pub, id, decoded, Uint8Array.of(8)), (e) => isKeyriteError(e, 'DECRYPTION_FAILED'));
  const fail = (b: unknown, r: KeyRef = ref) => assert.throws(() => decodeSealedBox(r, b as never), (e) => isKeyriteError(e, 'DECRYPTION_FAILED'));
  fail(null);
  fail({ ...box, v: 2 });
  fail({ ...box, scheme: 'rot13' });
  fail({ ...box, keyId: objectIdHex(newObjectId('seal-key', randomBytes(15))) });
  fail(box, { ...ref, alg: 'aes-256-gcm' });
  fail(box, { ...ref, kind: 'signing-key' });
  fail({ ...box, nonce: 'AAAA' });
  fail({ ...box, ct: 'AA' });
  fail({ ...box, epk: undefined });
  fail({ ...box, ct: '***' });
});
