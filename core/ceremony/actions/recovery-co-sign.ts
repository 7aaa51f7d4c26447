/**
 * co-sign in an escrow recovery: closes the recovery transcript with ceremony.end (nothing is
 * appended after it), then the final checkpoint over the whole transcript is co-signed by the
 * recovered master key — its classical half on the new master token, its ML-DSA-65 half from
 * the recovered seed — and by every trustee who checked in, as the root ceremony's final
 * checkpoint (finalNote in co-sign.ts). The recovery bundle and its statement are written by
 * the export step from the journal folder.
 */
import { KeyriteError } from '../../errors.ts';
import type { StepOf } from '../script.ts';
import { principalName, tokenRecordOf, type CeremonyRun } from '../run.ts';
import { ENTRY } from '../journal.ts';
import { confirmWitness } from './common.ts';
import { finalNote, readClosedTranscript } from './co-sign.ts';
import { requireMasterSecret } from './master-restore.ts';

export interface RecoveryLink {
  /** Id of the ceremony whose escrow is recovered. */
  readonly ceremonyId: string;
  readonly masterFingerprint: string;
  /** SHA-256 (hex) of that ceremony's statement.dsse.json, as read from its bundle. */
  readonly statementSha256: string;
}

/** Signs the final checkpoint over the closed recovery transcript (or checks the one an interrupted run wrote); returns its file name. */
export async function finishRecoverySignatures(run: CeremonyRun, step: string): Promise<string> {
  await requireMasterSecret(run, step);
  await readClosedTranscript(run);
  const cp = await run.writer.checkpoint(run.origin);
  return finalNote(run, step, cp);
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
