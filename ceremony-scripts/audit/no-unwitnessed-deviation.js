/* global bundle, check */
// Audit script: no deviation without a witness.
// A deviation is a step skipped or repeated (e.g. on resume after a crash), recorded with a
// reason (DESIGN.md, "Ceremony scripts"). Each must name a witness in its own entry, or be
// followed by a witness.confirm of the same step.
// Entry types and members it relies on: ceremony-scripts/audit/README.md.
'use strict';

const entries = Array.isArray(bundle.transcript) ? bundle.transcript : [];

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function bodyOf(entry) {
  return isObject(entry) && isObject(entry.body) ? entry.body : {};
}
function seqOf(entry, index) {
  return isObject(entry) && Number.isSafeInteger(entry.seq) ? entry.seq : index;
}
/** Text safe inside a check name or reason: printable characters only, never blank, at most `max` (cut between characters, not inside one). */
function label(text, max = 40) {
  const chars = Array.from(String(text).replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, '?').trim());
  if (chars.length === 0) return '(blank)';
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : chars.join('');
}
function nonEmptyText(v) {
  return typeof v === 'string' && v.trim() !== '';
}

/** The witness named in a deviation entry (body.witness: a witness id, or null). */
function witnessIn(body) {
  return nonEmptyText(body.witness) ? body.witness : undefined;
}

/** Deviations checked one by one; any more are counted only in the summary checks (the sandbox takes at most 1000 checks). */
const MAX_DEVIATION_CHECKS = 500;

// Walking backwards, `nextConfirmation` holds for each step its first witness.confirm after
// the current entry: one pass, however long the transcript.
const nextConfirmation = new Map();
const deviations = [];
for (let i = entries.length - 1; i >= 0; i--) {
  const e = entries[i];
  if (!isObject(e)) continue;
  const body = bodyOf(e);
  if (e.type === 'step.deviation') {
    deviations.push({ body, seq: seqOf(e, i), later: nonEmptyText(body.step) ? nextConfirmation.get(body.step) : undefined });
  } else if (e.type === 'witness.confirm') {
    const who = nonEmptyText(body.witness) ? body.witness : nonEmptyText(e.actor) ? e.actor : undefined;
    if (nonEmptyText(body.step) && who !== undefined) nextConfirmation.set(body.step, { who, seq: seqOf(e, i) });
  }
}
deviations.reverse();

const unwitnessed = [];
const unexplained = [];
const named = new Set();
for (const { body, seq, later } of deviations) {
  const inline = witnessIn(body);
  const ok = inline !== undefined || later !== undefined;
  if (!ok) unwitnessed.push(seq);
  if (!nonEmptyText(body.reason)) unexplained.push(seq);
  if (named.size >= MAX_DEVIATION_CHECKS) continue;
  // Labels of 24 characters keep the name within the 120 a check name may have.
  const what = [nonEmptyText(body.step) ? `step ${label(body.step, 24)}` : '', nonEmptyText(body.kind) ? label(body.kind, 24) : ''].filter((s) => s !== '').join(', ');
  const base = `deviation at seq ${seq}${what !== '' ? ` (${what})` : ''} was witnessed`;
  let name = base;
  for (let n = 2; named.has(name); n++) name = `${base} (${n})`;
  named.add(name);
  check(
    name,
    ok,
    inline !== undefined ? `witness ${label(inline)} in the entry` : later !== undefined ? `confirmed by ${label(later.who)} at seq ${later.seq}` : 'no witness in the entry and no later witness.confirm of the step',
  );
}

check(
  'no deviation without a witness',
  unwitnessed.length === 0,
  deviations.length === 0
    ? 'the transcript records no deviation'
    : unwitnessed.length === 0
      ? `all ${deviations.length} deviations were witnessed`
      : `${unwitnessed.length} of ${deviations.length} deviations have no witness (seq ${unwitnessed.slice(0, 10).join(', ')})`,
);
check(
  'every deviation states a reason',
  unexplained.length === 0,
  deviations.length === 0 ? 'the transcript records no deviation' : unexplained.length === 0 ? `all ${deviations.length} deviations state a reason` : `no reason at seq ${unexplained.slice(0, 10).join(', ')}`,
);
