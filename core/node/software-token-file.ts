/**
 * Disk storage for the embedded software token (core/tokens/software-token.ts).
 *  - Files are `<folder>/<name>.keyrite-token`, mode 0600; the folder comes from an explicit
 *    option or KEYRITE_SOFTWARE_TOKENS.
 *  - create() never overwrites: it writes a temporary file, fsyncs it, then link()s it into
 *    place (link fails if the name exists), so a reader sees either nothing or a whole file.
 *    Filesystems without hard links (FAT on USB sticks) fall back to an exclusive open
 *    (O_CREAT|O_EXCL) + write + fsync.
 *  - replace() writes a temporary file, fsyncs, rename()s over the old one, then fsyncs the folder.
 */
import { constants as fsConstants } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { KeyriteError } from '../errors.ts';
import { toPlainBytes } from '../bytes.ts';
import { SoftwareToken, type CreateSoftwareTokenOptions, type SoftwareTokenStore } from '../tokens/software-token.ts';
import type { TokenDescription } from '../tokens/token.ts';

export const SOFTWARE_TOKEN_EXTENSION = '.keyrite-token';
export const SOFTWARE_TOKENS_ENV = 'KEYRITE_SOFTWARE_TOKENS';
const MAX_FILE_BYTES = 1024 * 1024;
const FILE_MODE = 0o600;

function ioError(what: string, path: string, e: unknown): KeyriteError {
  const code = (e as { code?: string })?.code;
  const reason =
    code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the disk is read-only' : (code ?? 'unknown error');
  return new KeyriteError('IO_ERROR', `Could not ${what} ${path}: ${reason}.`, { cause: e });
}

async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, fsConstants.O_RDONLY);
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic.
  }
}

async function writeTemp(dir: string, name: string, data: Uint8Array): Promise<string> {
  const tmp = join(dir, `.${name}.${nodeRandomBytes(6).toString('hex')}.tmp`);
  const h = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, FILE_MODE);
  try {
    await h.chmod(FILE_MODE);
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
  return tmp;
}

/** A SoftwareTokenStore on one file. */
export function fileTokenStore(path: string): SoftwareTokenStore {
  const file = resolve(path);
  const dir = resolve(file, '..');
  const name = basename(file);
  return {
    location: file,
    async read() {
      try {
        const st = await stat(file);
        if (!st.isFile()) throw new KeyriteError('IO_ERROR', `${file} is not a file.`);
        if (st.size > MAX_FILE_BYTES) throw new KeyriteError('INVALID_INPUT', `${file} is too large to be a software token.`);
        return toPlainBytes(await readFile(file));
      } catch (e) {
        if (e instanceof KeyriteError) throw e;
        throw ioError('read', file, e);
      }
    },
    async create(data) {
      let tmp: string | undefined;
      try {
        tmp = await writeTemp(dir, name, data);
        try {
          await link(tmp, file);
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === 'EEXIST') throw new KeyriteError('OBJECT_EXISTS', `A software token file already exists at ${file}; Keyrite never overwrites one.`);
          if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
          // No hard links here: exclusive create, then write and fsync.
          let h;
          try {
            h = await open(file, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, FILE_MODE);
          } catch (e2) {
            if ((e2 as { code?: string }).code === 'EEXIST') throw new KeyriteError('OBJECT_EXISTS', `A software token file already exists at ${file}; Keyrite never overwrites one.`);
            throw e2;
          }
          try {
            await h.writeFile(data);
            await h.sync();
          } finally {
            await h.close();
          }
        }
        await syncDir(dir);
      } catch (e) {
        if (e instanceof KeyriteError) throw e;
        throw ioError('create', file, e);
      } finally {
        if (tmp) await unlink(tmp).catch(() => undefined);
      }
    },
    async replace(data) {
      let tmp: string | undefined;
      try {
        tmp = await writeTemp(dir, name, data);
        await rename(tmp, file);
        tmp = undefined;
        await chmod(file, FILE_MODE).catch(() => undefined);
        await syncDir(dir);
      } catch (e) {
        throw ioError('write', file, e);
      } finally {
        if (tmp) await unlink(tmp).catch(() => undefined);
      }
    },
  };
}

/** The software-token folder: explicit option first, then KEYRITE_SOFTWARE_TOKENS; undefined when neither. */
export function softwareTokenDir(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const dir = option ?? env[SOFTWARE_TOKENS_ENV];
  return dir && dir.length > 0 ? resolve(dir) : undefined;
}

/** File name for a token label: unsafe characters replaced, ".keyrite-token" appended. */
export function softwareTokenFileName(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]/g, '_') + SOFTWARE_TOKEN_EXTENSION;
}

/** Creates `<dir>/<label>.keyrite-token` (the folder is created with mode 0700 if needed). */
export async function createSoftwareTokenFile(dir: string, opts: CreateSoftwareTokenOptions): Promise<SoftwareToken> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw ioError('create the folder', dir, e);
  }
  return SoftwareToken.create(fileTokenStore(join(dir, softwareTokenFileName(opts.label))), opts);
}

export function openSoftwareTokenFile(path: string): Promise<SoftwareToken> {
  return SoftwareToken.open(fileTokenStore(path));
}

export interface SoftwareTokenListing {
  dir: string;
  tokens: TokenDescription[];
  /** Files that are there but could not be read, with the reason. */
  problems: { path: string; message: string }[];
}

/** Lists `*.keyrite-token` files in a folder. A missing folder is an empty list, not an error. */
export async function listSoftwareTokens(dir: string): Promise<SoftwareTokenListing> {
  const out: SoftwareTokenListing = { dir, tokens: [], problems: [] };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return out;
    throw ioError('read the folder', dir, e);
  }
  for (const name of names.filter((n) => n.endsWith(SOFTWARE_TOKEN_EXTENSION) && !n.startsWith('.')).sort()) {
    const path = join(dir, name);
    try {
      const token = await openSoftwareTokenFile(path);
      out.tokens.push(await token.describe());
    } catch (e) {
      out.problems.push({ path, message: e instanceof KeyriteError ? e.message : 'unreadable' });
    }
  }
  return out;
}
