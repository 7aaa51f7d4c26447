/**
 * export in an escrow recovery: the recovery bundle (recovery-bundle.ts) from the closed
 * journal, written and verified from disk like the root ceremony's (export.ts).
 */
import { KeyriteError } from '../../errors.ts';
import type { CeremonyRun } from '../run.ts';
import { completeBundle, staticFiles } from '../bundle-writer.ts';
import type { BundleCheck, FileRef } from '../types.ts';
import { addJournalFiles, writeVerifiedBundle } from './export.ts';
import { recoveryFacts } from './recovery-co-sign.ts';

export async function exportRecoveryBundle(run: CeremonyRun): Promise<{ bundle: FileRef; checks: BundleCheck[] }> {
  const transcript = await run.env.transcript.read();
  if (transcript === undefined) throw new KeyriteError('IO_ERROR', 'The transcript of this run cannot be read back.');
  const facts = await recoveryFacts(run, transcript);
  const files = staticFiles(facts);
  await addJournalFiles(run, files);
  return writeVerifiedBundle(run, completeBundle(facts, files), facts.master.fingerprint);
}
