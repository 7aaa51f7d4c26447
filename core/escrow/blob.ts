/**
 * Escrow blob (DESIGN.md, Escrow; docs/FORMATS.md, "Escrow — escrow blob"):
 *
 *   E = XChaCha20-Poly1305(key = K, nonce = 24 random bytes, plaintext = S,
 *                          associated data = JCS(header) as UTF-8)
 *
 * K is the random 32-byte escrow key that Shamir splits; S is the 32-byte master seed.
 * The header is an RFC 8785 canonical JSON object:
 *   {"ceremonyId": 32 hex, "epoch": N, "format": "keyrite/escrow-blob/v1",
 *    "masterFingerprint": 64 hex, "suites": {"aead","kem","sig","sss"}}
 * so a blob cannot be moved to another ceremony, epoch or master key without failing to open.
 * JSON form: {"ciphertext": base64url (48 bytes), "header": {…}, "nonce": base64url (24 bytes)};
 * reading is strict (exact members, lengths, canonical encodings).
 */
import { KeyriteError } from '../errors.ts';
import { assertBytes } from '../bytes.ts';
import { toBase64url } from '../encoding/base64url.ts';
import { canonicalBytes, canonicalize } from '../encoding/jcs.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { AEAD_TAG_LENGTH, XCHACHA_NONCE_LENGTH, xchachaOpen, xchachaSeal } from '../crypto/aead.ts';
import { randomBytes } from '../crypto/random.ts';
import { wipe } from '../crypto/wipe.ts';
import { assertEpoch } from './commitment.ts';
import { expectMembers, expectObject, readBytes, readInt, readLiteral, readPattern, type JsonObject } from '../encoding/json-fields.ts';
import { CEREMONY_ID_HEX, FINGERPRINT_HEX, assertSuites, readSuites, type EscrowSuites } from './fields.ts';

export const ESCROW_BLOB_FORMAT = 'keyrite/escrow-blob/v1';
export const ESCROW_KEY_LENGTH = 32;
export const MASTER_SEED_LENGTH = 32;
export const ESCROW_BLOB_CIPHERTEXT_LENGTH = MASTER_SEED_LENGTH + AEAD_TAG_LENGTH;
const MAX_BLOB_TEXT = 64 * 1024;

export interface EscrowBlobHeader {
  format: typeof ESCROW_BLOB_FORMAT;
  suites: EscrowSuites;
  /** 16 bytes, lowercase hex. */
  ceremonyId: string;
  epoch: number;
  /** Principal fingerprint of the master key, 64 lowercase hex digits. */
  masterFingerprint: string;
}

export interface EscrowBlob {
  header: EscrowBlobHeader;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

export interface SealBlobOptions {
  /** Fixed 24-byte nonce, for golden fixtures only. */
  nonce?: Uint8Array;
}

function headerJson(h: EscrowBlobHeader): JsonObject {
  expectObject(h, 'escrow blob header');
  return { format: h.format, suites: { ...h.suites }, ceremonyId: h.ceremonyId, epoch: h.epoch, masterFingerprint: h.masterFingerprint };
}

function readHeader(value: unknown): EscrowBlobHeader {
  const what = 'escrow blob header';
  const h = expectObject(value, what);
  expectMembers(h, what, ['ceremonyId', 'epoch', 'format', 'masterFingerprint', 'suites']);
  return {
    format: readLiteral(h, 'format', what, [ESCROW_BLOB_FORMAT] as const),
    suites: readSuites(h, 'suites', what),
    ceremonyId: readPattern(h, 'ceremonyId', what, CEREMONY_ID_HEX, '32 lowercase hex digits (16 bytes)'),
    epoch: readInt(h, 'epoch', what, 0, Number.MAX_SAFE_INTEGER),
    masterFingerprint: readPattern(h, 'masterFingerprint', what, FINGERPRINT_HEX, '64 lowercase hex digits'),
  };
}

/** Validates a header built in code (the same rules as reading one). */
export function checkEscrowBlobHeader(header: EscrowBlobHeader): EscrowBlobHeader {
  expectMembers(expectObject(header, 'escrow blob header'), 'escrow blob header', ['ceremonyId', 'epoch', 'format', 'masterFingerprint', 'suites']);
  const h = readHeader(headerJson(header));
  assertEpoch(h.epoch);
  assertSuites(h.suites);
  return h;
}

/** The associated data: UTF-8 of the canonical JSON of the header. */
export function escrowBlobAad(header: EscrowBlobHeader): Uint8Array {
  return canonicalBytes(headerJson(header));
}

export function sealEscrowBlob(K: Uint8Array, S: Uint8Array, header: EscrowBlobHeader, opts: SealBlobOptions = {}): EscrowBlob {
  assertBytes(K, 'The escrow key', ESCROW_KEY_LENGTH);
  assertBytes(S, 'The master seed', MASTER_SEED_LENGTH);
  const h = checkEscrowBlobHeader(header);
  let nonce: Uint8Array;
  if (opts.nonce !== undefined) {
    assertBytes(opts.nonce, 'The escrow blob nonce', XCHACHA_NONCE_LENGTH);
    nonce = Uint8Array.from(opts.nonce);
  } else {
    nonce = randomBytes(XCHACHA_NONCE_LENGTH);
  }
  const ciphertext = xchachaSeal(K, nonce, S, escrowBlobAad(h));
  return { header: h, nonce, ciphertext };
}

/** Decrypts the blob with K. Any change to the header, nonce or ciphertext, or a wrong K, is DECRYPTION_FAILED. */
export function openEscrowBlob(K: Uint8Array, blob: EscrowBlob): Uint8Array {
  assertBytes(K, 'The escrow key', ESCROW_KEY_LENGTH);
  const b = escrowBlobFromJson(escrowBlobToJson(blob));
  const S = xchachaOpen(K, b.nonce, b.ciphertext, escrowBlobAad(b.header));
  if (S.length !== MASTER_SEED_LENGTH) {
    wipe(S);
    throw new KeyriteError('DECRYPTION_FAILED', 'The escrow blob does not hold a master seed.');
  }
  return S;
}

export function escrowBlobToJson(blob: EscrowBlob): JsonObject {
  if (blob === null || typeof blob !== 'object') throw new KeyriteError('INVALID_INPUT', 'The escrow blob must be an object.');
  assertBytes(blob.nonce, 'The escrow blob nonce');
  assertBytes(blob.ciphertext, 'The escrow blob ciphertext');
  return { header: headerJson(blob.header), nonce: toBase64url(blob.nonce), ciphertext: toBase64url(blob.ciphertext) };
}

/** Reads the JSON form (already parsed, e.g. a member of a manifest), strictly. */
export function escrowBlobFromJson(value: unknown, what = 'escrow blob'): EscrowBlob {
  const o = expectObject(value, what);
  expectMembers(o, what, ['ciphertext', 'header', 'nonce']);
  return {
    header: readHeader(o.header),
    nonce: readBytes(o, 'nonce', what, XCHACHA_NONCE_LENGTH),
    ciphertext: readBytes(o, 'ciphertext', what, ESCROW_BLOB_CIPHERTEXT_LENGTH),
  };
}

/** Canonical JSON text of the blob. */
export function encodeEscrowBlob(blob: EscrowBlob): string {
  return canonicalize(escrowBlobToJson(blob));
}

export function parseEscrowBlob(text: string): EscrowBlob {
  return escrowBlobFromJson(parseJsonStrict(text, 'escrow blob', { maxLength: MAX_BLOB_TEXT, maxDepth: 8 }));
}

/** True when two blobs are the same bytes (header, nonce and ciphertext). */
export function sameEscrowBlob(a: EscrowBlob, b: EscrowBlob): boolean {
  return encodeEscrowBlob(a) === encodeEscrowBlob(b);
}
