/**
 * ML-KEM-768 (FIPS 203) through @noble/post-quantum. Keys from a 64-byte seed d || z
 * (ML-KEM.KeyGen_internal, FIPS 203 Alg. 16); encapsulation with optional 32-byte m
 * (Alg. 17) runs the §7.2 encapsulation-key (modulus) check; decapsulation runs the §7.3
 * decapsulation-key (hash) check and uses implicit rejection for a bad ciphertext.
 * Keyrite encrypts with X-Wing (xwing.ts); this module exists so the ML-KEM vectors run
 * through a Keyrite wrapper and for self-tests.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { KeyriteError } from '../errors.ts';
import { assertBytes, assertKey } from './checks.ts';
import { randomBytes } from './random.ts';
import { wipe } from './wipe.ts';

export const MLKEM768_SEED_LENGTH = 64;
export const MLKEM768_PUBLIC_KEY_LENGTH = 1184;
export const MLKEM768_SECRET_KEY_LENGTH = 2400;
export const MLKEM768_CIPHERTEXT_LENGTH = 1088;
export const MLKEM768_RANDOM_LENGTH = 32;

export interface KemKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface KemEncapsulation {
  cipherText: Uint8Array;
  sharedSecret: Uint8Array;
}

export function mlkem768KeyFromSeed(seed64: Uint8Array): KemKeyPair {
  assertBytes(seed64, 'The ML-KEM-768 seed', MLKEM768_SEED_LENGTH);
  const { publicKey, secretKey } = ml_kem768.keygen(seed64);
  return { publicKey, secretKey };
}

export function mlkem768Encapsulate(publicKey: Uint8Array, random?: Uint8Array): KemEncapsulation {
  assertKey(publicKey, 'The ML-KEM-768 public key', MLKEM768_PUBLIC_KEY_LENGTH);
  if (random !== undefined) assertBytes(random, 'The ML-KEM-768 encapsulation randomness', MLKEM768_RANDOM_LENGTH);
  const m = random ?? randomBytes(MLKEM768_RANDOM_LENGTH);
  try {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
    return { cipherText, sharedSecret };
  } catch (cause) {
    throw new KeyriteError('INVALID_KEY', 'The ML-KEM-768 public key is not valid (a coefficient is not reduced modulo q).', { cause });
  } finally {
    if (random === undefined) wipe(m);
  }
}

/**
 * Whether 1184 bytes pass FIPS 203 §7.2's encapsulation-key (modulus) check: every 12-bit
 * coefficient of t̂ is below q (ByteEncode12(ByteDecode12(ek)) = ek). noble runs the check on
 * encapsulation only, so this encapsulates once to a fixed message and discards the result.
 */
export function mlkem768IsValidPublicKey(publicKey: Uint8Array): boolean {
  assertBytes(publicKey, 'The ML-KEM-768 public key');
  if (publicKey.length !== MLKEM768_PUBLIC_KEY_LENGTH) return false;
  try {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, new Uint8Array(MLKEM768_RANDOM_LENGTH));
    wipe(cipherText, sharedSecret);
    return true;
  } catch {
    return false;
  }
}

export function mlkem768Decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertBytes(cipherText, 'The ML-KEM-768 ciphertext', MLKEM768_CIPHERTEXT_LENGTH);
  assertKey(secretKey, 'The ML-KEM-768 secret key', MLKEM768_SECRET_KEY_LENGTH);
  try {
    return ml_kem768.decapsulate(cipherText, secretKey);
  } catch (cause) {
    throw new KeyriteError('INVALID_KEY', 'The ML-KEM-768 secret key is not valid (its embedded hash does not match).', { cause });
  }
}
