/**
 * X-Wing hybrid KEM (ML-KEM-768 + X25519, draft-connolly-cfrg-xwing-kem-08) through
 * @noble/post-quantum's ml_kem768_x25519. The secret key is the 32-byte seed; public
 * key 1216 bytes (pk_M || pk_X); ciphertext 1120 bytes (ct_M || ct_X); shared secret 32.
 * Encapsulation randomness is 64 bytes (ML-KEM m || X25519 ephemeral secret).
 * noble refuses a low-order X25519 component (the draft does not check it); that is
 * reported as INVALID_KEY on encapsulation and DECRYPTION_FAILED on decapsulation.
 */
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { KeyriteError } from '../errors.ts';
import { assertBytes, assertKey } from './checks.ts';
import type { KemEncapsulation, KemKeyPair } from './mlkem768.ts';
import { randomBytes } from './random.ts';
import { wipe } from './wipe.ts';

export const XWING_SEED_LENGTH = 32;
export const XWING_SECRET_KEY_LENGTH = 32;
export const XWING_PUBLIC_KEY_LENGTH = 1216;
export const XWING_CIPHERTEXT_LENGTH = 1120;
export const XWING_SHARED_SECRET_LENGTH = 32;
export const XWING_RANDOM_LENGTH = 64;

export function xwingKeyFromSeed(seed32: Uint8Array): KemKeyPair {
  assertBytes(seed32, 'The X-Wing seed', XWING_SEED_LENGTH);
  const { publicKey, secretKey } = ml_kem768_x25519.keygen(seed32);
  return { publicKey, secretKey };
}

export function xwingEncapsulate(publicKey: Uint8Array, random?: Uint8Array): KemEncapsulation {
  assertKey(publicKey, 'The X-Wing public key', XWING_PUBLIC_KEY_LENGTH);
  if (random !== undefined) assertBytes(random, 'The X-Wing encapsulation randomness', XWING_RANDOM_LENGTH);
  const eseed = random ?? randomBytes(XWING_RANDOM_LENGTH);
  try {
    const { cipherText, sharedSecret } = ml_kem768_x25519.encapsulate(publicKey, eseed);
    return { cipherText, sharedSecret };
  } catch (cause) {
    throw new KeyriteError('INVALID_KEY', 'The X-Wing public key is not valid.', { cause });
  } finally {
    if (random === undefined) wipe(eseed);
  }
}

export function xwingDecapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertBytes(cipherText, 'The X-Wing ciphertext', XWING_CIPHERTEXT_LENGTH);
  assertKey(secretKey, 'The X-Wing secret key', XWING_SECRET_KEY_LENGTH);
  try {
    return ml_kem768_x25519.decapsulate(cipherText, secretKey);
  } catch (cause) {
    throw new KeyriteError('DECRYPTION_FAILED', 'The data could not be decrypted: it was altered or the key is wrong.', { cause });
  }
}
