/**
 * export: the public bundle, built in a staging folder next to the final one
 * (".bundle-staging-<random>", bundle.json written last), verified from disk by the engine's
 * own check (bundle-check.ts), and only then renamed into place as "bundle". A failed or
 * interrupted export therefore never leaves a folder that looks like a complete bundle, and
 * an existing bundle is never overwritten (the rename refuses).
 */
import { KeyriteError } from '../../errors.ts';
import { toHex } from '../../encoding/hex.ts';
import type { CeremonyRun } from '../run.ts';
import { BUNDLE_DIR, JOURNAL_CHECKPOINTS, JOURNAL_STATEMENT, STAGING_PREFIX } from '../journal.ts';
import { assertChecksPass, checkBundle } from '../bundle-check.ts';
import type { BundleCheck, FileRef } from '../types.ts';
import { completeBundle, staticFiles } from '../bundle-writer.ts';
import { BUNDLE_MANIFEST_FILE, STATEMENT_FILE, TRANSCRIPT_FILE } from '../../bundle/layout.ts';
import { bundleFacts } from './co-sign.ts';

async function readRequired(run: CeremonyRun, ref: FileRef, what: string): Promise<Uint8Array> {
  const b = await run.env.files.read(ref);
  if (b === undefined) throw new KeyriteError('IO_ERROR', `${what} is missing from the run folder (${run.env.files.display(ref)}).`);
  return b;
}

/** The transcript, the signed statement and every checkpoint note, from the run folder. */
export async function addJournalFiles(run: CeremonyRun, files: Map<string, Uint8Array>): Promise<void> {
  const transcript = await run.env.transcript.read();
  if (transcript === undefined) throw new KeyriteError('IO_ERROR', 'The transcript of this run cannot be read back.');
  files.set(TRANSCRIPT_FILE, transcript);
  files.set(STATEMENT_FILE, await readRequired(run, { root: 'out', path: JOURNAL_STATEMENT }, 'The signed statement'));
  for (const name of await run.env.files.list({ root: 'out', path: JOURNAL_CHECKPOINTS })) {
    if (!name.endsWith('.note') || name.startsWith('.')) continue;
    files.set(`checkpoints/${name}`, await readRequired(run, { root: 'out', path: `${JOURNAL_CHECKPOINTS}/${name}` }, `Checkpoint ${name}`));
  }
}

export async function exportBundle(run: CeremonyRun): Promise<{ bundle: FileRef; checks: BundleCheck[] }> {
  const facts = await bundleFacts(run);
  const files = staticFiles(facts);
  await addJournalFiles(run, files);
  return writeVerifiedBundle(run, completeBundle(facts, files), facts.master.fingerprint);
}

/**
 * Writes `files` (bundle.json included) into a staging folder, verifies the bundle from disk
 * (anchored by the master fingerprint) and only then renames it into place as "bundle".
 */
export async function writeVerifiedBundle(run: CeremonyRun, files: ReadonlyMap<string, Uint8Array>, masterFingerprint: string): Promise<{ bundle: FileRef; checks: BundleCheck[] }> {
  // Leftover staging folders of interrupted exports are removed first: they never held anything secret.
  for (const name of await run.env.files.list({ root: 'out', path: '.' })) {
    if (name.startsWith(STAGING_PREFIX)) await run.env.files.removeStaging({ root: 'out', path: name });
  }
  const staging: FileRef = { root: 'out', path: `${STAGING_PREFIX}${toHex(run.env.random(6))}` };
  await run.env.files.mkdir(staging);
  const ordered = [...files.keys()].filter((n) => n !== BUNDLE_MANIFEST_FILE).sort();
  try {
    for (const name of [...ordered, BUNDLE_MANIFEST_FILE]) {
      const slash = name.lastIndexOf('/');
      if (slash > 0) await run.env.files.mkdir({ root: 'out', path: `${staging.path}/${name.slice(0, slash)}` });
      await run.env.files.create({ root: 'out', path: `${staging.path}/${name}` }, files.get(name)!);
    }
    const checks = await checkBundle(run.env.files, staging, { ceremonyId: run.ceremonyId, masterFingerprint });
    assertChecksPass(checks);
    const bundle: FileRef = { root: 'out', path: BUNDLE_DIR };
    await run.env.files.renameDir(staging, bundle);
    return { bundle, checks };
  } catch (e) {
    await run.env.files.removeStaging(staging).catch(() => undefined);
    throw e;
  }
}
