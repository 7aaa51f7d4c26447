/**
 * bundle.json (docs/FORMATS.md "Bundle"): the keyrite/bundle/v1 manifest listing every other file
 * of the bundle once, sorted by path, with its SHA-256 and size, as RFC 8785 canonical JSON and
 * one line break. It names the ceremony and the master key, so a folder can be told apart
 * before anything else is read. Paths are plain relative names (layout.ts isBundlePath), so a
 * listed path can never point outside the bundle.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes, fromUtf8, utf8 } from '../bytes.ts';
import { canonicalize } from '../encoding/jcs.ts';
import { toHex } from '../encoding/hex.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { expectList, expectMembers, expectObject, readInt, readLiteral, readPattern, readString } from '../encoding/json-fields.ts';
import { sha256 } from '../crypto/hash.ts';
import { BUNDLE_MANIFEST_FILE, MAX_BUNDLE_FILES, isBundlePath } from './layout.ts';
import { BUNDLE_FORMAT } from './statement.ts';

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;

export interface ListedFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

export interface BundleManifest {
  readonly ceremonyId: string;
  readonly masterFingerprint: string;
  readonly files: readonly ListedFile[];
}

/** bundle.json for `files` (bundle.json itself, if present, is left out). */
export function encodeBundleManifest(ceremonyId: string, masterFingerprint: string, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const list: ListedFile[] = [...files.entries()]
    .filter(([p]) => p !== BUNDLE_MANIFEST_FILE)
    .map(([path, bytes]) => ({ path, sha256: toHex(sha256(bytes)), size: bytes.length }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return utf8(canonicalize({ format: BUNDLE_FORMAT, version: 1, ceremonyId, masterFingerprint, files: list }) + '\n');
}

function fail(message: string): never {
  throw new KeyriteError('INVALID_INPUT', message);
}

/** Reads bundle.json strictly. */
export function parseBundleManifest(bytes: Uint8Array | undefined): BundleManifest {
  if (bytes === undefined) fail('bundle.json is missing: this folder is not a Keyrite bundle, or it was not copied whole.');
  if (bytes.length > MAX_MANIFEST_BYTES) fail('bundle.json is far larger than any Keyrite bundle manifest.');
  const what = 'bundle.json manifest';
  const doc = expectObject(parseJsonStrict(fromUtf8(bytes), 'bundle.json'), what);
  if (!equalBytes(bytes, utf8(canonicalize(doc) + '\n'))) fail('bundle.json is not in its canonical form (RFC 8785 JSON and one line break): it was edited after the ceremony wrote it.');
  expectMembers(doc, what, ['ceremonyId', 'files', 'format', 'masterFingerprint', 'version']);
  readLiteral(doc, 'format', what, [BUNDLE_FORMAT]);
  readInt(doc, 'version', what, 1, 1);
  const ceremonyId = readPattern(doc, 'ceremonyId', what, /^[0-9a-f]{32}$/, 'a ceremony id (32 lowercase hex digits)');
  const masterFingerprint = readPattern(doc, 'masterFingerprint', what, HEX64, 'a master fingerprint (64 lowercase hex digits)');
  const listed = expectList(doc.files, 'list of files in bundle.json');
  if (listed.length > MAX_BUNDLE_FILES) fail(`bundle.json lists ${listed.length} files; a bundle has at most ${MAX_BUNDLE_FILES}.`);
  const seen = new Set<string>();
  let previous = '';
  const files = listed.map((f, i): ListedFile => {
    const entry = `entry ${i + 1} of bundle.json`;
    const o = expectObject(f, entry);
    expectMembers(o, entry, ['path', 'sha256', 'size']);
    const path = readString(o, 'path', entry);
    if (!isBundlePath(path) || path === BUNDLE_MANIFEST_FILE) fail(`Entry ${i + 1} of bundle.json has a path that is not a plain relative file name inside the bundle.`);
    if (seen.has(path)) fail(`bundle.json lists ${path} twice.`);
    if (path <= previous) fail('bundle.json does not list its files sorted by path.');
    seen.add(path);
    previous = path;
    return { path, sha256: readPattern(o, 'sha256', entry, HEX64, '64 lowercase hex digits'), size: readInt(o, 'size', entry, 0, Number.MAX_SAFE_INTEGER) };
  });
  return { ceremonyId, masterFingerprint, files };
}
