/**
 * RFC 9964 (ML-DSA for JOSE and COSE, formerly draft-ietf-cose-dilithium) Appendix A.1:
 * the ML-DSA-65 JWK generated from the 32-byte all-zero seed. Fixture and provenance in
 * test/fixtures/rfc9964/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { jwkToPublicKey, publicKeyToJwk } from '../../../core/encoding/jwk.ts';
import { jwkThumbprint, parsePublicJwk, publicKeyToJwkWithKid } from '../../../core/encoding/thumbprint.ts';
import { fromBase64url } from '../../../core/encoding/base64url.ts';
import { parseJsonStrict } from '../../../core/encoding/json.ts';
import { fixtureText, throwsKeyrite } from './_helpers.ts';

interface Example {
  priv: string;
  jwk: { kid: string; kty: string; alg: string; pub: string; priv: string };
}
const example = parseJsonStrict(fixtureText('rfc9964/ML-DSA-65.jwk.json'), 'RFC 9964 example') as Example;

test('RFC 9964 example: keygen from the all-zero seed gives the example "pub" byte for byte', () => {
  assert.equal(example.priv, '00'.repeat(32));
  assert.deepEqual(fromBase64url(example.jwk.priv), new Uint8Array(32));
  const { publicKey } = ml_dsa65.keygen(new Uint8Array(32));
  const jwk = publicKeyToJwk('ML-DSA-65', publicKey);
  assert.deepEqual(jwk, { kty: 'AKP', alg: 'ML-DSA-65', pub: example.jwk.pub });
  assert.equal(example.jwk.pub.length, 2603); // 1952 bytes, base64url without padding
});

test('RFC 9964 example: the kid is the AKP thumbprint (RFC 9964 §6)', () => {
  const pub = { kty: example.jwk.kty, alg: example.jwk.alg, pub: example.jwk.pub };
  assert.equal(jwkThumbprint(pub), example.jwk.kid);
  assert.equal(jwkThumbprint(pub), 'Suiu29qbfuaBaR4Ats-c6XQBePB_OpAxAwcTR_0KXVM');
  const withKid = { ...pub, kid: example.jwk.kid };
  assert.equal(parsePublicJwk(withKid).thumbprint, example.jwk.kid);
  assert.deepEqual(publicKeyToJwkWithKid('ML-DSA-65', jwkToPublicKey(pub).publicKey), withKid);
});

test('RFC 9964 example: the private JWK as published is refused as a public key', () => {
  throwsKeyrite(() => jwkToPublicKey(example.jwk), 'INVALID_KEY', /private key material \("priv"\)/);
});
