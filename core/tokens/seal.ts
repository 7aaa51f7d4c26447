/**
 * The parts of sealing that are the same for every token:
 *  - the associated data actually given to the AEAD binds the caller's AAD to the scheme
 *    and the key id: "keyrite/seal/v1" 0x00 ‖ scheme 0x00 ‖ CKA_ID (20 bytes) ‖ caller AAD,
 *    so a box cannot be replayed under another key or scheme;
 *  - the software half of the `ecdh-p256` scheme for tokens without AES: an ephemeral P-256
 *    key (software), ECDH with the token key's public point, then
 *    HKDF-SHA-256(ikm = shared x, salt = epk ‖ token public key, info = "keyrite/seal/ecdh-p256/v1", 32)
 *    as an XChaCha20-Poly1305 key with a random 24-byte nonce. Sealing needs only the public
 *    key; opening needs the token to compute the same ECDH (CKM_ECDH1_DERIVE).
 *  - SealedBox shape checks.
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, utf8 } from '../bytes.ts';
import { fromBase64url, toBase64url } from '../encoding/base64url.ts';
import { hkdf } from '../crypto/hkdf.ts';
import { randomBytes } from '../crypto/random.ts';
import { wipe } from '../crypto/wipe.ts';
import { xchachaOpen, xchachaSeal } from '../crypto/aead.ts';
import { p256Ecdh, p256PublicKey, p256RandomSecretKey } from '../crypto/p256.ts';
import { isSealScheme, type KeyRef, type SealScheme, type SealedBox } from './token.ts';
import { parseObjectIdHex } from './labels.ts';

const AAD_PREFIX = utf8('keyrite/seal/v1\0');
const ECDH_INFO = utf8('keyrite/seal/ecdh-p256/v1');

export const GCM_IV_LENGTH = 12;
export const XCHACHA_NONCE_LENGTH = 24;
export const TAG_LENGTH = 16;
export const P256_POINT_LENGTH = 65;
/** Largest plaintext a box may hold (seeds and keyring secrets are far smaller). */
export const MAX_SEAL_PLAINTEXT = 1024 * 1024;

/** The associated data handed to the AEAD for a box. */
export function sealAad(scheme: SealScheme, keyIdHex: string, aad: Uint8Array): Uint8Array {
  return concatBytes(AAD_PREFIX, utf8(scheme), Uint8Array.of(0), parseObjectIdHex(keyIdHex), aad);
}

export function assertSealInput(plaintext: Uint8Array, aad: Uint8Array): void {
  if (!(plaintext instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The data to seal must be a byte array.');
  if (!(aad instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The associated data must be a byte array.');
  if (plaintext.length > MAX_SEAL_PLAINTEXT) throw new KeyriteError('INVALID_LENGTH', `At most ${MAX_SEAL_PLAINTEXT} bytes can be sealed at once.`);
}

export interface DecodedBox {
  scheme: SealScheme;
  nonce: Uint8Array;
  epk?: Uint8Array;
  ct: Uint8Array;
}

/** Checks a box against the key meant to open it and decodes its fields. */
export function decodeSealedBox(ref: KeyRef, box: SealedBox): DecodedBox {
  const fail = (why: string) => new KeyriteError('DECRYPTION_FAILED', `The sealed data cannot be opened: ${why}.`);
  if (box === null || typeof box !== 'object' || box.v !== 1 || !isSealScheme(box.scheme)) throw fail('it is not a Keyrite sealed box (v1)');
  if (ref.kind !== 'seal-key') throw fail(`"${ref.label}" is not a sealing key`);
  if (box.keyId !== ref.id) throw fail(`it was sealed to another key than "${ref.label}"`);
  if (box.scheme !== ref.alg) throw fail(`it uses ${box.scheme}, key "${ref.label}" uses ${String(ref.alg)}`);
  let nonce: Uint8Array;
  let ct: Uint8Array;
  let epk: Uint8Array | undefined;
  try {
    nonce = fromBase64url(box.nonce, 'nonce');
    ct = fromBase64url(box.ct, 'ciphertext');
    if (box.epk !== undefined) epk = fromBase64url(box.epk, 'ephemeral key');
  } catch {
    throw fail('a field is not valid base64url');
  }
  const wantNonce = box.scheme === 'aes-256-gcm' ? GCM_IV_LENGTH : XCHACHA_NONCE_LENGTH;
  if (nonce.length !== wantNonce) throw fail('the nonce has the wrong length');
  if (ct.length < TAG_LENGTH) throw fail('the ciphertext is too short');
  if (box.scheme === 'ecdh-p256') {
    if (!epk || epk.length !== P256_POINT_LENGTH || epk[0] !== 4) throw fail('the ephemeral key is missing or malformed');
  } else if (epk !== undefined) {
    throw fail('it carries an ephemeral key its scheme does not use');
  }
  return { scheme: box.scheme, nonce, ct, ...(epk ? { epk } : {}) };
}

function ecdhKey(shared: Uint8Array, epk: Uint8Array, tokenPub: Uint8Array): Uint8Array {
  return hkdf('sha256', shared, concatBytes(epk, tokenPub), ECDH_INFO, 32);
}

/** ecdh-p256 sealing, done entirely in software against the token key's public point (65 bytes). */
export function ecdhSeal(tokenPub: Uint8Array, keyIdHex: string, plaintext: Uint8Array, aad: Uint8Array): SealedBox {
  assertSealInput(plaintext, aad);
  if (tokenPub.length !== P256_POINT_LENGTH || tokenPub[0] !== 4) throw new KeyriteError('INVALID_KEY', 'The token key is not an uncompressed P-256 point.');
  const eph = p256RandomSecretKey();
  let shared: Uint8Array | undefined;
  let key: Uint8Array | undefined;
  try {
    const epk = p256PublicKey(eph);
    shared = p256Ecdh(eph, tokenPub);
    key = ecdhKey(shared, epk, tokenPub);
    const nonce = randomBytes(XCHACHA_NONCE_LENGTH);
    const ct = xchachaSeal(key, nonce, plaintext, sealAad('ecdh-p256', keyIdHex, aad));
    return { v: 1, scheme: 'ecdh-p256', keyId: keyIdHex, nonce: toBase64url(nonce), epk: toBase64url(epk), ct: toBase64url(ct) };
  } finally {
    wipe(eph, shared, key);
  }
}

/** Second half of ecdh-p256 opening: `shared` is the x coordinate the token computed. Wipes `shared`. */
export function ecdhOpen(shared: Uint8Array, tokenPub: Uint8Array, keyIdHex: string, box: DecodedBox, aad: Uint8Array): Uint8Array {
  let key: Uint8Array | undefined;
  try {
    key = ecdhKey(shared, box.epk!, tokenPub);
    return openXChaCha(key, keyIdHex, 'ecdh-p256', box, aad);
  } finally {
    wipe(shared, key);
  }
}

/** XChaCha20-Poly1305 sealing under a raw 32-byte key (software token, ecdh-p256). */
export function xchachaSealBox(key: Uint8Array, keyIdHex: string, scheme: SealScheme, plaintext: Uint8Array, aad: Uint8Array): SealedBox {
  assertSealInput(plaintext, aad);
  const nonce = randomBytes(XCHACHA_NONCE_LENGTH);
  const ct = xchachaSeal(key, nonce, plaintext, sealAad(scheme, keyIdHex, aad));
  return { v: 1, scheme, keyId: keyIdHex, nonce: toBase64url(nonce), ct: toBase64url(ct) };
}

export function openXChaCha(key: Uint8Array, keyIdHex: string, scheme: SealScheme, box: DecodedBox, aad: Uint8Array): Uint8Array {
  try {
    return xchachaOpen(key, box.nonce, box.ct, sealAad(scheme, keyIdHex, aad));
  } catch {
    throw sealOpenFailed();
  }
}

export function sealOpenFailed(): KeyriteError {
  return new KeyriteError('DECRYPTION_FAILED', 'The sealed data cannot be opened: it was altered, or the associated data (context) differs from when it was sealed.');
}
