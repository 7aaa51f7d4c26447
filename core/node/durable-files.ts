/**
 * Durable file writes shared by the Node adapter: every new file is written to a temporary
 * name, fsynced, then linked to its final name (link fails if the name exists, so nothing is
 * ever overwritten), and the folder is fsynced so the name survives a crash.
 */
import { constants as fsConstants } from 'node:fs';
import { chmod, link, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { KeyriteError } from '../errors.ts';

/** Why a file operation failed, in words, by its Node error code. */
const IO_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the disk is read-only',
  ENOTDIR: 'a file is in the way of a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'something is already there',
  ENOTEMPTY: 'the folder is not empty',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'it is a loop of symbolic links',
  EMFILE: 'too many files are open',
  EBUSY: 'it is in use',
  EIO: 'the disk reported an input/output error',
};

/** An IO_ERROR naming the action, the path and, in words, why (never file contents). */
export function ioError(action: string, path: string, cause: unknown): KeyriteError {
  const code = (cause as { code?: unknown })?.code;
  const reason = typeof code === 'string' ? (IO_REASONS[code] ?? `the system refused (${code})`) : undefined;
  return new KeyriteError('IO_ERROR', `Could not ${action} ${path}${reason ? `: ${reason}` : ''}.`, { cause });
}

/**
 * A file-system error that escaped without a sentence (a Node system error: code, syscall,
 * path) as the IO_ERROR it is; undefined for anything else, which stays an internal error.
 */
export function systemIoError(e: unknown): KeyriteError | undefined {
  const { code, syscall, path } = (e ?? {}) as { code?: unknown; syscall?: unknown; path?: unknown };
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code) || typeof syscall !== 'string') return undefined;
  const action = SYSCALL_ACTIONS[syscall] ?? 'use';
  return ioError(action, typeof path === 'string' ? path : 'what was given', e);
}

const SYSCALL_ACTIONS: Readonly<Record<string, string>> = {
  open: 'open', read: 'read', write: 'write to', mkdir: 'create the folder', rename: 'rename', unlink: 'remove',
  rmdir: 'remove the folder', scandir: 'read the folder', stat: 'read', lstat: 'read', copyfile: 'copy', fsync: 'write to', access: 'open',
};

/** fsync a folder so a new name in it is durable. Windows cannot open folders; NTFS journals names itself. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const h = await open(dir, fsConstants.O_RDONLY);
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Some file systems cannot fsync a folder; the data itself was fsynced.
  }
}

/**
 * Creates `path` (exclusively, with `mode` from the start) holding `data`, fsynced. A file it
 * created but could not fill (a full disk) is removed: no half-written file outlives the call.
 */
async function writeNewFile(path: string, data: Uint8Array, mode: number): Promise<void> {
  const h = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
  try {
    await h.chmod(mode);
    await h.writeFile(data);
    await h.sync();
  } catch (e) {
    await h.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw e;
  }
  await h.close();
}

/** Temporary names: `.<name>.<12 hex digits>.tmp` next to the file they become. */
export const TEMPORARY_NAME = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

function tempNameFor(path: string, suffix = nodeRandomBytes(6).toString('hex')): string {
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

/**
 * Creates `path` with `data`, durably, refusing (OBJECT_EXISTS, `existsMessage`) if it exists.
 * Where hard links are not supported, falls back to an exclusive create and write.
 */
export async function createFileExclusive(path: string, data: Uint8Array, mode: number, existsMessage: string, tempSuffix?: string): Promise<void> {
  const tmp = tempNameFor(path, tempSuffix);
  let tmpMade = false;
  try {
    await writeNewFile(tmp, data, mode);
    tmpMade = true;
    try {
      await link(tmp, path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EEXIST') throw new KeyriteError('OBJECT_EXISTS', existsMessage);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
      await writeNewFile(path, data, mode).catch((e2: unknown) => {
        if ((e2 as { code?: string }).code === 'EEXIST') throw new KeyriteError('OBJECT_EXISTS', existsMessage);
        throw e2;
      });
    }
    await syncDirectory(dirname(path));
  } catch (e) {
    if (e instanceof KeyriteError) throw e;
    throw ioError('write', path, e);
  } finally {
    if (tmpMade) await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Removes the temporary files (TEMPORARY_NAME) a killed process left in `dir` — of `name` only
 * when given; returns their paths. The caller holds whatever makes `dir` its own.
 */
export async function sweepTemporaries(dir: string, name?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'ENOTDIR') return [];
    throw ioError('list', dir, e);
  }
  const removed: string[] = [];
  for (const n of names.sort()) {
    const m = TEMPORARY_NAME.exec(n);
    if (!m || (name !== undefined && m[1] !== name)) continue;
    try {
      await unlink(join(dir, n));
      removed.push(join(dir, n));
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw ioError('remove the leftover temporary file', join(dir, n), e);
    }
  }
  if (removed.length > 0) await syncDirectory(dir);
  return removed;
}

/** Replaces `path` with `data` atomically (temporary file, fsync, rename, folder fsync). */
export async function replaceFileAtomically(path: string, data: Uint8Array, mode: number): Promise<void> {
  const tmp = tempNameFor(path);
  let tmpMade = false;
  try {
    await writeNewFile(tmp, data, mode);
    tmpMade = true;
    await rename(tmp, path);
    tmpMade = false;
    await chmod(path, mode).catch(() => undefined);
    await syncDirectory(dirname(path));
  } catch (e) {
    throw ioError('write', path, e);
  } finally {
    if (tmpMade) await unlink(tmp).catch(() => undefined);
  }
}
