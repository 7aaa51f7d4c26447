import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { jwkToPublicKey, publicKeyToJwk } from '../../../core/encoding/jwk.ts';
import { assertPublicKey, PUBLIC_KEY_LENGTH } from '../../../core/encoding/public-key.ts';
import { fromBase64url } from '../../../core/encoding/base64url.ts';
import { onlyKeyriteErrors, throwsKeyrite } from './_helpers.ts';

// RFC 8037 Appendix A.1/A.2 (the RFC 8032 §7.1 test 1 key).
const RFC8037_X = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
const RFC8037_D = 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A';
// RFC 7515 Appendix A.3 (ES256) public key.
const RFC7515_EC = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

const mldsaPub = ml_dsa65.keygen(new Uint8Array(32).fill(7)).publicKey;
const p256Pub = p256.getPublicKey(p256.utils.randomSecretKey(), false);

test('jwk: Ed25519 (RFC 8037) round trip', () => {
  const pk = fromBase64url(RFC8037_X);
  const jwk = publicKeyToJwk('Ed25519', pk);
  assert.deepEqual(jwk, { kty: 'OKP', crv: 'Ed25519', x: RFC8037_X });
  assert.deepEqual(jwkToPublicKey(jwk), { alg: 'Ed25519', publicKey: pk });
  // RFC 8032 secret key 9d61… has this public key (RFC 8037 A.2).
  assert.deepEqual(ed25519.getPublicKey(fromBase64url(RFC8037_D)), pk);
});

test('jwk: P-256 (RFC 7518) round trip, RFC 7515 A.3 key', () => {
  const { alg, publicKey } = jwkToPublicKey(RFC7515_EC);
  assert.equal(alg, 'P-256');
  assert.equal(publicKey.length, 65);
  assert.equal(publicKey[0], 4);
  assert.deepEqual(publicKeyToJwk('P-256', publicKey), RFC7515_EC);
  const jwk = publicKeyToJwk('P-256', p256Pub);
  assert.deepEqual(jwkToPublicKey(jwk).publicKey, p256Pub);
  // Node's own JWK import agrees on the point.
  const node = createPublicKey({ key: { ...jwk } as JsonWebKey, format: 'jwk' }).export({ format: 'jwk' });
  assert.equal(node.x, jwk.kty === 'EC' ? jwk.x : '');
});

test('jwk: ML-DSA-65 AKP (RFC 9964) round trip', () => {
  const jwk = publicKeyToJwk('ML-DSA-65', mldsaPub);
  assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'kty', 'pub']);
  assert.equal(jwk.kty, 'AKP');
  assert.equal(jwk.alg, 'ML-DSA-65');
  assert.deepEqual(jwkToPublicKey(jwk), { alg: 'ML-DSA-65', publicKey: mldsaPub });
});

test('jwk: optional members kid, use, key_ops, alg', () => {
  const base = { kty: 'OKP', crv: 'Ed25519', x: RFC8037_X };
  assert.equal(jwkToPublicKey({ ...base, kid: 'abc' }).kid, 'abc');
  assert.equal(jwkToPublicKey({ ...base, use: 'sig', alg: 'EdDSA' }).alg, 'Ed25519');
  assert.equal(jwkToPublicKey({ ...base, alg: 'Ed25519', key_ops: ['verify'] }).alg, 'Ed25519');
  assert.equal(jwkToPublicKey({ ...RFC7515_EC, alg: 'ES256' }).alg, 'P-256');
  throwsKeyrite(() => jwkToPublicKey({ ...base, kid: '' }), 'INVALID_KEY', /kid/);
  throwsKeyrite(() => jwkToPublicKey({ ...base, kid: 7 }), 'INVALID_KEY', /kid/);
  throwsKeyrite(() => jwkToPublicKey({ ...base, use: 'enc' }), 'INVALID_KEY', /"use".*"sig"/);
  throwsKeyrite(() => jwkToPublicKey({ ...base, key_ops: ['sign'] }), 'INVALID_KEY', /key_ops/);
  throwsKeyrite(() => jwkToPublicKey({ ...base, key_ops: ['verify', 'verify'] }), 'INVALID_KEY', /key_ops/);
  throwsKeyrite(() => jwkToPublicKey({ ...base, key_ops: 'verify' }), 'INVALID_KEY', /key_ops/);
  throwsKeyrite(() => jwkToPublicKey({ ...base, use: 'sig', key_ops: ['verify'] }), 'INVALID_KEY', /both "use" and "key_ops"/);
  throwsKeyrite(() => jwkToPublicKey({ ...base, alg: 'ES256' }), 'INVALID_KEY', /"alg"/);
  throwsKeyrite(() => jwkToPublicKey({ ...RFC7515_EC, alg: 'ES384' }), 'INVALID_KEY', /"alg"/);
});

test('jwk: private key material is refused first', () => {
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X, d: RFC8037_D }), 'INVALID_KEY', /private key material \("d"\)/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'AKP', alg: 'ML-DSA-65', pub: 'x', priv: 'AAAA' }), 'INVALID_KEY', /private key material \("priv"\)/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'AKP', alg: 'ML-DSA-65', seed: 'AAAA' }), 'INVALID_KEY', /private/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'oct', k: 'AAAA' }), 'INVALID_KEY', /private/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'RSA', n: 'AQAB', e: 'AQAB', p: 'AA', q: 'AA' }), 'INVALID_KEY', /"p", "q"/);
  // The private value never appears in the message.
  try {
    jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X, d: RFC8037_D });
  } catch (e) {
    assert.doesNotMatch((e as Error).message, new RegExp(RFC8037_D));
  }
});

test('jwk: unknown key types, curves, algorithms and members', () => {
  throwsKeyrite(() => jwkToPublicKey({ crv: 'Ed25519', x: RFC8037_X }), 'INVALID_KEY', /no "kty"/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'RSA', n: 'AQAB', e: 'AQAB' }), 'INVALID_KEY', /"RSA" is not supported/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'okp', crv: 'Ed25519', x: RFC8037_X }), 'INVALID_KEY', /not supported/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 1 }), 'INVALID_KEY', /not a string/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'X25519', x: RFC8037_X }), 'INVALID_KEY', /"X25519" is not supported/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed448', x: RFC8037_X }), 'INVALID_KEY', /Ed448/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', x: RFC8037_X }), 'INVALID_KEY', /no "crv"/);
  throwsKeyrite(() => jwkToPublicKey({ ...RFC7515_EC, crv: 'P-384' }), 'INVALID_KEY', /P-384/);
  throwsKeyrite(() => jwkToPublicKey({ ...RFC7515_EC, crv: 'secp256k1' }), 'INVALID_KEY', /secp256k1/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'AKP', alg: 'ML-DSA-44', pub: 'AAAA' }), 'INVALID_KEY', /ML-DSA-44/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'AKP', pub: 'AAAA' }), 'INVALID_KEY', /no "alg"/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'AKP', alg: 'ML-DSA-65' }), 'INVALID_KEY', /no "pub"/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X, x5c: [] }), 'INVALID_KEY', /"x5c"/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X, y: 'AA' }), 'INVALID_KEY', /"y"/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X, ext: true }), 'INVALID_KEY', /"ext"/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'AKP', alg: 'ML-DSA-65', pub: 'AA', crv: 'x' }), 'INVALID_KEY', /"crv"/);
});

test('jwk: wrong types, lengths, encodings and points', () => {
  for (const bad of [null, undefined, 'jwk', 42, [], [{ kty: 'OKP' }]]) throwsKeyrite(() => jwkToPublicKey(bad), 'INVALID_KEY', /JSON object/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: 5 }), 'INVALID_KEY', /must be a string/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X.slice(0, -2) }), 'INVALID_ENCODING', /"x" member of the Ed25519 JWK is not valid base64/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X.slice(0, -3) }), 'INVALID_LENGTH', /32 bytes, got 30/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X + 'AA' }), 'INVALID_ENCODING');
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X + '=' }), 'INVALID_ENCODING');
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X.replace('_', '/') }), 'INVALID_ENCODING');
  // Non-canonical trailing bits: the last character of 32 bytes carries 2 unused bits.
  throwsKeyrite(() => jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X.slice(0, -1) + 'p' }), 'INVALID_ENCODING', /canonical/);
  // y = p (2^255 − 19) is not a canonical field element.
  const yp = new Uint8Array(32).fill(0xff);
  yp[0] = 0xed;
  yp[31] = 0x7f;
  throwsKeyrite(() => jwkToPublicKey(publicKeyToJwkUnchecked('OKP', yp)), 'INVALID_KEY', /not a valid Ed25519 point/);
  throwsKeyrite(() => jwkToPublicKey({ ...RFC7515_EC, y: RFC7515_EC.x }), 'INVALID_KEY', /not a point on the P-256 curve/);
  throwsKeyrite(() => jwkToPublicKey({ ...RFC7515_EC, x: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', y: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 'INVALID_KEY', /P-256/);
  throwsKeyrite(() => jwkToPublicKey({ ...RFC7515_EC, x: RFC7515_EC.x.slice(0, -1) }), 'INVALID_ENCODING');
  throwsKeyrite(() => jwkToPublicKey({ ...RFC7515_EC, x: 'A'.repeat(44) }), 'INVALID_LENGTH', /32 bytes, got 33/);
  throwsKeyrite(() => jwkToPublicKey({ kty: 'AKP', alg: 'ML-DSA-65', pub: 'AAAA' }), 'INVALID_LENGTH', /1952 bytes, got 3/);
  // Compressed-size or leading-zero-stripped coordinates are refused (RFC 7518 §6.2.1.2: full length).
  const shortX = publicKeyToJwk('P-256', p256Pub);
  if (shortX.kty === 'EC') throwsKeyrite(() => jwkToPublicKey({ ...shortX, x: shortX.x.slice(0, 41) }), 'INVALID_ENCODING');
});

function publicKeyToJwkUnchecked(kty: 'OKP', x: Uint8Array): Record<string, string> {
  return { kty, crv: 'Ed25519', x: Buffer.from(x).toString('base64url') };
}

test('jwk: publicKeyToJwk validates its input', () => {
  throwsKeyrite(() => publicKeyToJwk('Ed25519', new Uint8Array(31)), 'INVALID_LENGTH', /32 bytes/);
  throwsKeyrite(() => publicKeyToJwk('ML-DSA-65', new Uint8Array(1951)), 'INVALID_LENGTH', /1952/);
  throwsKeyrite(() => publicKeyToJwk('P-256', p256Pub.subarray(0, 33)), 'INVALID_LENGTH', /65/);
  throwsKeyrite(() => publicKeyToJwk('P-256', new Uint8Array(65)), 'INVALID_KEY', /uncompressed/);
  throwsKeyrite(() => publicKeyToJwk('RSA' as 'P-256', new Uint8Array(65)), 'UNSUPPORTED', /not supported/);
  throwsKeyrite(() => publicKeyToJwk('Ed25519', 'AAAA' as unknown as Uint8Array), 'INVALID_INPUT');
  throwsKeyrite(() => assertPublicKey('Ed25519', [1, 2]), 'INVALID_INPUT');
  assert.equal(PUBLIC_KEY_LENGTH['ML-DSA-65'], 1952);
});

test('jwk (property): random Ed25519 and P-256 keys round trip; random objects only raise KeyriteError', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
    const ed = ed25519.getPublicKey(seed);
    assert.deepEqual(jwkToPublicKey(publicKeyToJwk('Ed25519', ed)).publicKey, ed);
  }), { numRuns: 50 });
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (x) => {
    // Random x coordinates: about half are on the curve for some y; never a non-Keyrite error.
    onlyKeyriteErrors(() => jwkToPublicKey({ kty: 'EC', crv: 'P-256', x: Buffer.from(x).toString('base64url'), y: RFC7515_EC.y }));
  }), { numRuns: 50 });
  const member = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }));
  fc.assert(fc.property(fc.dictionary(fc.constantFrom('kty', 'crv', 'x', 'y', 'alg', 'pub', 'kid', 'use', 'key_ops', 'd', 'other'), member), (obj) => {
    onlyKeyriteErrors(() => jwkToPublicKey(obj));
    onlyKeyriteErrors(() => jwkToPublicKey({ ...obj, kty: 'OKP', crv: 'Ed25519' }));
    onlyKeyriteErrors(() => jwkToPublicKey({ ...obj, kty: 'AKP', alg: 'ML-DSA-65' }));
  }));
});
