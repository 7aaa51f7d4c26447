/**
 * The documents a signing ceremony signs and their DSSE envelopes (docs/FORMATS.md "Signed
 * documents"). The bytes depend only on the checked request, the master public key and the
 * facts recorded when the request was confirmed, so a resumed run makes the same documents.
 */
import { KeyriteError } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { encodeEnvelope, pae } from '../encoding/dsse.ts';
import { verifyHybrid, type HybridPublicKey } from '../crypto/hybrid.ts';
import { principalKeyIds } from '../bundle/principals.ts';
import { assertCeremonyFacts, type SigningMode } from './context.ts';
import { endorsementBytes } from './endorsement.ts';
import { issuerMember } from './issuer.ts';
import { signedArtifactsBytes } from './signed-artifacts.ts';
import type { SigningRequest } from './request.ts';

export { SIGNED_ARTIFACTS_PREDICATE_TYPE } from './signed-artifacts.ts';

export const ENDORSED_KEYS_DOCUMENT = 'endorsed-keys.jwks.json';
export const SIGNED_ARTIFACTS_DOCUMENT = 'artifacts.intoto.json';
export const ENDORSEMENT_PAYLOAD_TYPE = 'application/jwk-set+json';
export const SIGNED_ARTIFACTS_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** The file name of a document's envelope, next to it. */
export const ENVELOPE_SUFFIX = '.dsse.json';

export interface SigningContext {
  readonly ceremonyId: string;
  readonly mode: SigningMode;
  readonly requestSha256: string;
  readonly signedAt: string;
  /** The master key; its classical half is Ed25519. */
  readonly issuer: HybridPublicKey;
}

export interface DocumentToSign {
  readonly name: string;
  readonly payloadType: string;
  readonly bytes: Uint8Array;
}

/** The documents of FORMATS.md "Signed documents", in that order (endorsement first); deterministic bytes. */
export function documentsToSign(request: SigningRequest, ctx: SigningContext): DocumentToSign[] {
  assertCeremonyFacts(ctx as unknown as Record<string, unknown>, 'signing context', 'INVALID_INPUT');
  if (ctx.requestSha256 !== request.sha256) throw new KeyriteError('INVALID_INPUT', 'The signing context names another request than the one given (its SHA-256 differs).');
  const issuer = issuerMember(ctx.issuer);
  const docs: DocumentToSign[] = [];
  if (request.keys.length > 0) docs.push({ name: ENDORSED_KEYS_DOCUMENT, payloadType: ENDORSEMENT_PAYLOAD_TYPE, bytes: endorsementBytes(request.keys, issuer, ctx) });
  if (request.artifacts.length > 0) {
    docs.push({ name: SIGNED_ARTIFACTS_DOCUMENT, payloadType: SIGNED_ARTIFACTS_PAYLOAD_TYPE, bytes: signedArtifactsBytes(request.title, request.artifacts, issuer, ctx) });
  }
  return docs;
}

/**
 * The DSSE envelope file bytes: the two signatures over PAE(payloadType, document) in the order
 * classical, pq, keyids = the RFC 7638 thumbprints. Both halves are verified first: an envelope
 * that would not verify is never made.
 */
export function signedEnvelope(doc: DocumentToSign, issuer: HybridPublicKey, sigs: { readonly classical: Uint8Array; readonly pq: Uint8Array }): Uint8Array {
  issuerMember(issuer);
  const result = verifyHybrid(issuer, pae(doc.payloadType, doc.bytes), { classical: sigs.classical, pq: sigs.pq });
  if (!result.valid) {
    const failed = [result.classical === 'fail' ? 'Ed25519' : '', result.pq === 'fail' ? 'ML-DSA-65' : ''].filter(Boolean).join(' and ');
    throw new KeyriteError('INVALID_SIGNATURE', `The ${failed} signature of ${doc.name} does not verify against the master key; no envelope was made.`);
  }
  const ids = principalKeyIds(issuer);
  return utf8(encodeEnvelope({ payloadType: doc.payloadType, payload: doc.bytes, signatures: [{ keyid: ids.classical, sig: sigs.classical }, { keyid: ids.pq, sig: sigs.pq }] }));
}
