/**
 * Share receipts (DESIGN.md, Escrow: "every trustee opens their envelope with their token
 * and signs a receipt", as Vault's `operator rekey -verify` has key holders prove they hold
 * the new shares before it switches over; docs/FORMATS.md, "Escrow — receipt").
 *
 * A trustee, on their own token: checks the master signature on their envelope, that the
 * envelope is addressed to their keys and agrees with the manifest, opens it, checks the
 * share against the published commitment and the escrow blob against the manifest's, and
 * signs (hybrid, their own key) over
 *   UTF-8("keyrite/share-receipt/v1 signature") ‖ 0x00 ‖ JCS(body)
 * where body = {"blobCheck", "ceremonyId", "commitmentCheck", "envelopeSha256", "epoch",
 *   "format":"keyrite/share-receipt/v1", "masterFingerprint", "sig", "trusteeFingerprint",
 *   "trusteeId", "x"}; the checks are "match" or "mismatch" and envelopeSha256 is SHA-256 of
 * the canonical envelope bytes. A "mismatch" receipt is still signed: it is the trustee's
 * signed statement that what they received is wrong. verifyReceipt accepts a receipt only
 * when everything matches. JSON file: {"body": {…}, "signature": {"classical","pq"}}.
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, utf8 } from '../bytes.ts';
import { toBase64url } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { canonicalBytes, canonicalize } from '../encoding/jcs.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { verifyHybrid, type HybridPublicKey, type HybridSignature, type HybridSigner, type HybridVerifyResult, type VerifyMode } from '../crypto/hybrid.ts';
import { wipe } from '../crypto/wipe.ts';
import { sameEscrowBlob } from './blob.ts';
import { CLASSICAL_SIGNATURE_LENGTH, MLDSA65_SIGNATURE_LENGTH, envelopeFromJson, envelopeHash, envelopeToJson, openEnvelope, verifyEnvelopeSignature, type ShareEnvelope } from './envelope.ts';
import { expectMembers, expectObject, readBytes, readInt, readLiteral, readPattern, type JsonObject } from '../encoding/json-fields.ts';
import { CEREMONY_ID_HEX, FINGERPRINT_HEX, SHA256_HEX, SIG_SUITES, TRUSTEE_ID, hybridFingerprint, sigSuiteOf, type SigSuite } from './fields.ts';
import { checkShareAgainstManifest, findManifestTrustee, manifestFromJson, manifestToJson, type EscrowManifest } from './manifest.ts';

export const SHARE_RECEIPT_FORMAT = 'keyrite/share-receipt/v1';
export const RECEIPT_SIGNATURE_CONTEXT = 'keyrite/share-receipt/v1 signature';
const MAX_RECEIPT_TEXT = 16 * 1024;

export type CheckResult = 'match' | 'mismatch';

export interface ShareReceiptBody {
  format: typeof SHARE_RECEIPT_FORMAT;
  sig: SigSuite;
  ceremonyId: string;
  epoch: number;
  masterFingerprint: string;
  trusteeId: string;
  trusteeFingerprint: string;
  x: number;
  envelopeSha256: string;
  commitmentCheck: CheckResult;
  blobCheck: CheckResult;
}

export interface ShareReceipt {
  body: ShareReceiptBody;
  signature: HybridSignature;
}

export interface CreateReceiptInput {
  envelope: ShareEnvelope;
  manifest: EscrowManifest;
  masterPublicKey: HybridPublicKey;
  trusteeSigner: HybridSigner;
  trusteeXWingSecretKey: Uint8Array;
  /** How the master signature on the envelope is checked; default hybrid. */
  mode?: VerifyMode;
}

export interface VerifyReceiptInput {
  receipt: ShareReceipt;
  envelope: ShareEnvelope;
  manifest: EscrowManifest;
  trusteePublicKey: HybridPublicKey;
  mode?: VerifyMode;
}

export interface ReceiptVerification {
  valid: boolean;
  signature: HybridVerifyResult;
  /** Why the receipt is not valid, as sentences; empty when valid. */
  problems: string[];
}

function bodyJson(b: ShareReceiptBody): JsonObject {
  expectObject(b, 'share receipt body');
  return {
    format: b.format,
    sig: b.sig,
    ceremonyId: b.ceremonyId,
    epoch: b.epoch,
    masterFingerprint: b.masterFingerprint,
    trusteeId: b.trusteeId,
    trusteeFingerprint: b.trusteeFingerprint,
    x: b.x,
    envelopeSha256: b.envelopeSha256,
    commitmentCheck: b.commitmentCheck,
    blobCheck: b.blobCheck,
  };
}

function readBody(value: unknown): ShareReceiptBody {
  const w = 'share receipt body';
  const o = expectObject(value, w);
  expectMembers(o, w, ['blobCheck', 'ceremonyId', 'commitmentCheck', 'envelopeSha256', 'epoch', 'format', 'masterFingerprint', 'sig', 'trusteeFingerprint', 'trusteeId', 'x']);
  return {
    format: readLiteral(o, 'format', w, [SHARE_RECEIPT_FORMAT] as const),
    sig: readLiteral(o, 'sig', w, SIG_SUITES),
    ceremonyId: readPattern(o, 'ceremonyId', w, CEREMONY_ID_HEX, '32 lowercase hex digits (16 bytes)'),
    epoch: readInt(o, 'epoch', w, 0, Number.MAX_SAFE_INTEGER),
    masterFingerprint: readPattern(o, 'masterFingerprint', w, FINGERPRINT_HEX, '64 lowercase hex digits'),
    trusteeId: readPattern(o, 'trusteeId', w, TRUSTEE_ID, 'a trustee id'),
    trusteeFingerprint: readPattern(o, 'trusteeFingerprint', w, FINGERPRINT_HEX, '64 lowercase hex digits'),
    x: readInt(o, 'x', w, 1, 255),
    envelopeSha256: readPattern(o, 'envelopeSha256', w, SHA256_HEX, '64 lowercase hex digits'),
    commitmentCheck: readLiteral(o, 'commitmentCheck', w, ['match', 'mismatch'] as const),
    blobCheck: readLiteral(o, 'blobCheck', w, ['match', 'mismatch'] as const),
  };
}

export function receiptSigningMessage(body: ShareReceiptBody): Uint8Array {
  return concatBytes(utf8(RECEIPT_SIGNATURE_CONTEXT), Uint8Array.of(0), canonicalBytes(bodyJson(body)));
}

export function receiptToJson(r: ShareReceipt): JsonObject {
  expectObject(r, 'share receipt');
  expectObject(r.signature, 'share receipt signature');
  return { body: bodyJson(r.body), signature: { classical: toBase64url(r.signature.classical), pq: toBase64url(r.signature.pq) } };
}

export function receiptFromJson(value: unknown): ShareReceipt {
  const o = expectObject(value, 'share receipt');
  expectMembers(o, 'share receipt', ['body', 'signature']);
  const g = expectObject(o.signature, 'share receipt signature');
  expectMembers(g, 'share receipt signature', ['classical', 'pq']);
  return {
    body: readBody(o.body),
    signature: {
      classical: readBytes(g, 'classical', 'share receipt signature', CLASSICAL_SIGNATURE_LENGTH),
      pq: readBytes(g, 'pq', 'share receipt signature', MLDSA65_SIGNATURE_LENGTH),
    },
  };
}

export function encodeReceipt(r: ShareReceipt): string {
  return canonicalize(receiptToJson(r));
}

export function parseReceipt(text: string): ShareReceipt {
  return receiptFromJson(parseJsonStrict(text, 'share receipt', { maxLength: MAX_RECEIPT_TEXT, maxDepth: 8 }));
}

function refuse(reason: string): KeyriteError {
  return new KeyriteError('SHARE_REJECTED', `This envelope cannot be acknowledged: ${reason}.`);
}

/**
 * The trustee's side. Refuses (SHARE_REJECTED) an envelope that is not signed by the master
 * key, not addressed to this trustee's keys, or not listed in the manifest; otherwise opens
 * it and signs a receipt recording whether the share matches its commitment and E the manifest's.
 */
export async function createReceipt(input: CreateReceiptInput): Promise<ShareReceipt> {
  const { trusteeSigner } = input;
  if (trusteeSigner === null || typeof trusteeSigner !== 'object' || typeof trusteeSigner.sign !== 'function') {
    throw new KeyriteError('INVALID_INPUT', "A signer for the trustee's key is needed.");
  }
  const env = envelopeFromJson(envelopeToJson(input.envelope));
  const manifest = manifestFromJson(manifestToJson(input.manifest));
  const h = env.header;
  if (!verifyEnvelopeSignature(env, input.masterPublicKey, input.mode ?? 'hybrid').valid) throw refuse('it is not signed by the master key');
  if (toHex(hybridFingerprint(input.masterPublicKey)) !== h.masterFingerprint) throw refuse('it names another master key');
  const trusteeFp = toHex(hybridFingerprint(trusteeSigner.publicKey));
  if (trusteeFp !== h.trusteeFingerprint) throw refuse("it is addressed to another trustee's keys");
  const entry = findManifestTrustee(manifest, h.trusteeId);
  if (entry === undefined) throw refuse('its trustee is not listed in the escrow manifest');
  if (
    entry.fingerprint !== trusteeFp ||
    entry.x !== h.x ||
    manifest.ceremonyId !== h.ceremonyId ||
    manifest.epoch !== h.epoch ||
    manifest.masterFingerprint !== h.masterFingerprint ||
    manifest.n !== h.n ||
    manifest.t !== h.t ||
    toHex(entry.commitment) !== h.commitment
  ) {
    throw refuse('it does not agree with the escrow manifest');
  }
  let commitmentCheck: CheckResult = 'mismatch';
  let blobCheck: CheckResult = 'mismatch';
  try {
    const opened = openEnvelope(env, input.trusteeXWingSecretKey);
    try {
      commitmentCheck = checkShareAgainstManifest(manifest, h.trusteeId, opened.share, opened.salt).ok ? 'match' : 'mismatch';
      blobCheck = sameEscrowBlob(opened.blob, manifest.blob) ? 'match' : 'mismatch';
    } finally {
      wipe(opened.share.y, opened.salt);
    }
  } catch (e) {
    // A share that does not match the commitment in its own header is recorded as a mismatch;
    // a payload that cannot be decrypted at all is not receipted (nothing was received).
    if (!(e instanceof KeyriteError) || e.code !== 'SHARE_REJECTED') throw e;
  }
  const body: ShareReceiptBody = {
    format: SHARE_RECEIPT_FORMAT,
    sig: sigSuiteOf(trusteeSigner.publicKey),
    ceremonyId: h.ceremonyId,
    epoch: h.epoch,
    masterFingerprint: h.masterFingerprint,
    trusteeId: h.trusteeId,
    trusteeFingerprint: trusteeFp,
    x: h.x,
    envelopeSha256: toHex(envelopeHash(env)),
    commitmentCheck,
    blobCheck,
  };
  const signature = await trusteeSigner.sign(receiptSigningMessage(body));
  return { body, signature };
}

/** The ceremony's side: a receipt counts only if signed by the trustee listed in the manifest, for this envelope, with both checks "match". */
export function verifyReceipt(input: VerifyReceiptInput): ReceiptVerification {
  const receipt = receiptFromJson(receiptToJson(input.receipt));
  const env = envelopeFromJson(envelopeToJson(input.envelope));
  const manifest = manifestFromJson(manifestToJson(input.manifest));
  const b = receipt.body;
  const problems: string[] = [];
  const signature = verifyHybrid(input.trusteePublicKey, receiptSigningMessage(b), receipt.signature, input.mode ?? 'hybrid');
  if (!signature.valid) problems.push("the receipt signature does not verify with the trustee's key");
  if (sigSuiteOf(input.trusteePublicKey) !== b.sig) problems.push("the receipt names other signature algorithms than the trustee's key");
  const fp = toHex(hybridFingerprint(input.trusteePublicKey));
  const entry = findManifestTrustee(manifest, b.trusteeId);
  if (entry === undefined) problems.push('the receipt is from someone who is not a trustee of this escrow');
  else {
    if (entry.fingerprint !== fp || b.trusteeFingerprint !== fp) problems.push("the receipt is not signed by this trustee's registered keys");
    if (entry.x !== b.x) problems.push('the receipt is for another share index');
  }
  if (b.ceremonyId !== manifest.ceremonyId || b.epoch !== manifest.epoch || b.masterFingerprint !== manifest.masterFingerprint) {
    problems.push('the receipt is for another ceremony, epoch or master key');
  }
  if (env.header.trusteeId !== b.trusteeId) problems.push('the envelope given is addressed to another trustee');
  if (toHex(envelopeHash(env)) !== b.envelopeSha256) problems.push('the receipt acknowledges a different envelope');
  if (b.commitmentCheck !== 'match') problems.push('the trustee reports that their share does not match its published commitment');
  if (b.blobCheck !== 'match') problems.push('the trustee reports that the escrow blob in their envelope differs from the manifest');
  return { valid: problems.length === 0, signature, problems };
}
