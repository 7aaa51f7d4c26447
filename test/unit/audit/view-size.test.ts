// The audit view's size is known before it is built: counted on the files' bytes, refused
// (AUDIT_SCRIPT_ERROR, exit 3) when it cannot be loaded under the audit script memory limit,
// and the counts agree with what the view's JSON really is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isKeyriteError } from '../../../core/errors.ts';
import { utf8 } from '../../../core/bytes.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { canonicalize } from '../../../core/encoding/jcs.ts';
import { auditBundleView, auditViewLengthBound } from '../../../core/verifier/audit-view.ts';
import { canonicalJsonLength, jsonStringLength, serializeAuditBundle, utf8JsonStringLength } from '../../../core/audit/view.ts';
import { runAuditScripts } from '../../../core/node/audit-runner.ts';
import type { VerifyReport } from '../../../core/verifier/report.ts';
import type { JsonObject } from '../../../core/audit/view.ts';
import { readBundleDir } from '../../helpers/bundle-files.ts';
import { GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE } from '../../helpers/golden.ts';
import { AUDIT_SCRIPTS, assertErrorKind, goodCeremony, rejectsCode, run, view } from './helpers.ts';

const MiB = 1024 * 1024;
/** auditBundleView reads only the report's checks. */
const REPORT = { checks: [{ name: 'bundle-files', status: 'fail', detail: 'The files differ from bundle.json.' }] } as unknown as VerifyReport;

/** The golden bundle plus `count` names for one 1 MiB NUL-filled buffer: as many MiB of bundle, in 1 MiB of memory. */
function nulPadded(count: number): Map<string, Uint8Array> {
  const files = readBundleDir(GOLDEN_FIXTURE);
  const nul = new Uint8Array(MiB);
  for (let i = 0; i < count; i++) files.set(`pad-${i}.bin`, nul);
  return files;
}

/** Any Unicode text, astral characters and controls included (lone surrogates replaced: JSON cannot hold them). */
function wellFormedString(maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary', maxLength }).map((s) => s.replace(/\p{Cs}/gu, '\uFFFD'));
}

function isAuditScriptError(message: RegExp) {
  return (e: unknown) => isKeyriteError(e, 'AUDIT_SCRIPT_ERROR') && message.test((e as Error).message);
}

test('NUL-filled files: the view is refused from the file sizes, before any file is hashed or decoded', () => {
  let hashed = 0;
  const countingSha256 = (b: Uint8Array) => (hashed++, sha256(b));
  // The bundle: 100 MiB of NULs would be 600 MiB of escaped JSON.
  assert.throws(() => auditBundleView(nulPadded(100), REPORT, countingSha256), isAuditScriptError(/more than 256 MiB of JSON, more than audit scripts can be given at any memory limit; verify the bundle without audit scripts \(no --script\)\.$/));
  assert.throws(() => auditBundleView(nulPadded(100), REPORT, countingSha256, 1024 * MiB), isAuditScriptError(/at any memory limit/));
  // 10 MiB of NULs, 60 MiB of JSON: more than the default 64 MiB can load (half of it), not more than the largest limit.
  assert.throws(() => auditBundleView(nulPadded(10), REPORT, countingSha256), isAuditScriptError(/\(60\.\d MiB of JSON\) does not fit in the audit script memory limit of 64 MiB .* --script-memory \d+ \(at most 1024\)/));
  assert.equal(hashed, 0, 'nothing of the view was built');
  const fits = auditBundleView(nulPadded(10), REPORT, countingSha256, 256 * MiB);
  assert.equal(fits.files['pad-0.bin']!.text!.length, MiB);
});

test('a view that is already built is measured before its JSON is written, and refused the same way', async () => {
  const nul = '\u0000'.repeat(MiB);
  const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`pad-${i}.bin`, { sha256: '00'.repeat(32), size: MiB, text: nul }]));
  const big = view(goodCeremony(), { files });
  assert.throws(() => serializeAuditBundle(big), isAuditScriptError(/\(72\.\d MiB of JSON\) does not fit in the audit script memory limit of 64 MiB/));
  await rejectsCode(runAuditScripts([`${AUDIT_SCRIPTS}ceremony-within-one-day.js`], big), 'AUDIT_SCRIPT_ERROR', /--script-memory/);
  assertErrorKind(await run(`check('x', true)`, { bundle: big }), 'memory', /does not fit in the audit script memory limit of 64 MiB/);
});

/** About 3 MiB of view JSON: a long transcript, scaled down from 100,000 entries. */
function longTranscript(): JsonObject[] {
  const ceremony = goodCeremony();
  return Array.from({ length: 14_000 }, (_, i) => ({ ...ceremony[i % ceremony.length]!, seq: i }));
}

test('following the advice of "does not fit" loads the bundle data', async () => {
  // Scaled down from a 100,000-entry transcript at 64 MiB: 8 MiB of memory.
  const entries = longTranscript();
  const bundle = view(entries);
  const json = serializeAuditBundle(bundle, 8 * MiB);
  assert.ok(json.length < 4 * MiB, 'within what 8 MiB may load, so the VM itself has to find it too big');
  const tooSmall = await run(`check('loaded', true)`, { bundle, limits: { memoryBytes: 8 * MiB, timeMs: 5000 } });
  assertErrorKind(tooSmall, 'memory', /does not fit in the audit script memory limit of 8 MiB .*Raise the limit with keyrite verify --script-memory (\d+) \(at most 1024\)/);
  const advised = Number(/--script-memory (\d+)/.exec(tooSmall.error!.message)![1]);
  const enough = await run(`check('loaded', bundle.transcript.length === ${entries.length})`, { bundle, limits: { memoryBytes: advised * MiB, timeMs: 5000 } });
  assert.equal(enough.error, undefined, enough.error?.message);
  assert.equal(enough.ok, true);
});

test('loading the bundle data does not use up the script\'s time limit', async () => {
  const entries = longTranscript();
  const r = await run(`check('loaded', bundle.transcript.length === ${entries.length})`, { bundle: view(entries), limits: { memoryBytes: 128 * MiB, timeMs: 20 } });
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(r.ok, true);
});

test('property: the bound from the files is never below the view\'s JSON', () => {
  const goldens = [readBundleDir(GOLDEN_FIXTURE), readBundleDir(GOLDEN_RECOVERY_FIXTURE)];
  const content = fc.oneof(fc.uint8Array({ maxLength: 300 }), wellFormedString(200).map(utf8));
  fc.assert(
    fc.property(fc.constantFrom(0, 1), fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), content, { maxKeys: 5 }), (which, extra) => {
      const files = new Map(goldens[which]);
      for (const [name, bytes] of Object.entries(extra)) files.set(`extra/${name}`, bytes);
      const built = auditBundleView(files, REPORT, sha256);
      assert.ok(auditViewLengthBound(files, built.checks) >= serializeAuditBundle(built).length);
    }),
    { numRuns: 30 },
  );
});

test('property: the counts without writing are the lengths of the canonical JSON', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      assert.equal(canonicalJsonLength(value, Infinity), canonicalize(value, { allowUnsafeIntegers: true, maxDepth: 100 }).length);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(wellFormedString(300), (text) => {
      assert.equal(jsonStringLength(text), canonicalize(text).length);
      assert.equal(utf8JsonStringLength(utf8(text)), jsonStringLength(text));
    }),
    { numRuns: 300 },
  );
});
