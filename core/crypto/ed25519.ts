/**
 * Ed25519 (RFC 8032 §5.1, pure, no context) through @noble/curves.
 * Verification is strict (zip215: false), as RFC 8032 §5.1.7 / FIPS 186-5 decode:
 * canonical encodings of A and R only, S < L, and small-order public keys rejected.
 * Wycheproof's ed25519_test.json expects exactly this (ZIP-215 would accept one of its
 * invalid vectors). A public key of the wrong length or type throws INVALID_KEY /
 * INVALID_INPUT; a well-sized key that is not a usable point just makes verify false.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { KeyriteError } from '../errors.ts';
import { assertBytes, assertKey } from './checks.ts';

export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/** The public key A for a 32-byte RFC 8032 secret key (the seed). */
export function ed25519PublicKey(seed32: Uint8Array): Uint8Array {
  assertBytes(seed32, 'The Ed25519 seed', ED25519_SEED_LENGTH);
  return ed25519.getPublicKey(seed32);
}

export function ed25519Sign(seed32: Uint8Array, msg: Uint8Array): Uint8Array {
  assertBytes(seed32, 'The Ed25519 seed', ED25519_SEED_LENGTH);
  assertBytes(msg, 'The message to sign');
  return ed25519.sign(msg, seed32);
}

/** True only for a valid strict RFC 8032 signature; false for any bad or malformed signature. */
export function ed25519Verify(publicKey32: Uint8Array, msg: Uint8Array, sig64: Uint8Array): boolean {
  assertKey(publicKey32, 'The Ed25519 public key', ED25519_PUBLIC_KEY_LENGTH);
  assertBytes(msg, 'The signed message');
  assertBytes(sig64, 'The Ed25519 signature');
  if (sig64.length !== ED25519_SIGNATURE_LENGTH) return false;
  try {
    return ed25519.verify(sig64, msg, publicKey32, { zip215: false });
  } catch {
    return false;
  }
}

/** Whether 32 bytes decode to a curve point (canonically; small-order points included). */
export function ed25519PointDecodes(publicKey32: Uint8Array): boolean {
  try {
    ed25519.Point.fromBytes(publicKey32, false);
    return true;
  } catch {
    return false;
  }
}

/** Whether 32 bytes are a canonical encoding of a curve point that is not of small order. */
export function ed25519IsValidPublicKey(publicKey32: Uint8Array): boolean {
  assertBytes(publicKey32, 'The Ed25519 public key');
  if (publicKey32.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  try {
    return ed25519.utils.isValidPublicKey(publicKey32, false) && !ed25519.Point.fromBytes(publicKey32, false).isSmallOrder();
  } catch {
    return false;
  }
}

/** Throws INVALID_KEY unless `publicKey32` passes ed25519IsValidPublicKey. */
export function assertEd25519PublicKey(publicKey32: Uint8Array, what = 'The Ed25519 public key'): void {
  assertKey(publicKey32, what, ED25519_PUBLIC_KEY_LENGTH);
  if (!ed25519IsValidPublicKey(publicKey32)) {
    throw new KeyriteError('INVALID_KEY', `${what} is not a valid Ed25519 point.`);
  }
}
