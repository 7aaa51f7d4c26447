/**
 * keys/key-states.json (docs/FORMATS.md "Key states", `keyrite/key-states/v1`): every master key
 * of a chain, newest first, and its state — active (signs), deprecated (verify-only until
 * `until`), retired (past grace), revoked (nothing it signed at or after `revokedAt` is
 * trusted). A rotation bundle publishes it as a statement subject, so the bundle's signatures
 * sign it. The writer and the verifier both read it through parseKeyStates; it is written as
 * canonical JSON and one LF (encodeKeyStates), the one form a reader accepts.
 */
import { KeyriteError } from '../errors.ts';
import { fromUtf8, utf8 } from '../bytes.ts';
import { canonicalize } from '../encoding/jcs.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { expectList, expectMembers, expectObject, readLiteral, readPattern, type JsonObject } from '../encoding/json-fields.ts';
import { isTranscriptTime } from '../transcript/entry.ts';

export const KEY_STATES_FORMAT = 'keyrite/key-states/v1';
export const KEY_STATES = ['active', 'deprecated', 'retired', 'revoked'] as const;
export type KeyState = (typeof KEY_STATES)[number];
/** At most this many master keys in one chain's key states. */
export const MAX_STATED_KEYS = 1000;
const MAX_KEY_STATES_BYTES = 1024 * 1024;

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const KID = /^[A-Za-z0-9_-]{43}$/;

export interface StatedKey {
  readonly fingerprint: string;
  /** RFC 7638 thumbprints of the key's two halves: the kids keys/jwks.json gives them. */
  readonly kids: { readonly classical: string; readonly pq: string };
  /** The ceremony that made the key (a root-keygen or a rotation). */
  readonly ceremonyId: string;
  readonly state: KeyState;
  /** When this state began (transcript time spelling). */
  readonly since: string;
  /** deprecated only: the end of the grace period. */
  readonly until?: string;
  /** revoked only: nothing the key signed at or after this time is trusted. */
  readonly revokedAt?: string;
}

export interface KeyStates {
  readonly format: typeof KEY_STATES_FORMAT;
  /** The rotation or revocation that published these states. */
  readonly ceremonyId: string;
  readonly issuedAt: string;
  readonly keys: readonly StatedKey[];
}

function bad(message: string): KeyriteError {
  return new KeyriteError('INVALID_INPUT', `keys/key-states.json ${message}.`);
}

function readTime(o: JsonObject, key: string, what: string): string {
  const v = o[key];
  if (!isTranscriptTime(v)) throw bad(`gives ${what} "${key}" that is not a UTC time of the form 2026-03-01T09:30:00.000Z`);
  return v;
}

function readKey(v: unknown, i: number): StatedKey {
  const what = `key ${i + 1} of keys/key-states.json`;
  const o = expectObject(v, what);
  const state = readLiteral(o, 'state', what, KEY_STATES);
  expectMembers(o, what, ['ceremonyId', 'fingerprint', 'kids', 'since', 'state', ...(state === 'deprecated' ? ['until'] : state === 'revoked' ? ['revokedAt'] : [])]);
  const kidsObj = expectObject(o.kids, `kids of ${what}`);
  expectMembers(kidsObj, `kids of ${what}`, ['classical', 'pq']);
  const key: StatedKey = {
    fingerprint: readPattern(o, 'fingerprint', what, HEX64, '64 lowercase hex digits'),
    kids: { classical: readPattern(kidsObj, 'classical', `kids of ${what}`, KID, 'an RFC 7638 thumbprint (43 base64url characters)'), pq: readPattern(kidsObj, 'pq', `kids of ${what}`, KID, 'an RFC 7638 thumbprint (43 base64url characters)') },
    ceremonyId: readPattern(o, 'ceremonyId', what, HEX32, '32 lowercase hex digits'),
    state,
    since: readTime(o, 'since', what),
    ...(state === 'deprecated' ? { until: readTime(o, 'until', what) } : {}),
    ...(state === 'revoked' ? { revokedAt: readTime(o, 'revokedAt', what) } : {}),
  };
  if (key.until !== undefined && key.until <= key.since) throw bad(`gives key ${i + 1} a grace period that ends before it begins`);
  return key;
}

/** Reads keys/key-states.json strictly: its one canonical form, every rule of docs/FORMATS.md "Key states". */
export function parseKeyStates(bytes: Uint8Array): KeyStates {
  if (!(bytes instanceof Uint8Array)) throw bad('must be given as bytes');
  if (bytes.length > MAX_KEY_STATES_BYTES) throw bad(`is larger than ${MAX_KEY_STATES_BYTES} bytes`);
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    throw bad('is not UTF-8 text');
  }
  const root = expectObject(parseJsonStrict(text, 'keys/key-states.json'), 'keys/key-states.json');
  expectMembers(root, 'keys/key-states.json', ['ceremonyId', 'format', 'issuedAt', 'keys']);
  if (root.format !== KEY_STATES_FORMAT) throw new KeyriteError('UNSUPPORTED', `keys/key-states.json is not of the format ${KEY_STATES_FORMAT}.`);
  const list = expectList(root.keys, 'keys of keys/key-states.json');
  if (list.length === 0 || list.length > MAX_STATED_KEYS) throw bad(`must list 1 to ${MAX_STATED_KEYS} keys`);
  const states: KeyStates = {
    format: KEY_STATES_FORMAT,
    ceremonyId: readPattern(root, 'ceremonyId', 'keys/key-states.json', HEX32, '32 lowercase hex digits'),
    issuedAt: readTime(root, 'issuedAt', 'its'),
    keys: list.map(readKey),
  };
  // The newest key comes first: active, or revoked by a revocation (the chain then has no active key until a rotation).
  const first = states.keys[0]!.state;
  if ((first !== 'active' && first !== 'revoked') || states.keys.slice(1).some((k) => k.state === 'active')) throw bad('must list the newest key first, active (or revoked by a revocation), and no other active key');
  if (new Set(states.keys.map((k) => k.fingerprint)).size !== states.keys.length) throw bad('lists a key twice');
  if (text !== encodeKeyStatesText(states)) throw bad('is not in the form Keyrite writes (canonical JSON and one line break)');
  return states;
}

function encodeKeyStatesText(states: KeyStates): string {
  return canonicalize(states) + '\n';
}

export function encodeKeyStates(states: KeyStates): Uint8Array {
  return utf8(encodeKeyStatesText(states));
}

/** The state of a stated key at `at`: a deprecated key past its grace is retired by then. */
export function stateAt(key: StatedKey, at: string): KeyState {
  return key.state === 'deprecated' && key.until! <= at ? 'retired' : key.state;
}
