import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { publicKeyToJwk } from '../../../core/encoding/jwk.ts';
import { fromBase64url } from '../../../core/encoding/base64url.ts';
import {
  jwkThumbprint,
  parsePublicJwk,
  publicKeyThumbprint,
  publicKeyThumbprintBytes,
  publicKeyToJwkWithKid,
  thumbprintMembers,
} from '../../../core/encoding/thumbprint.ts';
import { canonicalize } from '../../../core/encoding/jcs.ts';
import { throwsKeyrite } from './_helpers.ts';

const RFC8037_X = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';

test('thumbprint: RFC 8037 Appendix A.3 Ed25519 example', () => {
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: RFC8037_X };
  assert.equal(jwkThumbprint(jwk), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  // RFC 8037 A.3 also shows the hash input and the hex digest.
  assert.equal(canonicalize(thumbprintMembers('Ed25519', fromBase64url(RFC8037_X))), `{"crv":"Ed25519","kty":"OKP","x":"${RFC8037_X}"}`);
  assert.equal(Buffer.from(publicKeyThumbprintBytes('Ed25519', fromBase64url(RFC8037_X))).toString('hex'), '90facafea9b1556698540f70c0117a22ea37bd5cf3ed3c47093c1707282b4b89');
  // Optional members do not change it.
  assert.equal(jwkThumbprint({ ...jwk, kid: 'x', use: 'sig', alg: 'EdDSA' }), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
});

test('thumbprint: EC P-256 members {crv,kty,x,y}', () => {
  // Third-party vector: cose-wg/draft-ietf-cose-dilithium examples/jose/js/thumbprint.test.js (computed with panva/jose).
  const jwk = { kty: 'EC', crv: 'P-256', x: 'zQwCN0Q1A2OF-vzRFYMDTThEjkSl3o6vSonhDQwHHz4', y: 'ahiGLX7rLYv4DIlKk017zC-zqgzexrxoVuQvaJuObzA' };
  assert.equal(jwkThumbprint(jwk), 'sF8ijcZ3yIRTT6M9vtM_jMouZZKTtlkCM5BwbK75mck');
  const expectedInput = `{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  assert.equal(jwkThumbprint(jwk), createHash('sha256').update(expectedInput).digest('base64url'));
});

test('thumbprint: AKP members {alg,kty,pub} (RFC 9964 §6)', () => {
  const pk = ml_dsa65.keygen(new Uint8Array(32).fill(1)).publicKey;
  const jwk = publicKeyToJwk('ML-DSA-65', pk);
  const members = thumbprintMembers('ML-DSA-65', pk);
  assert.deepEqual(Object.keys(members), ['alg', 'kty', 'pub']);
  const input = `{"alg":"ML-DSA-65","kty":"AKP","pub":"${Buffer.from(pk).toString('base64url')}"}`;
  assert.equal(canonicalize(members), input);
  assert.equal(jwkThumbprint(jwk), createHash('sha256').update(input).digest('base64url'));
  assert.equal(publicKeyThumbprint('ML-DSA-65', pk).length, 43);
});

test('thumbprint: kid handling', () => {
  const pk = fromBase64url(RFC8037_X);
  const withKid = publicKeyToJwkWithKid('Ed25519', pk);
  assert.equal(withKid.kid, 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  assert.deepEqual(parsePublicJwk(withKid), { alg: 'Ed25519', publicKey: pk, thumbprint: withKid.kid });
  assert.equal(parsePublicJwk({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X }).thumbprint, withKid.kid);
  throwsKeyrite(() => parsePublicJwk({ ...withKid, kid: 'someone-else' }), 'INVALID_KEY', /not its RFC 7638 thumbprint/);
  throwsKeyrite(() => jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X, d: 'AAAA' }), 'INVALID_KEY', /private/);
  throwsKeyrite(() => jwkThumbprint({}), 'INVALID_KEY');
});
