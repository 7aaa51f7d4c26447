/**
 * One transcript entry: one line of `transcript.jsonl` (DESIGN.md "Transcript";
 * docs/FORMATS.md "Transcript").
 *
 *   {"actor":"…","body":{…},"prev":"<64 hex>","seq":N,"time":"YYYY-MM-DDTHH:MM:SS.sssZ","type":"…","v":1}
 *
 * Specs followed:
 *  - RFC 8785 (JCS): a line is the canonical JSON of the entry, UTF-8 (§3.2.4), followed by
 *    one LF (0x0A). JCS never writes a raw LF (strings escape it), so LF only ends lines.
 *  - RFC 8259 + I-JSON (RFC 7493) via parseJsonStrict: no duplicate member names, no lone
 *    surrogates, integers within ±(2^53−1) and no fractions; big integers go in strings.
 *  - RFC 3339 §5.6 for `time`, restricted to one spelling: UTC, "Z", exactly three
 *    fraction digits (what Date.prototype.toISOString writes for years 0000–9999).
 *  - RFC 6962 §2.1 for `prev`: the leaf hash SHA-256(0x00 ‖ entry bytes) of entry N−1,
 *    lowercase hex; the first entry (seq 0) has 64 zeros. "Entry bytes" are the canonical
 *    line WITHOUT its LF: the same bytes are the Merkle leaf input (merkle.ts).
 *
 * A line is accepted only if it is exactly the canonical form of what it parses to, so any
 * change of spacing, member order, number spelling or string escaping is tampering.
 */
import { KeyriteError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { canonicalize } from '../encoding/jcs.ts';
import { parseJsonUtf8 } from '../encoding/json.ts';
import { toHex } from '../encoding/hex.ts';
import { leafHash } from './merkle.ts';

export const ENTRY_VERSION = 1;
/** prev of the first entry (seq 0): 64 zeros. */
export const GENESIS_PREV = '0'.repeat(64);
/** Longest accepted line, LF excluded, in bytes (1 MiB). Bodies are small records, not files. */
export const MAX_ENTRY_BYTES = 1024 * 1024;
/** Deepest nesting of a line (the entry object is depth 1, its body depth 2). */
export const MAX_ENTRY_DEPTH = 32;
export const MAX_TYPE_LENGTH = 64;
export const MAX_ACTOR_LENGTH = 256;

const LF = 0x0a;
const TYPE_RE = /^[a-z0-9.-]+$/;
/** Printable ASCII without space: fingerprints (hex, base64url) and role ids ("trustee-3"). */
const ACTOR_RE = /^[\x21-\x7e]+$/;
const PREV_RE = /^[0-9a-f]{64}$/;
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MEMBERS = ['actor', 'body', 'prev', 'seq', 'time', 'type', 'v'] as const;

export type EntryBody = Record<string, unknown>;

export interface TranscriptEntry {
  readonly v: 1;
  readonly seq: number;
  readonly time: string;
  readonly type: string;
  readonly actor: string;
  readonly body: EntryBody;
  readonly prev: string;
}

export interface EntryFields {
  seq: number;
  time: string;
  type: string;
  actor: string;
  body: EntryBody;
  prev: string;
}

/**
 * A transcript problem tied to a place in the file. `line` is 1-based (line 1 holds seq 0);
 * `offset` is the byte offset where that line starts. Either may be unknown for a lone line.
 */
export class TranscriptError extends KeyriteError {
  readonly line: number | undefined;
  readonly offset: number | undefined;
  /** Which rule the file broke, for verifiers that report each rule by name. */
  readonly rule: TranscriptRule;
  constructor(code: ErrorCode, message: string, where: { line?: number; offset?: number; rule?: TranscriptRule } = {}, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TranscriptError';
    this.line = where.line;
    this.offset = where.offset;
    this.rule = where.rule ?? 'syntax';
  }
}

/** syntax: a line is not a well-formed canonical entry (or the file is cut off); sequence: seq is not the line's index; chain: prev is not the hash of the entry before; time: a time goes backwards. */
export type TranscriptRule = 'syntax' | 'sequence' | 'chain' | 'time';

function bad(what: string, problem: string): never {
  throw new KeyriteError('INVALID_ENCODING', `The ${what} ${problem}.`);
}

/** The last calendar day (YYYY-MM-DD) a full check accepted: a transcript's entries mostly share it. */
let lastValidDay = '';

/** 00–23, 00–59 and 00–59 at HH:MM:SS (the pattern has already checked that they are digits). */
function isTimeOfDay(s: string): boolean {
  return s.charCodeAt(11) * 10 + s.charCodeAt(12) - 528 <= 23 && s.charCodeAt(14) <= 0x35 && s.charCodeAt(17) <= 0x35;
}

/** Whether `s` is a UTC RFC 3339 timestamp in Keyrite's one spelling, e.g. 2026-03-01T09:30:00.000Z. */
export function isTranscriptTime(s: unknown): s is string {
  if (typeof s !== 'string' || !TIME_RE.test(s)) return false;
  // On a day the round trip below has accepted, every HH:MM:SS.sss with those ranges round-trips too.
  if (lastValidDay !== '' && s.startsWith(lastValidDay)) return isTimeOfDay(s);
  const ms = Date.parse(s);
  // The round trip rejects impossible dates (02-30, 24:00, :60) that the pattern lets through.
  const valid = Number.isFinite(ms) && new Date(ms).toISOString() === s;
  if (valid) lastValidDay = s.slice(0, 10);
  return valid;
}

/** The transcript spelling of a point in time (Date.prototype.toISOString, years 0000–9999). */
export function formatTranscriptTime(date: Date): string {
  if (!(date instanceof Date) || !Number.isFinite(date.getTime())) throw new KeyriteError('INVALID_INPUT', 'The entry time must be a valid date.');
  const s = date.toISOString();
  if (!isTranscriptTime(s)) throw new KeyriteError('INVALID_INPUT', 'The entry time must be between the years 0000 and 9999.');
  return s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks that `value` is an entry: exactly the seven members, each of the right type and
 * form. `what` names the thing in messages ("transcript entry", "line 4").
 */
export function assertEntryShape(value: unknown, what = 'transcript entry'): asserts value is TranscriptEntry {
  if (!isPlainObject(value)) bad(what, 'is not a JSON object');
  const names = Object.keys(value);
  for (const n of names) {
    if (!(MEMBERS as readonly string[]).includes(n)) bad(what, `has the unknown member ${JSON.stringify(n.length > 40 ? `${n.slice(0, 40)}…` : n)}`);
  }
  for (const n of MEMBERS) if (!Object.prototype.hasOwnProperty.call(value, n)) bad(what, `has no "${n}" member`);
  const e = value as Record<(typeof MEMBERS)[number], unknown>;
  if (e.v !== ENTRY_VERSION) bad(what, `has version ${JSON.stringify(e.v)}; only version ${ENTRY_VERSION} exists`);
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 0) bad(what, 'has a "seq" that is not a whole number from 0 to 2^53−1');
  if (!isTranscriptTime(e.time)) bad(what, 'has a "time" that is not a UTC time of the form 2026-03-01T09:30:00.000Z');
  if (typeof e.type !== 'string' || e.type.length > MAX_TYPE_LENGTH || !TYPE_RE.test(e.type)) {
    bad(what, `has a "type" that is not 1 to ${MAX_TYPE_LENGTH} characters of a-z, 0-9, "." and "-"`);
  }
  if (typeof e.actor !== 'string' || e.actor.length > MAX_ACTOR_LENGTH || !ACTOR_RE.test(e.actor)) {
    bad(what, `has an "actor" that is not 1 to ${MAX_ACTOR_LENGTH} printable ASCII characters without spaces`);
  }
  if (!isPlainObject(e.body)) bad(what, 'has a "body" that is not a JSON object');
  if (typeof e.prev !== 'string' || !PREV_RE.test(e.prev)) bad(what, 'has a "prev" that is not 64 lowercase hex digits');
}

/**
 * Builds an entry from its fields, checked. The body is copied through canonical JSON, so
 * the result holds exactly what will be written (a JSON value, no aliasing with the caller).
 */
export function makeEntry(fields: EntryFields): TranscriptEntry {
  if (!isPlainObject(fields)) throw new KeyriteError('INVALID_INPUT', 'makeEntry needs the entry fields.');
  const draft = { v: ENTRY_VERSION, seq: fields.seq, time: fields.time, type: fields.type, actor: fields.actor, body: fields.body, prev: fields.prev };
  try {
    assertEntryShape(draft, 'new transcript entry');
  } catch (e) {
    throw new KeyriteError('INVALID_INPUT', (e as Error).message, { cause: e });
  }
  const bytes = entryBytes(draft);
  // Parse back what will be written: the returned entry is the freshly parsed form.
  return parseEntryLine(bytes, fields.seq);
}

/** The canonical entry bytes (RFC 8785, UTF-8), LF excluded: the Merkle leaf input. */
export function entryBytes(entry: TranscriptEntry): Uint8Array {
  assertEntryShape(entry);
  let text: string;
  try {
    text = canonicalize(entry, { maxDepth: MAX_ENTRY_DEPTH });
  } catch (e) {
    throw new KeyriteError('INVALID_INPUT', `The transcript entry cannot be written as canonical JSON: ${(e as Error).message}`, { cause: e });
  }
  const bytes = utf8(text);
  if (bytes.length > MAX_ENTRY_BYTES) {
    throw new KeyriteError('INVALID_INPUT', `The transcript entry is ${bytes.length} bytes; the limit is ${MAX_ENTRY_BYTES}.`);
  }
  return bytes;
}

/** One line of transcript.jsonl: the canonical entry bytes followed by LF. */
export function encodeEntryLine(entry: TranscriptEntry): Uint8Array {
  const bytes = entryBytes(entry);
  const line = new Uint8Array(bytes.length + 1);
  line.set(bytes);
  line[bytes.length] = LF;
  return line;
}

/** The RFC 6962 leaf hash of an entry, as the next entry's `prev` (lowercase hex). */
export function entryHashHex(entry: TranscriptEntry): string {
  return toHex(leafHash(entryBytes(entry)));
}

/**
 * Parses one line strictly. `line` is the entry bytes, with or without its one final LF.
 * Rejects (INVALID_JSON / INVALID_ENCODING / VERIFY_FAILED): invalid UTF-8 or JSON,
 * duplicate members, unsafe numbers, a missing, unknown or ill-formed member, a line that is
 * not byte-for-byte the canonical form of its value, and — when `expectedSeq` is given — a
 * different sequence number. Chain checks (prev, time order) need the previous line and
 * live in transcript.ts.
 */
export function parseEntryLine(line: Uint8Array, expectedSeq?: number, what = 'transcript entry'): TranscriptEntry {
  if (!(line instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', `The ${what} must be a byte array.`);
  const body = line.length > 0 && line[line.length - 1] === LF ? line.subarray(0, line.length - 1) : line;
  if (body.length === 0) bad(what, 'is an empty line');
  if (body.length > MAX_ENTRY_BYTES) bad(what, `is ${body.length} bytes long; the limit is ${MAX_ENTRY_BYTES}`);
  if (body.includes(LF)) bad(what, 'contains a line break inside the line');
  // The fast path accepts only lines the strict path below accepts, with the same value; for
  // anything else the strict path decides and gives the precise message.
  const fast = parseCanonicalLineFast(body);
  let value: TranscriptEntry;
  if (fast === undefined) {
    value = parseStrictCanonical(body, what);
  } else {
    assertEntryShape(fast, what);
    value = fast;
  }
  if (expectedSeq !== undefined && value.seq !== expectedSeq) {
    throw new KeyriteError('VERIFY_FAILED', `The ${what} has sequence number ${value.seq}, expected ${expectedSeq}.`);
  }
  return value;
}

/**
 * The strict path: parseJsonStrict (duplicates, lone surrogates, number rules, depth), then
 * the bytes must be exactly the RFC 8785 form of the value. Shape errors come first, as a
 * line that is not an entry is reported as such even when it is also not canonical.
 */
function parseStrictCanonical(body: Uint8Array, what: string): TranscriptEntry {
  const value = parseJsonUtf8(body, what, { maxDepth: MAX_ENTRY_DEPTH, maxLength: MAX_ENTRY_BYTES });
  assertEntryShape(value, what);
  // canonicalize cannot fail on what parseJsonStrict returns (same number and depth rules).
  const canonical = utf8(canonicalize(value, { maxDepth: MAX_ENTRY_DEPTH }));
  if (!sameBytes(canonical, body)) bad(what, 'is not in RFC 8785 canonical form (spacing, member order, number or string spelling was changed)');
  return value;
}

/** Strict UTF-8 that keeps a byte-order mark (so that the line is refused, not silently trimmed). */
const FAST_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** How JSON.stringify writes a lone surrogate (ES2019 well-formed stringify); RFC 8785 has no spelling for one. */
const SURROGATE_ESCAPE_RE = /\\ud[89a-f]/;

/**
 * The verifier's fast path for a line (LF excluded): the value of the line if the line is
 * certainly its own RFC 8785 canonical form and within the strict parser's rules, else
 * undefined (then parseStrictCanonical decides). It holds because, for JSON values whose
 * numbers are safe integers and whose strings have no lone surrogate, JSON.stringify and RFC
 * 8785 write the same text (the same escapes: \b \t \n \f \r, lowercase \u00hh for other
 * controls, \" and \\; numbers as Number::toString) except for member order, which is
 * checked: every object's members must already be in UTF-16 code unit order. So a line equal
 * to JSON.stringify(JSON.parse(line)) with sorted members is canonical; a duplicate member
 * cannot pass (JSON.parse keeps one, so the text would differ), nor whitespace, "\/", a
 * fraction or exponent ("1.0", "1e2" re-serialise differently; true fractions and unsafe
 * integers fail the number rule), "-0", a byte-order mark or invalid UTF-8.
 */
export function parseCanonicalLineFast(body: Uint8Array): unknown {
  if (body.length === 0 || body[0] !== 0x7b) return undefined;
  let text: string;
  try {
    text = FAST_DECODER.decode(body);
  } catch {
    return undefined;
  }
  if (SURROGATE_ESCAPE_RE.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!withinCanonicalRules(value, 1)) return undefined;
  return JSON.stringify(value) === text ? value : undefined;
}

/** Safe integers only (no -0), objects and arrays nested at most MAX_ENTRY_DEPTH deep, members in code unit order. */
function withinCanonicalRules(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0);
  if (typeof v !== 'object' || v === null) return true;
  if (depth > MAX_ENTRY_DEPTH) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (!withinCanonicalRules(x, depth + 1)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const k of Object.keys(v)) {
    if (previous !== undefined && !(previous < k)) return false;
    previous = k;
    if (!withinCanonicalRules((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
