/**
 * ECDSA over P-256 with SHA-256 (FIPS 186-5, SEC 1) through @noble/curves, for trustee
 * tokens without Ed25519. Signatures are raw r || s (64 bytes), what PKCS#11 CKM_ECDSA
 * and WebCrypto return. Verification accepts high-S signatures (tokens produce them);
 * signing is deterministic (RFC 6979) and emits low-S, which every verifier accepts.
 * Public keys: SEC 1 uncompressed (65 bytes, 0x04 || X || Y) or compressed (33 bytes).
 */
import { p256 } from '@noble/curves/nist.js';
import { KeyriteError } from '../errors.ts';
import { assertBytes, assertOptions } from './checks.ts';

export const P256_SECRET_KEY_LENGTH = 32;
export const P256_SIGNATURE_LENGTH = 64;

function assertP256PublicKeyShape(publicKey: unknown, what: string): asserts publicKey is Uint8Array {
  assertBytes(publicKey, what);
  const ok = (publicKey.length === 65 && publicKey[0] === 0x04) || (publicKey.length === 33 && (publicKey[0] === 0x02 || publicKey[0] === 0x03));
  if (!ok) {
    throw new KeyriteError('INVALID_KEY', `${what} must be a SEC 1 point: 65 bytes starting 04, or 33 bytes starting 02 or 03 (got ${publicKey.length} bytes).`);
  }
}

function assertSecret(secret32: unknown): asserts secret32 is Uint8Array {
  assertBytes(secret32, 'The P-256 secret key');
  if (secret32.length !== P256_SECRET_KEY_LENGTH) {
    throw new KeyriteError('INVALID_KEY', `The P-256 secret key must be ${P256_SECRET_KEY_LENGTH} bytes, got ${secret32.length}.`);
  }
  if (!p256.utils.isValidSecretKey(secret32)) {
    throw new KeyriteError('INVALID_KEY', 'The P-256 secret key is out of range (it must be from 1 to n-1).');
  }
}

export function p256PublicKey(secret32: Uint8Array, opts?: { compressed?: boolean }): Uint8Array {
  assertSecret(secret32);
  assertOptions(opts, 'the P-256 public key', ['compressed']);
  const compressed = opts?.compressed ?? false;
  if (typeof compressed !== 'boolean') throw new KeyriteError('INVALID_INPUT', 'The P-256 "compressed" option must be true or false.');
  return p256.getPublicKey(secret32, compressed);
}

/** ECDSA signature over SHA-256(msg), raw r || s. */
export function p256Sign(secret32: Uint8Array, msg: Uint8Array): Uint8Array {
  assertSecret(secret32);
  assertBytes(msg, 'The message to sign');
  return p256.sign(msg, secret32, { prehash: true, lowS: true, format: 'compact' });
}

/** True only for a valid ECDSA P-256/SHA-256 signature r || s; high S is accepted. */
export function p256Verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  assertP256PublicKeyShape(publicKey, 'The P-256 public key');
  assertBytes(msg, 'The signed message');
  assertBytes(sig, 'The P-256 signature');
  if (sig.length !== P256_SIGNATURE_LENGTH) return false;
  try {
    return p256.verify(sig, msg, publicKey, { prehash: true, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}

/** Whether the bytes are a SEC 1 encoding of a point on P-256 (not the identity). */
export function p256IsValidPublicKey(publicKey: Uint8Array): boolean {
  assertBytes(publicKey, 'The P-256 public key');
  try {
    assertP256PublicKeyShape(publicKey, 'The P-256 public key');
    p256.Point.fromBytes(publicKey).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/** The uncompressed encoding (65 bytes) of a valid P-256 point given compressed or uncompressed; INVALID_KEY otherwise. */
export function p256Uncompressed(publicKey: Uint8Array): Uint8Array {
  try {
    return p256.Point.fromBytes(publicKey).toBytes(false);
  } catch (e) {
    throw new KeyriteError('INVALID_KEY', 'The P-256 public key is not a point on the curve.', { cause: e });
  }
}

/** Throws INVALID_KEY unless `publicKey` is a valid P-256 point encoding. */
export function assertP256PublicKey(publicKey: Uint8Array, what = 'The P-256 public key'): void {
  assertP256PublicKeyShape(publicKey, what);
  if (!p256IsValidPublicKey(publicKey)) throw new KeyriteError('INVALID_KEY', `${what} is not a point on the P-256 curve.`);
}

/** A fresh P-256 secret key in [1, n-1] (FIPS 186-5 A.2.1 via @noble/curves). */
export function p256RandomSecretKey(): Uint8Array {
  return p256.utils.randomSecretKey();
}

/** ECDH on P-256 (SEC 1 §3.3.1): the 32-byte x coordinate of secret · publicKey. */
export function p256Ecdh(secret32: Uint8Array, publicKey: Uint8Array): Uint8Array {
  assertSecret(secret32);
  assertP256PublicKey(publicKey);
  const point = p256.getSharedSecret(secret32, publicKey, true);
  const x = point.slice(1);
  point.fill(0);
  return x;
}
