/**
 * Share envelope, one per trustee (DESIGN.md, Escrow; docs/FORMATS.md, "Escrow — share
 * envelope"). A JSON file:
 *
 *   {"header":    {"ceremonyId","commitment","epoch","format":"keyrite/share-envelope/v1",
 *                  "masterFingerprint","n","suites","t","trusteeFingerprint","trusteeId","x"},
 *    "sealed":    {"ciphertext","kemCiphertext","nonce"},          (base64url)
 *    "signature": {"classical","pq"}}                              (base64url)
 *
 *  1. header: in the clear, so anyone can see whose share it is and for which escrow; it
 *     also carries the share's commitment C_i (commitment.ts), so the master signature binds
 *     the share to its commitment independently of the manifest;
 *  2. sealed = sealToRecipient(trustee X-Wing key, payload, AAD = JCS(header)): X-Wing, then
 *     XChaCha20-Poly1305 with the header as associated data (crypto/seal.ts);
 *     payload = 0x01 ‖ x (1) ‖ y (32) ‖ salt (32) ‖ JCS(escrow blob E) — the share, the
 *     salt of its commitment, and E, so a quorum can recover from envelopes alone;
 *  3. signature = hybrid signature of the master key over
 *     UTF-8("keyrite/share-envelope/v1 signature") ‖ 0x00 ‖ JCS({"header":…, "sealed":…}).
 * Opening checks that the share inside agrees with the header (x, lengths, commitment) and that E
 * belongs to the same ceremony, epoch and master key. Verify the signature before trusting
 * anything in an envelope: opening does not.
 */
import { KeyriteError } from '../errors.ts';
import { assertBytes, concatBytes, fromUtf8, utf8 } from '../bytes.ts';
import { toBase64url } from '../encoding/base64url.ts';
import { fromHex } from '../encoding/hex.ts';
import { canonicalBytes, canonicalize } from '../encoding/jcs.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { XCHACHA_NONCE_LENGTH, AEAD_TAG_LENGTH } from '../crypto/aead.ts';
import { sha256 } from '../crypto/hash.ts';
import { verifyHybrid, type HybridPublicKey, type HybridSignature, type HybridSigner, type HybridVerifyResult, type VerifyMode } from '../crypto/hybrid.ts';
import { openSealed, sealToRecipient, type Sealed } from '../crypto/seal.ts';
import type { Share } from '../crypto/shamir.ts';
import { wipe } from '../crypto/wipe.ts';
import { XWING_CIPHERTEXT_LENGTH } from '../crypto/xwing.ts';
import { encodeEscrowBlob, escrowBlobFromJson, escrowBlobToJson, type EscrowBlob } from './blob.ts';
import { SALT_LENGTH, SHARE_LENGTH, checkShareCommitment } from './commitment.ts';
import { expectMembers, expectObject, readBytes, readInt, readLiteral, readPattern, type JsonObject } from '../encoding/json-fields.ts';
import { CEREMONY_ID_HEX, FINGERPRINT_HEX, SHA256_HEX, TRUSTEE_ID, readSuites, sameSuites, sigSuiteOf, type EscrowSuites } from './fields.ts';

export const SHARE_ENVELOPE_FORMAT = 'keyrite/share-envelope/v1';
export const ENVELOPE_SIGNATURE_CONTEXT = 'keyrite/share-envelope/v1 signature';
export const PAYLOAD_VERSION = 1;
export const CLASSICAL_SIGNATURE_LENGTH = 64;
export const MLDSA65_SIGNATURE_LENGTH = 3309;
const PAYLOAD_FIXED = 1 + 1 + SHARE_LENGTH + SALT_LENGTH;
const MAX_BLOB_BYTES = 4096;
const MAX_ENVELOPE_TEXT = 64 * 1024;

export interface ShareEnvelopeHeader {
  format: typeof SHARE_ENVELOPE_FORMAT;
  suites: EscrowSuites;
  ceremonyId: string;
  epoch: number;
  masterFingerprint: string;
  n: number;
  t: number;
  x: number;
  trusteeId: string;
  trusteeFingerprint: string;
  /** C_i, 64 lowercase hex digits. */
  commitment: string;
}

export interface ShareEnvelope {
  header: ShareEnvelopeHeader;
  sealed: Sealed;
  signature: HybridSignature;
}

export interface OpenedEnvelope {
  share: Share;
  salt: Uint8Array;
  blob: EscrowBlob;
}

export interface CreateEnvelopeInput {
  header: Omit<ShareEnvelopeHeader, 'format'>;
  share: Share;
  salt: Uint8Array;
  blob: EscrowBlob;
  trusteeXWingPublicKey: Uint8Array;
  masterSigner: HybridSigner;
  /** 88 bytes of sealing randomness, for golden fixtures only (crypto/seal.ts). */
  sealRandom?: Uint8Array;
}

const HEADER_WHAT = 'share envelope header';

function headerJson(h: ShareEnvelopeHeader): JsonObject {
  expectObject(h, HEADER_WHAT);
  return {
    format: h.format,
    suites: { ...h.suites },
    ceremonyId: h.ceremonyId,
    epoch: h.epoch,
    masterFingerprint: h.masterFingerprint,
    n: h.n,
    t: h.t,
    x: h.x,
    trusteeId: h.trusteeId,
    trusteeFingerprint: h.trusteeFingerprint,
    commitment: h.commitment,
  };
}

function readHeader(value: unknown): ShareEnvelopeHeader {
  const w = HEADER_WHAT;
  const h = expectObject(value, w);
  expectMembers(h, w, ['ceremonyId', 'commitment', 'epoch', 'format', 'masterFingerprint', 'n', 'suites', 't', 'trusteeFingerprint', 'trusteeId', 'x']);
  const header: ShareEnvelopeHeader = {
    format: readLiteral(h, 'format', w, [SHARE_ENVELOPE_FORMAT] as const),
    suites: readSuites(h, 'suites', w),
    ceremonyId: readPattern(h, 'ceremonyId', w, CEREMONY_ID_HEX, '32 lowercase hex digits (16 bytes)'),
    epoch: readInt(h, 'epoch', w, 0, Number.MAX_SAFE_INTEGER),
    masterFingerprint: readPattern(h, 'masterFingerprint', w, FINGERPRINT_HEX, '64 lowercase hex digits'),
    n: readInt(h, 'n', w, 2, 255),
    t: readInt(h, 't', w, 2, 255),
    x: readInt(h, 'x', w, 1, 255),
    trusteeId: readPattern(h, 'trusteeId', w, TRUSTEE_ID, 'a trustee id (1 to 64 letters, digits or . _ : -)'),
    trusteeFingerprint: readPattern(h, 'trusteeFingerprint', w, FINGERPRINT_HEX, '64 lowercase hex digits'),
    commitment: readPattern(h, 'commitment', w, SHA256_HEX, '64 lowercase hex digits'),
  };
  if (header.t > header.n) throw new KeyriteError('INVALID_INPUT', `The ${w} has a threshold t = ${header.t} above the number of shares n = ${header.n}.`);
  return header;
}

function sealedJson(s: Sealed): JsonObject {
  expectObject(s, 'share envelope sealed part');
  assertBytes(s.kemCiphertext, 'The envelope key encapsulation');
  assertBytes(s.nonce, 'The envelope nonce');
  assertBytes(s.ciphertext, 'The envelope ciphertext');
  return { kemCiphertext: toBase64url(s.kemCiphertext), nonce: toBase64url(s.nonce), ciphertext: toBase64url(s.ciphertext) };
}

function signatureJson(sig: HybridSignature): JsonObject {
  expectObject(sig, 'share envelope signature');
  assertBytes(sig.classical, 'The envelope classical signature');
  assertBytes(sig.pq, 'The envelope ML-DSA-65 signature');
  return { classical: toBase64url(sig.classical), pq: toBase64url(sig.pq) };
}

/** The associated data of the sealed payload: UTF-8 of JCS(header). */
export function envelopeAad(header: ShareEnvelopeHeader): Uint8Array {
  return canonicalBytes(headerJson(header));
}

/** The exact bytes the master key signs. */
export function envelopeSigningMessage(header: ShareEnvelopeHeader, sealed: Sealed): Uint8Array {
  return concatBytes(utf8(ENVELOPE_SIGNATURE_CONTEXT), Uint8Array.of(0), canonicalBytes({ header: headerJson(header), sealed: sealedJson(sealed) }));
}

function encodePayload(share: Share, salt: Uint8Array, blob: EscrowBlob): Uint8Array {
  return concatBytes(Uint8Array.of(PAYLOAD_VERSION, share.x), share.y, salt, utf8(encodeEscrowBlob(blob)));
}

export async function createEnvelope(input: CreateEnvelopeInput): Promise<ShareEnvelope> {
  const { share, salt, blob, masterSigner } = input;
  if (masterSigner === null || typeof masterSigner !== 'object' || typeof masterSigner.sign !== 'function') {
    throw new KeyriteError('INVALID_INPUT', 'A master key signer is needed to sign the envelope.');
  }
  const header = readHeader({ ...expectObject(input.header, HEADER_WHAT), format: SHARE_ENVELOPE_FORMAT });
  if (header.suites.sig !== sigSuiteOf(masterSigner.publicKey)) {
    throw new KeyriteError('INVALID_INPUT', `The envelope suite says ${header.suites.sig} but the master key signs with ${sigSuiteOf(masterSigner.publicKey)}.`);
  }
  if (share === null || typeof share !== 'object' || share.x !== header.x) throw new KeyriteError('INVALID_INPUT', 'The share index does not match the envelope header.');
  assertBytes(share.y, 'The share', SHARE_LENGTH);
  assertBytes(salt, 'The commitment salt', SALT_LENGTH);
  if (!checkShareCommitment({ ceremonyId: fromHex(header.ceremonyId), epoch: header.epoch, x: share.x, salt, share: share.y }, fromHex(header.commitment))) {
    throw new KeyriteError('INVALID_INPUT', 'The commitment in the envelope header is not the commitment of this share and salt.');
  }
  checkBlobMatchesHeader(blob, header);
  const payload = encodePayload(share, salt, blob);
  let sealed: Sealed;
  try {
    sealed = sealToRecipient(input.trusteeXWingPublicKey, payload, envelopeAad(header), input.sealRandom === undefined ? undefined : { random: input.sealRandom });
  } finally {
    wipe(payload);
  }
  const signature = await masterSigner.sign(envelopeSigningMessage(header, sealed));
  return { header, sealed, signature };
}

function checkBlobMatchesHeader(blob: EscrowBlob, header: ShareEnvelopeHeader): void {
  const b = escrowBlobFromJson(escrowBlobToJson(blob), 'escrow blob in the envelope');
  if (b.header.ceremonyId !== header.ceremonyId || b.header.epoch !== header.epoch || b.header.masterFingerprint !== header.masterFingerprint || !sameSuites(b.header.suites, header.suites)) {
    throw new KeyriteError('SHARE_REJECTED', 'The escrow blob inside the envelope belongs to another ceremony, epoch or master key than the envelope header.');
  }
}

export function envelopeToJson(env: ShareEnvelope): JsonObject {
  if (env === null || typeof env !== 'object') throw new KeyriteError('INVALID_INPUT', 'The share envelope must be an object.');
  return { header: headerJson(env.header), sealed: sealedJson(env.sealed), signature: signatureJson(env.signature) };
}

/** The envelope file: canonical JSON text (UTF-8 when written). */
export function encodeEnvelope(env: ShareEnvelope): string {
  return canonicalize(envelopeToJson(env));
}

/** SHA-256 of the canonical envelope bytes: what receipts refer to. */
export function envelopeHash(env: ShareEnvelope): Uint8Array {
  return sha256(canonicalBytes(envelopeToJson(env)));
}

/** Reads an already parsed envelope strictly (exact members, lengths, canonical base64url). */
export function envelopeFromJson(value: unknown): ShareEnvelope {
  const what = 'share envelope';
  const o = expectObject(value, what);
  expectMembers(o, what, ['header', 'sealed', 'signature']);
  const header = readHeader(o.header);
  const s = expectObject(o.sealed, 'share envelope sealed part');
  expectMembers(s, 'share envelope sealed part', ['ciphertext', 'kemCiphertext', 'nonce']);
  const sealed: Sealed = {
    kemCiphertext: readBytes(s, 'kemCiphertext', 'share envelope sealed part', XWING_CIPHERTEXT_LENGTH),
    nonce: readBytes(s, 'nonce', 'share envelope sealed part', XCHACHA_NONCE_LENGTH),
    ciphertext: readBytes(s, 'ciphertext', 'share envelope sealed part', { min: PAYLOAD_FIXED + 2 + AEAD_TAG_LENGTH, max: PAYLOAD_FIXED + MAX_BLOB_BYTES + AEAD_TAG_LENGTH }),
  };
  const g = expectObject(o.signature, 'share envelope signature');
  expectMembers(g, 'share envelope signature', ['classical', 'pq']);
  const signature: HybridSignature = {
    classical: readBytes(g, 'classical', 'share envelope signature', CLASSICAL_SIGNATURE_LENGTH),
    pq: readBytes(g, 'pq', 'share envelope signature', MLDSA65_SIGNATURE_LENGTH),
  };
  return { header, sealed, signature };
}

/** Parses an envelope file strictly (parseJsonStrict, then {@link envelopeFromJson}). */
export function parseEnvelope(text: string): ShareEnvelope {
  return envelopeFromJson(parseJsonStrict(text, 'share envelope', { maxLength: MAX_ENVELOPE_TEXT, maxDepth: 8 }));
}

/**
 * Checks the master key's hybrid signature on the envelope. The result says which halves
 * were checked (mode); `valid` is false, never an exception, for a signature that does not
 * verify. A master key whose algorithms disagree with the header's suite is invalid too.
 */
export function verifyEnvelopeSignature(env: ShareEnvelope, masterPublicKey: HybridPublicKey, mode: VerifyMode = 'hybrid'): HybridVerifyResult {
  const e = envelopeFromJson(envelopeToJson(env));
  const msg = envelopeSigningMessage(e.header, e.sealed);
  const result = verifyHybrid(masterPublicKey, msg, e.signature, mode);
  if (sigSuiteOf(masterPublicKey) !== e.header.suites.sig) return { ...result, valid: false };
  return result;
}

/**
 * Opens the envelope with the trustee's X-Wing secret key. Raises DECRYPTION_FAILED when the
 * sealed part or the header was altered or the key is not the trustee's, and SHARE_REJECTED
 * when the content disagrees with the header. The caller wipes share.y and salt.
 */
export function openEnvelope(env: ShareEnvelope, trusteeXWingSecretKey: Uint8Array): OpenedEnvelope {
  const e = envelopeFromJson(envelopeToJson(env));
  const payload = openSealed(e.sealed, trusteeXWingSecretKey, envelopeAad(e.header));
  try {
    if (payload.length < PAYLOAD_FIXED + 2 || payload[0] !== PAYLOAD_VERSION) {
      throw new KeyriteError('SHARE_REJECTED', 'The envelope content is not a Keyrite share payload (version or length).');
    }
    const x = payload[1]!;
    if (x !== e.header.x) {
      throw new KeyriteError('SHARE_REJECTED', `The share inside the envelope has index ${x} but the envelope header says ${e.header.x}.`);
    }
    const blobText = fromUtf8(payload.subarray(PAYLOAD_FIXED));
    const blob = escrowBlobFromJson(parseJsonStrict(blobText, 'escrow blob in the envelope', { maxLength: MAX_BLOB_BYTES, maxDepth: 8 }), 'escrow blob in the envelope');
    if (encodeEscrowBlob(blob) !== blobText) throw new KeyriteError('SHARE_REJECTED', 'The escrow blob inside the envelope is not in canonical form.');
    checkBlobMatchesHeader(blob, e.header);
    const y = payload.slice(2, 2 + SHARE_LENGTH);
    const salt = payload.slice(2 + SHARE_LENGTH, PAYLOAD_FIXED);
    if (!checkShareCommitment({ ceremonyId: fromHex(e.header.ceremonyId), epoch: e.header.epoch, x, salt, share: y }, fromHex(e.header.commitment))) {
      wipe(y, salt);
      throw new KeyriteError('SHARE_REJECTED', 'The share inside the envelope does not match the commitment in the envelope header.');
    }
    return { share: { x, y }, salt, blob };
  } finally {
    wipe(payload);
  }
}
