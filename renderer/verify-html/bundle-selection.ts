/**
 * The folder an auditor picked (or dropped), as the verifier's input: bundle-relative path →
 * bytes. Browsers name each file by its path under the picked folder ("bundle/keys/jwks.json");
 * the top folder is dropped, and any name that is not a plain relative bundle path refuses
 * the whole selection, so nothing is verified from a partly read folder.
 */
import { KeyriteError } from '../../core/errors.ts';
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_FILES, isBundlePath } from '../../core/bundle/layout.ts';

export interface PickedFile {
  /** The path under the picked folder's parent, top folder first ("bundle/keys/jwks.json"). */
  readonly relativePath: string;
  readonly size: number;
  read(): Promise<Uint8Array>;
}

function refuse(message: string): never {
  throw new KeyriteError('INVALID_INPUT', message);
}

/** "bundle/keys/jwks.json" → "keys/jwks.json"; refuses anything that is not a plain path inside one folder. */
export function bundlePathOf(relativePath: string): string {
  const slash = relativePath.indexOf('/');
  if (slash <= 0) refuse(`${JSON.stringify(relativePath)} is a single file: pick the bundle folder itself, not files inside it.`);
  const path = relativePath.slice(slash + 1);
  if (!isBundlePath(path)) refuse(`The folder holds ${JSON.stringify(path)}, which is not a plain relative file name a Keyrite bundle may hold; nothing was verified.`);
  return path;
}

/** Reads every picked file; all of them must sit in one top folder. */
export async function readBundleSelection(picked: readonly PickedFile[]): Promise<Map<string, Uint8Array>> {
  if (picked.length === 0) refuse('The folder is empty: pick the bundle folder (the one that holds bundle.json).');
  if (picked.length > MAX_BUNDLE_FILES + 1) refuse(`The folder holds ${picked.length} files; a Keyrite bundle has at most ${MAX_BUNDLE_FILES}.`);
  if (picked.reduce((sum, f) => sum + f.size, 0) > MAX_BUNDLE_BYTES) refuse('The folder holds more than 1 GiB; it is not a Keyrite bundle.');
  const top = picked[0]!.relativePath.split('/')[0];
  const paths = picked.map((f) => {
    if (f.relativePath.split('/')[0] !== top) refuse('The files do not all come from one folder: pick the bundle folder itself.');
    return bundlePathOf(f.relativePath);
  });
  const files = new Map<string, Uint8Array>();
  for (const [i, f] of picked.entries()) {
    const path = paths[i]!;
    if (files.has(path)) refuse(`${path} appears twice in the selection.`);
    files.set(path, await f.read());
  }
  return files;
}
