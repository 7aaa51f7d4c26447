// parseEntryLine's fast path (JSON.parse + "the line is already JSON.stringify of its value
// with sorted members") must accept and reject exactly what the strict path accepts and
// rejects, with the same value and the same error. The reference below is parseEntryLine as it
// was before the fast path: parseJsonStrict, shape, then byte equality with RFC 8785.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyriteError } from '../../../core/errors.ts';
import { utf8 } from '../../../core/bytes.ts';
import { canonicalize } from '../../../core/encoding/jcs.ts';
import { parseJsonUtf8 } from '../../../core/encoding/json.ts';
import { GENESIS_PREV, MAX_ENTRY_BYTES, MAX_ENTRY_DEPTH, assertEntryShape, parseCanonicalLineFast, parseEntryLine } from '../../../core/transcript/entry.ts';
import type { TranscriptEntry } from '../../../core/transcript/entry.ts';

function referenceParse(line: Uint8Array, what = 'transcript entry'): TranscriptEntry {
  const LF = 0x0a;
  const body = line.length > 0 && line[line.length - 1] === LF ? line.subarray(0, line.length - 1) : line;
  if (body.length === 0) throw new KeyriteError('INVALID_ENCODING', `The ${what} is an empty line.`);
  if (body.length > MAX_ENTRY_BYTES) throw new KeyriteError('INVALID_ENCODING', `The ${what} is ${body.length} bytes long; the limit is ${MAX_ENTRY_BYTES}.`);
  if (body.includes(LF)) throw new KeyriteError('INVALID_ENCODING', `The ${what} contains a line break inside the line.`);
  const value = parseJsonUtf8(body, what, { maxDepth: MAX_ENTRY_DEPTH, maxLength: MAX_ENTRY_BYTES });
  assertEntryShape(value, what);
  const canonical = utf8(canonicalize(value, { maxDepth: MAX_ENTRY_DEPTH }));
  if (canonical.length !== body.length || canonical.some((b, i) => b !== body[i])) {
    throw new KeyriteError('INVALID_ENCODING', `The ${what} is not in RFC 8785 canonical form (spacing, member order, number or string spelling was changed).`);
  }
  return value;
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!(e instanceof KeyriteError)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

let fastAccepted = 0;

/** Both paths agree on `line`; when the fast path alone accepts the body, the strict reference accepts it too, with the same value. */
function assertSame(line: Uint8Array): 'accepted' | 'rejected' {
  const got = outcome(() => parseEntryLine(line));
  const want = outcome(() => referenceParse(line));
  assert.deepEqual(got, want);
  const body = line.length > 0 && line[line.length - 1] === 0x0a ? line.subarray(0, line.length - 1) : line;
  const fast = parseCanonicalLineFast(body);
  if (fast !== undefined) {
    fastAccepted++;
    const strict = outcome(() => parseJsonUtf8(body, 'line', { maxDepth: MAX_ENTRY_DEPTH, maxLength: MAX_ENTRY_BYTES }));
    assert.ok(strict.ok, 'the fast path accepted a line the strict parser rejects');
    assert.deepEqual(fast, strict.value);
    assert.equal(canonicalize(fast, { maxDepth: MAX_ENTRY_DEPTH }), new TextDecoder().decode(body));
  }
  return got.ok ? 'accepted' : 'rejected';
}

/** Mostly `good`, sometimes `bad`: enough valid entries to exercise acceptance, and every kind of invalid one. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });

// Strings of any UTF-16 code units (lone surrogates included, rarely), and member names that
// sort differently as numbers and as code units ("10" < "9"), "__proto__" and the empty name.
const str = mostly(
  fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('\u0000', '\u001f', '\u007f', '\u2028', '"\\/', '\ud83d\ude00', '\uffff')),
  fc.oneof(fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom('\ud800', '\udc00x')),
);
const key = fc.oneof(str, fc.constantFrom('9', '10', '01', '__proto__', '', 'a', 'A', '\u00e9', '\ud83d\ude00', '\uffff'));
const num = mostly(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.constantFrom(-0, 1.5, -2.25, 1e21, 2 ** 53, -(2 ** 53), 1e-7));
const leaf = fc.oneof(str, num, fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
})).v;

const entryArb = fc.record({
  v: mostly(fc.constant(1), fc.constant(2)),
  seq: mostly(fc.nat({ max: 1_000_000 }), fc.constant(-1)),
  time: mostly(fc.constant('2026-03-01T09:30:00.000Z'), fc.constantFrom('2026-02-30T09:30:00.000Z', '2026-03-01T09:30:00Z')),
  type: mostly(fc.stringMatching(/^[a-z0-9.-]{1,12}$/), fc.constant('Bad Type')),
  actor: mostly(fc.stringMatching(/^[\x21-\x7e]{1,12}$/), fc.constant('has space')),
  body: fc.dictionary(key, value, { maxKeys: 4 }),
  prev: mostly(fc.constantFrom(GENESIS_PREV, 'ab'.repeat(32)), fc.constant('AB'.repeat(32))),
});

const enc = new TextEncoder();

/** The canonical line of `e` when there is one (JCS refuses lone surrogates and unsafe integers), else JSON.stringify's. */
function lineOf(e: unknown): string {
  try {
    return canonicalize(e, { maxDepth: 64 });
  } catch {
    return JSON.stringify(e);
  }
}

const TEXT_EDITS: ((s: string, i: number) => string)[] = [
  (s, i) => s.slice(0, i) + ' ' + s.slice(i),
  (s, i) => s.slice(0, i) + s.slice(i + 1),
  (s, i) => s.slice(0, i) + s[i]!.toUpperCase() + s.slice(i + 1),
  (s) => s.replace('"body":{', '"body":{"zz":1,"zz":1,'),
  (s) => s.replace('"actor":', '"actor":"x","actor":'),
  (s) => s.replace(/"seq":(\d+)/, '"seq":$1.0'),
  (s) => s.replace(/"seq":(\d+)/, '"seq":$1e0'),
  (s) => s.replace(/"seq":0/, '"seq":-0'),
  (s) => s.replace(/:(\d+)/, ':0$1'),
  (s) => s.replace('"v":1', '"v":1.0'),
  (s) => s.replace('"body":{', '"body":{"n":9007199254740993,'),
  (s) => s.replace('"body":{', '"body":{"s":"\\ud800",'),
  (s) => s.replace('"body":{', '"body":{"s":"\\ud83d\\ude00",'),
  (s) => s.replace('"body":{', '"body":{"s":"\\u0041",'),
  (s) => s.replace('"body":{', '"body":{"s":"\\/",'),
  (s) => s.replace('"body":{', '"body":{"s":"\\u001F",'),
  (s) => s.replace('"body":{', '"body":{"s":"\\u001f",'),
  (s) => s.replace('"body":{', '"body":{"10":1,"9":2,'),
  (s) => s.replace('"body":{', '"body":{"9":1,"10":2,'),
  (s) => s.replace('"body":{', '"body":{"__proto__":{},'),
  (s) => s.replace('"body":{', `"body":{"d":${'['.repeat(MAX_ENTRY_DEPTH - 1)}${']'.repeat(MAX_ENTRY_DEPTH - 1)},`),
  (s) => s.replace('"body":{', `"body":{"d":${'['.repeat(MAX_ENTRY_DEPTH)}${']'.repeat(MAX_ENTRY_DEPTH)},`),
  (s) => s.replace('"body":{', `"body":{"d":${'['.repeat(MAX_ENTRY_DEPTH - 2)}${']'.repeat(MAX_ENTRY_DEPTH - 2)},`),
  (s) => '\ufeff' + s,
  (s) => s + ' ',
  (s) => s + '{}',
  (s) => s.replace('{', '[{') + ']',
  (s) => s.replace('"actor":', '"actor" :'),
  (s) => s.replace('"prev"', '"pr\\u0065v"'),
  (s) => s.replace('"type":', '"extra":1,"type":'),
];

const BYTE_EDITS: ((b: Uint8Array, i: number, x: number) => Uint8Array)[] = [
  (b, i, x) => Uint8Array.from(b, (v, j) => (j === i ? v ^ (1 << (x % 8)) : v)),
  (b, i, x) => Uint8Array.from(b, (v, j) => (j === i ? x : v)),
  (b, i) => Uint8Array.from([...b.subarray(0, i), 0xc0, 0xaf, ...b.subarray(i)]),
  (b, i) => Uint8Array.from([...b.subarray(0, i), 0xed, 0xa0, 0x80, ...b.subarray(i)]),
  (b, i) => Uint8Array.from([...b.subarray(0, i), 0x0a, ...b.subarray(i)]),
  (b) => b.subarray(0, b.length - 1),
];

test('fast and strict paths agree on random entries (canonical or not)', () => {
  let accepted = 0;
  fastAccepted = 0;
  fc.assert(
    fc.property(entryArb, (e) => {
      if (assertSame(enc.encode(lineOf(e))) === 'accepted') accepted++;
      assertSame(enc.encode(JSON.stringify(e)));
      assertSame(enc.encode(lineOf(e) + '\n'));
    }),
    { numRuns: 3000 },
  );
  assert.ok(accepted > 300, `only ${accepted} random entries were valid; the generator should make many`);
  assert.ok(fastAccepted > 300, `only ${fastAccepted} lines went through the fast path`);
});

test('fast and strict paths agree on mutated lines', () => {
  fc.assert(
    fc.property(entryArb, fc.nat(), fc.nat(), fc.nat({ max: 255 }), (e, which, at, x) => {
      const s = lineOf(e);
      const edited = TEXT_EDITS[which % TEXT_EDITS.length]!(s, at % s.length);
      assertSame(enc.encode(edited));
      const b = enc.encode(s);
      assertSame(BYTE_EDITS[which % BYTE_EDITS.length]!(b, at % b.length, x));
    }),
    { numRuns: 3000 },
  );
});

test('every text edit is tried on a valid entry and the fast path accepts the valid ones', () => {
  const valid = { v: 1, seq: 0, time: '2026-03-01T09:30:00.000Z', type: 'step.progress', actor: 'admin', body: { a: [1, -2, 'x\u0001"\\\u2028\ud83d\ude00'], b: { c: null, d: true } }, prev: GENESIS_PREV };
  const line = canonicalize(valid);
  assert.equal(assertSame(enc.encode(line)), 'accepted');
  assert.notEqual(parseCanonicalLineFast(enc.encode(line)), undefined, 'a canonical entry goes through the fast path');
  const results = TEXT_EDITS.map((edit) => assertSame(enc.encode(edit(line, 7))));
  assert.ok(results.includes('accepted') && results.includes('rejected'));
  // Canonical but outside the strict rules, and strict-valid but refused by the fast path.
  assert.equal(assertSame(enc.encode(line.replace('"body":{', '"body":{"f":1.5,'))), 'rejected');
  assert.equal(assertSame(enc.encode(line.replace('"body":{', '"body":{"10":1,"9":2,'))), 'accepted');
  assert.equal(parseCanonicalLineFast(enc.encode(line.replace('"body":{', '"body":{"10":1,"9":2,'))), undefined);
});
