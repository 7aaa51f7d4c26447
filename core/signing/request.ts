/**
 * The signing request, `keyrite/signing-request/v1` (docs/FORMATS.md "Signing request"): what
 * a signing ceremony is asked to sign — operational keys to endorse and artifacts by SHA-256.
 * Read before anything is unlocked, step by step as the format lists its rules; every refusal
 * is REQUEST_REFUSED with a sentence naming the key or artifact and the rule broken.
 */
import { KeyriteError } from '../errors.ts';
import { sha256 } from '../crypto/hash.ts';
import { toHex } from '../encoding/hex.ts';
import { parseJsonUtf8 } from '../encoding/json.ts';
import { readEndorsedKey, type EndorsedKey, type ReadEndorsedKey } from './endorsed-key.ts';
import { has, isObject, isShownText, memberName, refusal } from './fields.ts';

export type { EndorsedKey, EndorsedKeyAlg } from './endorsed-key.ts';

export const SIGNING_REQUEST_FORMAT = 'keyrite/signing-request/v1';
export const MAX_REQUEST_BYTES = 1024 * 1024;
export const MAX_TITLE_CHARS = 200;
/** A file name: no path, no leading dot, nothing a shell or a terminal would read differently. */
export const ARTIFACT_NAME_PATTERN = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,127}$/;
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
/**
 * Hard caps of the format, whatever a script allows: a relying party validates every endorsed key
 * (an X-Wing key costs milliseconds) before it reaches the signatures, so the count must be small.
 */
export const MAX_KEYS_PER_REQUEST = 64;
export const MAX_ARTIFACTS_PER_REQUEST = 4096;
const DAY_MS = 86_400_000;

export interface RequestLimits {
  readonly maxValidityDays: number;
  readonly maxKeys: number;
  readonly maxArtifacts: number;
}

export interface RequestedArtifact {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export interface SigningRequest {
  readonly title: string;
  readonly keys: readonly EndorsedKey[];
  readonly artifacts: readonly RequestedArtifact[];
  /** SHA-256 (hex) of the file's exact bytes. */
  readonly sha256: string;
}

const WHAT = 'signing request';

function refuse(rule: string): never {
  throw refusal('REQUEST_REFUSED', `The signing request is refused: ${rule}.`);
}

function assertLimits(limits: RequestLimits, now: Date): void {
  const within = (v: unknown, max: number): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= max;
  if (!isObject(limits) || !within(limits.maxValidityDays, 100 * 366) || !within(limits.maxKeys, MAX_KEYS_PER_REQUEST) || !within(limits.maxArtifacts, MAX_ARTIFACTS_PER_REQUEST)) {
    throw new KeyriteError(
      'INVALID_INPUT',
      `The signing request limits must be whole numbers: max-validity-days from 1 to 36600, max-keys from 1 to ${MAX_KEYS_PER_REQUEST}, max-artifacts from 1 to ${MAX_ARTIFACTS_PER_REQUEST}.`,
    );
  }
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) throw new KeyriteError('INVALID_INPUT', 'The time of the signing request check must be a valid date.');
}

/** A list member: absent is fine, present must be a non-empty list of at most `max`. */
function optionalList(doc: Record<string, unknown>, member: 'keys' | 'artifacts', max: number, limitName: string): unknown[] {
  if (!has(doc, member)) return [];
  const list = doc[member];
  if (!Array.isArray(list)) refuse(`"${member}" is not a list`);
  if (list.length === 0) refuse(`"${member}" is an empty list (leave it out instead)`);
  if (list.length > max) refuse(`it has ${list.length} ${member}, more than this script's limit of ${max} (${limitName})`);
  return list;
}

function checkValidity(key: ReadEndorsedKey, who: string, limits: RequestLimits, now: Date): void {
  if (key.nbfMs >= key.expMs) refuse(`${who} has nbf ${key.nbf} not before exp ${key.exp}`);
  if (key.expMs <= now.getTime()) refuse(`${who} has already expired: exp ${key.exp} is not after the time of the check`);
  if (key.expMs - key.nbfMs > limits.maxValidityDays * DAY_MS) {
    refuse(`${who} is valid from ${key.nbf} to ${key.exp}, longer than this script's limit of ${limits.maxValidityDays} days (max-validity-days)`);
  }
}

function readKeys(list: readonly unknown[], limits: RequestLimits, now: Date): EndorsedKey[] {
  const byKid = new Map<string, number>();
  const byPublicKey = new Map<string, number>();
  return list.map((value, i) => {
    let key: ReadEndorsedKey;
    try {
      key = readEndorsedKey(value, `key ${i + 1}`, 'REQUEST_REFUSED');
    } catch (e) {
      if (e instanceof KeyriteError) refuse(e.message.replace(/\.$/, ''));
      throw e;
    }
    const who = `key ${i + 1} (kid "${key.kid}")`;
    const sameKid = byKid.get(key.kid);
    if (sameKid !== undefined) refuse(`${who} repeats the kid of key ${sameKid}: every kid must be unique in the request`);
    byKid.set(key.kid, i + 1);
    const samePublic = byPublicKey.get(`${key.alg}:${key.publicKeyHex}`);
    if (samePublic !== undefined) refuse(`${who} is the same public key as key ${samePublic}: endorse each key once`);
    byPublicKey.set(`${key.alg}:${key.publicKeyHex}`, i + 1);
    checkValidity(key, who, limits, now);
    const { kid, alg, use, label, nbf, exp, jwk } = key;
    return Object.freeze({ kid, alg, use, label, nbf, exp, jwk });
  });
}

function readArtifacts(list: readonly unknown[]): RequestedArtifact[] {
  const seen = new Map<string, number>();
  return list.map((value, i) => {
    const where = `artifact ${i + 1}`;
    if (!isObject(value)) refuse(`${where} is not a JSON object {name, size, sha256}`);
    const extra = Object.keys(value).filter((n) => !['name', 'size', 'sha256'].includes(n));
    if (extra.length > 0) refuse(`${where} has a member outside the request format: ${extra.slice(0, 3).map(memberName).join(', ')}`);
    const missing = ['name', 'size', 'sha256'].find((n) => !has(value, n));
    if (missing !== undefined) refuse(`${where} has no "${missing}" member`);
    const { name, size, sha256: digest } = value;
    if (typeof name !== 'string' || !ARTIFACT_NAME_PATTERN.test(name)) {
      refuse(`${where} has a "name" that is not a file name of 1 to 128 of the characters A-Z a-z 0-9 . _ + - (not starting with a dot)`);
    }
    const who = `artifact ${i + 1} ("${name}")`;
    const same = seen.get(name);
    if (same !== undefined) refuse(`${who} repeats the name of artifact ${same}: every artifact name must be unique`);
    seen.set(name, i + 1);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) refuse(`${who} has a "size" that is not a whole number of bytes from 0 to 2^53-1`);
    if (typeof digest !== 'string' || !SHA256_HEX_PATTERN.test(digest)) refuse(`${who} has a "sha256" that is not 64 lowercase hex digits`);
    return Object.freeze({ name, size, sha256: digest });
  });
}

/** Reads and checks a signing request against the script's limits at the time `now`. */
export function parseSigningRequest(bytes: Uint8Array, limits: RequestLimits, now: Date): SigningRequest {
  assertLimits(limits, now);
  if (!(bytes instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The signing request must be given as bytes.');
  if (bytes.length > MAX_REQUEST_BYTES) refuse(`it is ${bytes.length} bytes, more than the limit of ${MAX_REQUEST_BYTES} bytes (1 MiB)`);
  const doc = parseJsonUtf8(bytes, WHAT, { maxLength: MAX_REQUEST_BYTES, maxDepth: 8 });
  if (!isObject(doc)) refuse('it is not a JSON object');
  const extra = Object.keys(doc).filter((n) => !['format', 'title', 'keys', 'artifacts'].includes(n));
  if (extra.length > 0) refuse(`it has a member outside the request format: ${extra.slice(0, 3).map(memberName).join(', ')}`);
  if (doc.format !== SIGNING_REQUEST_FORMAT) refuse(`its "format" is not "${SIGNING_REQUEST_FORMAT}"`);
  if (!isShownText(doc.title, 1, MAX_TITLE_CHARS)) refuse(`its "title" is not 1 to ${MAX_TITLE_CHARS} characters without control or invisible characters`);
  if (!has(doc, 'keys') && !has(doc, 'artifacts')) refuse('it is empty: it has neither "keys" nor "artifacts"');
  const keyList = optionalList(doc, 'keys', limits.maxKeys, 'max-keys');
  const artifactList = optionalList(doc, 'artifacts', limits.maxArtifacts, 'max-artifacts');
  const keys = readKeys(keyList, limits, now);
  const artifacts = readArtifacts(artifactList);
  return Object.freeze({ title: doc.title as string, keys: Object.freeze(keys), artifacts: Object.freeze(artifacts), sha256: toHex(sha256(bytes)) });
}
