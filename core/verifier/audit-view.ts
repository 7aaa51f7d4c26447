/**
 * The read-only view audit scripts get of a verified bundle (docs/AUDIT-SCRIPTS.md): every
 * file's SHA-256 and size (and its text when it is small UTF-8 text), the transcript entries,
 * policy.json, the in-toto statement and the verifier's own checks so far. Its size is
 * bounded from the files' bytes before any of it is built.
 */
import { toHex } from '../encoding/hex.ts';
import { parseEnvelope } from '../encoding/dsse.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { readTranscript } from '../transcript/transcript.ts';
import { AUDIT_DEFAULT_MEMORY_BYTES, AUDIT_VIEW_MAX_CHARS, assertAuditViewFits, canonicalJsonLength, jsonStringLength, utf8JsonStringLength } from '../audit/view.ts';
import type { AuditBundleView, AuditCheckView, AuditFileView, JsonObject, JsonValue } from '../audit/view.ts';
import type { BundleFiles } from '../bundle/layout.ts';
import type { VerifyReport } from './report.ts';

/** Larger files (verify.html) are given by hash and size only. */
const MAX_TEXT_BYTES = 1024 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: true });
/** The view's own members and punctuation: `{"checks":…,"files":…,"policy":…,"statement":…,"transcript":…}`. */
const VIEW_SKELETON_CHARS = '{"checks":,"files":,"policy":,"statement":,"transcript":}'.length;
/** One file's members but its text: `{"sha256":"<64 hex>","size":…}`. */
const FILE_SKELETON_CHARS = '{"sha256":"","size":}'.length + 64;
const TEXT_MEMBER_CHARS = ',"text":'.length;
/** The files the view's JSON members are parsed from. */
const PARSED_SOURCES = ['transcript.jsonl', 'policy.json', 'statement.dsse.json'];

function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.length > MAX_TEXT_BYTES) return undefined;
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function jsonOrNull(read: () => unknown): JsonValue {
  try {
    return read() as JsonValue;
  } catch {
    return null;
  }
}

/**
 * An upper bound of the length of the view's JSON, counted on the files' bytes without decoding
 * or writing anything: each file's member (a file small enough to be given as text counted as
 * if it were text), plus the sizes of the files the JSON members are parsed from — the
 * canonical JSON of a strictly parsed file is never longer than the file (no whitespace, no
 * longer escapes, whole numbers only).
 */
export function auditViewLengthBound(files: BundleFiles, checks: readonly AuditCheckView[]): number {
  let n = VIEW_SKELETON_CHARS + canonicalJsonLength(checks, AUDIT_VIEW_MAX_CHARS) + 1 + Math.max(files.size, 1);
  for (const [path, bytes] of files) {
    n += jsonStringLength(path) + 1 + FILE_SKELETON_CHARS + String(bytes.length).length;
    if (bytes.length <= MAX_TEXT_BYTES) n += TEXT_MEMBER_CHARS + utf8JsonStringLength(bytes);
    if (n > AUDIT_VIEW_MAX_CHARS) return n;
  }
  for (const path of PARSED_SOURCES) n += Math.max(files.get(path)?.length ?? 0, 'null'.length) + '[]'.length;
  return n;
}

/**
 * The view of `files` for audit scripts. Throws AUDIT_SCRIPT_ERROR (exit 3), before building
 * anything, when it could not be loaded under `memoryBytes` of audit script memory.
 */
export function auditBundleView(files: BundleFiles, report: VerifyReport, sha256: (b: Uint8Array) => Uint8Array, memoryBytes = AUDIT_DEFAULT_MEMORY_BYTES): AuditBundleView {
  const checks = report.checks.map((c): AuditCheckView => ({ name: c.name, ok: c.status === 'pass', reason: c.detail }));
  assertAuditViewFits(auditViewLengthBound(files, checks), memoryBytes);
  const view: Record<string, AuditFileView> = {};
  for (const [path, bytes] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const text = textOf(bytes);
    view[path] = { sha256: toHex(sha256(bytes)), size: bytes.length, ...(text === undefined ? {} : { text }) };
  }
  const transcriptBytes = files.get('transcript.jsonl');
  const transcript = jsonOrNull(() => (transcriptBytes ? readTranscript(transcriptBytes).entries : [])) ?? [];
  const policyBytes = files.get('policy.json');
  const statementBytes = files.get('statement.dsse.json');
  return {
    files: view,
    transcript: transcript as unknown as readonly JsonObject[],
    checks,
    policy: jsonOrNull(() => (policyBytes ? parseJsonStrict(decoder.decode(policyBytes), 'policy.json') : null)),
    statement: jsonOrNull(() => (statementBytes ? parseJsonStrict(decoder.decode(parseEnvelope(decoder.decode(statementBytes)).payload), 'statement') : null)),
  };
}
