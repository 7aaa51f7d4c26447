/**
 * co-sign in an escrow recovery: closes the recovery transcript with ceremony.end (nothing is
 * appended after it), then the final checkpoint over the whole transcript is co-signed by the
 * recovered master key — its classical half on the new master token, its ML-DSA-65 half from
 * the recovered seed — and by every trustee who checked in, as the root ceremony's final
 * checkpoint (finalNote in co-sign.ts); then the recovery statement (recovery-bundle.ts) is
 * signed by the same principals. The export step builds the recovery bundle from the journal.
 */
import { KeyriteError } from '../../errors.ts';
import { utf8 } from '../../bytes.ts';
import { encodeEnvelope, pae, type DsseSignature } from '../../encoding/dsse.ts';
import { readTranscript } from '../../transcript/transcript.ts';
import type { HybridPublicKey, HybridSignature } from '../../crypto/hybrid.ts';
import type { StepOf } from '../../script/script.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import { JOURNAL_STATEMENT } from '../journal.ts';
import { confirmWitness, createOrSame } from './common.ts';
import { sha256Hex, staticFiles, statementPayload, type EscrowRecoveryFacts } from '../bundle-writer.ts';
import { STATEMENT_FILE, TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { IN_TOTO_PAYLOAD_TYPE, type BundleLink } from '../../bundle/statement.ts';
import { finalNote, readClosedTranscript } from './co-sign.ts';
import { requireMasterSecret } from './master-restore.ts';
import { ENTRY, tokenRecord } from '../../bundle/entries.ts';
import { principalName, principalKeyIds } from '../../bundle/principals.ts';

/** The ceremony whose escrow is recovered: its id, master fingerprint and the SHA-256 of its statement.dsse.json. */
export type RecoveryLink = BundleLink;

/** The public facts of the recovery bundle, from the closed transcript (its ceremony.end) and the original bundle. */
export async function recoveryFacts(run: CeremonyRun, transcript: Uint8Array): Promise<EscrowRecoveryFacts> {
  const m = run.master;
  if (!m) throw new KeyriteError('CEREMONY_ERROR', 'There is no recovered master key in this run.');
  const end = readTranscript(transcript).entries.at(-1)!;
  const o = end.body.original as Record<string, unknown>;
  const original = { ceremonyId: String(o.ceremonyId), masterFingerprint: String(o.masterFingerprint), statementSha256: String(o.statementSha256) };
  const ref = { root: 'answers' as const, path: `${run.answers.bundle!.path}/${STATEMENT_FILE}` };
  const originalStatement = await run.env.files.read(ref);
  if (originalStatement === undefined || sha256Hex(originalStatement) !== original.statementSha256) {
    throw new KeyriteError('VERIFY_FAILED', `The original bundle's signed statement (${run.env.files.display(ref)}) is missing or is not the one this recovery recorded at its start.`);
  }
  return {
    ceremonyId: run.ceremonyId,
    kind: 'escrow-recovery',
    script: run.script,
    scriptBytes: run.parsed.bytes,
    scriptSha256: run.parsed.hashHex,
    original,
    originalStatement,
    master: { fingerprint: m.fingerprint, publicKey: m.publicKey, keyLabel: run.script.tokens.master.keyLabel, token: tokenRecord(end.body.restoredTo, 'the ceremony.end entry') },
    trustees: run.checkedInTrustees(),
    sharesCombined: (end.body.sharesCombined as unknown[]).map(String),
    witnessSteps: run.script.steps.filter((st) => st.witness).map((st) => st.id),
    witnesses: run.witnesses.length,
    verifierPage: await run.env.verifierPage(),
  };
}

/**
 * Signs the final checkpoint over the closed recovery transcript and the recovery statement
 * (or keeps what an interrupted run already wrote: export verifies both); returns the note's file name.
 */
export async function finishRecoverySignatures(run: CeremonyRun, step: string): Promise<string> {
  await requireMasterSecret(run, step);
  const bytes = await readClosedTranscript(run);
  const cp = await run.writer.checkpoint(run.origin);
  const noteFile = await finalNote(run, step, cp);
  const statementRef = { root: 'out' as const, path: JOURNAL_STATEMENT };
  if ((await run.env.files.read(statementRef)) !== undefined) return noteFile;
  const facts = await recoveryFacts(run, bytes);
  const subjects = staticFiles(facts);
  subjects.set(TRANSCRIPT_FILE, bytes);
  const payload = statementPayload(facts, subjects, cp, `checkpoints/${noteFile}`);
  const message = pae(IN_TOTO_PAYLOAD_TYPE, payload);
  const signatures: DsseSignature[] = [];
  const sign = async (publicKey: HybridPublicKey, signer: (msg: Uint8Array) => Promise<HybridSignature>): Promise<void> => {
    const ids = principalKeyIds(publicKey);
    const sig = await signer(message);
    signatures.push({ keyid: ids.classical, sig: sig.classical }, { keyid: ids.pq, sig: sig.pq });
  };
  await sign(facts.master.publicKey, (msg) => run.masterSigner().sign(msg));
  for (const t of facts.trustees) await sign(t.publicKey, (msg) => run.withTrusteeKeys(t.id, step, ({ signer }) => signer.sign(msg)));
  await createOrSame(run, statementRef, utf8(encodeEnvelope({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload, signatures }) + '\n'));
  return noteFile;
}

export async function coSignRecovery(run: CeremonyRun, step: StepOf<'co-sign'>, link: RecoveryLink, used: readonly string[]): Promise<string> {
  if (run.sealed) return finishRecoverySignatures(run, step.id);
  const m = run.master;
  if (!m?.tokenRef) throw new KeyriteError('CEREMONY_ERROR', 'The recovery transcript is co-signed only after the master key is restored onto the new token; the script must restore it first.');
  await requireMasterSecret(run, step.id);
  const trustees = run.checkedInTrustees();
  const signers = [principalName(m.fingerprint), ...trustees.map((t) => principalName(t.fingerprint))];
  await confirmWitness(run, step, [
    `The recovery transcript (${run.writer.size()} entries so far) is closed and its final checkpoint signed by:`,
    `  the recovered master key ${m.fingerprint.slice(0, 16)}… (classical half on the new token)`,
    ...trustees.map((t) => `  ${run.whoIs(t.id)} ${t.fingerprint.slice(0, 16)}…`),
  ]);
  await run.record(ENTRY.ceremonyEnd, run.admin.id, {
    step: step.id,
    status: 'complete',
    kind: 'escrow-recovery',
    original: { ceremonyId: link.ceremonyId, masterFingerprint: link.masterFingerprint, statementSha256: link.statementSha256 },
    masterFingerprint: m.fingerprint,
    restoredTo: tokenRecordOf(run.session('master').desc),
    sharesCombined: [...used],
    trustees: trustees.map((t) => ({ id: t.id, fingerprint: t.fingerprint })),
    signers,
    next: 'the final checkpoint covers this transcript as it ends here; the recovery bundle is exported from it',
  });
  run.sealed = true;
  return finishRecoverySignatures(run, step.id);
}
