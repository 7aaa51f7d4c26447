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
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KeyriteError } from '../errors.ts';
import { createFileExclusive, ioError, replaceFileAtomically } from './durable-files.ts';
import { toPlainBytes } from '../bytes.ts';
import { SoftwareToken, type CreateSoftwareTokenOptions, type SoftwareTokenStore } from '../tokens/software-token.ts';
import type { TokenDescription } from '../tokens/token.ts';
import { SOFTWARE_TOKENS_ENV } from './environment-names.ts';
import { nativeScrypt } from './native-scrypt.ts';
import type { SoftwareTokenKeySession } from '../tokens/key-session.ts';

export const SOFTWARE_TOKEN_EXTENSION = '.keyrite-token';
export { SOFTWARE_TOKENS_ENV };
const MAX_FILE_BYTES = 1024 * 1024;
const FILE_MODE = 0o600;

export interface FileTokenOptions {
  /** Keys derived earlier in this session (the demo creates its tokens, then the ceremony opens them). */
  session?: SoftwareTokenKeySession;
}

/** A SoftwareTokenStore on one file; scrypt runs natively off the main thread (native-scrypt.ts). */
export function fileTokenStore(path: string, options: FileTokenOptions = {}): SoftwareTokenStore {
  const file = resolve(path);
  return {
    location: file,
    scrypt: nativeScrypt,
    ...(options.session ? { session: options.session } : {}),
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
      await createFileExclusive(file, data, FILE_MODE, `A software token file already exists at ${file}; Keyrite never overwrites one.`);
    },
    async replace(data) {
      await replaceFileAtomically(file, data, FILE_MODE);
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

export function openSoftwareTokenFile(path: string, options: FileTokenOptions = {}): Promise<SoftwareToken> {
  return SoftwareToken.open(fileTokenStore(path, options));
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
