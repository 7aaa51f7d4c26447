/**
 * Helpers shared by the actions: witness confirmation, deviations, trustee file names,
 * hashing and "create this file, or find exactly these bytes there" for idempotent redo.
 */
import { KeyriteError } from '../../errors.ts';
import type { CeremonyKind } from '../../script/script.ts';
import { equalBytes } from '../../bytes.ts';
import { toHex } from '../../encoding/hex.ts';
import { sha256 } from '../../crypto/hash.ts';
import type { CeremonyStep } from '../../script/script.ts';
import type { CeremonyRun } from '../run.ts';
import type { FileRef } from '../types.ts';
import { TRUSTEE_FILES } from '../journal.ts';
import { ENTRY } from '../../bundle/entries.ts';

export function sha256Hex(bytes: Uint8Array): string {
  return toHex(sha256(bytes));
}

export function trusteeFile(run: CeremonyRun, trusteeId: string, file: keyof typeof TRUSTEE_FILES): FileRef {
  const t = run.trustee(trusteeId);
  if (t.output === undefined) throw new KeyriteError('ANSWERS_INVALID', `The answers file gives no output folder for ${run.whoIs(trusteeId)}.`);
  const folder = outputFolder(run.script.kind, t.output);
  return { root: folder.root, path: `${folder.path}/${TRUSTEE_FILES[file]}` };
}

/**
 * A trustee's output folder: relative to the answers file, except in a reshare, whose new holders'
 * folders lie in the run folder (--out), beside its bundle: written before the run knows where it
 * is, a reshare's answers cannot name a place in it otherwise (docs/CEREMONY-SCRIPTS.md "Reshare").
 */
export function outputFolder(kind: CeremonyKind, output: string): FileRef {
  return { root: kind === 'reshare' ? 'out' : 'answers', path: output };
}

/** The first witness, who confirms and is named in deviations. */
export function firstWitness(run: CeremonyRun): { id: string; name: string } | undefined {
  const w = run.witnesses[0];
  return w ? { id: w.id, name: w.name } : undefined;
}

/**
 * A step with `witness: true` is confirmed by a witness before the ceremony moves on.
 * The confirmation (or refusal) is recorded; a refusal stops the ceremony.
 */
export async function confirmWitness(run: CeremonyRun, step: CeremonyStep, summary: string[]): Promise<void> {
  if (!step.witness) return;
  const witness = firstWitness(run);
  if (!witness) throw new KeyriteError('ANSWERS_INVALID', `Step "${step.id}" needs a witness, but the answers file names none.`);
  const answer = await run.env.confirm({ stepId: step.id, title: step.title ?? step.action, witness, summary });
  if (!answer.confirmed) {
    throw new KeyriteError('CEREMONY_ERROR', `The witness ${witness.name} (${witness.id}) did not confirm step "${step.id}": ${answer.reason} The ceremony stopped here; run it again to resume.`);
  }
  await run.record(ENTRY.witnessConfirm, witness.id, { step: step.id, witness: witness.id, name: witness.name, via: answer.via, summary });
}

export async function deviation(run: CeremonyRun, step: CeremonyStep, kind: 'skipped' | 'repeated', reason: string, participantId?: string): Promise<void> {
  const witness = firstWitness(run);
  await run.record(ENTRY.stepDeviation, run.admin.id, {
    step: step.id,
    action: step.action,
    kind,
    reason,
    witness: witness ? witness.id : null,
    ...(participantId ? { participantId } : {}),
  });
  run.progress({ kind: 'step.skipped', stepId: step.id, action: step.action, ...(participantId ? { participantId } : {}), message: `${kind === 'skipped' ? 'Skipped' : 'Repeated'}: ${reason}` });
}

/**
 * Writes a new file; if one is already there (an interrupted earlier attempt), accepts it
 * only when it holds exactly `data`. Never overwrites.
 */
export async function createOrSame(run: CeremonyRun, ref: FileRef, data: Uint8Array, opts: { secret?: boolean } = {}): Promise<'created' | 'same'> {
  const existing = await run.env.files.read(ref);
  if (existing !== undefined) {
    if (equalBytes(existing, data)) return 'same';
    throw new KeyriteError('OBJECT_EXISTS', `${run.env.files.display(ref)} already exists with other contents; Keyrite never overwrites a file. Move it away if it belongs to an abandoned attempt, then run again.`);
  }
  const slash = ref.path.lastIndexOf('/');
  if (slash > 0) await run.env.files.mkdir({ root: ref.root, path: ref.path.slice(0, slash) });
  await run.env.files.create(ref, data, opts);
  return 'created';
}

export function parentOf(ref: FileRef): FileRef {
  const slash = ref.path.lastIndexOf('/');
  return { root: ref.root, path: slash > 0 ? ref.path.slice(0, slash) : '.' };
}
