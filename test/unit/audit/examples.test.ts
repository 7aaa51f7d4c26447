// The example audit scripts in ceremony-scripts/audit/ against good and flawed ceremonies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AuditScriptResult } from '../../../core/audit/sandbox.ts';
import type { JsonObject } from '../../../core/audit/view.ts';
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
