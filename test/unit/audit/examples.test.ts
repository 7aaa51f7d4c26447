// The example audit scripts in ceremony-scripts/audit/ against good and flawed ceremonies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { sha256 } from '../../../core/crypto/hash.ts';
import { auditBundleView } from '../../../core/verifier/audit-view.ts';
import type { VerifyReport } from '../../../core/verifier/report.ts';
import type { AuditScriptResult } from '../../../core/audit/sandbox.ts';
import type { AuditBundleView, JsonObject, JsonValue } from '../../../core/audit/view.ts';
import { readBundleDir } from '../../helpers/bundle-files.ts';
import { GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE } from '../../helpers/golden.ts';
import { AUDIT_SCRIPTS, TRUSTEES, checkNamed, goldenView, goodCeremony, run, transcript, view } from './helpers.ts';

const EXAMPLES = ['every-trustee-checked-in.js', 'no-unwitnessed-deviation.js', 'ceremony-within-one-day.js'];

function runExample(fileName: string, entries: readonly JsonObject[], policy: JsonObject | null = null): Promise<AuditScriptResult> {
  return run(readFileSync(`${AUDIT_SCRIPTS}${fileName}`, 'utf8'), { fileName, bundle: view(entries, { policy }), limits: {} });
}

test('every example passes on the golden bundle the ceremony engine wrote, and notices a missing check-in', async () => {
  const golden = goldenView();
  for (const fileName of EXAMPLES) {
    const r = await run(readFileSync(`${AUDIT_SCRIPTS}${fileName}`, 'utf8'), { fileName, bundle: golden, limits: {} });
    assert.equal(r.error, undefined, `${fileName}: ${r.error?.message}`);
    for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
  }
  const f = 'every-trustee-checked-in.js';
  const doctored = { ...golden, transcript: golden.transcript.filter((e) => !(e.type === 'participant.check-in' && e.actor === 'trustee-2')) };
  const r = await run(readFileSync(`${AUDIT_SCRIPTS}${f}`, 'utf8'), { fileName: f, bundle: doctored, limits: {} });
  assert.equal(named(r, f, 'trustee trustee-2 checked in before key generation').reason, 'no check-in found');
  assert.equal(named(r, f, 'every trustee checked in before key generation').ok, false);
});

test('every example passes on the golden recovery bundle too; every-trustee-checked-in checks the trustees present before the first share was accepted', async () => {
  const recovery = auditBundleView(readBundleDir(GOLDEN_RECOVERY_FIXTURE), NO_CHECKS, sha256);
  for (const fileName of EXAMPLES) {
    const r = await run(readFileSync(`${AUDIT_SCRIPTS}${fileName}`, 'utf8'), { fileName, bundle: recovery, limits: {} });
    assert.equal(r.error, undefined, `${fileName}: ${r.error?.message}`);
    for (const c of r.checks) assert.equal(c.ok, true, `${fileName}: ${c.name}: ${c.reason}`);
  }
  const f = 'every-trustee-checked-in.js';
  const firstShare = recovery.transcript.findIndex((e) => e.type === 'share.accepted');
  const late = recovery.transcript.findIndex((e) => e.type === 'participant.check-in' && e.actor === 'trustee-4');
  const transcript = [...recovery.transcript];
  const [moved] = transcript.splice(late, 1);
  transcript.splice(firstShare, 0, moved!);
  const r = await run(readFileSync(`${AUDIT_SCRIPTS}${f}`, 'utf8'), { fileName: f, bundle: { ...recovery, transcript }, limits: {} });
  assert.equal(named(r, f, 'trustee trustee-4 checked in before the first share was accepted').reason, 'checked in only after the first share was accepted');
  assert.equal(named(r, f, 'every trustee checked in before the first share was accepted').ok, false);
});

function named(r: AuditScriptResult, fileName: string, name: string) {
  return checkNamed(r, name, fileName);
}

test('every example passes on a good ceremony, without errors', async () => {
  for (const fileName of EXAMPLES) {
    const r = await runExample(fileName, goodCeremony());
    assert.equal(r.error, undefined, `${fileName}: ${r.error?.message}`);
    for (const c of r.checks) assert.equal(c.ok, true, `${c.name}: ${c.reason}`);
    assert.ok(r.checks.length >= 2);
  }
});

test('every example fails with reasons, never throws, on an empty transcript or odd entries', async () => {
  const odd: JsonObject[] = [
    {},
    { type: 5 },
    { type: 'ceremony.start', body: 5 },
    { type: 'participant.check-in', body: { role: 'trustee' } },
    { type: 'step.deviation', body: null, time: 'yesterday' },
    { type: 'witness.confirm', body: { seq: 'x' } },
    { type: 'key.generate', seq: 'x' },
    { type: 'ceremony.end', time: '2026-13-45T99:99:99Z' },
  ];
  for (const entries of [[], odd]) {
    for (const fileName of EXAMPLES) {
      const r = await runExample(fileName, entries);
      assert.equal(r.error, undefined, `${fileName}: ${r.error?.message}`);
    }
  }
  const trustees = await runExample('every-trustee-checked-in.js', []);
  assert.equal(trustees.ok, false);
  assert.match(named(trustees, 'every-trustee-checked-in.js', 'every trustee checked in before key generation').reason, /no key.generate entry for the master key/);
  const deviations = await runExample('no-unwitnessed-deviation.js', []);
  assert.equal(deviations.ok, true, 'no deviation at all is fine');
  const day = await runExample('ceremony-within-one-day.js', []);
  assert.equal(named(day, 'ceremony-within-one-day.js', 'ceremony took place within one day').ok, false);
});

test('every-trustee-checked-in: a trustee who checks in after key generation is named', async () => {
  const entries = goodCeremony().filter((e) => !(e.type === 'participant.check-in' && e.actor === 'trustee-4'));
  entries.push(...transcript([['participant.check-in', 'trustee-4', { role: 'trustee', participantId: 'trustee-4' }, 120]]));
  const f = 'every-trustee-checked-in.js';
  const r = await runExample(f, entries);
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(r.ok, false);
  assert.equal(named(r, f, 'trustee trustee-4 checked in before key generation').reason, 'checked in only after key generation');
  assert.equal(named(r, f, 'trustee trustee-3 checked in before key generation').ok, true);
  assert.match(named(r, f, 'every trustee checked in before key generation').reason, /1 of 5 trustees had not checked in: trustee-4/);
});

test('every-trustee-checked-in: without a roster, the policy count is used', async () => {
  const f = 'every-trustee-checked-in.js';
  const noRoster = goodCeremony().map((e) => (e.type === 'ceremony.start' ? { ...e, body: {} } : e));
  const ok = await runExample(f, noRoster, { roles: { trustee: 5 }, quorum: { n: 5, t: 3 } });
  assert.equal(ok.ok, true, JSON.stringify(ok.checks));
  const tooFew = await runExample(f, noRoster, { roles: { trustee: 6 } });
  assert.match(named(tooFew, f, 'every trustee checked in before key generation').reason, /5 distinct trustees .* 6 expected/);
  const unknown = await runExample(f, noRoster);
  assert.match(named(unknown, f, 'every trustee checked in before key generation').reason, /does not say who the trustees are/);
  assert.equal(TRUSTEES.length, 5);
});

test('no-unwitnessed-deviation: an unwitnessed or unexplained deviation fails; a later witness.confirm of the step counts', async () => {
  const f = 'no-unwitnessed-deviation.js';
  const base = goodCeremony();
  const self = base.findIndex((e) => e.type === 'step.deviation');
  assert.equal(named(await runExample(f, base), f, `deviation at seq ${self} (step self-test, repeated) was witnessed`).reason, 'witness witness in the entry');
  const more = transcript([
    ['step.deviation', 'admin', { step: 'entropy', action: 'entropy', kind: 'repeated', reason: 'dice re-rolled', witness: null }, 40],
    ['step.deviation', 'admin', { step: 'import', action: 'import', kind: 'skipped', witnessed: true }, 41],
  ]).map((e, i) => ({ ...e, seq: base.length + i }));
  const r = await runExample(f, [...base, ...more]);
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(named(r, f, `deviation at seq ${base.length} (step entropy, repeated) was witnessed`).ok, false);
  assert.equal(named(r, f, `deviation at seq ${base.length + 1} (step import, skipped) was witnessed`).ok, false, 'witnessed: true without a witness id is not enough');
  assert.match(named(r, f, 'no deviation without a witness').reason, /2 of 3 deviations have no witness/);
  assert.match(named(r, f, 'every deviation states a reason').reason, new RegExp(`no reason at seq ${base.length + 1}$`));
  // A confirmation of the same step counts only after the deviation.
  const confirmBefore = transcript([['witness.confirm', 'witness', { step: 'entropy', witness: 'witness' }, 39]]).map((e) => ({ ...e, seq: 99 }));
  const r2 = await runExample(f, [...base, ...confirmBefore, ...more]);
  assert.equal(named(r2, f, `deviation at seq ${base.length} (step entropy, repeated) was witnessed`).ok, false);
  const confirmAfter = transcript([['witness.confirm', 'witness', { step: 'entropy', witness: 'witness' }, 45]]).map((e) => ({ ...e, seq: base.length + 2 }));
  const r3 = await runExample(f, [...base, ...more, ...confirmAfter]);
  assert.equal(named(r3, f, `deviation at seq ${base.length} (step entropy, repeated) was witnessed`).reason, `confirmed by witness at seq ${base.length + 2}`);
});

test('ceremony-within-one-day: more than 24 hours, or an entry outside the window, fails', async () => {
  const f = 'ceremony-within-one-day.js';
  const long = goodCeremony().map((e) => (e.type === 'ceremony.end' ? { ...e, time: '2026-03-02T09:00:00.001Z' } : e));
  const r = await runExample(f, long);
  assert.equal(named(r, f, 'ceremony took place within one day').ok, false);
  assert.match(named(r, f, 'ceremony took place within one day').reason, /24 h 0 min/);
  const early = goodCeremony().map((e, i) => (i === 2 ? { ...e, time: '2026-02-28T23:00:00.000Z' } : e));
  const r2 = await runExample(f, early);
  assert.equal(named(r2, f, 'ceremony took place within one day').ok, true);
  assert.equal(named(r2, f, 'every entry lies within the ceremony').reason, 'outside: seq 2');
});

test('ids of any length or with astral characters or edge spaces, and huge rosters, give checks, never a script error', async () => {
  const odd = ['a' + '\u{1F600}'.repeat(30), 'x'.repeat(500), ' trustee-9 ', '', '\u202e\u200b\n', '\u{1F600}'.repeat(41)];
  const roster = [...TRUSTEES, ...odd, ...Array.from({ length: 1500 }, (_, i) => `extra-${i}`)];
  const entries = goodCeremony().map((e) => (e.type === 'ceremony.start' ? { ...e, body: { ...(e.body as JsonObject), participants: roster.map((id) => ({ id, role: 'trustee' })) } } : e));
  entries.push(
    ...transcript([
      ['participant.check-in', odd[0]!, { role: 'trustee', participantId: odd[0]! }, 20],
      ...Array.from({ length: 1200 }, (_, i) => ['step.deviation', 'admin', { step: odd[i % odd.length]!, kind: 'y'.repeat(300), reason: odd[(i + 1) % odd.length]!, witness: i % 2 === 0 ? odd[i % odd.length]! : null }, 30] as const),
      ['witness.confirm', odd[1]!, { step: odd[1]!, witness: odd[5]! }, 40],
    ]).map((e, i) => ({ ...e, seq: entries.length + i })),
  );
  for (const fileName of EXAMPLES) {
    const r = await runExample(fileName, entries);
    assert.equal(r.error, undefined, `${fileName}: ${r.error?.message}`);
    assert.ok(r.checks.length >= 2 && r.checks.length <= 503, `${fileName}: ${r.checks.length} checks`);
  }
  const f = 'every-trustee-checked-in.js';
  const trustees = await runExample(f, entries);
  assert.equal(named(trustees, f, `trustee a${'\u{1F600}'.repeat(30)} checked in before key generation`).reason, 'checked in only after key generation');
  assert.equal(named(trustees, f, `trustee ${'\u{1F600}'.repeat(39)}… checked in before key generation`).reason, 'no check-in found');
  assert.equal(named(trustees, f, 'trustee trustee-9 checked in before key generation').reason, 'no check-in found');
  assert.match(named(trustees, f, 'every trustee checked in before key generation').reason, /^1505 of 1510 trustees had not checked in: a\u{1F600}{30}, x{39}…, trustee-9, \?\?\?, /u);
});

/** auditBundleView reads only the report's checks. */
const NO_CHECKS = { checks: [] } as unknown as VerifyReport;

/** Text a bundle may hold: any code points, astral characters at odd offsets, edge spaces, controls and bidi, long runs, or a name the scripts look for. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.replace(/\p{Cs}/gu, '\uFFFD')),
  fc.string({ unit: fc.constantFrom('a', ' ', '\u{1F600}', '\u{20000}', '\u00E9', '\u0301', '\u202E', '\u200B', '\n', '"', '\\'), maxLength: 120 }),
  fc.constantFrom('', ' ', 'trustee', 'trustee-1', 'check-in', 'generate', 'master', 'witness'),
);
const anyValue: fc.Arbitrary<JsonValue> = fc.oneof(anyText, anyText, fc.jsonValue() as fc.Arbitrary<JsonValue>);
/** An entry of a type the scripts read, with members they read (any may be missing) holding any text. */
const readEntry = fc.record({
  type: fc.constantFrom('step.deviation', 'step.deviation', 'participant.check-in', 'witness.confirm', 'key.generate', 'ceremony.start', 'ceremony.end'),
  actor: anyText,
  body: fc.record(
    { role: fc.constantFrom('trustee', 'master', 'witness'), participantId: anyText, step: anyText, kind: anyText, reason: anyText, witness: fc.option(anyText) },
    { requiredKeys: ['role', 'step'] },
  ),
});
/** A value anywhere in an entry replaced or removed, or an entry repeated elsewhere. */
const edit = fc.record({ op: fc.constantFrom('set', 'delete', 'repeat'), index: fc.nat(), at: fc.nat(), value: anyValue });
/**
 * A golden bundle's transcript changed: its ceremony.start given a roster of any ids, entries
 * the scripts read inserted anywhere, and other edits.
 */
const scenario = fc.record({
  golden: fc.constantFrom(0, 1),
  roster: fc.option(fc.array(fc.record({ id: anyText, role: fc.constantFrom('trustee', 'witness') }), { maxLength: 10 }), { nil: undefined }),
  inserted: fc.array(fc.record({ at: fc.nat(), entry: readEntry }), { maxLength: 6 }),
  edits: fc.array(edit, { maxLength: 6 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** Every place inside `value`: [container, key] pairs, the value itself excluded. */
function places(value: JsonValue, out: [Record<string, JsonValue> | JsonValue[], string | number][] = []): typeof out {
  if (Array.isArray(value)) {
    value.forEach((item: JsonValue, i) => {
      out.push([value as JsonValue[], i]);
      places(item, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([value as Record<string, JsonValue>, k]);
      places(v, out);
    }
  }
  return out;
}

function transcriptOf(golden: AuditBundleView, { roster, inserted, edits }: Scenario): Record<string, JsonValue>[] {
  const transcript = structuredClone(golden.transcript) as Record<string, JsonValue>[];
  const start = transcript.find((e) => e.type === 'ceremony.start');
  if (roster !== undefined && start !== undefined) start.body = { ...(start.body as JsonObject), participants: roster };
  for (const { at, entry } of inserted) {
    transcript.splice(at % (transcript.length + 1), 0, { v: 1, seq: at, time: '2026-01-01T09:30:00.000Z', prev: '0'.repeat(64), ...entry } as Record<string, JsonValue>);
  }
  for (const { op, index, at, value } of edits) {
    const target = transcript[index % transcript.length]!;
    if (op === 'repeat') {
      transcript.splice(at % (transcript.length + 1), 0, structuredClone(target));
      continue;
    }
    const inside = places(target);
    const [container, key] = inside[at % inside.length]!;
    if (op === 'delete' && !Array.isArray(container)) delete container[key];
    else (container as Record<string | number, JsonValue>)[key] = value;
  }
  return transcript;
}

test('property: on both golden bundles with ids and text changed at random, every example only records checks', async () => {
  const goldens = [GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE].map((dir) => auditBundleView(readBundleDir(dir), NO_CHECKS, sha256));
  const sources = EXAMPLES.map((fileName) => [fileName, readFileSync(`${AUDIT_SCRIPTS}${fileName}`, 'utf8')] as const);
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const bundle = { ...goldens[s.golden]!, transcript: transcriptOf(goldens[s.golden]!, s) };
      for (const [fileName, source] of sources) {
        const r = await run(source, { fileName, bundle, limits: {} });
        assert.equal(r.error, undefined, `${fileName}: ${r.error?.message}`);
        assert.ok(r.checks.length >= 2, `${fileName} recorded ${r.checks.length} checks`);
      }
    }),
    // Unshrunk: every try runs three sandboxes, so shrinking would take minutes.
    { numRuns: 15, endOnFailure: true },
  );
});
