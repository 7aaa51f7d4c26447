/**
 * What only a signing bundle has (docs/FORMATS.md "Signing"): the request the ceremony checked
 * (request/signing-request.json) and the documents it signed (signed/<name> and
 * <name>.dsse.json). The request must be the one whose SHA-256 the transcript recorded, pass the
 * script's limits at the time it was checked, and have been confirmed by every trustee present
 * before any share was opened; each document must be exactly what that request and this
 * ceremony make, and its envelope the master key's signature of it.
 */
import { KeyriteError } from '../../errors.ts';
import { expectList, expectObject, readString } from '../../encoding/json-fields.ts';
import type { TranscriptEntry } from '../../transcript/entry.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { SIGNING_REQUEST_FILE, SIGNED_DIR } from '../../bundle/layout.ts';
import type { SignedDocumentRecord } from '../../bundle/statement.ts';
import { parseSigningRequest } from '../../signing/request.ts';
import { documentsToSign } from '../../signing/documents.ts';
import { envelopeProblem } from '../../signing/envelope-check.ts';
import { equalBytes } from '../../bytes.ts';
import { fail, type Check } from '../check-list.ts';
import { modeClause } from '../mode-words.ts';
import type { SigningTranscriptFacts, VerifyContext } from '../context.ts';

const HEX64 = /^[0-9a-f]{64}$/;

/** The request check and the signed documents a signing transcript records (its request.check entry and its ceremony.end). */
export function signingTranscriptFacts(entries: readonly TranscriptEntry[]): SigningTranscriptFacts {
  const checks = entries.filter((e) => e.type === ENTRY.requestCheck);
  if (checks.length === 0) fail('The transcript records no request.check entry: the request was never checked.');
  const first = checks[0]!.body;
  const requestSha256 = readString(first, 'sha256', 'request.check entry');
  const checkedAt = readString(first, 'checkedAt', 'request.check entry');
  if (!HEX64.test(requestSha256)) fail('The request.check entry does not give the request\'s SHA-256.');
  if (checks.some((c) => c.body.sha256 !== requestSha256 || c.body.checkedAt !== checkedAt)) fail('The transcript checked more than one request (a resumed run must check the same one).');
  const end = entries[entries.length - 1]!.body;
  if (end.requestSha256 !== requestSha256) fail('ceremony.end names another request than the one checked.');
  const documents: SignedDocumentRecord[] = expectList(end.documents, 'documents of ceremony.end').map((d) => {
    const o = expectObject(d, 'document of ceremony.end');
    return { name: readString(o, 'name', 'document'), payloadType: readString(o, 'payloadType', 'document'), sha256: readString(o, 'sha256', 'document'), envelopeSha256: readString(o, 'envelopeSha256', 'document') };
  });
  if (documents.length === 0) fail('ceremony.end names no signed document.');
  for (const d of documents) {
    const signed = entries.filter((e) => e.type === ENTRY.documentSign && e.body.name === d.name);
    const last = signed[signed.length - 1]?.body;
    if (!last || last.sha256 !== d.sha256 || last.envelopeSha256 !== d.envelopeSha256) fail(`ceremony.end names ${d.name} with other hashes than its document.sign entry.`);
  }
  return { requestSha256, title: readString(first, 'title', 'request.check entry'), checkedAt, documents };
}

/** The bundle paths of the signed documents and their envelopes, in the order signed. */
export function signedFiles(ctx: VerifyContext): string[] {
  return (ctx.signing?.documents ?? []).flatMap((d) => [`${SIGNED_DIR}/${d.name}`, `${SIGNED_DIR}/${d.name}.dsse.json`]);
}

export const signingRequest: Check<VerifyContext> = {
  name: 'signing-request',
  needs: ['transcript-structure', 'script-hash'],
  run(ctx) {
    const s = ctx.signing!;
    const bytes = ctx.file(SIGNING_REQUEST_FILE);
    if (ctx.sha256Hex(bytes) !== s.requestSha256) fail(`${SIGNING_REQUEST_FILE} is not the request whose SHA-256 the transcript recorded when it was checked.`);
    const step = ctx.script!.script.steps.find((x): x is StepOf<'check-request'> => x.action === 'check-request');
    if (!step) fail('script.yaml has no check-request step.');
    const limits = step.params;
    try {
      ctx.signingRequest = parseSigningRequest(bytes, limits, new Date(s.checkedAt));
    } catch (e) {
      fail(`The request does not pass the script's limits at ${s.checkedAt}, when it was checked: ${e instanceof KeyriteError ? e.message : 'it cannot be read'}`);
    }
    const entries = ctx.transcript!.entries;
    const firstShare = entries.find((e) => e.type === ENTRY.shareAccepted)?.seq ?? Infinity;
    const unconfirmed = ctx.trustees.filter((t) => !entries.some((e) => e.type === ENTRY.requestConfirm && e.actor === t.id && e.body.sha256 === s.requestSha256 && e.seq < firstShare));
    if (unconfirmed.length > 0) fail(`The request's digest was not confirmed before any share was opened by ${unconfirmed.map((t) => t.id).join(', ')}.`);
    const r = ctx.signingRequest;
    return `the request "${r.title}" (${r.keys.length} keys, ${r.artifacts.length} artifacts) is the one checked at ${s.checkedAt} and passes the script's limits (validity at most ${limits.maxValidityDays} days, at most ${limits.maxKeys} keys and ${limits.maxArtifacts} artifacts); all ${ctx.trustees.length} trustees present confirmed its digest before any share was opened`;
  },
};

export const signedDocuments: Check<VerifyContext> = {
  name: 'signed-documents',
  needs: ['signing-request', 'original-link'],
  run(ctx) {
    const s = ctx.signing!;
    const master = ctx.master!;
    const expected = documentsToSign(ctx.signingRequest!, { ceremonyId: ctx.facts!.ceremonyId, mode: ctx.script!.script.mode, requestSha256: s.requestSha256, signedAt: s.checkedAt, issuer: master.publicKey });
    if (expected.map((d) => d.name).join('\n') !== s.documents.map((d) => d.name).join('\n')) fail(`The transcript records other signed documents (${s.documents.map((d) => d.name).join(', ')}) than the request makes (${expected.map((d) => d.name).join(', ')}).`);
    for (const [i, doc] of expected.entries()) {
      const path = `${SIGNED_DIR}/${doc.name}`;
      const recorded = s.documents[i]!;
      const bytes = ctx.file(path);
      if (!equalBytes(bytes, doc.bytes) || recorded.payloadType !== doc.payloadType || ctx.sha256Hex(bytes) !== recorded.sha256) fail(`${path} is not the document that the checked request and this ceremony make.`);
      const envelope = ctx.file(`${path}.dsse.json`);
      if (ctx.sha256Hex(envelope) !== recorded.envelopeSha256) fail(`${path}.dsse.json is not the envelope whose SHA-256 the transcript recorded.`);
      const problem = envelopeProblem(envelope, doc, master.publicKey, ctx.mode, ctx.crypto.ed25519, ctx.crypto.mldsa65);
      if (problem) fail(`${path}.dsse.json is not the master key's signature of ${doc.name}: ${problem} (${modeClause(ctx.mode)}).`);
    }
    return `${expected.length} document${expected.length === 1 ? '' : 's'} (${expected.map((d) => d.name).join(', ')}), each exactly what the checked request and this ceremony make, signed by the master key (${modeClause(ctx.mode)}), with the SHA-256 recorded in the transcript`;
  },
};
