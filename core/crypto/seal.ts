/**
 * Sealed box to a trustee (DESIGN.md, "Encryption to a trustee"):
 *   (ct_kem, ss) = X-Wing.Encaps(recipient public key)
 *   key          = HKDF-SHA-256(IKM = ss, salt = none (32 zero bytes, RFC 5869),
 *                               info = 'keyrite/v1/seal/xchacha20poly1305', L = 32)
 *   ciphertext   = XChaCha20-Poly1305(key, random 24-byte nonce, plaintext, AAD = caller's header)
 * The caller's header bytes are the AAD, so any change to the header makes opening fail.
 * Byte form (encodeSealed): 0x01 || ct_kem (1120) || nonce (24) || ciphertext (>= 16).
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, utf8 } from '../bytes.ts';
import { AEAD_TAG_LENGTH, XCHACHA_NONCE_LENGTH, xchachaOpen, xchachaSeal } from './aead.ts';
import { assertBytes, assertOptions, copyOf } from './checks.ts';
import { hkdf } from './hkdf.ts';
import { randomBytes } from './random.ts';
import { wipe } from './wipe.ts';
import { XWING_CIPHERTEXT_LENGTH, XWING_RANDOM_LENGTH, xwingDecapsulate, xwingEncapsulate } from './xwing.ts';

export const SEAL_KDF_INFO = 'keyrite/v1/seal/xchacha20poly1305';
export const SEALED_FORMAT_VERSION = 1;
/** X-Wing encapsulation randomness (64) followed by the nonce (24). */
export const SEAL_RANDOM_LENGTH = XWING_RANDOM_LENGTH + XCHACHA_NONCE_LENGTH;
const INFO = utf8(SEAL_KDF_INFO);
const MIN_ENCODED_LENGTH = 1 + XWING_CIPHERTEXT_LENGTH + XCHACHA_NONCE_LENGTH + AEAD_TAG_LENGTH;

export interface Sealed {
  kemCiphertext: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

export interface SealOptions {
  /** 88 bytes: X-Wing encapsulation randomness (64) || nonce (24). For golden fixtures only. */
  random?: Uint8Array;
}

function sealKey(sharedSecret: Uint8Array): Uint8Array {
  return hkdf('sha256', sharedSecret, undefined, INFO, 32);
}

function assertSealed(sealed: unknown): asserts sealed is Sealed {
  if (sealed === null || typeof sealed !== 'object') {
    throw new KeyriteError('INVALID_INPUT', 'The sealed data must be an object with kemCiphertext, nonce and ciphertext.');
  }
  const s = sealed as Partial<Sealed>;
  assertBytes(s.kemCiphertext, 'The sealed key encapsulation', XWING_CIPHERTEXT_LENGTH);
  assertBytes(s.nonce, 'The sealed nonce', XCHACHA_NONCE_LENGTH);
  assertBytes(s.ciphertext, 'The sealed ciphertext');
  if (s.ciphertext.length < AEAD_TAG_LENGTH) {
    throw new KeyriteError('INVALID_LENGTH', `The sealed ciphertext must be at least ${AEAD_TAG_LENGTH} bytes, got ${s.ciphertext.length}.`);
  }
}

export function sealToRecipient(recipientXWingPublicKey: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, opts?: SealOptions): Sealed {
  assertBytes(plaintext, 'The plaintext');
  assertBytes(aad, 'The associated data');
  assertOptions(opts, 'sealing', ['random']);
  let kemRandom: Uint8Array | undefined;
  let nonce: Uint8Array;
  if (opts?.random !== undefined) {
    assertBytes(opts.random, 'The sealing randomness', SEAL_RANDOM_LENGTH);
    kemRandom = opts.random.subarray(0, XWING_RANDOM_LENGTH);
    nonce = copyOf(opts.random.subarray(XWING_RANDOM_LENGTH));
  } else {
    nonce = randomBytes(XCHACHA_NONCE_LENGTH);
  }
  const { cipherText, sharedSecret } = xwingEncapsulate(recipientXWingPublicKey, kemRandom);
  const key = sealKey(sharedSecret);
  try {
    const ciphertext = xchachaSeal(key, nonce, plaintext, aad);
    return { kemCiphertext: cipherText, nonce, ciphertext };
  } finally {
    wipe(sharedSecret, key);
  }
}

export function openSealed(sealed: Sealed, recipientSecretKey: Uint8Array, aad: Uint8Array): Uint8Array {
  assertSealed(sealed);
  assertBytes(aad, 'The associated data');
  const sharedSecret = xwingDecapsulate(sealed.kemCiphertext, recipientSecretKey);
  const key = sealKey(sharedSecret);
  try {
    return xchachaOpen(key, sealed.nonce, sealed.ciphertext, aad);
  } finally {
    wipe(sharedSecret, key);
  }
}

export function encodeSealed(sealed: Sealed): Uint8Array {
  assertSealed(sealed);
  return concatBytes(Uint8Array.of(SEALED_FORMAT_VERSION), sealed.kemCiphertext, sealed.nonce, sealed.ciphertext);
}

export function decodeSealed(bytes: Uint8Array): Sealed {
  assertBytes(bytes, 'The sealed data');
  if (bytes.length < MIN_ENCODED_LENGTH) {
    throw new KeyriteError('INVALID_LENGTH', `The sealed data is too short: at least ${MIN_ENCODED_LENGTH} bytes are needed, got ${bytes.length}.`);
  }
  if (bytes[0] !== SEALED_FORMAT_VERSION) {
    throw new KeyriteError('INVALID_ENCODING', `The sealed data has an unknown format version ${bytes[0]}; this Keyrite reads version ${SEALED_FORMAT_VERSION}.`);
  }
  const a = 1;
  const b = a + XWING_CIPHERTEXT_LENGTH;
  const c = b + XCHACHA_NONCE_LENGTH;
  return {
    kemCiphertext: copyOf(bytes.subarray(a, b)),
    nonce: copyOf(bytes.subarray(b, c)),
    ciphertext: copyOf(bytes.subarray(c)),
  };
}
