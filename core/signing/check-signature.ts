/**
 * The relying party's check of one signed document (docs/FORMATS.md "Relying party's check"):
 * from the document (or an artifact it lists), its DSSE envelope and the master fingerprint
 * read aloud, offline. The checks run in the documented order and stop at the first that
 * fails; each says what it found in one sentence. Never throws on bad input.
 * What the document states (keys, artifact) is reported only once both signatures verified.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes, fromUtf8 } from '../bytes.ts';
import { sha256 } from '../crypto/hash.ts';
import { NOBLE_ED25519, NOBLE_MLDSA65, VERIFY_MODES, verifyHybrid, type Ed25519Backend, type MlDsa65Backend, type HybridPublicKey, type VerifyMode } from '../crypto/hybrid.ts';
import { parseEnvelope, pae, type DsseEnvelope } from '../encoding/dsse.ts';
import { fingerprint, fingerprintMatches, formatFingerprintHex, type ParsedFingerprint } from '../encoding/fingerprint.ts';
import { fromHex, toHex } from '../encoding/hex.ts';
import { principalKeyIds } from '../bundle/principals.ts';
import { formatUtcSecond } from './fields.ts';
import { ENDORSEMENT_PAYLOAD_TYPE, SIGNED_ARTIFACTS_PAYLOAD_TYPE } from './documents.ts';
import { readEndorsement, type ReadEndorsement } from './endorsement.ts';
import type { EndorsedKeyAlg, ReadEndorsedKey } from './endorsed-key.ts';
import { readIssuer, type ReadIssuer } from './issuer.ts';
import type { RequestedArtifact } from './request.ts';
import { readSignedArtifacts, type ReadSignedArtifacts } from './signed-artifacts.ts';

/** The largest envelope read: a 1 MiB request makes a document of a little more, base64 adds a third. */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
/** The largest document or artifact a caller should read (it is hashed in memory): the CLI and verify.html refuse more. */
export const MAX_CHECKED_FILE_BYTES = 1024 * 1024 * 1024;
/** The largest payload read as a document. */
const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

export interface SignatureCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface EndorsedKeyStatus {
  readonly kid: string;
  readonly alg: EndorsedKeyAlg;
  readonly use: 'sig' | 'enc';
  readonly label: string;
  readonly nbf: string;
  readonly exp: string;
  readonly validNow: boolean;
}

export interface SignatureCheckReport {
  readonly ok: boolean;
  readonly checks: readonly SignatureCheck[];
  readonly kind?: 'endorsement' | 'artifacts';
  readonly matched?: 'document' | 'artifact';
  readonly issuerFingerprint?: string;
  readonly anchor?: 'full' | 'words-prefix';
  readonly mode: VerifyMode;
  readonly rehearsal?: boolean;
  readonly ceremonyId?: string;
  readonly signedAt?: string;
  readonly keys?: readonly EndorsedKeyStatus[];
  readonly artifact?: RequestedArtifact;
}

export interface CheckSignedDocumentInput {
  document: Uint8Array;
  /** The document's file name (no folder): compared with the artifact's signed name. */
  documentName?: string;
  envelope: Uint8Array;
  trust: ParsedFingerprint;
  now: Date;
  mode?: VerifyMode;
  ed25519?: Ed25519Backend;
}

type Kind = 'endorsement' | 'artifacts';

const KIND_OF: Readonly<Record<string, Kind>> = { [ENDORSEMENT_PAYLOAD_TYPE]: 'endorsement', [SIGNED_ARTIFACTS_PAYLOAD_TYPE]: 'artifacts' };
const KIND_WORDS: Readonly<Record<Kind, string>> = { endorsement: 'an endorsement of operational keys', artifacts: 'a signed-artifacts statement' };

/** One failed check: thrown inside a step, turned into the check's detail. */
class CheckFailed extends Error {}

function fail(detail: string): never {
  throw new CheckFailed(detail);
}

function sentenceOf(e: unknown): string {
  if (e instanceof CheckFailed || e instanceof KeyriteError) return e.message;
  // Not bad input but a fault of this program: say so rather than pass or crash.
  return `The check stopped on an unexpected error (a bug in Keyrite): ${e instanceof Error ? e.name : typeof e}.`;
}

/** Why the call itself is malformed, or undefined when it is well formed. */
function inputProblem(input: CheckSignedDocumentInput, mode: VerifyMode): string | undefined {
  if (input === null || typeof input !== 'object') return 'No input was given.';
  if (!(input.document instanceof Uint8Array)) return 'The document must be given as bytes.';
  if (!(input.envelope instanceof Uint8Array)) return 'The envelope must be given as bytes.';
  if (!VERIFY_MODES.includes(mode)) return 'The mode must be hybrid, classical-only or pq-only.';
  if (!(input.now instanceof Date) || !Number.isFinite(input.now.getTime())) return 'The time of the check must be a valid date.';
  const t = input.trust as ParsedFingerprint | undefined;
  const trustOk = t !== null && typeof t === 'object' && ((t.kind === 'full' && t.bytes instanceof Uint8Array && t.bytes.length === 32) || (t.kind === 'words-prefix' && t.prefix instanceof Uint8Array && t.prefix.length === 16));
  if (!trustOk) return 'The trusted fingerprint must be a parsed fingerprint (64 hex digits or the 16 words).';
  if (input.documentName !== undefined && typeof input.documentName !== 'string') return 'The document name must be text.';
  return undefined;
}

function readEnvelope(bytes: Uint8Array): { envelope: DsseEnvelope; kind: Kind } {
  if (bytes.length > MAX_ENVELOPE_BYTES) fail(`The envelope is ${bytes.length} bytes, more than the ${MAX_ENVELOPE_BYTES} bytes a signing envelope can be.`);
  let envelope: DsseEnvelope;
  try {
    envelope = parseEnvelope(fromUtf8(bytes), { maxLength: MAX_ENVELOPE_BYTES });
  } catch (e) {
    fail(`The envelope is not a DSSE envelope: ${sentenceOf(e)}`);
  }
  const kind = Object.prototype.hasOwnProperty.call(KIND_OF, envelope.payloadType) ? KIND_OF[envelope.payloadType]! : undefined;
  if (kind === undefined) fail(`The envelope's payload type is neither "${ENDORSEMENT_PAYLOAD_TYPE}" nor "${SIGNED_ARTIFACTS_PAYLOAD_TYPE}": it is not a document a Keyrite signing ceremony signs.`);
  if (envelope.payload.length > MAX_PAYLOAD_BYTES) fail(`The envelope's payload is ${envelope.payload.length} bytes, more than a signed document can be.`);
  return { envelope, kind };
}

function readPayload(kind: Kind, payload: Uint8Array): ReadEndorsement | ReadSignedArtifacts {
  try {
    return kind === 'endorsement' ? readEndorsement(payload, MAX_PAYLOAD_BYTES) : readSignedArtifacts(payload, MAX_PAYLOAD_BYTES);
  } catch (e) {
    return fail(`The envelope's payload is not a valid ${kind === 'endorsement' ? 'endorsement' : 'signed-artifacts statement'}: ${sentenceOf(e)}`);
  }
}

interface Matched {
  matched: 'document' | 'artifact';
  artifact?: RequestedArtifact;
  detail: string;
}

/** The document is the payload byte for byte, or (statement only) a file one subject names by SHA-256 and size. */
function matchDocument(input: CheckSignedDocumentInput, kind: Kind, payload: Uint8Array, doc: ReadEndorsement | ReadSignedArtifacts): Matched {
  if (equalBytes(input.document, payload)) return { matched: 'document', detail: `The document is the envelope's payload byte for byte (${KIND_WORDS[kind]}, ${payload.length} bytes).` };
  if (kind === 'endorsement') fail(`The document is not the envelope's payload: the envelope signs another ${payload.length}-byte document, this file differs (${input.document.length} bytes).`);
  const digest = toHex(sha256(input.document));
  const artifacts = (doc as ReadSignedArtifacts).artifacts;
  const artifact = artifacts.find((a) => a.sha256 === digest && a.size === input.document.length);
  if (artifact === undefined) {
    fail(`The file is neither the envelope's statement nor one of the ${artifacts.length} artifacts it lists: no subject has its SHA-256 ${digest} and size ${input.document.length}.`);
  }
  if (input.documentName === undefined) return { matched: 'artifact', artifact, detail: `The file is the artifact signed as "${artifact.name}" (SHA-256 and size match; its name was not compared).` };
  if (input.documentName !== artifact.name) {
    fail(`The file's SHA-256 and size are those of the artifact signed as "${artifact.name}", but the file is named differently: the name is part of what was signed. Rename it to "${artifact.name}" only if that is what it is.`);
  }
  return { matched: 'artifact', artifact, detail: `The file is the artifact "${artifact.name}" the statement lists (name, SHA-256 and size match).` };
}

function checkIssuer(raw: unknown): ReadIssuer {
  let issuer: ReadIssuer;
  try {
    issuer = readIssuer(raw);
  } catch (e) {
    fail(sentenceOf(e));
  }
  if (issuer.fingerprint !== issuer.statedFingerprint) fail(`The document states the issuer fingerprint ${issuer.statedFingerprint}, but the two keys it lists give ${issuer.fingerprint}.`);
  return issuer;
}

/**
 * Why the envelope's signatures are not the master key's signature of its payload, or undefined
 * when they are: exactly two, the Ed25519 half then the ML-DSA-65 half, each naming its key by
 * thumbprint (Keyrite always writes the keyids), both verifying over PAE in the chosen mode.
 * The signing ceremony keeps an interrupted run's envelope only under the same rule.
 */
export function envelopeSignatureProblem(envelope: DsseEnvelope, publicKey: HybridPublicKey, mode: VerifyMode = 'hybrid', ed25519: Ed25519Backend = NOBLE_ED25519, mldsa65: MlDsa65Backend = NOBLE_MLDSA65): string | undefined {
  const sigs = envelope.signatures;
  if (sigs.length !== 2) return `The envelope has ${sigs.length} signature${sigs.length === 1 ? '' : 's'}; a signed document has exactly two, the master key's Ed25519 and then its ML-DSA-65 signature.`;
  const ids = principalKeyIds(publicKey);
  if (sigs[0]!.keyid !== ids.classical) return "Signature 1 does not name the master key's Ed25519 key by its thumbprint: the signatures are in the wrong order, unnamed or of another key.";
  if (sigs[1]!.keyid !== ids.pq) return "Signature 2 does not name the master key's ML-DSA-65 key by its thumbprint: the signatures are in the wrong order, unnamed or of another key.";
  const r = verifyHybrid(publicKey, pae(envelope.payloadType, envelope.payload), { classical: sigs[0]!.sig, pq: sigs[1]!.sig }, mode, ed25519, mldsa65);
  if (r.valid) return undefined;
  const failed = [r.classical === 'fail' ? 'Ed25519' : '', r.pq === 'fail' ? 'ML-DSA-65' : ''].filter(Boolean);
  return failed.length === 2 ? "Neither the Ed25519 nor the ML-DSA-65 signature of the master key verifies over the envelope's payload." : `The ${failed[0]} signature of the master key does not verify over the envelope's payload.`;
}

function checkSignatures(envelope: DsseEnvelope, issuer: ReadIssuer, mode: VerifyMode, ed25519: Ed25519Backend): string {
  const problem = envelopeSignatureProblem(envelope, issuer.publicKey, mode, ed25519);
  if (problem) fail(problem);
  if (mode === 'hybrid') return "Both halves of the master key's signature verify (Ed25519 and ML-DSA-65).";
  return mode === 'classical-only' ? 'The Ed25519 signature verifies; the ML-DSA-65 signature was NOT checked (classical-only).' : 'The ML-DSA-65 signature verifies; the Ed25519 signature was NOT checked (pq-only).';
}

function keyStatuses(keys: readonly ReadEndorsedKey[], now: Date): EndorsedKeyStatus[] {
  const t = now.getTime();
  return keys.map((k) => ({ kid: k.kid, alg: k.alg, use: k.use, label: k.label, nbf: k.nbf, exp: k.exp, validNow: k.nbfMs <= t && t < k.expMs }));
}

export function checkSignedDocument(input: CheckSignedDocumentInput): SignatureCheckReport {
  const mode = (input as Partial<CheckSignedDocumentInput> | null)?.mode ?? 'hybrid';
  const problem = inputProblem(input, mode);
  if (problem !== undefined) return { ok: false, checks: [{ name: 'input', ok: false, detail: problem }], mode: VERIFY_MODES.includes(mode) ? mode : 'hybrid' };
  const checks: SignatureCheck[] = [];
  const facts: { -readonly [K in keyof SignatureCheckReport]?: SignatureCheckReport[K] } = {};
  const run = (name: string, step: () => string): boolean => {
    try {
      checks.push({ name, ok: true, detail: step() });
      return true;
    } catch (e) {
      checks.push({ name, ok: false, detail: sentenceOf(e) });
      return false;
    }
  };
  const done = (): SignatureCheckReport => ({ ok: checks.every((c) => c.ok), checks, mode, ...facts });

  let envelope!: DsseEnvelope;
  let kind!: Kind;
  const envelopeOk = run('envelope', () => {
    ({ envelope, kind } = readEnvelope(input.envelope));
    facts.kind = kind;
    return `A DSSE envelope of ${KIND_WORDS[kind]} (${envelope.payloadType}) with ${envelope.signatures.length} signature${envelope.signatures.length === 1 ? '' : 's'}.`;
  });
  if (!envelopeOk) return done();

  let doc!: ReadEndorsement | ReadSignedArtifacts;
  let artifact: RequestedArtifact | undefined;
  const documentOk = run('document', () => {
    doc = readPayload(kind, envelope.payload);
    const m = matchDocument(input, kind, envelope.payload, doc);
    facts.matched = m.matched;
    artifact = m.artifact;
    return m.detail;
  });
  if (!documentOk) return done();
  facts.rehearsal = doc.mode === 'rehearsal';
  facts.ceremonyId = doc.ceremonyId;
  facts.signedAt = doc.signedAt;

  let issuer!: ReadIssuer;
  const issuerOk = run('issuer', () => {
    issuer = checkIssuer(doc.issuer);
    facts.issuerFingerprint = issuer.fingerprint;
    return `The document names its issuer, the master key ${formatFingerprintHex(fingerprint(fromHex(issuer.fingerprint)))}, with both its public keys; they give that fingerprint.`;
  });
  if (!issuerOk) return done();

  const trustOk = run('trust', () => {
    facts.anchor = input.trust.kind;
    if (!fingerprintMatches(fingerprint(fromHex(issuer.fingerprint)), input.trust)) fail("The document's issuer is NOT the master key whose fingerprint was given: do not rely on this document.");
    return input.trust.kind === 'full' ? 'The issuer is the master key whose fingerprint was given (all 64 hex digits compared).' : 'The issuer matches the fingerprint words given (the first 16 bytes of the fingerprint compared, as far as the words go).';
  });
  if (!trustOk) return done();

  if (!run('signatures', () => checkSignatures(envelope, issuer, mode, input.ed25519 ?? NOBLE_ED25519))) return done();
  if (artifact !== undefined) facts.artifact = artifact;
  if (kind === 'endorsement') {
    const keys = keyStatuses((doc as ReadEndorsement).keys, input.now);
    facts.keys = keys;
    run('validity', () => validityDetail(keys, input.now));
  }
  return done();
}

function validityDetail(keys: readonly EndorsedKeyStatus[], now: Date): string {
  const valid = keys.filter((k) => k.validNow).length;
  const at = formatUtcSecond(now);
  if (valid === 0) fail(`None of the ${keys.length} endorsed keys is valid at ${at}: each is not yet valid or has expired.`);
  return `${valid} of the ${keys.length} endorsed keys ${valid === 1 ? 'is' : 'are'} valid at ${at}.`;
}
