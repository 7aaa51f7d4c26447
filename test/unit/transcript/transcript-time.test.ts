// isTranscriptTime remembers the last calendar day it accepted and then checks only the time of
// day: for any string of the pattern, after any day was accepted, its answer must be the full
// Date round trip's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isTranscriptTime } from '../../../core/transcript/entry.ts';

const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
function roundTrip(s: string): boolean {
  const ms = Date.parse(s);
  return TIME_RE.test(s) && Number.isFinite(ms) && new Date(ms).toISOString() === s;
}

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
/** Pattern-shaped strings, many on a few days, with every field sometimes out of range. */
const stamp = fc
  .tuple(fc.constantFrom('2026', '2024', '0000', '9999'), fc.oneof(fc.constantFrom('01', '02', '12', '13', '00'), digits(2)), fc.oneof(fc.constantFrom('01', '28', '29', '30', '31', '00'), digits(2)), digits(2), digits(2), digits(2), digits(3))
  .map(([y, mo, d, h, mi, sec, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms}Z`);

test('after any accepted day, every pattern-shaped time gets the Date round trip\'s answer', () => {
  fc.assert(
    fc.property(stamp, stamp, (first, second) => {
      assert.equal(isTranscriptTime(first), roundTrip(first), first);
      assert.equal(isTranscriptTime(second), roundTrip(second), second);
      // The same day as an accepted one with another time of day.
      const sameDay = `${first.slice(0, 11)}${second.slice(11)}`;
      assert.equal(isTranscriptTime(sameDay), roundTrip(sameDay), sameDay);
    }),
    { numRuns: 20_000 },
  );
});

test('the edges of a day on a remembered day', () => {
  assert.equal(isTranscriptTime('2026-02-28T09:00:00.000Z'), true);
  for (const [s, ok] of [
    ['2026-02-28T23:59:59.999Z', true],
    ['2026-02-28T24:00:00.000Z', false],
    ['2026-02-28T00:60:00.000Z', false],
    ['2026-02-28T00:00:60.000Z', false],
    ['2026-02-28T19:59:59.000Z', true],
    ['2026-02-28T29:00:00.000Z', false],
  ] as const) assert.equal(isTranscriptTime(s), ok, s);
});
