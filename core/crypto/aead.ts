/**
 * AEADs through @noble/ciphers: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha, 24-byte
 * nonce, safe with random nonces) for Keyrite's own encryption, and ChaCha20-Poly1305
 * (RFC 8439, 12-byte nonce) for vectors and interoperability. Output is ciphertext || tag
 * (16 bytes). Every open failure is the same DECRYPTION_FAILED error, whatever the cause.
 */
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { KeyriteError } from '../errors.ts';
import { assertBytes, assertKey } from './checks.ts';

export const AEAD_KEY_LENGTH = 32;
export const AEAD_TAG_LENGTH = 16;
export const XCHACHA_NONCE_LENGTH = 24;
export const CHACHA_NONCE_LENGTH = 12;

type Cipher = typeof xchacha20poly1305;

function decryptionFailed(cause?: unknown): KeyriteError {
  return new KeyriteError('DECRYPTION_FAILED', 'The data could not be decrypted: it was altered or the key is wrong.', cause === undefined ? undefined : { cause });
}

function checkCommon(name: string, key: unknown, nonce: unknown, nonceLength: number, data: unknown, dataWhat: string, aad: unknown): void {
  assertKey(key, `The ${name} key`, AEAD_KEY_LENGTH);
  assertBytes(nonce, `The ${name} nonce`, nonceLength);
  assertBytes(data, dataWhat);
  assertBytes(aad, 'The associated data');
}

function seal(cipher: Cipher, name: string, nonceLength: number, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  checkCommon(name, key, nonce, nonceLength, plaintext, 'The plaintext', aad);
  return cipher(key, nonce, aad).encrypt(plaintext);
}

function open(cipher: Cipher, name: string, nonceLength: number, key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Uint8Array {
  checkCommon(name, key, nonce, nonceLength, ciphertext, 'The ciphertext', aad);
  if (ciphertext.length < AEAD_TAG_LENGTH) throw decryptionFailed();
  try {
    return cipher(key, nonce, aad).decrypt(ciphertext);
  } catch (cause) {
    throw decryptionFailed(cause);
  }
}

export function xchachaSeal(key32: Uint8Array, nonce24: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return seal(xchacha20poly1305, 'XChaCha20-Poly1305', XCHACHA_NONCE_LENGTH, key32, nonce24, plaintext, aad);
}

export function xchachaOpen(key32: Uint8Array, nonce24: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Uint8Array {
  return open(xchacha20poly1305, 'XChaCha20-Poly1305', XCHACHA_NONCE_LENGTH, key32, nonce24, ciphertext, aad);
}

export function chachaSeal(key32: Uint8Array, nonce12: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return seal(chacha20poly1305, 'ChaCha20-Poly1305', CHACHA_NONCE_LENGTH, key32, nonce12, plaintext, aad);
}

export function chachaOpen(key32: Uint8Array, nonce12: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Uint8Array {
  return open(chacha20poly1305, 'ChaCha20-Poly1305', CHACHA_NONCE_LENGTH, key32, nonce12, ciphertext, aad);
}
