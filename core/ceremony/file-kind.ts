/**
 * What a Keyrite JSON file says it is (its `format`, or its header's), so that a file given
 * in the wrong place — the keyring where the envelope belongs — is named as such instead of
 * being judged damaged.
 */
import { KeyriteError } from '../errors.ts';
import { fromUtf8 } from '../bytes.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { BUNDLE_FORMAT, POLICY_FORMAT } from '../bundle/statement.ts';
import { SHARE_ENVELOPE_FORMAT } from '../escrow/envelope.ts';
import { ESCROW_MANIFEST_FORMAT } from '../escrow/manifest.ts';
import { KEYRING_FORMAT } from './keyring.ts';

const FILE_NAMES: Readonly<Record<string, string>> = {
  [KEYRING_FORMAT]: 'a trustee keyring (keyring.json)',
  [SHARE_ENVELOPE_FORMAT]: 'a share envelope (share-envelope.json)',
  [BUNDLE_FORMAT]: "a bundle's manifest (bundle.json)",
  [POLICY_FORMAT]: "a bundle's policy.json",
  [ESCROW_MANIFEST_FORMAT]: 'an escrow manifest (escrow/manifest.json)',
};

/** The Keyrite format a file declares, when it is JSON that declares one; undefined otherwise. */
function declaredFormat(bytes: Uint8Array): string | undefined {
  try {
    const doc = parseJsonStrict(fromUtf8(bytes), 'file') as { format?: unknown; header?: { format?: unknown } };
    const format = typeof doc?.format === 'string' ? doc.format : doc?.header?.format;
    return typeof format === 'string' ? format : undefined;
  } catch {
    return undefined;
  }
}

/** Throws USAGE when `bytes` is a different Keyrite file than `expected`; anything else is left to the file's own reader. */
export function requireFileKind(bytes: Uint8Array, expected: string, role: string): void {
  const format = declaredFormat(bytes);
  if (format === undefined || format === expected || FILE_NAMES[format] === undefined) return;
  throw new KeyriteError('USAGE', `The file given as ${role} is ${FILE_NAMES[format]}, not ${FILE_NAMES[expected]}: give each file in its own place.`);
}
