// random, wipe, hash, HKDF, Ed25519, P-256 and ML-DSA-65 wrappers: known answers and
// cross-checks against node:crypto (an independent implementation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { randomBytes } from '../../../core/crypto/random.ts';
import { wipe } from '../../../core/crypto/wipe.ts';
import { sha256, sha512 } from '../../../core/crypto/hash.ts';
import { hkdf, hkdfExpand, hkdfExtract } from '../../../core/crypto/hkdf.ts';
import { assertEd25519PublicKey, ed25519IsValidPublicKey, ed25519PublicKey, ed25519Sign, ed25519Verify } from '../../../core/crypto/ed25519.ts';
import { assertP256PublicKey, p256IsValidPublicKey, p256PublicKey, p256Sign, p256Verify } from '../../../core/crypto/p256.ts';
import {
  KEYRITE_CONTEXT,
  mldsa65KeyFromSeed,
  mldsa65PublicKeyFromSecret,
  mldsa65Sign,
  mldsa65Verify,
} from '../../../core/crypto/mldsa65.ts';
import { x25519, x25519PublicKey } from '../../../core/crypto/x25519.ts';
import { utf8 } from '../../../core/bytes.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { fromBase64url, toBase64url } from '../../../core/encoding/base64url.ts';
import { throwsCode } from './helpers.ts';

test('randomBytes: lengths, chunking above 65536, fresh output', () => {
  assert.equal(randomBytes(0).length, 0);
  assert.equal(randomBytes(32).length, 32);
  const big = randomBytes(200_000);
  assert.equal(big.length, 200_000);
  assert.ok(big.subarray(150_000).some((b) => b !== 0), 'every chunk is filled');
  assert.notEqual(toHex(randomBytes(32)), toHex(randomBytes(32)));
  assert.equal(Object.getPrototypeOf(randomBytes(8)), Uint8Array.prototype);
});

test('randomBytes: a generator that returns zeros is caught', (t) => {
  t.mock.method(globalThis.crypto, 'getRandomValues', <T extends ArrayBufferView | null>(a: T): T => a);
  throwsCode(() => randomBytes(32), 'SELFTEST_FAILED');
});

test('wipe zeroes every array and ignores undefined', () => {
  const a = Uint8Array.of(1, 2, 3);
  const b = Uint8Array.of(4);
  wipe(a, undefined, b);
  assert.deepEqual([...a, ...b], [0, 0, 0, 0]);
  wipe();
});

test('SHA-256 / SHA-512 known answers (FIPS 180-2 "abc")', () => {
  assert.equal(toHex(sha256(utf8('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(
    toHex(sha512(utf8('abc'))),
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  );
});

test('HKDF extract/expand: RFC 5869 test case 1 step by step', () => {
  const ikm = fromHex('0b'.repeat(22));
  const prk = hkdfExtract('sha256', ikm, fromHex('000102030405060708090a0b0c'));
  assert.equal(toHex(prk), '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
  const okm = hkdfExpand('sha256', prk, fromHex('f0f1f2f3f4f5f6f7f8f9'), 42);
  assert.equal(toHex(okm), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  assert.equal(toHex(hkdf('sha256', ikm, fromHex('000102030405060708090a0b0c'), fromHex('f0f1f2f3f4f5f6f7f8f9'), 42)), toHex(okm));
  // Absent salt = HashLen zeros (RFC 5869 §2.2).
  assert.equal(toHex(hkdfExtract('sha512', ikm)), toHex(hkdfExtract('sha512', ikm, new Uint8Array(64))));
});

test('Ed25519: RFC 8032 §7.1 test 1 and strict verification', () => {
  const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pk = ed25519PublicKey(seed);
  assert.equal(toHex(pk), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const sig = ed25519Sign(seed, new Uint8Array(0));
  assert.equal(
    toHex(sig),
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );
  assert.equal(ed25519Verify(pk, new Uint8Array(0), sig), true);
  assert.equal(ed25519Verify(pk, Uint8Array.of(0), sig), false);
  assert.equal(ed25519Verify(pk, new Uint8Array(0), sig.subarray(0, 63)), false, 'short signature is false, not an error');
  assert.equal(ed25519IsValidPublicKey(pk), true);
  assertEd25519PublicKey(pk);
  // The identity point (small order) and a non-canonical y are refused.
  const identity = fromHex('01' + '00'.repeat(31));
  assert.equal(ed25519IsValidPublicKey(identity), false);
  throwsCode(() => assertEd25519PublicKey(identity), 'INVALID_KEY');
  assert.equal(ed25519Verify(identity, new Uint8Array(0), sig), false);
  assert.equal(ed25519IsValidPublicKey(fromHex('ff'.repeat(31) + '7f')), false);
});

test('Ed25519: agrees with node:crypto both ways', () => {
  const seed = randomBytes(32);
  const pk = ed25519PublicKey(seed);
  const jwk = { kty: 'OKP', crv: 'Ed25519', d: toBase64url(seed), x: toBase64url(pk) };
  const priv = createPrivateKey({ key: jwk, format: 'jwk' });
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64url(pk) }, format: 'jwk' });
  const msg = utf8('cross-check');
  const ours = ed25519Sign(seed, msg);
  assert.equal(toHex(ours), toHex(new Uint8Array(nodeSign(null, msg, priv))), 'Ed25519 is deterministic');
  assert.equal(nodeVerify(null, msg, pub, ours), true);
});

test('P-256: signatures verify in node:crypto, node signatures (high S too) verify here', () => {
  const secret = randomBytes(32);
  const pk = p256PublicKey(secret);
  assert.equal(pk.length, 65);
  assert.equal(p256PublicKey(secret, { compressed: true }).length, 33);
  assert.equal(p256IsValidPublicKey(pk), true);
  assertP256PublicKey(pk);
  const msg = utf8('token statement');
  const sig = p256Sign(secret, msg);
  assert.equal(sig.length, 64);
  assert.equal(p256Verify(pk, msg, sig), true);
  assert.equal(p256Verify(p256PublicKey(secret, { compressed: true }), msg, sig), true);
  const jwk = { kty: 'EC', crv: 'P-256', x: toBase64url(pk.subarray(1, 33)), y: toBase64url(pk.subarray(33)) };
  const nodePub = createPublicKey({ key: jwk, format: 'jwk' });
  assert.equal(nodeVerify('sha256', msg, { key: nodePub, dsaEncoding: 'ieee-p1363' }, sig), true);

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pubJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const tokenPk = Uint8Array.of(4, ...fromBase64url(String(pubJwk.x)), ...fromBase64url(String(pubJwk.y)));
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const toBig = (b: Uint8Array) => BigInt('0x' + toHex(b));
  const to32 = (v: bigint) => fromHex(v.toString(16).padStart(64, '0'));
  for (let i = 0; i < 4; i++) {
    const raw = new Uint8Array(nodeSign('sha256', msg, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    assert.equal(p256Verify(tokenPk, msg, raw), true);
    // The same signature with S replaced by n - S: exactly one of the two is high-S; both must verify.
    const flipped = Uint8Array.of(...raw.subarray(0, 32), ...to32(n - toBig(raw.subarray(32))));
    assert.equal(p256Verify(tokenPk, msg, flipped), true, 'high-S signatures from tokens are accepted');
  }
  assert.equal(p256Verify(pk, utf8('other'), sig), false);
  assert.equal(p256Verify(pk, msg, sig.subarray(1)), false);
  assert.equal(p256Verify(pk, msg, new Uint8Array(64)), false, 'r = s = 0 is false');
  const offCurve = Uint8Array.of(4, ...new Uint8Array(64).fill(1));
  assert.equal(p256IsValidPublicKey(offCurve), false);
  assert.equal(p256Verify(offCurve, msg, sig), false);
  throwsCode(() => assertP256PublicKey(offCurve), 'INVALID_KEY');
  throwsCode(() => p256Sign(new Uint8Array(32), msg), 'INVALID_KEY');
  throwsCode(() => p256Sign(new Uint8Array(32).fill(0xff), msg), 'INVALID_KEY');
});

test('ML-DSA-65: context, hedged and deterministic signing', () => {
  const { publicKey, secretKey } = mldsa65KeyFromSeed(new Uint8Array(32).fill(7));
  assert.equal(toHex(mldsa65PublicKeyFromSecret(secretKey)), toHex(publicKey));
  const msg = utf8('statement');
  const sig = mldsa65Sign(secretKey, msg);
  assert.equal(mldsa65Verify(publicKey, msg, sig), true, 'default context both sides');
  assert.equal(mldsa65Verify(publicKey, msg, sig, { context: utf8('keyrite/v1') }), true);
  assert.equal(mldsa65Verify(publicKey, msg, sig, { context: new Uint8Array(0) }), false, 'the context is bound');
  assert.equal(mldsa65Verify(publicKey, msg, sig, { context: utf8('keyrite/v2') }), false);
  assert.notEqual(toHex(mldsa65Sign(secretKey, msg)), toHex(sig), 'hedged by default');
  const d1 = mldsa65Sign(secretKey, msg, { random: 'deterministic' });
  assert.equal(toHex(mldsa65Sign(secretKey, msg, { random: 'deterministic' })), toHex(d1));
  assert.equal(toHex(mldsa65Sign(secretKey, msg, { random: new Uint8Array(32) })), toHex(d1), "'deterministic' is rnd = 0^32");
  const rnd = new Uint8Array(32).fill(9);
  assert.equal(toHex(mldsa65Sign(secretKey, msg, { random: rnd })), toHex(mldsa65Sign(secretKey, msg, { random: rnd })));
  assert.deepEqual([...rnd], new Array(32).fill(9), 'caller randomness is not modified');
  // Mutating the exported context does not change the defaults.
  const saved = KEYRITE_CONTEXT[0]!;
  KEYRITE_CONTEXT[0] = 0;
  try {
    assert.equal(mldsa65Verify(publicKey, msg, sig), true);
  } finally {
    KEYRITE_CONTEXT[0] = saved;
  }
});

test('X25519: RFC 7748 §6.1 key agreement', () => {
  const a = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const b = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
  assert.equal(toHex(x25519PublicKey(a)), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  assert.equal(toHex(x25519(a, x25519PublicKey(b))), shared);
  assert.equal(toHex(x25519(b, x25519PublicKey(a))), shared);
  throwsCode(() => x25519(a, new Uint8Array(32)), 'INVALID_KEY');
  throwsCode(() => x25519(a, fromHex('01' + '00'.repeat(31))), 'INVALID_KEY');
});

test('Buffer inputs behave exactly like Uint8Array and outputs are plain Uint8Array', () => {
  const seed = randomBytes(32);
  const msg = utf8('buffer');
  const viaBuffer = ed25519Sign(Buffer.from(seed), Buffer.from(msg));
  assert.equal(toHex(viaBuffer), toHex(ed25519Sign(seed, msg)));
  assert.equal(Object.getPrototypeOf(viaBuffer), Uint8Array.prototype);
  assert.equal(Object.getPrototypeOf(sha256(Buffer.from(msg))), Uint8Array.prototype);
  assert.equal(ed25519Verify(Buffer.from(ed25519PublicKey(seed)), Buffer.from(msg), Buffer.from(viaBuffer)), true);
});
