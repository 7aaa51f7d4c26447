/**
 * X25519 (RFC 7748 §5) through @noble/curves. Low-order public values, whose shared secret
 * would be all zeros, are refused (RFC 7748 §6.1 allows and recommends the check).
 */
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { KeyriteError } from '../errors.ts';
import { assertBytes, assertKey } from './checks.ts';
import { wipe } from './wipe.ts';

export const X25519_KEY_LENGTH = 32;

export function x25519PublicKey(secret32: Uint8Array): Uint8Array {
  assertKey(secret32, 'The X25519 secret key', X25519_KEY_LENGTH);
  return nobleX25519.getPublicKey(secret32);
}

/** The 32-byte shared secret; throws INVALID_KEY for a low-order (all-zero result) public value. */
export function x25519(secret32: Uint8Array, public32: Uint8Array): Uint8Array {
  assertKey(secret32, 'The X25519 secret key', X25519_KEY_LENGTH);
  assertKey(public32, 'The X25519 public key', X25519_KEY_LENGTH);
  let shared: Uint8Array;
  try {
    shared = nobleX25519.getSharedSecret(secret32, public32);
  } catch (cause) {
    // noble refuses low-order points before the ladder; that is the only failure left here.
    throw new KeyriteError('INVALID_KEY', 'The X25519 public key is a low-order point; it cannot be used for key agreement.', { cause });
  }
  // Defence in depth in case the library check ever changes.
  if (shared.every((b) => b === 0)) {
    wipe(shared);
    throw new KeyriteError('INVALID_KEY', 'The X25519 public key is a low-order point; it cannot be used for key agreement.');
  }
  return shared;
}

/** A fixed scalar for x25519IsValidPublicKey: only whether the result is all zeros matters. */
const PROBE_SCALAR = new Uint8Array(X25519_KEY_LENGTH).fill(0x5a);

/** Whether 32 bytes are an X25519 public value that is not of low order (RFC 7748 §6.1). */
export function x25519IsValidPublicKey(public32: Uint8Array): boolean {
  assertBytes(public32, 'The X25519 public key');
  if (public32.length !== X25519_KEY_LENGTH) return false;
  try {
    wipe(x25519(PROBE_SCALAR, public32));
    return true;
  } catch {
    return false;
  }
}
