/**
 * export in an escrow recovery: the recovery bundle (recovery-bundle.ts) from the closed
 * journal, written and verified from disk like the root ceremony's (export.ts).
 */
import { KeyriteError } from '../../errors.ts';
import type { CeremonyRun } from '../run.ts';
import { BUNDLE_MANIFEST, bundleManifestFile } from '../bundle.ts';
import { recoveryReadme } from '../recovery-bundle.ts';
import type { BundleCheck, FileRef } from '../types.ts';
import { addJournalFiles, writeVerifiedBundle } from './export.ts';
import { recoveryFacts, recoveryStaticFiles } from './recovery-co-sign.ts';

export async function exportRecoveryBundle(run: CeremonyRun): Promise<{ bundle: FileRef; checks: BundleCheck[] }> {
  const transcript = await run.env.transcript.read();
  if (transcript === undefined) throw new KeyriteError('IO_ERROR', 'The transcript of this run cannot be read back.');
  const facts = await recoveryFacts(run, transcript);
  const files = recoveryStaticFiles(facts);
  await addJournalFiles(run, files);
  const names = [...files.keys(), 'README.txt', BUNDLE_MANIFEST].sort();
  files.set('README.txt', recoveryReadme(facts, names));
  files.set(BUNDLE_MANIFEST, bundleManifestFile(run.ceremonyId, facts.master.fingerprint, files));
  return writeVerifiedBundle(run, files, facts.master.fingerprint);
}
