/**
 * The public key types Keyrite writes and reads, and the checks every encoding of them
 * (JWK, PEM SubjectPublicKeyInfo, thumbprints) applies to the raw key bytes:
 *  - Ed25519 (RFC 8032): 32 bytes that decode to a curve point (RFC 8032 §5.1.3, strict:
 *    the y coordinate must be below p);
 *  - ML-DSA-65 (FIPS 204): the 1952-byte pkEncode output (Table 2); every bit pattern of
 *    that length decodes (pkDecode has no invalid inputs), so the length is the check;
 *  - P-256 (SEC 1 v2 §2.3.3, RFC 5480): the 65-byte uncompressed point 0x04 ‖ x ‖ y, which
 *    must lie on the curve (checked with @noble/curves; the identity has no encoding).
 */
import { ed25519PointDecodes } from '../crypto/ed25519.ts';
import { p256IsValidPublicKey } from '../crypto/p256.ts';
import { KeyriteError } from '../errors.ts';

export type PublicKeyAlg = 'Ed25519' | 'ML-DSA-65' | 'P-256';

export const PUBLIC_KEY_ALGS: readonly PublicKeyAlg[] = ['Ed25519', 'ML-DSA-65', 'P-256'];

/** Length in bytes of the raw public key of each algorithm. */
export const PUBLIC_KEY_LENGTH: Readonly<Record<PublicKeyAlg, number>> = {
  Ed25519: 32,
  'ML-DSA-65': 1952,
  'P-256': 65,
};

export function isPublicKeyAlg(value: unknown): value is PublicKeyAlg {
  return value === 'Ed25519' || value === 'ML-DSA-65' || value === 'P-256';
}

export function assertPublicKeyAlg(value: unknown): asserts value is PublicKeyAlg {
  if (!isPublicKeyAlg(value)) {
    throw new KeyriteError('UNSUPPORTED', `The key algorithm ${JSON.stringify(String(value)).slice(0, 60)} is not supported; Keyrite uses Ed25519, ML-DSA-65 and P-256.`);
  }
}

/**
 * Checks that `publicKey` is a well-formed public key of `alg` (length, and for the
 * elliptic curves that the point decodes and lies on the curve). Raises INVALID_LENGTH or
 * INVALID_KEY with `what` naming the key in the message.
 */
export function assertPublicKey(alg: PublicKeyAlg, publicKey: unknown, what = 'public key'): asserts publicKey is Uint8Array {
  assertPublicKeyAlg(alg);
  if (!(publicKey instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', `The ${what} must be a byte array.`);
  const expected = PUBLIC_KEY_LENGTH[alg];
  if (publicKey.length !== expected) {
    throw new KeyriteError('INVALID_LENGTH', `The ${what} must be ${expected} bytes for ${alg}, got ${publicKey.length}.`);
  }
  if (alg === 'Ed25519') {
    if (!ed25519PointDecodes(publicKey)) throw new KeyriteError('INVALID_KEY', `The ${what} is not a valid Ed25519 point.`);
  } else if (alg === 'P-256') {
    if (publicKey[0] !== 0x04) throw new KeyriteError('INVALID_KEY', `The ${what} is not an uncompressed P-256 point (it must start with 0x04).`);
    if (!p256IsValidPublicKey(publicKey)) throw new KeyriteError('INVALID_KEY', `The ${what} is not a point on the P-256 curve.`);
  }
}
