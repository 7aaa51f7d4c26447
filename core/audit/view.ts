/**
 * The data an audit script sees: a read-only, JSON-only view of one bundle, filled in by the
 * verifier (DESIGN.md, "Verifier"; docs/AUDIT-SCRIPTS.md). Nothing but JSON crosses into the
 * sandbox: the view is checked here, written as RFC 8785 canonical JSON (so object members
 * reach the script in one fixed order), and parsed again inside the VM.
 */
import { KeyriteError } from '../errors.ts';
import { canonicalize } from '../encoding/jcs.ts';

export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [member: string]: JsonValue;
}

/** One file of the bundle, by its path inside the bundle ("transcript.jsonl", "escrow/manifest.json"). */
export interface AuditFileView {
  /** Lowercase hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
  /** The file as text, present only when it is UTF-8 text (JSON, JSONL, YAML, notes…). */
  readonly text?: string;
}

/** A check the verifier has already run, as reported so far. */
export interface AuditCheckView {
  readonly name: string;
  readonly ok: boolean;
  readonly reason: string;
}

export interface AuditBundleView {
  /** Every file of the bundle, keyed by its path inside the bundle. */
  readonly files: { readonly [path: string]: AuditFileView };
  /** The transcript entries in order, each the parsed JSON object of one line. */
  readonly transcript: readonly JsonObject[];
  /** The verifier's own checks so far. */
  readonly checks: readonly AuditCheckView[];
  /** The ceremony policy or script the bundle was made under, as JSON; null when absent. */
  readonly policy: JsonValue;
  /** The signed statement (e.g. the in-toto statement inside the DSSE envelope), as JSON; null when absent. */
  readonly statement: JsonValue;
}

const MiB = 1024 * 1024;
/** The sandbox's default memory limit (DEFAULT_AUDIT_LIMITS.memoryBytes in sandbox.ts). */
export const AUDIT_DEFAULT_MEMORY_BYTES = 64 * MiB;
/** The largest memory limit accepted (AUDIT_LIMIT_RANGES.memoryBytes in sandbox.ts; `keyrite verify --script-memory 1024`). */
export const AUDIT_MAX_MEMORY_BYTES = 1024 * MiB;
/**
 * The most characters of view JSON audit scripts are ever given, whatever the memory limit:
 * the host holds that text more than once (the verifier, the worker, the copy into the VM),
 * and a V8 string cannot pass 2^29 − 24 characters.
 */
export const AUDIT_VIEW_MAX_CHARS = 256 * MiB;
/** Loading a view into the VM takes about 7–8 bytes of memory per character of its JSON (measured on Keyrite transcripts), rounded up. */
const LOAD_BYTES_PER_CHAR = 10;

const VIEW_MEMBERS = ['checks', 'files', 'policy', 'statement', 'transcript'] as const;
const FILE_MEMBERS = new Set(['sha256', 'size', 'text']);
const CHECK_MEMBERS = ['name', 'ok', 'reason'] as const;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** The deepest nesting accepted in the view (transcript entries nest to 32 below their own level). */
export const AUDIT_VIEW_MAX_DEPTH = 100;

function bad(problem: string): never {
  throw new KeyriteError('INVALID_INPUT', `The bundle view for audit scripts is not valid: ${problem}.`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function shown(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

/** Length of `s` written as an RFC 8785 string, quotes included (jcs.ts: U+0000–U+001F, `"` and `\` escaped). */
export function jsonStringLength(s: string): number {
  let n = s.length + 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) n += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 1 : 5;
    else if (c === 0x22 || c === 0x5c) n += 1;
  }
  return n;
}

/**
 * Length of `bytes` decoded as UTF-8 text and written as an RFC 8785 string, quotes included,
 * counted on the bytes without decoding them: exact for UTF-8 text (a byte-order mark counts
 * one more), an upper bound for anything else.
 */
export function utf8JsonStringLength(bytes: Uint8Array): number {
  let n = 2;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20) n += b === 0x08 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d ? 2 : 6;
    else if (b === 0x22 || b === 0x5c) n += 2;
    else if (b < 0x80) n += 1;
    else if (b >= 0xf0) n += 2; // a 4-byte sequence is a surrogate pair
    else if (b >= 0xc0) n += 1; // 2- and 3-byte sequences; continuation bytes add nothing
  }
  return n;
}

/**
 * Length of `value` as RFC 8785 JSON, counted without writing it. Counting stops once it
 * passes `stopAbove`, and does not follow a cycle or go deeper than the view may nest
 * (canonicalize refuses those), so its work is bounded whatever the value.
 */
export function canonicalJsonLength(value: unknown, stopAbove: number): number {
  let n = 0;
  const ancestors = new Set<object>();
  const visit = (v: unknown, depth: number): void => {
    if (n > stopAbove) return;
    if (typeof v === 'string') n += jsonStringLength(v);
    else if (typeof v === 'number') n += Object.is(v, -0) ? 1 : String(v).length;
    else if (typeof v === 'boolean') n += v ? 4 : 5;
    else if (v === null || typeof v !== 'object') n += 4;
    else if (depth <= AUDIT_VIEW_MAX_DEPTH && !ancestors.has(v)) {
      ancestors.add(v);
      if (Array.isArray(v)) {
        n += 1 + Math.max(v.length, 1);
        for (const item of v as unknown[]) visit(item, depth + 1);
      } else {
        const names = Object.keys(v);
        n += 1 + Math.max(names.length, 1);
        for (const name of names) {
          n += jsonStringLength(name) + 1;
          visit((v as Record<string, unknown>)[name], depth + 1);
        }
      }
      ancestors.delete(v);
    }
  };
  visit(value, 1);
  return n;
}

/**
 * The most characters of view JSON a memory limit can load: copying the text into the VM
 * holds it twice (UTF-8, then the engine's string), so half the limit, and never more than
 * AUDIT_VIEW_MAX_CHARS.
 */
function auditViewCapacity(memoryBytes: number): number {
  return Math.min(Math.floor(memoryBytes / 2), AUDIT_VIEW_MAX_CHARS);
}

/** The sentence for bundle data of `chars` characters of JSON that does not fit in `memoryBytes`: how much, the limit, how to go on. */
export function auditViewTooLargeMessage(chars: number, memoryBytes: number): string {
  const without = 'verify the bundle without audit scripts (no --script)';
  // Counting stops past the cap, so beyond it only "more than" is known.
  if (chars > AUDIT_VIEW_MAX_CHARS) return `The bundle data for audit scripts would be more than ${AUDIT_VIEW_MAX_CHARS / MiB} MiB of JSON, more than audit scripts can be given at any memory limit; ${without}.`;
  const data = `The bundle data for audit scripts (${(chars / MiB).toFixed(1)} MiB of JSON)`;
  if (memoryBytes >= AUDIT_MAX_MEMORY_BYTES) return `${data} does not fit even in the largest audit script memory limit, ${AUDIT_MAX_MEMORY_BYTES / MiB} MiB; ${without}.`;
  const step = 64 * MiB;
  const wanted = Math.min(AUDIT_MAX_MEMORY_BYTES, Math.ceil(Math.max(chars * LOAD_BYTES_PER_CHAR, memoryBytes * 2) / step) * step);
  return (
    `${data} does not fit in the audit script memory limit of ${(memoryBytes / MiB).toFixed(memoryBytes % MiB === 0 ? 0 : 1)} MiB (loading it takes about ${LOAD_BYTES_PER_CHAR} bytes per character). ` +
    `Raise the limit with keyrite verify --script-memory ${wanted / MiB} (at most ${AUDIT_MAX_MEMORY_BYTES / MiB}), or ${without}.`
  );
}

/** Throws AUDIT_SCRIPT_ERROR (exit 3) when `chars` characters of view JSON cannot be loaded under `memoryBytes` (auditViewCapacity). */
export function assertAuditViewFits(chars: number, memoryBytes: number): void {
  if (chars > auditViewCapacity(memoryBytes)) throw new KeyriteError('AUDIT_SCRIPT_ERROR', auditViewTooLargeMessage(chars, memoryBytes));
}

/**
 * Checks the shape of `view` and returns it as canonical JSON text (RFC 8785), the form in
 * which it enters the sandbox. Throws INVALID_INPUT (the verifier's mistake, not the script's)
 * for anything that is not the documented shape or not JSON (undefined, functions, cycles,
 * non-finite numbers, lone surrogates, class instances…), and AUDIT_SCRIPT_ERROR, before
 * writing anything, for a view too large to load under `memoryBytes` of audit script memory.
 */
export function serializeAuditBundle(view: AuditBundleView, memoryBytes = AUDIT_DEFAULT_MEMORY_BYTES): string {
  if (!isPlainObject(view)) bad('it must be a plain object');
  for (const name of Object.keys(view)) {
    if (!(VIEW_MEMBERS as readonly string[]).includes(name)) bad(`it has the unknown member ${shown(name)} (known: ${VIEW_MEMBERS.join(', ')})`);
  }
  for (const name of VIEW_MEMBERS) if (!Object.prototype.hasOwnProperty.call(view, name)) bad(`it has no "${name}" member (use null or an empty list)`);
  const files: unknown = view.files;
  if (!isPlainObject(files)) bad('"files" must be an object keyed by path');
  for (const path of Object.keys(files)) {
    const f = files[path];
    if (path.length === 0) bad('a file has an empty path');
    if (!isPlainObject(f)) bad(`the file ${shown(path)} must be an object`);
    for (const m of Object.keys(f)) if (!FILE_MEMBERS.has(m)) bad(`the file ${shown(path)} has the unknown member ${shown(m)}`);
    if (typeof f.sha256 !== 'string' || !SHA256_HEX.test(f.sha256)) bad(`the file ${shown(path)} needs "sha256" as 64 lowercase hex digits`);
    if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size < 0) bad(`the file ${shown(path)} needs "size" as a whole number of bytes`);
    if (f.text !== undefined && typeof f.text !== 'string') bad(`the file ${shown(path)} has a "text" that is not a string`);
  }
  const transcript: unknown = view.transcript;
  if (!Array.isArray(transcript)) bad('"transcript" must be a list of entries');
  transcript.forEach((e: unknown, i) => {
    if (!isPlainObject(e)) bad(`transcript entry ${i} is not an object`);
  });
  const checks: unknown = view.checks;
  if (!Array.isArray(checks)) bad('"checks" must be a list');
  checks.forEach((c: unknown, i) => {
    if (!isPlainObject(c) || Object.keys(c).length !== CHECK_MEMBERS.length || typeof c.name !== 'string' || typeof c.ok !== 'boolean' || typeof c.reason !== 'string') {
      bad(`check ${i} must be exactly { name: string, ok: boolean, reason: string }`);
    }
  });
  assertAuditViewFits(canonicalJsonLength(view, AUDIT_VIEW_MAX_CHARS), memoryBytes);
  try {
    return canonicalize(view, { allowUnsafeIntegers: true, maxDepth: AUDIT_VIEW_MAX_DEPTH });
  } catch (e) {
    // jcs.ts names the path ("… at $.files["a"].text"); keep its sentence.
    throw new KeyriteError('INVALID_INPUT', `The bundle view for audit scripts is not JSON data. ${(e as Error).message}`, { cause: e });
  }
}

/** RFC 3339 UTC as the transcript writes it (fraction optional here: the view is read, not checked). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

function timeOf(entry: JsonObject): number | undefined {
  const t = entry['time'];
  if (typeof t !== 'string' || !UTC_TIME.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The instant the sandbox's clock is frozen at: the time of the last "ceremony.end" entry,
 * else of the last entry with a readable time, else 0 (1970-01-01T00:00:00Z). The same
 * bundle therefore always gives the same `Date.now()`.
 */
export function auditClock(view: AuditBundleView): number {
  let last: number | undefined;
  for (let i = view.transcript.length - 1; i >= 0; i--) {
    const entry = view.transcript[i]!;
    const ms = timeOf(entry);
    if (ms === undefined) continue;
    if (entry['type'] === 'ceremony.end') return ms;
    last ??= ms;
  }
  return last ?? 0;
}
