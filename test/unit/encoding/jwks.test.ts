import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { fromBase64url } from '../../../core/encoding/base64url.ts';
import { encodeJwks, parseJwks } from '../../../core/encoding/jwks.ts';
import { throwsKeyrite } from './_helpers.ts';

const ed = fromBase64url('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo');
const pq = ml_dsa65.keygen(new Uint8Array(32)).publicKey;

test('jwks: encode is canonical with kid = thumbprint, parse reads it back', () => {
  const text = encodeJwks([{ alg: 'Ed25519', publicKey: ed }, { alg: 'ML-DSA-65', publicKey: pq }]);
  assert.ok(text.startsWith('{"keys":[{"crv":"Ed25519","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","kty":"OKP","x":"11qY'));
  assert.ok(text.includes('"kid":"Suiu29qbfuaBaR4Ats-c6XQBePB_OpAxAwcTR_0KXVM"'));
  const keys = parseJwks(text);
  assert.deepEqual(keys.map((k) => k.alg), ['Ed25519', 'ML-DSA-65']);
  assert.deepEqual(keys[1]!.publicKey, pq);
  assert.deepEqual(parseJwks('{"keys":[]}'), []);
});

test('jwks: strict reading', () => {
  throwsKeyrite(() => encodeJwks([{ alg: 'Ed25519', publicKey: ed }, { alg: 'Ed25519', publicKey: ed }]), 'INVALID_INPUT', /twice/);
  const one = '{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}';
  throwsKeyrite(() => parseJwks(`{"keys":[${one},${one}]}`), 'INVALID_KEY', /Key 2 .* repeats/);
  throwsKeyrite(() => parseJwks(`{"keys":[${one}],"extra":1}`), 'INVALID_KEY', /exactly one member/);
  throwsKeyrite(() => parseJwks('[]'), 'INVALID_KEY', /JSON object/);
  throwsKeyrite(() => parseJwks('{"keys":{}}'), 'INVALID_KEY', /must be a list/);
  throwsKeyrite(() => parseJwks('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA","d":"AA"}]}'), 'INVALID_KEY', /^Key 1 of the JWK Set: .*private/);
  throwsKeyrite(() => parseJwks('{"keys":[{"kty":"AKP","alg":"ML-DSA-65","pub":"AAAA"}]}'), 'INVALID_LENGTH', /^Key 1/);
  throwsKeyrite(() => parseJwks(`{"keys":[${one.replace('}', ',"kid":"wrong"}')}]}`), 'INVALID_KEY', /thumbprint/);
  throwsKeyrite(() => parseJwks('{"keys":[],"keys":[]}'), 'INVALID_JSON', /twice/);
});
