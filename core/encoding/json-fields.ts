/**
 * Reading untrusted JSON, once parseJsonStrict (json.ts) has parsed it: every Keyrite format
 * reader takes its fields through these functions. Readers are closed-world: an object must
 * have exactly the members its format lists (a missing or unknown member is refused); every
 * string has one spelling (lowercase hex, unpadded base64url that decodes canonically);
 * numbers are whole. `what` names the thing read in the message ("escrow manifest trustee 2"),
 * which says what is wrong and never quotes a value beyond a short member name.
 */
import { KeyriteError } from '../errors.ts';
import { fromBase64url } from './base64url.ts';
import { fromHex } from './hex.ts';

export type JsonObject = Record<string, unknown>;

function bad(what: string, problem: string): KeyriteError {
  return new KeyriteError('INVALID_INPUT', `The ${what} ${problem}.`);
}

export function expectObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(what, 'must be a JSON object');
  return value as JsonObject;
}

export function expectList(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw bad(what, 'must be a list');
  return value;
}

/** A list of strings (names, ids). */
export function expectStrings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) throw bad(what, 'must be a list of names');
  return value as string[];
}

/** Refuses a missing required member or any member not listed. */
export function expectMembers(obj: JsonObject, what: string, required: readonly string[], optional: readonly string[] = []): void {
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) throw bad(what, `has no "${key}" member`);
  }
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key)) throw bad(what, `has an unexpected member ${JSON.stringify(key.slice(0, 40))}`);
  }
}

export function readString(obj: JsonObject, key: string, what: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw bad(what, `"${key}" must be text`);
  return v;
}

export function readLiteral<T extends string>(obj: JsonObject, key: string, what: string, allowed: readonly T[]): T {
  const v = obj[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new KeyriteError('UNSUPPORTED', `The ${what} "${key}" must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}.`);
  }
  return v as T;
}

export function readInt(obj: JsonObject, key: string, what: string, min: number, max: number): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw bad(what, `"${key}" must be a whole number from ${min} to ${max}`);
  return v;
}

/** A base64url member decoding to exactly `length` bytes, or `min`..`max` bytes. */
export function readBytes(obj: JsonObject, key: string, what: string, length: number | { min: number; max: number }): Uint8Array {
  const v = obj[key];
  if (typeof v !== 'string') throw bad(what, `"${key}" must be a base64url string`);
  const bytes = fromBase64url(v, `${what} "${key}"`);
  if (typeof length === 'number') {
    if (bytes.length !== length) throw new KeyriteError('INVALID_LENGTH', `The ${what} "${key}" must be ${length} bytes, got ${bytes.length}.`);
  } else if (bytes.length < length.min || bytes.length > length.max) {
    throw new KeyriteError('INVALID_LENGTH', `The ${what} "${key}" must be ${length.min} to ${length.max} bytes, got ${bytes.length}.`);
  }
  return bytes;
}

/** A lowercase hex member of exactly `length` bytes (2·length digits). */
export function readHex(obj: JsonObject, key: string, what: string, length: number): Uint8Array {
  const v = obj[key];
  if (typeof v !== 'string' || v.length !== 2 * length || !/^[0-9a-f]*$/.test(v)) throw bad(what, `"${key}" must be ${2 * length} lowercase hex digits`);
  return fromHex(v);
}

export function readPattern(obj: JsonObject, key: string, what: string, pattern: RegExp, description: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || !pattern.test(v)) throw bad(what, `"${key}" must be ${description}`);
  return v;
}
