// Transcript entries: canonical lines, strict parsing, and every kind of garbage line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../../core/encoding/hex.ts';
import {
  GENESIS_PREV,
  MAX_ENTRY_BYTES,
  encodeEntryLine,
  entryBytes,
  entryHashHex,
  formatTranscriptTime,
  isTranscriptTime,
  makeEntry,
  parseEntryLine,
} from '../../../core/transcript/entry.ts';
import type { EntryFields } from '../../../core/transcript/entry.ts';
import { leafHash } from '../../../core/transcript/merkle.ts';
import { dec, enc, throwsCode } from './helpers.ts';

const base: EntryFields = {
  seq: 0,
  time: '2026-03-01T09:30:00.000Z',
  type: 'ceremony.start',
  actor: 'administrator-1',
  body: { script: 'root-keygen', n: 5, ok: true, none: null, list: [1, 'two'] },
  prev: GENESIS_PREV,
};

const GOLDEN =
  '{"actor":"administrator-1","body":{"list":[1,"two"],"n":5,"none":null,"ok":true,"script":"root-keygen"},' +
  `"prev":"${'0'.repeat(64)}","seq":0,"time":"2026-03-01T09:30:00.000Z","type":"ceremony.start","v":1}\n`;

test('an entry line is the RFC 8785 form of the entry, then LF', () => {
  const e = makeEntry(base);
  assert.equal(dec.decode(encodeEntryLine(e)), GOLDEN);
  assert.equal(dec.decode(entryBytes(e)), GOLDEN.slice(0, -1));
  assert.equal(entryHashHex(e), toHex(leafHash(enc.encode(GOLDEN.slice(0, -1)))));
  assert.deepEqual(e, { v: 1, ...base, body: { list: [1, 'two'], n: 5, none: null, ok: true, script: 'root-keygen' } });
});

test('makeEntry copies the body: later changes by the caller do not alter the entry', () => {
  const body = { a: { b: 1 } };
  const e = makeEntry({ ...base, body });
  body.a.b = 2;
  assert.equal((e.body.a as { b: number }).b, 1);
});

test('non-ASCII, control characters and big integers as strings round-trip', () => {
  const e = makeEntry({ ...base, body: { name: 'Zoë \u{1F511}\n\t"\\', big: '123456789012345678901234567890', '\u20ac': 1 } });
  const line = encodeEntryLine(e);
  assert.deepEqual(parseEntryLine(line), e);
  assert.ok(dec.decode(line).includes('"name":"Zoë \u{1F511}\\n\\t\\"\\\\"'));
});

test('parseEntryLine accepts the line with or without its LF, and checks the expected seq', () => {
  const line = enc.encode(GOLDEN);
  const e = parseEntryLine(line, 0);
  assert.deepEqual(parseEntryLine(line.subarray(0, line.length - 1)), e);
  throwsCode(() => parseEntryLine(line, 1), 'VERIFY_FAILED');
});

test('makeEntry rejects ill-formed fields', () => {
  const bad: [string, Partial<EntryFields> | Record<string, unknown>][] = [
    ['uppercase type', { type: 'Ceremony.start' }],
    ['empty type', { type: '' }],
    ['type with space', { type: 'ceremony start' }],
    ['type with underscore', { type: 'ceremony_start' }],
    ['long type', { type: 'a'.repeat(65) }],
    ['empty actor', { actor: '' }],
    ['actor with space', { actor: 'trustee 1' }],
    ['actor with control', { actor: 'trustee\u00011' }],
    ['non-ASCII actor', { actor: 'trustée-1' }],
    ['long actor', { actor: 'a'.repeat(257) }],
    ['time without ms', { time: '2026-03-01T09:30:00Z' }],
    ['time with offset', { time: '2026-03-01T09:30:00.000+00:00' }],
    ['time lower z', { time: '2026-03-01T09:30:00.000z' }],
    ['time with space', { time: '2026-03-01 09:30:00.000Z' }],
    ['impossible date', { time: '2026-02-30T09:30:00.000Z' }],
    ['hour 24', { time: '2026-03-01T24:00:00.000Z' }],
    ['leap second', { time: '2026-12-31T23:59:60.000Z' }],
    ['time with µs', { time: '2026-03-01T09:30:00.000000Z' }],
    ['negative seq', { seq: -1 }],
    ['fractional seq', { seq: 1.5 }],
    ['unsafe seq', { seq: 2 ** 53 }],
    ['string seq', { seq: '0' }],
    ['uppercase prev', { prev: 'A'.repeat(64) }],
    ['short prev', { prev: '0'.repeat(63) }],
    ['array body', { body: [] }],
    ['null body', { body: null }],
    ['string body', { body: 'x' }],
    ['Date body', { body: new Date(0) }],
  ];
  for (const [name, patch] of bad) throwsCode(() => makeEntry({ ...base, ...patch } as EntryFields), 'INVALID_INPUT', name);
  for (const body of [{ n: 2 ** 53 }, { n: 1n }, { n: undefined }, { n: Number.NaN }, { d: new Date(0) }, { s: 'lone \ud800' }]) {
    throwsCode(() => makeEntry({ ...base, body: body as Record<string, unknown> }), 'INVALID_INPUT', JSON.stringify(Object.keys(body)));
  }
  throwsCode(() => makeEntry({ ...base, body: { big: 'x'.repeat(MAX_ENTRY_BYTES) } }), 'INVALID_INPUT');
});

test('isTranscriptTime and formatTranscriptTime', () => {
  assert.ok(isTranscriptTime('2024-02-29T23:59:59.999Z'));
  assert.ok(!isTranscriptTime('2023-02-29T23:59:59.999Z'));
  assert.ok(!isTranscriptTime('+012026-03-01T09:30:00.000Z'));
  assert.ok(!isTranscriptTime(0));
  assert.equal(formatTranscriptTime(new Date(Date.UTC(2026, 2, 1, 9, 30))), '2026-03-01T09:30:00.000Z');
  throwsCode(() => formatTranscriptTime(new Date(Number.NaN)), 'INVALID_INPUT');
  throwsCode(() => formatTranscriptTime(new Date(Date.UTC(10000, 0, 1))), 'INVALID_INPUT');
});

/** GOLDEN with one substitution applied to its text. */
function variant(from: string, to: string): string {
  assert.ok(GOLDEN.includes(from), `golden line lacks ${from}`);
  return GOLDEN.replace(from, to);
}

const garbage: [string, string | Uint8Array, string][] = [
  ['not JSON', 'hello\n', 'INVALID_JSON'],
  ['truncated JSON', GOLDEN.slice(0, 40), 'INVALID_JSON'],
  ['trailing comma', variant(',"v":1}', ',"v":1,}'), 'INVALID_JSON'],
  ['two values', variant('"v":1}', '"v":1}{}'), 'INVALID_JSON'],
  ['duplicate member', variant('"v":1}', '"v":1,"v":1}'), 'INVALID_JSON'],
  ['duplicate member in body', variant('"ok":true', '"ok":true,"ok":true'), 'INVALID_JSON'],
  ['space after colon', variant('"seq":0', '"seq": 0'), 'INVALID_ENCODING'],
  ['leading space', ` ${GOLDEN}`, 'INVALID_ENCODING'],
  ['trailing space', `${GOLDEN.slice(0, -1)} \n`, 'INVALID_ENCODING'],
  ['CRLF', `${GOLDEN.slice(0, -1)}\r\n`, 'INVALID_ENCODING'],
  ['members out of order', variant('"seq":0,"time":"2026-03-01T09:30:00.000Z"', '"time":"2026-03-01T09:30:00.000Z","seq":0'), 'INVALID_ENCODING'],
  ['body members out of order', variant('"n":5,"none":null', '"none":null,"n":5'), 'INVALID_ENCODING'],
  ['escaped letter', variant('"root-keygen"', '"\\u0072oot-keygen"'), 'INVALID_ENCODING'],
  ['escaped slash', variant('"root-keygen"', '"root\\/keygen"'), 'INVALID_ENCODING'],
  ['exponent number', variant('"n":5', '"n":5e0'), 'INVALID_JSON'],
  ['fraction', variant('"n":5', '"n":5.0'), 'INVALID_JSON'],
  ['negative zero', variant('"n":5', '"n":-0'), 'INVALID_JSON'],
  ['huge number', variant('"n":5', '"n":9007199254740993'), 'INVALID_JSON'],
  ['huge exponent', variant('"n":5', '"n":1e400'), 'INVALID_JSON'],
  ['wrong version', variant('"v":1', '"v":2'), 'INVALID_ENCODING'],
  ['version as string', variant('"v":1', '"v":"1"'), 'INVALID_ENCODING'],
  ['unknown member', variant('"type"', '"typo":1,"type"'), 'INVALID_ENCODING'],
  ['__proto__ member', variant('"actor"', '"__proto__":{},"actor"'), 'INVALID_ENCODING'],
  ['missing member', variant(`"prev":"${'0'.repeat(64)}",`, ''), 'INVALID_ENCODING'],
  ['seq as string', variant('"seq":0', '"seq":"0"'), 'INVALID_ENCODING'],
  ['time without ms', variant('09:30:00.000Z', '09:30:00Z'), 'INVALID_ENCODING'],
  ['uppercase prev', variant('0'.repeat(64), 'A'.repeat(64)), 'INVALID_ENCODING'],
  ['body array', variant('"body":{"list":[1,"two"],"n":5,"none":null,"ok":true,"script":"root-keygen"}', '"body":[]'), 'INVALID_ENCODING'],
  ['lone surrogate escape', variant('"root-keygen"', '"\\ud800"'), 'INVALID_JSON'],
  ['embedded LF', variant('"n":5,', '"n":5,\n'), 'INVALID_ENCODING'],
  ['empty line', '\n', 'INVALID_ENCODING'],
  ['BOM', `\ufeff${GOLDEN}`, 'INVALID_JSON'],
  ['not UTF-8', new Uint8Array([...enc.encode(GOLDEN.slice(0, 30)), 0xff, ...enc.encode(GOLDEN.slice(30))]), 'INVALID_JSON'],
  ['overlong UTF-8', variant('"root-keygen"', '"r\u00c0\u00afoot"'), 'INVALID_ENCODING'],
];

test('garbage lines are rejected with a stable code', () => {
  for (const [name, text, code] of garbage) {
    let bytes = typeof text === 'string' ? enc.encode(text) : text;
    if (name === 'overlong UTF-8') {
      // Replace the two characters by the overlong encoding C0 AF of "/".
      const s = dec.decode(bytes);
      const i = s.indexOf('\u00c0\u00af');
      const pre = enc.encode(s.slice(0, i));
      const post = enc.encode(s.slice(i + 2));
      bytes = new Uint8Array([...pre, 0xc0, 0xaf, ...post]);
      throwsCode(() => parseEntryLine(bytes), 'INVALID_JSON', name);
      continue;
    }
    throwsCode(() => parseEntryLine(bytes), code as 'INVALID_JSON', name);
  }
});

test('a line longer than the limit is refused before parsing', () => {
  const big = new Uint8Array(MAX_ENTRY_BYTES + 1).fill(0x20);
  throwsCode(() => parseEntryLine(big), 'INVALID_ENCODING');
  throwsCode(() => parseEntryLine('{}' as unknown as Uint8Array), 'INVALID_INPUT');
});

test('error messages name members, never values', () => {
  try {
    parseEntryLine(enc.encode(variant('"type"', '"secret-member":"hunter2","type"')));
    assert.fail('accepted');
  } catch (e) {
    assert.match((e as Error).message, /secret-member/);
    assert.doesNotMatch((e as Error).message, /hunter2/);
  }
});
