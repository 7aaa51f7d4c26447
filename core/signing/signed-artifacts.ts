/**
 * `artifacts.intoto.json` (docs/FORMATS.md "Signed documents"): an in-toto Statement v1
 * (in-toto/attestation spec/v1/statement.md) whose subjects are the requested artifacts (name,
 * SHA-256, size as an annotation) and whose predicate names the issuer and the ceremony.
 * Written as canonical JSON (RFC 8785) without a trailing newline; read closed-world.
 */
import { KeyriteError } from '../errors.ts';
import { canonicalBytes } from '../encoding/jcs.ts';
import { parseJsonUtf8 } from '../encoding/json.ts';
import { assertCeremonyFacts, type CeremonyFacts } from './context.ts';
import type { IssuerMember } from './issuer.ts';
import { has, isObject, isShownText } from './fields.ts';
import { ARTIFACT_NAME_PATTERN, MAX_ARTIFACTS_PER_REQUEST, MAX_TITLE_CHARS, SHA256_HEX_PATTERN, type RequestedArtifact } from './request.ts';

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SIGNED_ARTIFACTS_PREDICATE_TYPE = 'https://keyrite.dev/attestation/signed-artifacts/v1';

export function signedArtifactsBytes(title: string, artifacts: readonly RequestedArtifact[], issuer: IssuerMember, facts: CeremonyFacts): Uint8Array {
  return canonicalBytes({
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: artifacts.map((a) => ({ name: a.name, digest: { sha256: a.sha256 }, annotations: { size: a.size } })),
    predicateType: SIGNED_ARTIFACTS_PREDICATE_TYPE,
    predicate: { issuer, ceremonyId: facts.ceremonyId, mode: facts.mode, requestSha256: facts.requestSha256, signedAt: facts.signedAt, title },
  });
}

export interface ReadSignedArtifacts extends CeremonyFacts {
  readonly title: string;
  readonly artifacts: readonly RequestedArtifact[];
  /** Unread: the issuer check reads it (issuer.ts). */
  readonly issuer: unknown;
}

function bad(problem: string): never {
  throw new KeyriteError('INVALID_ENCODING', `The signed-artifacts statement ${problem}.`);
}

function exactly(value: unknown, members: readonly string[], what: string): Record<string, unknown> {
  if (!isObject(value) || Object.keys(value).length !== members.length || members.some((m) => !has(value, m))) {
    return bad(`${what} must be a JSON object with exactly the members ${members.join(', ')}`);
  }
  return value;
}

function readSubject(value: unknown, i: number): RequestedArtifact {
  const s = exactly(value, ['name', 'digest', 'annotations'], `subject ${i + 1}`);
  const digest = exactly(s.digest, ['sha256'], `subject ${i + 1} "digest"`);
  const annotations = exactly(s.annotations, ['size'], `subject ${i + 1} "annotations"`);
  if (typeof s.name !== 'string' || !ARTIFACT_NAME_PATTERN.test(s.name)) bad(`subject ${i + 1} has a name that is not a plain file name`);
  if (typeof digest.sha256 !== 'string' || !SHA256_HEX_PATTERN.test(digest.sha256)) bad(`subject ${i + 1} has a sha256 that is not 64 lowercase hex digits`);
  const size = annotations.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) bad(`subject ${i + 1} has a size that is not a whole number of bytes`);
  return { name: s.name as string, size: size as number, sha256: digest.sha256 as string };
}

export function readSignedArtifacts(bytes: Uint8Array, maxBytes: number): ReadSignedArtifacts {
  const doc = exactly(parseJsonUtf8(bytes, 'signed-artifacts statement', { maxLength: maxBytes, maxDepth: 8 }), ['_type', 'subject', 'predicateType', 'predicate'], 'top level');
  if (doc._type !== IN_TOTO_STATEMENT_TYPE) bad(`"_type" is not "${IN_TOTO_STATEMENT_TYPE}"`);
  if (doc.predicateType !== SIGNED_ARTIFACTS_PREDICATE_TYPE) bad(`"predicateType" is not "${SIGNED_ARTIFACTS_PREDICATE_TYPE}"`);
  const predicate = exactly(doc.predicate, ['issuer', 'ceremonyId', 'mode', 'requestSha256', 'signedAt', 'title'], '"predicate"');
  assertCeremonyFacts(predicate, 'signed-artifacts statement', 'INVALID_ENCODING');
  if (!isShownText(predicate.title, 1, MAX_TITLE_CHARS)) bad('"title" is not 1 to 200 characters without control or invisible characters');
  if (!Array.isArray(doc.subject) || doc.subject.length === 0) return bad('"subject" is not a non-empty list');
  if (doc.subject.length > MAX_ARTIFACTS_PER_REQUEST) bad(`lists ${doc.subject.length} artifacts, more than a signing request may hold (${MAX_ARTIFACTS_PER_REQUEST})`);
  const artifacts = doc.subject.map(readSubject);
  const names = new Set(artifacts.map((a) => a.name));
  if (names.size !== artifacts.length) bad('names the same artifact twice');
  return {
    title: predicate.title as string,
    artifacts,
    issuer: predicate.issuer,
    ceremonyId: predicate.ceremonyId,
    mode: predicate.mode,
    requestSha256: predicate.requestSha256,
    signedAt: predicate.signedAt,
  };
}
