/**
 * The bundle archive an auditor picked (or dropped), as the verifier's input: read whole in
 * this page and decoded strictly in memory (docs/FORMATS.md "Bundle archive"); an archive
 * larger than any bundle's is refused from its size, before it is read.
 */
import { toHex } from '../../core/encoding/hex.ts';
import { sha256 } from '../../core/crypto/hash.ts';
import { ArchiveError, MAX_ARCHIVE_BYTES, decodeBundleArchive } from '../../core/bundle/archive.ts';

export interface PickedArchive {
  readonly name: string;
  readonly size: number;
  read(): Promise<Uint8Array>;
}

/** The archive's files by bundle path, and its SHA-256 (hex) to compare with the published one. */
export async function readBundleArchive(picked: PickedArchive): Promise<{ files: Map<string, Uint8Array>; sha256: string }> {
  if (picked.size > MAX_ARCHIVE_BYTES) throw new ArchiveError('too-large', `it is ${picked.size} bytes, more than any bundle's archive (a bundle holds at most 1 GiB).`);
  const bytes = await picked.read();
  const files = decodeBundleArchive(bytes);
  return { files, sha256: toHex(sha256(bytes)) };
}
