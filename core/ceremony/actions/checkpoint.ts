/**
 * checkpoint: a C2SP tlog-checkpoint (origin keyrite.dev/ceremony/<id>, size, RFC 6962 root)
 * of the transcript so far, as a signed note co-signed by every principal present — the
 * master key once it exists, and every trustee checked in — two lines each (classical and
 * ML-DSA-65, core/transcript/checkpoint.ts). The note is verified, written to the journal
 * folder (it goes into the bundle) and recorded.
 */
import { KeyriteError } from '../../errors.ts';
import { utf8 } from '../../bytes.ts';
import { toBase64 } from '../../encoding/base64url.ts';
import { formatCheckpoint, formatSignedNote, signCheckpoint, verifyCheckpointSignatures, type Checkpoint, type KnownPrincipal, type NoteSignature } from '../../transcript/checkpoint.ts';
import type { StepOf } from '../../script/script.ts';
import { type CeremonyRun } from '../run.ts';
import { JOURNAL_CHECKPOINTS } from '../journal.ts';
import { confirmWitness, createOrSame, deviation, sha256Hex } from './common.ts';
import { checkpointNoteName } from '../../bundle/layout.ts';
import { requireMasterSecret } from './master-restore.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { principalName } from '../../bundle/principals.ts';

export interface SignedCheckpoint {
  checkpoint: Checkpoint;
  note: string;
  signers: { name: string; role: 'master' | 'trustee'; id: string }[];
}

/** The principals who sign now: the master key (if it exists in this ceremony) and every trustee checked in. */
export function principals(run: CeremonyRun): KnownPrincipal[] {
  const out: KnownPrincipal[] = [];
  if (run.master) out.push({ name: principalName(run.master.fingerprint), publicKey: run.master.publicKey });
  for (const t of run.checkedInTrustees()) out.push({ name: principalName(t.fingerprint), publicKey: t.publicKey });
  return out;
}

export async function signNote(run: CeremonyRun, step: string, cp: Checkpoint): Promise<SignedCheckpoint> {
  const sigs: NoteSignature[] = [];
  const signers: SignedCheckpoint['signers'] = [];
  if (run.master) {
    await requireMasterSecret(run, step);
    const name = principalName(run.master.fingerprint);
    sigs.push(...(await signCheckpoint(cp, run.masterSigner(), name)));
    signers.push({ name, role: 'master', id: 'master' });
  }
  for (const t of run.checkedInTrustees()) {
    const name = principalName(t.fingerprint);
    sigs.push(...(await run.withTrusteeKeys(t.id, step, ({ signer }) => signCheckpoint(cp, signer, name))));
    signers.push({ name, role: 'trustee', id: t.id });
  }
  if (sigs.length === 0) throw new KeyriteError('CEREMONY_ERROR', 'Nobody can sign this checkpoint yet: no trustee has checked in and there is no master key.');
  const note = formatSignedNote(formatCheckpoint(cp), sigs);
  const v = verifyCheckpointSignatures(note, principals(run), 'hybrid');
  if (!v.valid || v.validPrincipals.length !== signers.length) throw new KeyriteError('VERIFY_FAILED', 'A checkpoint signature made in this ceremony does not verify; the checkpoint was not written.');
  return { checkpoint: cp, note, signers };
}

/** Whether this checkpoint step comes after key generation (so an earlier signing of it covered an abandoned key). */
function coversAbandonedKey(run: CeremonyRun, step: StepOf<'checkpoint'>): boolean {
  const steps = run.script.steps;
  const gen = steps.findIndex((s) => s.action === 'generate');
  return gen >= 0 && steps.indexOf(step) > gen;
}

export function checkpointFileName(run: CeremonyRun, phase: string): string {
  const n = (run.previous?.signedCheckpoints ?? 0) + run.checkpointNotes.length + 1;
  return checkpointNoteName(n, phase);
}

export async function checkpoint(run: CeremonyRun, step: StepOf<'checkpoint'>): Promise<void> {
  const phase = step.params.phase;
  const earlier = run.previous?.checkpoints.get(phase);
  if (earlier && (earlier.seq > run.previous!.lastAbandonedSeq || !coversAbandonedKey(run, step))) {
    await deviation(run, step, 'skipped', `the "${phase}" checkpoint was signed in an earlier run and stands (a checkpoint is never re-signed at another size)`);
    // The earlier run may have stopped after signing but before the witness confirmed it: confirm the signed checkpoint now.
    if (!run.previous!.witnessed.has(step.id)) await confirmWitness(run, step, [`Checkpoint "${phase}" (signed in an earlier run): ${earlier.size} transcript entries, root ${toBase64(earlier.root)}`, `note ${earlier.note}`]);
    return;
  }
  if (earlier) run.progress({ kind: 'info', stepId: step.id, message: `The earlier "${phase}" checkpoint covered a master key that was abandoned; this checkpoint is signed again for the new key.` });
  const cp = await run.writer.checkpoint(run.origin);
  const signed = await signNote(run, step.id, cp);
  const file = checkpointFileName(run, phase);
  const bytes = utf8(signed.note);
  await createOrSame(run, { root: 'out', path: `${JOURNAL_CHECKPOINTS}/${file}` }, bytes);
  run.checkpointNotes.push({ phase, file });
  await run.record(ENTRY.checkpointSign, run.admin.id, {
    step: step.id,
    phase,
    origin: cp.origin,
    size: cp.size,
    root: toBase64(cp.root),
    note: file,
    noteSha256: sha256Hex(bytes),
    signers: signed.signers,
  });
  run.progress({ kind: 'info', stepId: step.id, message: `Checkpoint "${phase}" at ${cp.size} entries signed by ${signed.signers.length} principal${signed.signers.length === 1 ? '' : 's'}.` });
  await confirmWitness(run, step, [`Checkpoint "${phase}": ${cp.size} transcript entries, root ${toBase64(cp.root)}`, `signed by ${signed.signers.map((s) => s.id).join(', ')}`]);
}

/** The signed checkpoint notes in the run folder's journal, in order (a kind's result lists them). */
export async function journalCheckpointNotes(run: CeremonyRun): Promise<string[]> {
  return (await run.env.files.list({ root: 'out', path: JOURNAL_CHECKPOINTS })).filter((n) => n.endsWith('.note')).sort();
}
