/**
 * `keyrite bundle pack DIR --out FILE` and `keyrite bundle unpack FILE --out DIR`: a bundle
 * folder to its archive and back (docs/FORMATS.md "Bundle archive"). Neither overwrites
 * anything; each checks what it wrote by reading it back from disk. pack only packs a bundle
 * that verifies (not anchored: the archive says nothing a `keyrite verify --trust` of it will
 * not); unpack reads the whole archive strictly before it writes a byte, so a hostile archive
 * writes nothing, and never outside DIR.
 */
import { resolve } from 'node:path';
import { EXIT, printJson, type CliIO, type Command } from '../command.ts';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { equalBytes } from '../../core/bytes.ts';
import { toHex } from '../../core/encoding/hex.ts';
import { decodeBundleArchive, encodeBundleArchive } from '../../core/bundle/archive.ts';
import { readableFingerprint } from '../../core/bundle/principals.ts';
import { verifyBundle } from '../../core/verifier/verify.ts';
import { readBundleDirectory } from '../../core/node/bundle-directory.ts';
import { readArchiveFile, readBundleArchive, writeNewBundleFolder } from '../../core/node/bundle-source.ts';
import { createFileExclusive } from '../../core/node/durable-files.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import { BUNDLE_PACK_SPEC, BUNDLE_UNPACK_SPEC } from './specs.ts';

function sameFiles(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  return a.size === b.size && [...a].every(([path, bytes]) => {
    const other = b.get(path);
    return other !== undefined && equalBytes(other, bytes);
  });
}

/** Something already in the way of --out is the caller's to move: a usage error (exit 2). */
function asUsage(e: unknown): never {
  if (isKeyriteError(e, 'OBJECT_EXISTS')) throw new KeyriteError('USAGE', e.message);
  throw e;
}

function printSha(io: CliIO, sha256: string): void {
  const r = readableFingerprint(sha256);
  io.stdout(`SHA-256 of the archive (publish it beside the file, read it aloud to compare):\n  ${r.hexGroups}\n  ${r.words.join(' ')}\n`);
}

export const bundlePackCommand: Command = {
  ...BUNDLE_PACK_SPEC,
  async run(args, io) {
    const dir = resolve(io.cwd, args.positionals[0]!);
    const out = resolve(io.cwd, args.required('out'));
    const files = await readBundleDirectory(dir);
    const report = verifyBundle(files, { crypto: NATIVE_VERIFIER_CRYPTO });
    if (report.verdict !== 'valid') {
      throw new KeyriteError('VERIFY_FAILED', `${dir} does not verify (${report.checks.filter((c) => c.status === 'fail').map((c) => c.name).join(', ')} failed; keyrite verify says why), so it is not packed.`);
    }
    await createFileExclusive(out, encodeBundleArchive(files), 0o644, `${out} already exists; Keyrite never overwrites a file.`).catch(asUsage);
    const written = await readBundleArchive(out);
    if (!sameFiles(written.files, files)) throw new KeyriteError('IO_ERROR', `The archive read back from ${out} does not hold the folder's files; the disk may be failing.`);
    if (args.flag('json')) {
      printJson(io, { ok: true, archive: out, sha256: written.archive!.sha256, bytes: written.archive!.bytes, files: files.size, bundle: dir });
    } else {
      io.stdout(`Bundle archive written and read back: ${out} (${files.size} files, ${written.archive!.bytes} bytes), from ${dir}.\n`);
      printSha(io, written.archive!.sha256);
    }
    return EXIT.OK;
  },
};

export const bundleUnpackCommand: Command = {
  ...BUNDLE_UNPACK_SPEC,
  async run(args, io) {
    const file = resolve(io.cwd, args.positionals[0]!);
    const out = resolve(io.cwd, args.required('out'));
    const bytes = await readArchiveFile(file);
    const files = decodeBundleArchive(bytes);
    await writeNewBundleFolder(out, files).catch(asUsage);
    const back = await readBundleDirectory(out);
    if (!sameFiles(back, files)) throw new KeyriteError('IO_ERROR', `The folder read back from ${out} does not hold the archive's files; the disk may be failing.`);
    const again = encodeBundleArchive(back);
    if (!equalBytes(again, bytes)) throw new KeyriteError('IO_ERROR', `The folder ${out} does not pack back to the same archive.`);
    const hex = toHex(NATIVE_VERIFIER_CRYPTO.sha256(bytes));
    if (args.flag('json')) {
      printJson(io, { ok: true, bundle: out, files: files.size, archive: file, sha256: hex });
    } else {
      io.stdout(`Bundle extracted and read back: ${out} (${files.size} files), from ${file}.\n`);
      printSha(io, hex);
      io.stdout(`Not verified yet: keyrite verify ${out} --trust <the master fingerprint read aloud>\n`);
    }
    return EXIT.OK;
  },
};
