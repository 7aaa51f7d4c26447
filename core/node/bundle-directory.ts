/**
 * Reads a bundle folder into memory for the verifier: every regular file by its
 * bundle-relative path. A symbolic link, device or other special file is refused (a bundle
 * holds only plain files, and a link could make the verifier read outside the folder), as is
 * a folder far larger than any bundle.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyriteError } from '../errors.ts';
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_FILES } from '../bundle/layout.ts';

const MAX_DEPTH = 8;

function ioError(path: string, e: unknown): KeyriteError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' ? 'it is not a folder' : `error ${code ?? 'unknown'}`;
  return new KeyriteError('IO_ERROR', `Cannot read the bundle at ${path}: ${why}.`, { cause: e });
}

/** The file as a plain Uint8Array: a view when the Buffer owns its memory (a 33 MB transcript is not copied), else a copy. */
function plainBytes(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer, 0, b.byteLength) : new Uint8Array(b);
}

export async function readBundleDirectory(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  let total = 0;
  const walk = async (rel: string, depth: number): Promise<void> => {
    const abs = rel === '' ? dir : join(dir, rel);
    let names: string[];
    try {
      names = (await readdir(abs)).sort();
    } catch (e) {
      throw ioError(abs, e);
    }
    for (const name of names) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const path = join(dir, relPath);
      let st;
      try {
        st = await lstat(path);
      } catch (e) {
        throw ioError(path, e);
      }
      if (st.isDirectory()) {
        if (depth >= MAX_DEPTH) throw new KeyriteError('INVALID_INPUT', `The bundle folder nests deeper than any Keyrite bundle (at ${relPath}).`);
        await walk(relPath, depth + 1);
        continue;
      }
      if (!st.isFile()) throw new KeyriteError('INVALID_INPUT', `The bundle holds ${relPath}, which is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a plain file'}; a Keyrite bundle holds only plain files. Copy the bundle without links and verify the copy.`);
      if (out.size >= MAX_BUNDLE_FILES) throw new KeyriteError('INVALID_INPUT', `The bundle folder holds more than ${MAX_BUNDLE_FILES} files; it is not a Keyrite bundle.`);
      total += st.size;
      if (total > MAX_BUNDLE_BYTES) throw new KeyriteError('INVALID_INPUT', 'The bundle folder holds more than 1 GiB; it is not a Keyrite bundle.');
      try {
        out.set(relPath, plainBytes(await readFile(path)));
      } catch (e) {
        throw ioError(path, e);
      }
    }
  };
  let st;
  try {
    st = await lstat(dir);
  } catch (e) {
    throw ioError(dir, e);
  }
  if (!st.isDirectory()) throw new KeyriteError('IO_ERROR', `Cannot read the bundle at ${dir}: it is not a folder.`);
  await walk('', 0);
  return out;
}
