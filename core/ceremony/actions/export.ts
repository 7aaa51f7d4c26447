/**
 * export: the public bundle of any kind (bundle-writer.ts), built in a staging folder next to
 * the final one (".bundle-staging-<random>", bundle.json written last), verified from disk by
 * the auditor's verifier (bundle-check.ts), and only then renamed into place as "bundle". A
 * failed or interrupted export therefore never leaves a folder that looks like a complete
 * bundle, and an existing bundle is never overwritten (the rename refuses). Before the rename,
 * the same bundle is written as one file next to it, "bundle.keyrite.tar" (docs/FORMATS.md
 * "Bundle archive"), read back and required to hold the verified folder's files byte for
 * byte: a "bundle" folder always has its archive.
 */
import { isKeyriteError, KeyriteError } from '../../errors.ts';
import { equalBytes } from '../../bytes.ts';
import { sha256 } from '../../crypto/hash.ts';
import { toHex } from '../../encoding/hex.ts';
import { BUNDLE_MANIFEST_FILE, STATEMENT_FILE, TRANSCRIPT_FILE, type BundleFiles } from '../../bundle/layout.ts';
import { ARCHIVE_FILE, encodeBundleArchive } from '../../bundle/archive.ts';
import { completeBundle, staticFiles, type BundleFacts } from '../bundle-writer.ts';
import { assertChecksPass, checkArchiveHolds, checkBundleFolder } from '../bundle-check.ts';
import { BUNDLE_DIR, JOURNAL_CHECKPOINTS, JOURNAL_STATEMENT, STAGING_PREFIX } from '../journal.ts';
import type { CeremonyRun } from '../run.ts';
import type { BundleArchive, BundleCheck, FileRef } from '../types.ts';

async function readRequired(run: CeremonyRun, ref: FileRef, what: string): Promise<Uint8Array> {
  const b = await run.env.files.read(ref);
  if (b === undefined) throw new KeyriteError('IO_ERROR', `${what} is missing from the run folder (${run.env.files.display(ref)}).`);
  return b;
}

/** The transcript, the signed statement and every checkpoint note, from the run folder. */
async function addJournalFiles(run: CeremonyRun, files: Map<string, Uint8Array>): Promise<void> {
  const transcript = await run.env.transcript.read();
  if (transcript === undefined) throw new KeyriteError('IO_ERROR', 'The transcript of this run cannot be read back.');
  files.set(TRANSCRIPT_FILE, transcript);
  files.set(STATEMENT_FILE, await readRequired(run, { root: 'out', path: JOURNAL_STATEMENT }, 'The signed statement'));
  for (const name of await run.env.files.list({ root: 'out', path: JOURNAL_CHECKPOINTS })) {
    if (!name.endsWith('.note') || name.startsWith('.')) continue;
    files.set(`checkpoints/${name}`, await readRequired(run, { root: 'out', path: `${JOURNAL_CHECKPOINTS}/${name}` }, `Checkpoint ${name}`));
  }
}

/**
 * Writes the bundle's archive next to where the folder goes. An archive left there by an
 * export interrupted before its rename is kept only when it holds exactly these bytes (the
 * archive is deterministic); any other file is never overwritten.
 */
async function writeArchive(run: CeremonyRun, files: BundleFiles): Promise<BundleArchive> {
  const ref: FileRef = { root: 'out', path: ARCHIVE_FILE };
  const bytes = encodeBundleArchive(files);
  try {
    await run.env.files.create(ref, bytes);
  } catch (e) {
    if (!isKeyriteError(e, 'OBJECT_EXISTS')) throw e;
    const there = await run.env.files.read(ref);
    if (there === undefined || !equalBytes(there, bytes)) {
      throw new KeyriteError('OBJECT_EXISTS', `${run.env.files.display(ref)} already exists and is not this bundle's archive; Keyrite never overwrites a file. Move it out of the run folder and run again.`);
    }
  }
  return { ref, sha256: toHex(sha256(bytes)) };
}

/**
 * Writes the bundle into a staging folder, verifies it from disk (anchored by the master
 * fingerprint), writes its archive and checks it holds the verified files, and only then
 * renames the folder into place as "bundle".
 */
export async function exportBundle(run: CeremonyRun, facts: BundleFacts): Promise<{ bundle: FileRef; archive: BundleArchive; checks: BundleCheck[] }> {
  const collected = staticFiles(facts);
  await addJournalFiles(run, collected);
  const files = completeBundle(facts, collected);
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
    const { checks, contents } = await checkBundleFolder(run.env.files, staging, { ceremonyId: run.ceremonyId, masterFingerprint: facts.master.fingerprint });
    assertChecksPass(checks);
    const archive = await writeArchive(run, files);
    assertChecksPass([await checkArchiveHolds(run.env.files, archive.ref, contents)]);
    const bundle: FileRef = { root: 'out', path: BUNDLE_DIR };
    await run.env.files.renameDir(staging, bundle);
    return { bundle, archive, checks };
  } catch (e) {
    await run.env.files.removeStaging(staging).catch(() => undefined);
    throw e;
  }
}
