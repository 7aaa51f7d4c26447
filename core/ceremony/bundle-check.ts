/**
 * The one place the writer calls the auditor's verifier (core/verifier; lint allows no other
 * module of core/ceremony to import it): the engine's own check of the bundle it wrote,
 * re-read from disk before the ceremony reports success (as Boulder's ceremony tool verifies
 * what it generated), anchored by the master fingerprint the ceremony generated, in hybrid
 * mode; and the verification of a bundle a later ceremony or a trustee's share check builds on.
 */
import { KeyriteError } from '../errors.ts';
import { MAX_BUNDLE_FILES, type BundleFiles } from '../bundle/layout.ts';
import { decodeBundleArchive } from '../bundle/archive.ts';
import { equalBytes } from '../bytes.ts';
import { verifyBundle, type VerifyOptions } from '../verifier/verify.ts';
import type { VerifyReport } from '../verifier/report.ts';
import type { BundleCheck, CeremonyFiles, FileRef } from './types.ts';

export type { VerifierCrypto } from '../verifier/verify.ts';
export type { VerifyReport } from '../verifier/report.ts';

/** The auditor's verifier on a bundle's files in memory. */
export function verifyPublicBundle(files: BundleFiles, options: VerifyOptions = {}): VerifyReport {
  return verifyBundle(files, options);
}

async function readTree(files: CeremonyFiles, dir: FileRef, prefix: string, out: Map<string, Uint8Array>): Promise<void> {
  for (const name of await files.list(prefix ? { root: dir.root, path: `${dir.path}/${prefix}` } : dir)) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const ref = { root: dir.root, path: `${dir.path}/${rel}` };
    if ((await files.kind(ref)) === 'dir') {
      await readTree(files, dir, rel, out);
      continue;
    }
    if (out.size >= MAX_BUNDLE_FILES) throw new KeyriteError('VERIFY_FAILED', `The bundle holds more than ${MAX_BUNDLE_FILES} files.`);
    const bytes = await files.read(ref);
    if (!bytes) throw new KeyriteError('IO_ERROR', `${rel} in the bundle cannot be read.`);
    out.set(rel, bytes);
  }
}

/** The writer's one check beyond the verifier's: the bundle it re-read is of the ceremony it ran. */
export const CEREMONY_ID_CHECK = 'ceremony-id';

export interface BundleExpectations {
  ceremonyId?: string;
  masterFingerprint?: string;
}

/** Every file of the bundle in `dir`, by bundle-relative path. */
async function readBundleFiles(files: CeremonyFiles, dir: FileRef): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  await readTree(files, dir, '', out);
  return out;
}

/** Re-reads the bundle in `dir` and verifies it. Never throws for a bad bundle: the checks say what failed. */
export async function checkBundle(files: CeremonyFiles, dir: FileRef, expect: BundleExpectations = {}): Promise<BundleCheck[]> {
  const report = verifyBundle(await readBundleFiles(files, dir), expect.masterFingerprint === undefined ? {} : { trust: expect.masterFingerprint });
  return checksOf(report, expect);
}

/**
 * Re-reads the bundle archive at `ref` and verifies it like the folder: the archive is read
 * strictly (docs/FORMATS.md "Bundle archive"; a refusal is a failed `bundle-archive` check) and
 * its files are verified in memory. Never throws for a bad archive.
 */
export async function checkBundleArchive(files: CeremonyFiles, ref: FileRef, expect: BundleExpectations = {}): Promise<BundleCheck[]> {
  const bytes = await files.read(ref);
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', `The bundle archive ${files.display(ref)} cannot be read back.`);
  let contents: Map<string, Uint8Array>;
  try {
    contents = decodeBundleArchive(bytes);
  } catch (e) {
    if (e instanceof KeyriteError) return [{ name: ARCHIVE_CHECK, ok: false, detail: e.message }];
    throw e;
  }
  return checksOf(verifyBundle(contents, expect.masterFingerprint === undefined ? {} : { trust: expect.masterFingerprint }), expect);
}

/** The name of the failed check when the archive itself is refused. */
export const ARCHIVE_CHECK = 'bundle-archive';

/** Re-reads the bundle folder `dir` and verifies it: its checks, and the files they are about. */
export async function checkBundleFolder(files: CeremonyFiles, dir: FileRef, expect: BundleExpectations = {}): Promise<{ checks: BundleCheck[]; contents: BundleFiles }> {
  const contents = await readBundleFiles(files, dir);
  return { checks: checksOf(verifyBundle(contents, expect.masterFingerprint === undefined ? {} : { trust: expect.masterFingerprint }), expect), contents };
}

/**
 * Re-reads the archive at `ref` (strictly) and requires it to hold exactly `verified`, the
 * files of a folder that passed verification, byte for byte: the verifier is a pure function of
 * the files, so the archive verifies as the folder did, at the cost of one comparison instead of
 * a second verification. Never throws for a bad archive.
 */
export async function checkArchiveHolds(files: CeremonyFiles, ref: FileRef, verified: BundleFiles): Promise<BundleCheck> {
  const bytes = await files.read(ref);
  if (bytes === undefined) throw new KeyriteError('IO_ERROR', `The bundle archive ${files.display(ref)} cannot be read back.`);
  let inArchive: Map<string, Uint8Array>;
  try {
    inArchive = decodeBundleArchive(bytes);
  } catch (e) {
    if (e instanceof KeyriteError) return { name: ARCHIVE_CHECK, ok: false, detail: e.message };
    throw e;
  }
  const differing = [...new Set([...verified.keys(), ...inArchive.keys()])].sort().find((name) => {
    const a = verified.get(name);
    const b = inArchive.get(name);
    return a === undefined || b === undefined || !equalBytes(a, b);
  });
  if (differing === undefined) return { name: ARCHIVE_CHECK, ok: true, detail: `the archive holds exactly the ${verified.size} files of the verified folder` };
  return { name: ARCHIVE_CHECK, ok: false, detail: `The archive does not hold the verified folder's ${JSON.stringify(differing)} byte for byte.` };
}

/** checkBundleFolder on `dir`, then checkArchiveHolds on its archive `archive`. */
export async function checkBundleAndArchive(files: CeremonyFiles, dir: FileRef, archive: FileRef, expect: BundleExpectations = {}): Promise<BundleCheck[]> {
  const folder = await checkBundleFolder(files, dir, expect);
  return [...folder.checks, await checkArchiveHolds(files, archive, folder.contents)];
}

function checksOf(report: VerifyReport, expect: BundleExpectations = {}): BundleCheck[] {
  const checks: BundleCheck[] = report.checks.map((c) => ({ name: c.name, ok: c.status === 'pass', detail: c.detail }));
  if (expect.ceremonyId !== undefined) {
    const same = report.ceremonyId === expect.ceremonyId;
    checks.push({ name: CEREMONY_ID_CHECK, ok: same, detail: same ? `the bundle is of ceremony ${expect.ceremonyId}` : 'The bundle belongs to another ceremony.' });
  }
  return checks;
}

/** All checks passed, or VERIFY_FAILED naming the failed ones. */
export function assertChecksPass(checks: readonly BundleCheck[]): void {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new KeyriteError('VERIFY_FAILED', `The bundle failed its own verification: ${failed.map((c) => `${c.name}: ${c.detail}`).join(' ')}`);
}
