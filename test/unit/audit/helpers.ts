// Shared helpers for the audit-script tests: bundle views with realistic transcripts, a
// one-line way to run a script in-process, and error assertions.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isKeyriteError } from '../../../core/errors.ts';
import type { ErrorCode } from '../../../core/errors.ts';
import { runAuditScript } from '../../../core/audit/sandbox.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import type { AuditLimits, AuditScriptErrorKind, AuditScriptResult } from '../../../core/audit/sandbox.ts';
import type { AuditBundleView, JsonObject } from '../../../core/audit/view.ts';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const AUDIT_SCRIPTS = `${REPO}ceremony-scripts/audit/`;

/** Short limits so failure tests stay quick. */
export const FAST: Partial<AuditLimits> = { timeMs: 400 };

const ZERO = '0'.repeat(64);

/** A transcript: [type, actor, body, minutes after 09:00 on 2026-03-01]. */
export function transcript(rows: readonly (readonly [string, string, JsonObject, number])[]): JsonObject[] {
  const base = Date.UTC(2026, 2, 1, 9, 0, 0);
  return rows.map(([type, actor, body, minutes], seq) => ({
    v: 1,
    seq,
    time: new Date(base + minutes * 60_000).toISOString(),
    type,
    actor,
    body,
    prev: ZERO,
  }));
}

export const TRUSTEES = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5'];

/**
 * A root ceremony that did everything right, in the engine's vocabulary (docs/FORMATS.md,
 * "Transcript entry types"): 5 trustees check in (each also generating an identity key), one
 * repeated step with a witness, the master key generated, 8 hours in all.
 */
export function goodCeremony(): JsonObject[] {
  return transcript([
    ['ceremony.start', 'admin', { kind: 'root-keygen', participants: [{ id: 'admin', name: 'Ada', role: 'administrator' }, ...TRUSTEES.map((id) => ({ id, name: id, role: 'trustee' })), { id: 'witness', name: 'Wes', role: 'witness' }], quorum: { n: 5, t: 3 } }, 0],
    ...TRUSTEES.flatMap((id, i) => [
      ['key.generate', id, { role: 'trustee', owner: id, step: 'check-in' }, 10 + i] as const,
      ['participant.check-in', id, { role: 'trustee', participantId: id, step: 'check-in', enrolled: true }, 10 + i] as const,
    ]),
    ['witness.confirm', 'witness', { step: 'check-in', witness: 'witness', via: 'answers-file' }, 16],
    ['step.deviation', 'admin', { step: 'self-test', action: 'self-test', kind: 'repeated', reason: 'process ended before the step completed', witness: 'witness' }, 30],
    ['key.generate', 'admin', { role: 'master', step: 'generate' }, 60],
    ['witness.confirm', 'witness', { step: 'generate', witness: 'witness', via: 'answers-file' }, 61],
    ['ceremony.end', 'admin', { step: 'co-sign', status: 'complete' }, 480],
  ]);
}

/** The view the verifier would build from test/fixtures/golden-bundle (the engine's own output). */
export function goldenView(): AuditBundleView {
  const dir = `${REPO}test/fixtures/golden-bundle/`;
  const files: Record<string, { sha256: string; size: number; text?: string }> = {};
  const walk = (sub: string) => {
    for (const name of readdirSync(`${dir}${sub}`).sort()) {
      const rel = `${sub}${name}`;
      if (statSync(`${dir}${rel}`).isDirectory()) walk(`${rel}/`);
      else {
        const bytes = readFileSync(`${dir}${rel}`);
        files[rel] = { sha256: toHex(sha256(bytes)), size: bytes.length, text: bytes.toString('utf8') };
      }
    }
  };
  walk('');
  const envelope = JSON.parse(files['statement.dsse.json']!.text!) as { payload: string };
  return {
    files,
    transcript: files['transcript.jsonl']!.text!.trim().split('\n').map((line) => JSON.parse(line) as JsonObject),
    checks: [],
    policy: JSON.parse(files['policy.json']!.text!) as JsonObject,
    statement: JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as JsonObject,
  };
}

export function view(entries: readonly JsonObject[] = [], extra: Partial<AuditBundleView> = {}): AuditBundleView {
  return {
    files: { 'transcript.jsonl': { sha256: 'ab'.repeat(32), size: 1234, text: '{}\n' } },
    transcript: entries,
    checks: [{ name: 'transcript: hash chain', ok: true, reason: 'all links match' }],
    policy: null,
    statement: null,
    ...extra,
  };
}

export function run(source: string, options: { fileName?: string; bundle?: AuditBundleView; limits?: Partial<AuditLimits>; fixedTime?: number } = {}): Promise<AuditScriptResult> {
  return runAuditScript({
    source,
    fileName: options.fileName ?? 'test-script.js',
    bundle: options.bundle ?? view(goodCeremony()),
    limits: options.limits ?? FAST,
    ...(options.fixedTime !== undefined ? { fixedTime: options.fixedTime } : {}),
  });
}

export function assertErrorKind(r: AuditScriptResult, kind: AuditScriptErrorKind, message?: RegExp): void {
  assert.equal(r.ok, false, 'a result with an error is never ok');
  assert.ok(r.error, `expected an error of kind ${kind}, got none (checks: ${JSON.stringify(r.checks)})`);
  assert.equal(r.error.kind, kind, `expected ${kind}, got ${r.error.kind}: ${r.error.message}`);
  if (message) assert.match(r.error.message, message);
}

/** The check recorded under `name` (without the audit prefix). */
export function checkNamed(r: AuditScriptResult, name: string, fileName = 'test-script.js') {
  const c = r.checks.find((x) => x.name === `audit:${fileName}: ${name}`);
  assert.ok(c, `no check named "${name}" in ${JSON.stringify(r.checks.map((x) => x.name))}${r.error ? ` (error: ${r.error.message})` : ''}`);
  return c;
}

export function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => isKeyriteError(e, code), `expected KeyriteError ${code}`);
}

export async function rejectsCode(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => isKeyriteError(e, code) && (message === undefined || message.test((e as Error).message)), `expected KeyriteError ${code}`);
}
