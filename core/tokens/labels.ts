/**
 * How Keyrite marks the objects it creates on a token, so it lists and destroys only its own.
 *
 * An object is a Keyrite object when BOTH hold:
 *  - CKA_LABEL is "keyrite:" followed by a Keyrite label (1–64 of A–Z a–z 0–9 . _ -,
 *    starting with a letter or digit); the prefix makes the object recognisable in any
 *    PKCS#11 tool (pkcs11-tool, p11tool);
 *  - CKA_ID is 20 bytes: "KRT" 0x01 (magic and scheme version), one kind byte
 *    (0x01 signing key, 0x02 seal key), then 15 random bytes. The parts of one key (private
 *    and public key objects) share the id, as PKCS#11 convention pairs them.
 * Anything else on the token is foreign: never listed, never destroyed. A new object is
 * refused when any object (Keyrite's or not) already carries its CKA_LABEL.
 */
import { KeyriteError } from '../errors.ts';
import { toHex, fromHex } from '../encoding/hex.ts';
import type { KeyriteObjectKind } from './token.ts';

export const OBJECT_LABEL_PREFIX = 'keyrite:';
export const OBJECT_ID_MAGIC = Uint8Array.of(0x4b, 0x52, 0x54, 0x01); // "KRT", version 1
export const OBJECT_ID_LENGTH = 20;
const KIND_BYTE: Record<KeyriteObjectKind, number> = { 'signing-key': 0x01, 'seal-key': 0x02 };

const LABEL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertObjectLabel(label: unknown): asserts label is string {
  if (typeof label !== 'string' || !LABEL_RE.test(label)) {
    throw new KeyriteError(
      'INVALID_INPUT',
      `A key label must be 1 to 64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit${typeof label === 'string' ? `; got ${JSON.stringify(label.slice(0, 80))}` : ''}.`,
    );
  }
}

/** The CKA_LABEL written on the token for a Keyrite label. */
export function tokenObjectLabel(label: string): string {
  assertObjectLabel(label);
  return OBJECT_LABEL_PREFIX + label;
}

/** The Keyrite label inside a CKA_LABEL, or undefined when the label is not Keyrite's. */
export function parseTokenObjectLabel(onToken: string): string | undefined {
  if (!onToken.startsWith(OBJECT_LABEL_PREFIX)) return undefined;
  const label = onToken.slice(OBJECT_LABEL_PREFIX.length);
  return LABEL_RE.test(label) ? label : undefined;
}

/** A fresh CKA_ID: magic ‖ kind ‖ 15 random bytes (`random` must hold at least 15 bytes). */
export function newObjectId(kind: KeyriteObjectKind, random: Uint8Array): Uint8Array {
  if (random.length < 15) throw new KeyriteError('INVALID_LENGTH', 'An object id needs 15 random bytes.');
  const id = new Uint8Array(OBJECT_ID_LENGTH);
  id.set(OBJECT_ID_MAGIC, 0);
  id[4] = KIND_BYTE[kind];
  id.set(random.subarray(0, 15), 5);
  return id;
}

/** The kind a Keyrite CKA_ID encodes, or undefined when the id is not Keyrite's. */
export function objectIdKind(id: Uint8Array): KeyriteObjectKind | undefined {
  if (id.length !== OBJECT_ID_LENGTH) return undefined;
  for (let i = 0; i < OBJECT_ID_MAGIC.length; i++) if (id[i] !== OBJECT_ID_MAGIC[i]) return undefined;
  if (id[4] === KIND_BYTE['signing-key']) return 'signing-key';
  if (id[4] === KIND_BYTE['seal-key']) return 'seal-key';
  return undefined;
}

export function objectIdHex(id: Uint8Array): string {
  return toHex(id);
}

/** Parses a KeyRef id back to bytes, refusing anything that is not a Keyrite id. */
export function parseObjectIdHex(hex: string, what = 'key id'): Uint8Array {
  const id = fromHex(hex, what);
  if (objectIdKind(id) === undefined) throw new KeyriteError('INVALID_INPUT', `The ${what} is not a Keyrite object id.`);
  return id;
}

export function objectExistsError(label: string, tokenLabel: string): KeyriteError {
  return new KeyriteError(
    'OBJECT_EXISTS',
    `An object labelled "${OBJECT_LABEL_PREFIX}${label}" already exists on token "${tokenLabel}". Keyrite never overwrites or reuses a label: choose another label, or remove the old object deliberately first.`,
  );
}
