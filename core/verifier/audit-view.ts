/**
 * The read-only view audit scripts get of a verified bundle (docs/AUDIT-SCRIPTS.md): every
 * file's SHA-256 and size (and its text when it is small UTF-8 text), the transcript entries,
 * policy.json, the in-toto statement and the verifier's own checks so far.
 */
import { toHex } from '../encoding/hex.ts';
import { parseEnvelope } from '../encoding/dsse.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { readTranscript } from '../transcript/transcript.ts';
import type { AuditBundleView, AuditFileView, JsonObject, JsonValue } from '../audit/view.ts';
import type { BundleFiles } from '../bundle/layout.ts';
import type { VerifyReport } from './report.ts';

/** Larger files (verify.html) are given by hash and size only. */
const MAX_TEXT_BYTES = 1024 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: true });

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

export function auditBundleView(files: BundleFiles, report: VerifyReport, sha256: (b: Uint8Array) => Uint8Array): AuditBundleView {
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
    checks: report.checks.map((c) => ({ name: c.name, ok: c.status === 'pass', reason: c.detail })),
    policy: jsonOrNull(() => (policyBytes ? parseJsonStrict(decoder.decode(policyBytes), 'policy.json') : null)),
    statement: jsonOrNull(() => (statementBytes ? parseJsonStrict(decoder.decode(parseEnvelope(decoder.decode(statementBytes)).payload), 'statement') : null)),
  };
}
