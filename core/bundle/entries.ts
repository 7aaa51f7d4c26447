/**
 * The transcript's entry vocabulary (docs/FORMATS.md "Transcript entry types"): every entry
 * type a ceremony writes, and strict readers for the entry bodies that carry public keys and
 * token identities (a trustee's check-in, the master key's generation, a token record). The
 * writer (core/ceremony) builds these bodies; the crash journal and the verifier read them back
 * through the same readers, each with its own idea of what the whole transcript must say.
 */
import { KeyriteError } from '../errors.ts';
import { jwkToPublicKey } from '../encoding/jwk.ts';
import { expectMembers, expectObject, readBytes, readInt, readString, type JsonObject } from '../encoding/json-fields.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';
import type { KeyRef } from '../tokens/token.ts';

/** Every entry type a ceremony writes. */
export const ENTRY = Object.freeze({
  ceremonyStart: 'ceremony.start',
  ceremonyResume: 'ceremony.resume',
  ceremonyEnd: 'ceremony.end',
  stepStart: 'step.start',
  stepEnd: 'step.end',
  stepAborted: 'step.aborted',
  stepFailed: 'step.failed',
  stepDeviation: 'step.deviation',
  witnessConfirm: 'witness.confirm',
  airgapCheck: 'airgap.check',
  selftestReport: 'selftest.report',
  tokenSelect: 'token.select',
  tokenLogin: 'token.login',
  tokenLabelCheck: 'token.label-check',
  participantCheckIn: 'participant.check-in',
  keyGenerate: 'key.generate',
  keyImport: 'key.import',
  keyAbandoned: 'key.abandoned',
  keyRestore: 'key.restore',
  entropyGather: 'entropy.gather',
  checkpointSign: 'checkpoint.sign',
  escrowSplit: 'escrow.split',
  escrowDistribute: 'escrow.distribute',
  shareReceipt: 'share.receipt',
  statementPlan: 'statement.plan',
  recoveryBundle: 'recovery.bundle',
  shareAccepted: 'share.accepted',
  shareRejected: 'share.rejected',
  requestCheck: 'request.check',
  requestConfirm: 'request.confirm',
  documentSign: 'document.sign',
  keyStates: 'key.states',
  keyDestroy: 'key.destroy',
  escrowSuperseded: 'escrow.superseded',
} as const);

const ENTRY_TYPES: ReadonlySet<string> = new Set(Object.values(ENTRY));

/** Whether `type` is one of the entry types above (what a ceremony writes and the verifier reads). */
export function isEntryType(type: string): boolean {
  return ENTRY_TYPES.has(type);
}

/** A token as recorded: its RFC 7512 identity, never a slot number. */
export interface TokenRecord {
  uri: string;
  label: string;
  serial: string;
  model: string;
  manufacturer: string;
  rehearsalOnly: boolean;
}

/** A trustee's public identity as recorded at check-in. */
export interface TrusteeRecord {
  id: string;
  name: string;
  fingerprint: string;
  publicKey: HybridPublicKey;
  xwingPublicKey: Uint8Array;
  signingRef: KeyRef;
  sealRef: KeyRef;
  keyringPath: string;
  keyringSha256: string;
  token: TokenRecord;
}

export interface MasterRecord {
  fingerprint: string;
  publicKey: HybridPublicKey;
}

function keyRef(v: unknown, what: string): KeyRef {
  const o = expectObject(v, what);
  return { kind: readString(o, 'kind', what) as KeyRef['kind'], label: readString(o, 'label', what), id: readString(o, 'id', what), alg: readString(o, 'alg', what) as KeyRef['alg'] };
}

function hybridFromJwks(classical: unknown, pq: unknown, what: string): HybridPublicKey {
  const c = jwkToPublicKey(classical);
  const p = jwkToPublicKey(pq);
  if (p.alg !== 'ML-DSA-65' || (c.alg !== 'Ed25519' && c.alg !== 'P-256')) throw new KeyriteError('INVALID_KEY', `The ${what} holds keys of other algorithms than Ed25519 or P-256 with ML-DSA-65.`);
  return { classical: { alg: c.alg === 'P-256' ? 'ES256' : 'Ed25519', publicKey: c.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: p.publicKey } };
}

export function tokenRecord(v: unknown, what: string): TokenRecord {
  const o = expectObject(v, what);
  return {
    uri: readString(o, 'uri', what),
    label: readString(o, 'label', what),
    serial: readString(o, 'serial', what),
    model: readString(o, 'model', what),
    manufacturer: readString(o, 'manufacturer', what),
    rehearsalOnly: o.rehearsalOnly === true,
  };
}

/** Reads a trustee's participant.check-in body back. */
export function trusteeFromEntry(body: JsonObject): TrusteeRecord {
  const what = 'trustee check-in entry';
  const classical = expectObject(body.classical, what);
  const pq = expectObject(body.pq, what);
  const kem = expectObject(body.kem, what);
  const seal = expectObject(body.seal, what);
  const keyring = expectObject(body.keyring, what);
  return {
    id: readString(body, 'participantId', what),
    name: readString(body, 'name', what),
    fingerprint: readString(body, 'fingerprint', what),
    publicKey: hybridFromJwks(classical.jwk, pq.jwk, what),
    xwingPublicKey: readBytes(kem, 'publicKey', what, { min: 1, max: 4096 }),
    signingRef: keyRef(classical.ref, what),
    sealRef: keyRef(seal.ref, what),
    keyringPath: readString(keyring, 'path', what),
    keyringSha256: readString(keyring, 'sha256', what),
    token: tokenRecord(body.token, what),
  };
}

/** A trustee who checked in without a token to offer their share from paper words (participantKind "paper"). */
export interface PaperTrusteeRecord {
  id: string;
  name: string;
  /** Their share index, from the original escrow manifest. */
  x: number;
}

/**
 * Reads a paper participant's participant.check-in body back: exactly these members, so a body
 * that also carries keys (a paper participant passed off as a signer) is refused.
 */
export function paperTrusteeFromEntry(body: JsonObject): PaperTrusteeRecord {
  const what = 'paper participant check-in entry';
  expectMembers(body, what, ['step', 'role', 'participantKind', 'participantId', 'name', 'enrolled', 'x', 'note']);
  if (body.role !== 'trustee' || body.participantKind !== 'paper' || body.enrolled !== false) throw new KeyriteError('INVALID_INPUT', `The ${what} is not a trustee of participant kind "paper" who enrolled nothing.`);
  readString(body, 'step', what);
  readString(body, 'note', what);
  return { id: readString(body, 'participantId', what), name: readString(body, 'name', what), x: readInt(body, 'x', what, 1, 255) };
}

/** Reads the master key's key.generate body back. */
export function masterFromEntry(body: JsonObject): MasterRecord {
  const what = 'master key entry';
  return {
    fingerprint: readString(body, 'fingerprint', what),
    publicKey: hybridFromJwks(expectObject(body.classical, what).jwk, expectObject(body.pq, what).jwk, what),
  };
}
