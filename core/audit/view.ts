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

/**
 * Checks the shape of `view` and returns it as canonical JSON text (RFC 8785), the form in
 * which it enters the sandbox. Throws INVALID_INPUT (the verifier's mistake, not the script's)
 * for anything that is not the documented shape or not JSON (undefined, functions, cycles,
 * non-finite numbers, lone surrogates, class instances…).
 */
export function serializeAuditBundle(view: AuditBundleView): string {
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
