/**
 * bundle.json against the files (docs/FORMATS.md "Bundle"): the manifest must be a
 * keyrite/bundle/v1 document listing every other file once with its SHA-256 and size; a file
 * missing, not listed, or with other bytes is named. Paths are plain relative names
 * (docs/VERIFIER.md "Bundle paths"), so a listed path can never point outside the bundle.
 */
import { equalBytes, fromUtf8, utf8 } from '../bytes.ts';
import { canonicalize } from '../encoding/jcs.ts';
import { toHex } from '../encoding/hex.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { fail } from './check-list.ts';

export const BUNDLE_MANIFEST_FILE = 'bundle.json';
export const BUNDLE_MANIFEST_FORMAT = 'keyrite/bundle/v1';
export const MAX_BUNDLE_FILES = 4096;
export const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const PATH_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** The files of a bundle by relative path ("keys/jwks.json"), bundle.json included. */
export type BundleFiles = ReadonlyMap<string, Uint8Array>;

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

/** Whether `path` is a name a Keyrite bundle may hold: relative, no "..", no hidden or empty parts. */
export function isBundlePath(path: string): boolean {
  return PATH_RE.test(path) && !path.split('/').some((part) => part === '.' || part === '..');
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} is not a JSON object.`);
  return v as Record<string, unknown>;
}

/** Reads bundle.json strictly. */
export function parseBundleManifest(bytes: Uint8Array | undefined): BundleManifest {
  if (bytes === undefined) fail('bundle.json is missing: this folder is not a Keyrite bundle, or it was not copied whole.');
  if (bytes.length > MAX_MANIFEST_BYTES) fail('bundle.json is far larger than any Keyrite bundle manifest.');
  const doc = obj(parseJsonStrict(fromUtf8(bytes), 'bundle.json'), 'bundle.json');
  if (!equalBytes(bytes, utf8(canonicalize(doc) + '\n'))) fail('bundle.json is not in its canonical form (RFC 8785 JSON and one line break): it was edited after the ceremony wrote it.');
  const members = Object.keys(doc).sort().join();
  if (members !== 'ceremonyId,files,format,masterFingerprint,version') fail('bundle.json does not have exactly the members of a keyrite/bundle/v1 manifest.');
  if (doc.format !== BUNDLE_MANIFEST_FORMAT || doc.version !== 1) fail('bundle.json is not a keyrite/bundle/v1 manifest.');
  if (typeof doc.ceremonyId !== 'string' || !/^[0-9a-f]{32}$/.test(doc.ceremonyId)) fail('bundle.json has no valid ceremony id (32 lowercase hex digits).');
  if (typeof doc.masterFingerprint !== 'string' || !HEX64.test(doc.masterFingerprint)) fail('bundle.json has no valid master fingerprint (64 lowercase hex digits).');
  if (!Array.isArray(doc.files)) fail('bundle.json has no list of files.');
  if (doc.files.length > MAX_BUNDLE_FILES) fail(`bundle.json lists ${doc.files.length} files; a bundle has at most ${MAX_BUNDLE_FILES}.`);
  const seen = new Set<string>();
  let previous = '';
  const files = doc.files.map((f, i): ListedFile => {
    const o = obj(f, `Entry ${i + 1} of bundle.json`);
    if (Object.keys(o).sort().join() !== 'path,sha256,size') fail(`Entry ${i + 1} of bundle.json must have exactly path, sha256 and size.`);
    const { path, sha256, size } = o;
    if (typeof path !== 'string' || !isBundlePath(path) || path === BUNDLE_MANIFEST_FILE) fail(`Entry ${i + 1} of bundle.json has a path that is not a plain relative file name inside the bundle.`);
    if (seen.has(path)) fail(`bundle.json lists ${path} twice.`);
    if (path <= previous) fail('bundle.json does not list its files sorted by path.');
    if (typeof sha256 !== 'string' || !HEX64.test(sha256)) fail(`bundle.json gives ${path} a SHA-256 that is not 64 lowercase hex digits.`);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(`bundle.json gives ${path} a size that is not a whole number of bytes.`);
    seen.add(path);
    previous = path;
    return { path, sha256, size };
  });
  return { ceremonyId: doc.ceremonyId, masterFingerprint: doc.masterFingerprint, files };
}

/** Every listed file present with its size and SHA-256, and no file that is not listed. */
export function checkListedFiles(manifest: BundleManifest, files: BundleFiles, sha256: (b: Uint8Array) => Uint8Array): string {
  const problems: string[] = [];
  const listed = new Set(manifest.files.map((f) => f.path));
  const extra = [...files.keys()].filter((p) => p !== BUNDLE_MANIFEST_FILE && !listed.has(p)).sort();
  const missing: string[] = [];
  const changed: string[] = [];
  for (const f of manifest.files) {
    const bytes = files.get(f.path);
    if (bytes === undefined) missing.push(f.path);
    else if (bytes.length !== f.size || toHex(sha256(bytes)) !== f.sha256) changed.push(f.path);
  }
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
  if (changed.length > 0) problems.push(`changed (size or SHA-256 differs from bundle.json): ${changed.join(', ')}`);
  if (extra.length > 0) problems.push(`not listed in bundle.json: ${extra.join(', ')}`);
  if (problems.length > 0) fail(`The files differ from bundle.json; ${problems.join('; ')}.`);
  return `${manifest.files.length} files, each with the size and SHA-256 that bundle.json lists, and no other file`;
}
