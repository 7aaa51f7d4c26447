/**
 * A share health record (DESIGN.md "Share health log"; docs/FORMATS.md "Escrow — health
 * record"): a trustee's signed statement that on a given day their token opened their share and
 * it passed every check a recovery makes (`keyrite check-share --health-record FILE`). It holds
 * no secret: the share's published commitment, never the share.
 *
 * Signed (hybrid, the trustee's own keys, as a receipt is) over
 *   UTF-8("keyrite/health-record/v1 signature") ‖ 0x00 ‖ JCS(body)
 * where body = {"ceremonyId", "checkedAt", "commitment", "epoch", "format":"keyrite/health-record/v1",
 *   "masterFingerprint", "paper", "result", "sig", "trusteeFingerprint", "trusteeId", "x"}.
 * The file also carries the trustee's public keys (JWKs), so a record authenticates itself
 * against the escrow manifest alone: the keys' fingerprint must be the manifest's for the
 * trustee. JSON file: {"body": {…}, "publicKey": {"classical", "pq"}, "signature": {"classical", "pq"}}.
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, utf8 } from '../bytes.ts';
import { toBase64url } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { canonicalBytes, canonicalize } from '../encoding/jcs.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { jwkToPublicKey, publicKeyToJwk } from '../encoding/jwk.ts';
import { verifyHybrid, type Ed25519Backend, type HybridPublicKey, type HybridSignature, type HybridSigner, type HybridVerifyResult, type MlDsa65Backend, type VerifyMode } from '../crypto/hybrid.ts';
import { expectMembers, expectObject, readBytes, readInt, readLiteral, readPattern, type JsonObject } from '../encoding/json-fields.ts';
import { CLASSICAL_SIGNATURE_LENGTH, MLDSA65_SIGNATURE_LENGTH } from './envelope.ts';
import { CEREMONY_ID_HEX, FINGERPRINT_HEX, SHA256_HEX, SIG_SUITES, TRUSTEE_ID, hybridFingerprint, sigSuiteOf, type SigSuite } from './fields.ts';

export const HEALTH_RECORD_FORMAT = 'keyrite/health-record/v1';
export const HEALTH_RECORD_SIGNATURE_CONTEXT = 'keyrite/health-record/v1 signature';
const MAX_HEALTH_RECORD_TEXT = 16 * 1024;
/** The transcript's one time spelling: UTC, three fraction digits. */
const CHECKED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** alive: every check passed; share-failed / paper-failed: the token signed, but that check failed. */
export type HealthResult = 'alive' | 'share-failed' | 'paper-failed';
export const HEALTH_RESULTS: readonly HealthResult[] = ['alive', 'share-failed', 'paper-failed'];

export interface HealthRecordBody {
  format: typeof HEALTH_RECORD_FORMAT;
  sig: SigSuite;
  ceremonyId: string;
  epoch: number;
  masterFingerprint: string;
  trusteeId: string;
  trusteeFingerprint: string;
  x: number;
  /** C_i of the share, as the escrow manifest publishes it (64 hex digits). */
  commitment: string;
  checkedAt: string;
  result: HealthResult;
  /** Whether the paper-backup words were checked too. */
  paper: boolean;
}

export interface HealthRecord {
  body: HealthRecordBody;
  publicKey: HybridPublicKey;
  signature: HybridSignature;
}

const WHAT = 'health record';

function assertCheckedAt(v: string, what: string): void {
  if (!CHECKED_AT.test(v) || Number.isNaN(Date.parse(v)) || new Date(Date.parse(v)).toISOString() !== v) {
    throw new KeyriteError('INVALID_INPUT', `The ${what} "checkedAt" must be a UTC time of the form 2026-03-01T09:30:00.000Z.`);
  }
}

function bodyJson(b: HealthRecordBody): JsonObject {
  expectObject(b, `${WHAT} body`);
  return {
    format: b.format,
    sig: b.sig,
    ceremonyId: b.ceremonyId,
    epoch: b.epoch,
    masterFingerprint: b.masterFingerprint,
    trusteeId: b.trusteeId,
    trusteeFingerprint: b.trusteeFingerprint,
    x: b.x,
    commitment: b.commitment,
    checkedAt: b.checkedAt,
    result: b.result,
    paper: b.paper,
  };
}

function readBody(value: unknown): HealthRecordBody {
  const w = `${WHAT} body`;
  const o = expectObject(value, w);
  expectMembers(o, w, ['ceremonyId', 'checkedAt', 'commitment', 'epoch', 'format', 'masterFingerprint', 'paper', 'result', 'sig', 'trusteeFingerprint', 'trusteeId', 'x']);
  const checkedAt = readPattern(o, 'checkedAt', w, CHECKED_AT, 'a UTC time of the form 2026-03-01T09:30:00.000Z');
  assertCheckedAt(checkedAt, w);
  if (typeof o.paper !== 'boolean') throw new KeyriteError('INVALID_INPUT', `The ${w} "paper" must be true or false.`);
  return {
    format: readLiteral(o, 'format', w, [HEALTH_RECORD_FORMAT] as const),
    sig: readLiteral(o, 'sig', w, SIG_SUITES),
    ceremonyId: readPattern(o, 'ceremonyId', w, CEREMONY_ID_HEX, '32 lowercase hex digits (16 bytes)'),
    epoch: readInt(o, 'epoch', w, 0, Number.MAX_SAFE_INTEGER),
    masterFingerprint: readPattern(o, 'masterFingerprint', w, FINGERPRINT_HEX, '64 lowercase hex digits'),
    trusteeId: readPattern(o, 'trusteeId', w, TRUSTEE_ID, 'a trustee id'),
    trusteeFingerprint: readPattern(o, 'trusteeFingerprint', w, FINGERPRINT_HEX, '64 lowercase hex digits'),
    x: readInt(o, 'x', w, 1, 255),
    commitment: readPattern(o, 'commitment', w, SHA256_HEX, '64 lowercase hex digits'),
    checkedAt,
    result: readLiteral(o, 'result', w, HEALTH_RESULTS),
    paper: o.paper,
  };
}

function publicKeyJson(pub: HybridPublicKey): JsonObject {
  expectObject(pub, `${WHAT} public key`);
  return {
    classical: publicKeyToJwk(pub.classical.alg === 'ES256' ? 'P-256' : 'Ed25519', pub.classical.publicKey),
    pq: publicKeyToJwk('ML-DSA-65', pub.pq.publicKey),
  };
}

function readPublicKey(value: unknown): HybridPublicKey {
  const w = `${WHAT} public key`;
  const o = expectObject(value, w);
  expectMembers(o, w, ['classical', 'pq']);
  const c = jwkToPublicKey(o.classical);
  const p = jwkToPublicKey(o.pq);
  if ((c.alg !== 'Ed25519' && c.alg !== 'P-256') || p.alg !== 'ML-DSA-65') throw new KeyriteError('INVALID_KEY', `The ${w} must be an Ed25519 or P-256 key and an ML-DSA-65 key.`);
  return { classical: { alg: c.alg === 'P-256' ? 'ES256' : 'Ed25519', publicKey: c.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: p.publicKey } };
}

export function healthRecordSigningMessage(body: HealthRecordBody): Uint8Array {
  return concatBytes(utf8(HEALTH_RECORD_SIGNATURE_CONTEXT), Uint8Array.of(0), canonicalBytes(bodyJson(body)));
}

export function healthRecordToJson(r: HealthRecord): JsonObject {
  expectObject(r, WHAT);
  expectObject(r.signature, `${WHAT} signature`);
  return { body: bodyJson(r.body), publicKey: publicKeyJson(r.publicKey), signature: { classical: toBase64url(r.signature.classical), pq: toBase64url(r.signature.pq) } };
}

export function healthRecordFromJson(value: unknown): HealthRecord {
  const o = expectObject(value, WHAT);
  expectMembers(o, WHAT, ['body', 'publicKey', 'signature']);
  const g = expectObject(o.signature, `${WHAT} signature`);
  expectMembers(g, `${WHAT} signature`, ['classical', 'pq']);
  return {
    body: readBody(o.body),
    publicKey: readPublicKey(o.publicKey),
    signature: {
      classical: readBytes(g, 'classical', `${WHAT} signature`, CLASSICAL_SIGNATURE_LENGTH),
      pq: readBytes(g, 'pq', `${WHAT} signature`, MLDSA65_SIGNATURE_LENGTH),
    },
  };
}

/** The record file's text: canonical JSON and one LF. */
export function encodeHealthRecord(r: HealthRecord): string {
  return canonicalize(healthRecordToJson(r)) + '\n';
}

export function parseHealthRecord(text: string): HealthRecord {
  if (typeof text !== 'string') throw new KeyriteError('INVALID_INPUT', 'A health record must be read from text.');
  return healthRecordFromJson(parseJsonStrict(text.replace(/\n$/, ''), WHAT, { maxLength: MAX_HEALTH_RECORD_TEXT, maxDepth: 8 }));
}

/** A record's identity: its canonical body (ML-DSA-65 signatures are randomised, so a replay of one statement may carry another signature). */
export function healthRecordKey(r: HealthRecord): string {
  return canonicalize(bodyJson(r.body));
}

export interface CreateHealthRecordInput {
  ceremonyId: string;
  epoch: number;
  masterFingerprint: string;
  trusteeId: string;
  x: number;
  commitment: Uint8Array;
  checkedAt: Date;
  result: HealthResult;
  paper: boolean;
  trusteeSigner: HybridSigner;
}

/** The trustee's token signs the record (the caller has checked the share; this only states the result). */
export async function createHealthRecord(input: CreateHealthRecordInput): Promise<HealthRecord> {
  const { trusteeSigner } = input;
  if (trusteeSigner === null || typeof trusteeSigner !== 'object' || typeof trusteeSigner.sign !== 'function') {
    throw new KeyriteError('INVALID_INPUT', "A signer for the trustee's key is needed.");
  }
  const body = readBody({
    format: HEALTH_RECORD_FORMAT,
    sig: sigSuiteOf(trusteeSigner.publicKey),
    ceremonyId: input.ceremonyId,
    epoch: input.epoch,
    masterFingerprint: input.masterFingerprint,
    trusteeId: input.trusteeId,
    trusteeFingerprint: toHex(hybridFingerprint(trusteeSigner.publicKey)),
    x: input.x,
    commitment: input.commitment instanceof Uint8Array ? toHex(input.commitment) : '',
    checkedAt: input.checkedAt instanceof Date && !Number.isNaN(input.checkedAt.getTime()) ? input.checkedAt.toISOString() : '',
    result: input.result,
    paper: input.paper,
  });
  const signature = await trusteeSigner.sign(healthRecordSigningMessage(body));
  return { body, publicKey: trusteeSigner.publicKey, signature };
}

export interface HealthRecordSignature {
  /** The keys the record carries are the ones its body names (their fingerprint and algorithms). */
  keysMatch: boolean;
  signature: HybridVerifyResult;
}

/**
 * Whether the record is signed by the keys it carries, and those keys are the ones its body
 * names. Who those keys belong to is the caller's question (the escrow manifest's fingerprint).
 */
export function verifyHealthRecordSignature(r: HealthRecord, mode: VerifyMode = 'hybrid', backends: { ed25519?: Ed25519Backend; mldsa65?: MlDsa65Backend } = {}): HealthRecordSignature {
  const keysMatch = toHex(hybridFingerprint(r.publicKey)) === r.body.trusteeFingerprint && sigSuiteOf(r.publicKey) === r.body.sig;
  return { keysMatch, signature: verifyHybrid(r.publicKey, healthRecordSigningMessage(r.body), r.signature, mode, backends.ed25519, backends.mldsa65) };
}
