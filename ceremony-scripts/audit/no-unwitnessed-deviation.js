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
function label(text) {
  return String(text).replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, '?').slice(0, 40);
}
function nonEmptyText(v) {
  return typeof v === 'string' && v.trim() !== '';
}

/** The witness named in a deviation entry (body.witness: a witness id, or null). */
function witnessIn(body) {
  return nonEmptyText(body.witness) ? body.witness : undefined;
}

// Witness confirmations, by step id, in transcript order.
const confirmations = [];
entries.forEach((e, i) => {
  if (!isObject(e) || e.type !== 'witness.confirm') return;
  const body = bodyOf(e);
  const who = nonEmptyText(body.witness) ? body.witness : nonEmptyText(e.actor) ? e.actor : undefined;
  if (nonEmptyText(body.step) && who !== undefined) confirmations.push({ step: body.step, who, index: i, seq: seqOf(e, i) });
});

const deviations = [];
entries.forEach((e, i) => {
  if (isObject(e) && e.type === 'step.deviation') deviations.push({ entry: e, index: i, seq: seqOf(e, i) });
});

const unwitnessed = [];
const unexplained = [];
for (const { entry, index, seq } of deviations) {
  const body = bodyOf(entry);
  const what = [nonEmptyText(body.step) ? `step ${label(body.step)}` : '', nonEmptyText(body.kind) ? label(body.kind) : ''].filter((s) => s !== '').join(', ');
  const inline = witnessIn(body);
  const later = nonEmptyText(body.step) ? confirmations.find((c) => c.step === body.step && c.index > index) : undefined;
  const ok = inline !== undefined || later !== undefined;
  if (!ok) unwitnessed.push(seq);
  if (!nonEmptyText(body.reason)) unexplained.push(seq);
  check(
    `deviation at seq ${seq}${what !== '' ? ` (${what})` : ''} was witnessed`,
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
