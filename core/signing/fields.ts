/**
 * The small value rules the signing formats share (docs/FORMATS.md "Signing"): UTC times to
 * the second, free text shown to people, and the refusal every rule breaks into.
 */
import { KeyriteError, type ErrorCode } from '../errors.ts';

/** RFC 3339 in UTC to the second, the one spelling the signing formats use. */
const UTC_SECOND = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ`, or undefined when it is not that form or not a real date. */
export function parseUtcSecond(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = UTC_SECOND.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-30 over to March; only a date that formats back to itself is real.
  return formatUtcSecond(new Date(t)) === text ? t : undefined;
}

/** `YYYY-MM-DDTHH:MM:SSZ` of a time (milliseconds dropped). */
export function formatUtcSecond(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Controls, format characters (bidi, zero-width), line/paragraph separators, lone surrogates: nothing a person confirming could not see. */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Whether `text` is a string of `min`..`max` characters (code points) with no control or invisible character. */
export function isShownText(text: unknown, min: number, max: number): text is string {
  if (typeof text !== 'string' || INVISIBLE_OR_CONTROL.test(text)) return false;
  const length = [...text].length;
  return length >= min && length <= max;
}

/** A typed refusal; `code` is REQUEST_REFUSED for a request, the reader's own code elsewhere. */
export function refusal(code: ErrorCode, message: string): KeyriteError {
  return new KeyriteError(code, message);
}

export function has(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A member name for a sentence: JSON-quoted and cut short (it may be anything an attacker wrote). */
export function memberName(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}
