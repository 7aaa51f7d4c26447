/**
 * check-request (signing): the signing request (answers `request.path`) is read and checked
 * against the script's caps before anything is unlocked (Boulder's rule: lint before signing;
 * docs/FORMATS.md "Signing request"); its SHA-256 must be the one its author gave out of band
 * (answers `request.sha256`, required live) and, after a resume, the one checked before. The
 * digest is shown as hex groups and words, and every trustee present and the witness confirm it
 * one by one (IANA's KSR check): each trustee's as request.confirm, the witness's as
 * witness.confirm (the script makes check-request a witness step).
 */
import { KeyriteError } from '../../errors.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { readableFingerprint } from '../../bundle/principals.ts';
import { MAX_REQUEST_BYTES, parseSigningRequest, type SigningRequest } from '../../signing/request.ts';
import type { CeremonyRun } from '../run.ts';
import type { FileRef } from '../types.ts';
import { confirmWitness, sha256Hex } from './common.ts';
import type { SigningState } from './signing-state.ts';

export function requestRef(run: CeremonyRun): FileRef {
  const r = run.answers.request;
  if (!r) throw new KeyriteError('ANSWERS_INVALID', 'The answers file must give "request: { path: …, sha256: … }".');
  return { root: 'answers', path: r.path };
}

export async function readRequest(run: CeremonyRun): Promise<Uint8Array> {
  const ref = requestRef(run);
  const bytes = await run.env.files.read(ref);
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', `There is no signing request at ${run.env.files.display(ref)}.`);
  if (bytes.length > MAX_REQUEST_BYTES) throw new KeyriteError('REQUEST_REFUSED', `The signing request is ${bytes.length} bytes; a request holds at most ${MAX_REQUEST_BYTES} bytes.`);
  return bytes;
}

/** The lines everyone who confirms reads: what is asked, and the digest in both forms. */
export function requestSummary(request: SigningRequest): string[] {
  const r = readableFingerprint(request.sha256);
  return [
    `Signing request "${request.title}": ${request.keys.length} key${request.keys.length === 1 ? '' : 's'} to endorse, ${request.artifacts.length} artifact${request.artifacts.length === 1 ? '' : 's'} to sign.`,
    ...request.keys.map((k) => `  key ${k.kid} (${k.alg}, ${k.use}, "${k.label}") valid ${k.nbf} to ${k.exp}`),
    ...request.artifacts.map((a) => `  artifact ${a.name} (${a.size} bytes) SHA-256 ${a.sha256}`),
    `Request SHA-256 ${r.hexGroups}`,
    `    ${r.words.join(' ')}`,
  ];
}

export async function checkRequest(run: CeremonyRun, step: StepOf<'check-request'>, st: SigningState): Promise<void> {
  const bytes = await readRequest(run);
  const sha256 = sha256Hex(bytes);
  const given = run.answers.request!.sha256;
  if (given !== undefined && given !== sha256) {
    throw new KeyriteError('REQUEST_REFUSED', `The signing request's SHA-256 is ${readableFingerprint(sha256).hexGroups}, not the one the answers file gives as its author sent it; this is not the request that was agreed. Nothing was unlocked.`);
  }
  if (st.earlier && st.earlier.sha256 !== sha256) {
    throw new KeyriteError('REQUEST_REFUSED', 'The signing request changed since an earlier run of this ceremony checked it; a ceremony signs one request only. Put the original request back, or start a new ceremony in a new --out folder.');
  }
  const { maxValidityDays, maxKeys, maxArtifacts } = step.params;
  const checkedAt = st.earlier?.time ?? run.clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const request = parseSigningRequest(bytes, { maxValidityDays, maxKeys, maxArtifacts }, new Date(checkedAt));
  await run.record(ENTRY.requestCheck, run.admin.id, {
    step: step.id,
    sha256,
    checkedAt,
    limits: { maxValidityDays, maxKeys, maxArtifacts },
    title: request.title,
    keys: request.keys.map((k) => ({ kid: k.kid, alg: k.alg, use: k.use, label: k.label, nbf: k.nbf, exp: k.exp })),
    artifacts: request.artifacts.map((a) => ({ name: a.name, size: a.size, sha256: a.sha256 })),
    digestGiven: given !== undefined,
  });
  st.request = request;
  st.requestBytes = bytes;
  st.checkedAt = checkedAt;
  const summary = requestSummary(request);
  run.progress({ kind: 'info', stepId: step.id, message: `Signing request checked against the script's limits: ${summary[0]} SHA-256 ${readableFingerprint(sha256).hexGroups}.` });
  for (const t of run.checkedInTrustees()) {
    const answer = await run.env.confirm({ stepId: step.id, title: `${step.title ?? 'Confirm the signing request'}: ${t.name} (${t.id}) compares the digest`, witness: { id: t.id, name: t.name }, summary });
    if (!answer.confirmed) {
      throw new KeyriteError('CEREMONY_ERROR', `${t.name} (${t.id}) did not confirm the signing request's digest: ${answer.reason} Nothing was unlocked; the ceremony stopped here.`);
    }
    await run.record(ENTRY.requestConfirm, t.id, { step: step.id, participantId: t.id, sha256, via: answer.via });
  }
  await confirmWitness(run, step, summary);
}
