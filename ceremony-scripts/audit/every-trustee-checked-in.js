/* global bundle, check */
// Audit script: every trustee checked in before key generation (a root-keygen bundle), or every
// trustee present before the first share was accepted (an escrow-recovery bundle).
// Run with: keyrite verify BUNDLE --script ceremony-scripts/audit/every-trustee-checked-in.js
// Entry types and members it relies on: ceremony-scripts/audit/README.md.
// API available to audit scripts: docs/AUDIT-SCRIPTS.md.
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
/** Trustees checked one by one; any more are counted only in the summary check (the sandbox takes at most 1000 checks). */
const MAX_TRUSTEE_CHECKS = 500;
function positiveInt(...values) {
  for (const v of values) if (Number.isSafeInteger(v) && v > 0) return v;
  return undefined;
}

/** Participant ids with role "trustee" from a list of { id | participantId, role }. */
function trusteeIds(list) {
  if (!Array.isArray(list)) return undefined;
  const ids = new Set();
  for (const p of list) {
    if (!isObject(p) || p.role !== 'trustee') continue;
    const id = typeof p.participantId === 'string' ? p.participantId : p.id;
    if (typeof id === 'string' && id !== '') ids.add(id);
  }
  return ids.size > 0 ? [...ids] : undefined;
}

const policy = isObject(bundle.policy) ? bundle.policy : {};
const start = entries.find((e) => isObject(e) && e.type === 'ceremony.start');
const startBody = bodyOf(start);

// Who should check in: a roster if the bundle names one (ceremony.start participants, else
// policy.json's trustees), else a count.
const roster =
  trusteeIds(startBody.participants) ??
  trusteeIds(policy.participants) ??
  trusteeIds(Array.isArray(policy.trustees) ? policy.trustees.map((t) => (isObject(t) ? { ...t, role: 'trustee' } : t)) : undefined);
const expectedCount =
  roster !== undefined
    ? roster.length
    : positiveInt(
        isObject(startBody.roles) ? startBody.roles.trustee : undefined,
        isObject(startBody.quorum) ? startBody.quorum.n : undefined,
        isObject(policy.roles) ? policy.roles.trustee : undefined,
        isObject(policy.quorum) ? policy.quorum.n : undefined,
      );

// The moment every trustee must have checked in by. In a root-keygen ceremony, the master key's
// generation: key.generate also records each trustee's own identity key at check-in (body.role
// "trustee"); the one that matters is the master key's. In an escrow recovery, the first share
// accepted: no share is opened before the quorum is present.
const recovery = startBody.kind === 'escrow-recovery';
const moment = recovery
  ? { type: 'share.accepted', what: 'the first share was accepted', recorded: 'a share acceptance is recorded', missing: 'the transcript has no share.accepted entry' }
  : { type: 'key.generate', what: 'key generation', recorded: 'master key generation is recorded', missing: 'the transcript has no key.generate entry for the master key' };
const keyGenIndex = entries.findIndex((e) => isObject(e) && e.type === moment.type && (recovery || bodyOf(e).role !== 'trustee'));
const keyGen = keyGenIndex >= 0 ? entries[keyGenIndex] : undefined;
check(moment.recorded, keyGen !== undefined, keyGen !== undefined ? `${moment.type} at seq ${seqOf(keyGen, keyGenIndex)}` : moment.missing);

// Trustee check-ins, in transcript order, with the position of each.
const checkedInBefore = new Set();
const checkedInAfter = new Set();
entries.forEach((e, i) => {
  if (!isObject(e) || e.type !== 'participant.check-in') return;
  const body = bodyOf(e);
  if (body.role !== 'trustee') return;
  const id = typeof body.participantId === 'string' && body.participantId !== '' ? body.participantId : e.actor;
  if (typeof id !== 'string' || id === '') return;
  if (keyGenIndex < 0 || i < keyGenIndex) checkedInBefore.add(id);
  else checkedInAfter.add(id);
});

if (roster !== undefined) {
  // Two ids may share a label (cut or replaced characters): number the later ones.
  const named = new Set();
  for (const id of roster.slice(0, MAX_TRUSTEE_CHECKS)) {
    const base = `trustee ${label(id)} checked in before ${moment.what}`;
    let name = base;
    for (let n = 2; named.has(name); n++) name = `${base} (${n})`;
    named.add(name);
    const before = keyGen !== undefined && checkedInBefore.has(id);
    check(
      name,
      before,
      before ? `participant.check-in found before ${moment.type}` : checkedInAfter.has(id) ? `checked in only after ${moment.what}` : keyGen === undefined ? `no ${moment.type} to compare with` : 'no check-in found',
    );
  }
}

let ok;
let reason;
if (keyGen === undefined) {
  ok = false;
  reason = moment.missing;
} else if (expectedCount === undefined) {
  ok = false;
  reason = 'the bundle does not say who the trustees are (ceremony.start participants, policy trustees, or a trustee count)';
} else if (roster !== undefined) {
  const missing = roster.filter((id) => !checkedInBefore.has(id));
  ok = missing.length === 0;
  reason = ok ? `all ${roster.length} trustees checked in before ${moment.what}` : `${missing.length} of ${roster.length} trustees had not checked in: ${missing.slice(0, 8).map((id) => label(id)).join(', ')}${missing.length > 8 ? ', …' : ''}`;
} else {
  ok = checkedInBefore.size >= expectedCount;
  reason = `${checkedInBefore.size} distinct trustees checked in before ${moment.what}; ${expectedCount} expected`;
}
check(`every trustee checked in before ${moment.what}`, ok, reason);
