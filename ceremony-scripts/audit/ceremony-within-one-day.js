/* global bundle, check */
// Audit script: the ceremony took place within one day (24 hours from its start entry to its
// end entry), and every entry lies between the two.
// Entry types and members it relies on: ceremony-scripts/audit/README.md.
'use strict';

const DAY_MS = 24 * 60 * 60 * 1000;
const entries = Array.isArray(bundle.transcript) ? bundle.transcript : [];

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
/** Milliseconds of an entry's UTC "time", or undefined if it is missing or not RFC 3339 UTC. */
function timeOf(entry) {
  if (!isObject(entry) || typeof entry.time !== 'string') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/.test(entry.time)) return undefined;
  const ms = Date.parse(entry.time);
  return Number.isFinite(ms) ? ms : undefined;
}
function duration(ms) {
  const minutes = Math.round(ms / 60000);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const start = entries.find((e) => isObject(e) && e.type === 'ceremony.start');
const end = [...entries].reverse().find((e) => isObject(e) && e.type === 'ceremony.end');
const startMs = timeOf(start);
const endMs = timeOf(end);

check('the ceremony start is recorded', startMs !== undefined, start === undefined ? 'no ceremony.start entry' : startMs === undefined ? 'the ceremony.start entry has no valid time' : `started ${start.time}`);
check('the ceremony end is recorded', endMs !== undefined, end === undefined ? 'no ceremony.end entry' : endMs === undefined ? 'the ceremony.end entry has no valid time' : `ended ${end.time}`);

if (startMs !== undefined && endMs !== undefined) {
  const span = endMs - startMs;
  check(
    'ceremony took place within one day',
    span >= 0 && span <= DAY_MS,
    span < 0 ? `it ends (${end.time}) before it starts (${start.time})` : `${duration(span)} from ${start.time} to ${end.time}`,
  );
  const outside = [];
  const undated = [];
  entries.forEach((e, i) => {
    const ms = timeOf(e);
    const seq = isObject(e) && Number.isSafeInteger(e.seq) ? e.seq : i;
    if (ms === undefined) undated.push(seq);
    else if (ms < startMs || ms > endMs) outside.push(seq);
  });
  check(
    'every entry lies within the ceremony',
    outside.length === 0 && undated.length === 0,
    outside.length === 0 && undated.length === 0
      ? `all ${entries.length} entries are between the start and the end`
      : [outside.length > 0 ? `outside: seq ${outside.slice(0, 10).join(', ')}` : '', undated.length > 0 ? `without a valid time: seq ${undated.slice(0, 10).join(', ')}` : ''].filter((s) => s !== '').join('; '),
  );
} else {
  check('ceremony took place within one day', false, 'the start or the end of the ceremony is not recorded with a valid time');
}
