/**
 * A bundle given by path, as a folder or as its archive (docs/FORMATS.md "Bundle archive"):
 * either way its files in memory for the verifier, the archive read strictly and never
 * extracted to disk. An archive larger than any bundle's is refused before it is read. And the
 * reverse for `keyrite bundle unpack`: a bundle's files written into a new folder.
 */
import { lstat, mkdir, open, readdir } from 'node:fs/promises';
import { hash } from 'node:crypto';
import { join } from 'node:path';
import { KeyriteError } from '../errors.ts';
import { ArchiveError, MAX_ARCHIVE_BYTES, decodeBundleArchive } from '../bundle/archive.ts';
import { isBundlePath } from '../bundle/layout.ts';
import { readBundleDirectory } from './bundle-directory.ts';
import { createFileExclusive, ioError as fsError, syncDirectory } from './durable-files.ts';

export interface BundleSource {
  readonly files: Map<string, Uint8Array>;
  /** Set when the bundle came as an archive: its SHA-256 (hex) and size, to compare with the published ones. */
  readonly archive?: { readonly sha256: string; readonly bytes: number };
}

function ioError(path: string, e: unknown): KeyriteError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `error ${code ?? 'unknown'}`;
  return new KeyriteError('IO_ERROR', `Cannot read the bundle at ${path}: ${why}.`, { cause: e });
}

/** The whole archive file at `path`, its size checked before anything is read. */
export async function readArchiveFile(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_ARCHIVE_BYTES) throw new ArchiveError('too-large', `it is ${size} bytes, more than any bundle's archive (a bundle holds at most 1 GiB).`);
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    // A file that shrank while it was read is read as it was cut: the reader says "truncated".
    return at === size ? bytes : bytes.subarray(0, at);
  } catch (e) {
    if (e instanceof KeyriteError) throw e;
    throw ioError(path, e);
  } finally {
    await handle.close();
  }
}

/** The files of a bundle archive, read strictly in memory, and the archive's SHA-256. */
export async function readBundleArchive(path: string): Promise<BundleSource> {
  const bytes = await readArchiveFile(path);
  const files = decodeBundleArchive(bytes);
  return { files, archive: { sha256: hash('sha256', bytes, 'hex'), bytes: bytes.length } };
}

/** A bundle folder or a bundle archive (a plain file), by what is at `path`. */
export async function readBundleSource(path: string): Promise<BundleSource> {
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    throw ioError(path, e);
  }
  if (st.isDirectory()) return { files: await readBundleDirectory(path) };
  if (st.isFile()) return readBundleArchive(path);
  throw new KeyriteError('IO_ERROR', `Cannot read the bundle at ${path}: it is ${st.isSymbolicLink() ? 'a symbolic link' : 'neither a folder nor a file'}; give the bundle folder or its .keyrite.tar archive itself.`);
}

/**
 * Writes a bundle's files into `dir`, a new folder (or an empty one), never overwriting: every
 * path is a bundle path already (the archive reader refuses any other), folders are created
 * here (0755) and every file exclusively (0644, fsynced).
 */
export async function writeNewBundleFolder(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError('create the folder', dir, e);
    const st = await lstat(dir);
    if (!st.isDirectory() || (await readdir(dir)).length > 0) throw new KeyriteError('OBJECT_EXISTS', `${dir} already exists and is not an empty folder; Keyrite never overwrites files. Give a new folder.`);
  }
  for (const path of [...files.keys()].sort()) {
    if (!isBundlePath(path)) throw new KeyriteError('INVALID_INPUT', `${path} is not a name a bundle may hold.`);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const sub = join(dir, ...parts.slice(0, i));
      await mkdir(sub, { mode: 0o755 }).catch(async (e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !(await lstat(sub)).isDirectory()) throw fsError('create the folder', sub, e);
      });
    }
    const target = join(dir, ...parts);
    await createFileExclusive(target, files.get(path)!, 0o644, `${target} already exists; Keyrite never overwrites a file.`);
  }
  await syncDirectory(dir);
}
