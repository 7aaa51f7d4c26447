/**
 * A bundle as one file (docs/FORMATS.md "Bundle archive"): an uncompressed POSIX ustar archive
 * (POSIX.1-1988, as in IEEE Std 1003.1 "pax" Archive/Interchange File Format, ustar format)
 * whose bytes are a function of the bundle's files alone:
 *
 *   - every entry lies under one folder, "bundle/": first the directory entry "bundle/",
 *     then every directory and file in ascending order of their names' bytes (a directory
 *     name ends in "/", so it comes before what it holds); no empty directory;
 *   - files: type '0', mode 0644; directories: type '5', mode 0755, size 0;
 *   - mtime 0, uid and gid 0, empty uname and gname, devmajor and devminor 0, no link name;
 *   - numbers as zero-padded octal ending in NUL, the checksum as 6 octal digits, NUL, space;
 *   - a name longer than 100 bytes goes in prefix + name, split at the last "/" that leaves
 *     a prefix of at most 155 bytes; no pax or GNU extension headers;
 *   - file data padded with zeros to 512 bytes, then two zero blocks, then zeros up to a
 *     multiple of 10,240 bytes (tar's default record).
 *
 * The reader works on the bytes in memory and accepts exactly that form: anything else is
 * refused with an ArchiveError naming the reason, before any file is handed on. The files it
 * returns are views into the archive's bytes (no copy).
 */
import { KeyriteError } from '../errors.ts';
import { displayField } from '../encoding/display.ts';
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_FILES, isBundlePath, type BundleFiles } from './layout.ts';

/** The archive's name next to the bundle folder, and its extension and media type. */
export const ARCHIVE_EXTENSION = '.keyrite.tar';
export const ARCHIVE_FILE = `bundle${ARCHIVE_EXTENSION}`;
export const ARCHIVE_MEDIA_TYPE = 'application/x-tar';
/** The one folder every entry lies under. */
export const ARCHIVE_ROOT = 'bundle/';

const BLOCK = 512;
const RECORD = 10240;
/** A bundle's files may be nested 8 deep (layout.ts), so at most as many directories as files plus the root. */
export const MAX_ARCHIVE_ENTRIES = 2 * MAX_BUNDLE_FILES + 1;
/** The largest archive of a bundle within the caps: every byte, a header and padding per entry, the end. */
export const MAX_ARCHIVE_BYTES = MAX_BUNDLE_BYTES + MAX_ARCHIVE_ENTRIES * 2 * BLOCK + RECORD;

/** Why an archive was refused; tests and the app key on it, people read the message. */
export type ArchiveRefusal =
  | 'too-large'
  | 'too-many-entries'
  | 'truncated'
  | 'not-a-header'
  | 'not-ustar'
  | 'bad-checksum'
  | 'link'
  | 'device'
  | 'extension-header'
  | 'bad-size'
  | 'hidden-bytes'
  | 'trailing-garbage'
  | 'not-utf8'
  | 'escaping-path'
  | 'outside-root'
  | 'duplicate'
  | 'case-collision'
  | 'normalisation-collision'
  | 'bad-name'
  | 'not-canonical';

export class ArchiveError extends KeyriteError {
  constructor(
    readonly reason: ArchiveRefusal,
    sentence: string,
  ) {
    super('INVALID_INPUT', `This bundle archive is refused: ${sentence}`);
  }
}

// ustar header fields: [offset, length].
const F = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const;
type Field = keyof typeof F;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Zero-padded octal of `width - 1` digits and a NUL. */
function octal(value: number, width: number): Uint8Array {
  return ascii(`${value.toString(8).padStart(width - 1, '0')}\0`);
}

function put(header: Uint8Array, field: Field, bytes: Uint8Array): void {
  header.set(bytes, F[field][0]);
}

/** Splits a name into ustar's prefix and name fields, or undefined when it does not fit. */
function splitName(name: Uint8Array): { prefix: Uint8Array; name: Uint8Array } | undefined {
  if (name.length <= 100) return { prefix: new Uint8Array(0), name };
  // As GNU tar splits: at the last "/" that leaves at most 155 bytes of prefix (a folder's own trailing "/" excluded).
  for (let i = Math.min(155, name.length - (name[name.length - 1] === 0x2f ? 2 : 1)); i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    const rest = name.subarray(i + 1);
    return rest.length > 0 && rest.length <= 100 ? { prefix: name.subarray(0, i), name: rest } : undefined;
  }
  return undefined;
}

function checksumOf(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= F.chksum[0] && i < F.chksum[0] + F.chksum[1] ? 0x20 : header[i]!;
  return sum;
}

/** The canonical header of one entry. */
function headerOf(fullName: string, dir: boolean, size: number): Uint8Array {
  const split = splitName(utf8Encoder.encode(fullName));
  if (!split) throw new KeyriteError('INVALID_INPUT', `The bundle path ${fullName.slice(ARCHIVE_ROOT.length)} is too long for a bundle archive.`);
  const h = new Uint8Array(BLOCK);
  put(h, 'name', split.name);
  put(h, 'mode', octal(dir ? 0o755 : 0o644, 8));
  put(h, 'uid', octal(0, 8));
  put(h, 'gid', octal(0, 8));
  put(h, 'size', octal(size, 12));
  put(h, 'mtime', octal(0, 12));
  put(h, 'typeflag', ascii(dir ? '5' : '0'));
  put(h, 'magic', ascii('ustar\0'));
  put(h, 'version', ascii('00'));
  put(h, 'devmajor', octal(0, 8));
  put(h, 'devminor', octal(0, 8));
  put(h, 'prefix', split.prefix);
  put(h, 'chksum', ascii(`${checksumOf(h).toString(8).padStart(6, '0')}\0 `));
  return h;
}

function compareBytes(a: string, b: string): number {
  const x = utf8Encoder.encode(a);
  const y = utf8Encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The entries of a bundle's archive in order: directory names end in "/". */
function canonicalEntries(paths: Iterable<string>): string[] {
  const names = new Set<string>([ARCHIVE_ROOT]);
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) names.add(`${ARCHIVE_ROOT}${parts.slice(0, i).join('/')}/`);
    names.add(`${ARCHIVE_ROOT}${p}`);
  }
  return [...names].sort(compareBytes);
}

const padded = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The bundle archive of `files` (bundle.json included): the same files always give the same bytes. */
export function encodeBundleArchive(files: BundleFiles): Uint8Array {
  if (files.size > MAX_BUNDLE_FILES) throw new KeyriteError('INVALID_INPUT', `A bundle holds at most ${MAX_BUNDLE_FILES} files; this one holds ${files.size}.`);
  let total = 0;
  for (const [path, bytes] of files) {
    if (!isBundlePath(path)) throw new KeyriteError('INVALID_INPUT', `${path} is not a name a bundle may hold.`);
    total += bytes.length;
  }
  if (total > MAX_BUNDLE_BYTES) throw new KeyriteError('INVALID_INPUT', 'A bundle holds at most 1 GiB.');
  const entries = canonicalEntries(files.keys());
  // What decodeBundleArchive refuses is never written: names (folders included) that one computer would take for the same.
  const folded = new Map<string, string>();
  for (const e of entries) {
    const key = e.replace(/\/$/, '');
    const other = folded.get(key.normalize('NFC').toLowerCase());
    if (other !== undefined) throw new KeyriteError('INVALID_INPUT', `A bundle cannot hold both ${JSON.stringify(other.slice(ARCHIVE_ROOT.length))} and ${JSON.stringify(key.slice(ARCHIVE_ROOT.length))}: the names differ only in upper and lower case or Unicode normalisation, and would be the same file on many computers.`);
    folded.set(key.normalize('NFC').toLowerCase(), key);
  }
  let length = 0;
  for (const e of entries) length += BLOCK + (e.endsWith('/') ? 0 : padded(files.get(e.slice(ARCHIVE_ROOT.length))!.length, BLOCK));
  const out = new Uint8Array(padded(length + 2 * BLOCK, RECORD));
  let at = 0;
  for (const e of entries) {
    const data = e.endsWith('/') ? new Uint8Array(0) : files.get(e.slice(ARCHIVE_ROOT.length))!;
    out.set(headerOf(e, e.endsWith('/'), data.length), at);
    out.set(data, at + BLOCK);
    at += BLOCK + padded(data.length, BLOCK);
  }
  return out;
}

// ---------------------------------------------------------------- reading

interface RawEntry {
  readonly name: string;
  readonly dir: boolean;
  readonly offset: number;
  readonly header: Uint8Array;
  readonly data: Uint8Array;
}

const field = (h: Uint8Array, f: Field): Uint8Array => h.subarray(F[f][0], F[f][0] + F[f][1]);

/** A NUL-terminated text field's bytes (all of them when there is no NUL). */
function cString(b: Uint8Array): Uint8Array {
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

/** An octal number field: optional leading spaces, octal digits, then NULs or spaces; undefined when it is not one. */
function parseOctal(b: Uint8Array): number | undefined {
  const text = String.fromCharCode(...b);
  const m = /^ *([0-7]+)[ \0]*$/.exec(text);
  return m ? parseInt(m[1]!, 8) : undefined;
}

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);
/** An entry's name inside a sentence: quoted, every unsafe character escaped, capped. */
const shown = (name: string): string => `"${displayField(name, 120)}"`;

function decodeName(h: Uint8Array, offset: number): string {
  const prefix = cString(field(h, 'prefix'));
  const name = cString(field(h, 'name'));
  const bytes = prefix.length > 0 ? Uint8Array.from([...prefix, 0x2f, ...name]) : name;
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new ArchiveError('not-utf8', `the entry at byte ${offset} has a name that is not UTF-8 text; a bundle's names are plain ASCII.`);
  }
}

/** Steps 1–3: the headers and data, checked block by block, up to the end blocks. */
function readEntries(bytes: Uint8Array): RawEntry[] {
  const entries: RawEntry[] = [];
  let at = 0;
  let total = 0;
  for (;;) {
    if (at + BLOCK > bytes.length) throw new ArchiveError('truncated', `it ends at byte ${bytes.length}, in the middle of a header or before the two zero blocks that close an archive: it was cut short.`);
    const h = bytes.subarray(at, at + BLOCK);
    if (isZero(h)) break;
    const previous = entries.length > 0 ? ` after ${shown(entries[entries.length - 1]!.name)} (so the size recorded for that entry does not match its contents, or the archive was altered)` : '';
    const recorded = parseOctal(field(h, 'chksum'));
    if (recorded === undefined) throw new ArchiveError('not-a-header', `the block at byte ${at}${previous} is not a tar header.`);
    if (recorded !== checksumOf(h)) throw new ArchiveError('bad-checksum', `the header at byte ${at} fails its checksum: it was altered or damaged.`);
    if (!field(h, 'magic').every((b, i) => b === 'ustar\0'.charCodeAt(i)) || field(h, 'version')[0] !== 0x30 || field(h, 'version')[1] !== 0x30) {
      throw new ArchiveError('not-ustar', `the header at byte ${at} is not a POSIX ustar header (a bundle archive is plain ustar).`);
    }
    if (entries.length >= MAX_ARCHIVE_ENTRIES) throw new ArchiveError('too-many-entries', `it holds more than ${MAX_ARCHIVE_ENTRIES} entries; a bundle holds at most ${MAX_BUNDLE_FILES} files.`);
    const type = String.fromCharCode(h[F.typeflag[0]]!);
    const name = decodeName(h, at);
    if (type === '1' || type === '2') throw new ArchiveError('link', `${shown(name)} is a ${type === '1' ? 'hard' : 'symbolic'} link; a bundle archive holds only files and folders.`);
    if (type === '3' || type === '4' || type === '6') throw new ArchiveError('device', `${shown(name)} is a ${type === '6' ? 'named pipe' : 'device file'}; a bundle archive holds only files and folders.`);
    if (type !== '0' && type !== '\0' && type !== '5') throw new ArchiveError('extension-header', `${shown(name)} has entry type "${type.replace(/[^\x20-\x7e]/g, '?')}" (an extension header, a link or a special file); a bundle archive holds only plain ustar files and folders.`);
    if (!isZero(field(h, 'linkname'))) throw new ArchiveError('link', `${shown(name)} names a link target; a bundle archive holds no links.`);
    const size = parseOctal(field(h, 'size'));
    if (size === undefined) throw new ArchiveError('bad-size', `the size field of ${shown(name)} is not a number.`);
    const dir = type === '5';
    if (dir && size !== 0) throw new ArchiveError('bad-size', `the folder ${shown(name)} says it has ${size} bytes of contents.`);
    total += size;
    if (size > MAX_BUNDLE_BYTES || total > MAX_BUNDLE_BYTES) throw new ArchiveError('too-large', `its entries declare more than 1 GiB of files (at ${shown(name)}); a bundle holds at most 1 GiB.`);
    const start = at + BLOCK;
    const end = start + padded(size, BLOCK);
    if (end > bytes.length) throw new ArchiveError('truncated', `it ends at byte ${bytes.length}, inside ${shown(name)}, whose header says ${size} bytes: it was cut short, or that size field lies.`);
    if (!isZero(bytes.subarray(start + size, end))) throw new ArchiveError('hidden-bytes', `the padding after ${shown(name)} holds bytes that are not zero: data hidden outside any file, or a size field that lies.`);
    entries.push({ name, dir, offset: at, header: h, data: bytes.subarray(start, start + size) });
    at = end;
  }
  const closing = padded(at + 2 * BLOCK, RECORD);
  if (bytes.length < closing && isZero(bytes.subarray(at))) throw new ArchiveError('truncated', `it ends at byte ${bytes.length}, before the two zero blocks and the zero padding to ${RECORD} bytes that close a bundle archive: it was cut short.`);
  if (bytes.length !== closing || !isZero(bytes.subarray(at))) {
    throw new ArchiveError('trailing-garbage', `after its last entry it holds ${bytes.length > closing ? `${bytes.length - closing} bytes beyond` : 'bytes other than'} the two zero blocks and zero padding to ${RECORD} bytes that close a bundle archive.`);
  }
  return entries;
}

/** Step 4: every name is safe, unique (also ignoring case and Unicode normalisation) and a bundle's. */
function checkNames(entries: readonly RawEntry[]): void {
  for (const e of entries) {
    const parts = e.name.replace(/\/$/, '').split('/');
    if (e.name.startsWith('/') || /^[A-Za-z]:/.test(e.name) || e.name.includes('\\') || parts.some((p) => p === '..' || p === '.' || p === '')) {
      throw new ArchiveError('escaping-path', `the entry ${shown(e.name)} would be placed outside its folder (an absolute path, "..", "." or an empty part).`);
    }
    if (!e.name.startsWith(ARCHIVE_ROOT)) throw new ArchiveError('outside-root', `the entry ${shown(e.name)} is not inside the archive's one folder "${ARCHIVE_ROOT}".`);
  }
  const exact = new Set<string>();
  const folded = new Map<string, string>();
  for (const e of entries) {
    const key = e.name.replace(/\/$/, '');
    if (exact.has(key)) throw new ArchiveError('duplicate', `it holds ${shown(key)} twice; which one would count is ambiguous.`);
    exact.add(key);
    const fold = key.normalize('NFC').toLowerCase();
    const other = folded.get(fold);
    if (other !== undefined) {
      if (other.normalize('NFC') === key.normalize('NFC')) throw new ArchiveError('normalisation-collision', `it holds ${shown(other)} and ${shown(key)}, names that differ only in Unicode normalisation and would be the same file on many computers.`);
      throw new ArchiveError('case-collision', `it holds ${shown(other)} and ${shown(key)}, names that differ only in upper and lower case and would be the same file on many computers.`);
    }
    folded.set(fold, key);
  }
  for (const e of entries) {
    if (e.dir && e.name === ARCHIVE_ROOT) continue;
    // A folder's name ends in "/"; a file's never does.
    const path = e.dir ? e.name.slice(ARCHIVE_ROOT.length).replace(/\/$/, '') : e.name.slice(ARCHIVE_ROOT.length);
    if (!isBundlePath(path)) throw new ArchiveError('bad-name', `the entry ${shown(e.name)} is not a name a bundle may hold (letters, digits, ".", "_" and "-", at most 8 folders deep).`);
  }
}

const FIELD_WORDS: Record<Field, string> = {
  name: 'name',
  prefix: 'name prefix',
  mode: 'permissions (mode)',
  uid: 'owner id (uid)',
  gid: 'group id (gid)',
  size: 'size field',
  mtime: 'modification time',
  chksum: 'checksum field',
  typeflag: 'entry type',
  linkname: 'link name',
  magic: 'magic',
  version: 'version',
  uname: 'owner name',
  gname: 'group name',
  devmajor: 'device major number',
  devminor: 'device minor number',
};

/** Step 5: the entries are exactly those, in the order and with the headers, that the writer makes. */
function checkCanonical(entries: readonly RawEntry[]): void {
  const files = entries.filter((e) => !e.dir);
  if (files.length > MAX_BUNDLE_FILES) throw new ArchiveError('too-many-entries', `it holds ${files.length} files; a bundle holds at most ${MAX_BUNDLE_FILES}.`);
  const expected = canonicalEntries(files.map((e) => e.name.slice(ARCHIVE_ROOT.length)));
  for (let i = 0; i < Math.max(expected.length, entries.length); i++) {
    const want = expected[i];
    const got = entries[i];
    if (got === undefined || want === undefined || got.name !== want) {
      const why = got === undefined ? `the folder entry ${shown(want!)} is missing` : want === undefined || !expected.includes(got.name) ? `${shown(got.name)} is a folder that holds no file` : `${shown(got.name)} is out of order or a folder entry is missing (expected ${shown(want)})`;
      throw new ArchiveError('not-canonical', `it is not in the exact form Keyrite writes: ${why}. Make the archive with \`keyrite bundle pack\`.`);
    }
    const canonical = headerOf(got.name, got.dir, got.data.length);
    if (!canonical.every((b, j) => b === got.header[j])) {
      // The checksum differs whenever another field does: name that field first.
      const outside = (k: number) => k < F.chksum[0] || k >= F.chksum[0] + F.chksum[1];
      const j = canonical.findIndex((b, k) => b !== got.header[k] && outside(k)) >= 0 ? canonical.findIndex((b, k) => b !== got.header[k] && outside(k)) : canonical.findIndex((b, k) => b !== got.header[k]);
      const which = (Object.keys(F) as Field[]).find((f) => j >= F[f][0] && j < F[f][0] + F[f][1]);
      throw new ArchiveError('not-canonical', `it is not in the exact form Keyrite writes: the ${which ? FIELD_WORDS[which] : 'unused bytes'} of ${shown(got.name)} differ (byte ${got.offset + j}). Make the archive with \`keyrite bundle pack\`.`);
    }
  }
}

/**
 * The files of a bundle archive by bundle path (views into `bytes`), or an ArchiveError
 * naming why it was refused. Nothing is written anywhere.
 */
export function decodeBundleArchive(bytes: Uint8Array): Map<string, Uint8Array> {
  if (bytes.length > MAX_ARCHIVE_BYTES) throw new ArchiveError('too-large', `it is ${bytes.length} bytes, more than any bundle's archive (a bundle holds at most 1 GiB).`);
  const entries = readEntries(bytes);
  if (!entries.some((e) => !e.dir)) throw new ArchiveError('not-canonical', 'it holds no file.');
  checkNames(entries);
  checkCanonical(entries);
  const out = new Map<string, Uint8Array>();
  for (const e of entries) if (!e.dir) out.set(e.name.slice(ARCHIVE_ROOT.length), e.data);
  return out;
}
