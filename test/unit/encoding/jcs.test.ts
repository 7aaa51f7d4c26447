import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalBytes, canonicalize } from '../../../core/encoding/jcs.ts';
import { parseJsonStrict } from '../../../core/encoding/json.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { fixtureText, throwsKeyrite } from './_helpers.ts';

const rfc = { allowUnsafeIntegers: true };
const parseAny = (t: string): unknown => parseJsonStrict(t, 'fixture', { allowFloats: true });

test('jcs: RFC 8785 §3.2.2–§3.2.4 sample, byte for byte', () => {
  const input = parseAny(fixtureText('rfc8785/sample-input.json'));
  const expected = fixtureText('rfc8785/sample-canonical.json');
  assert.equal(canonicalize(input, rfc), expected);
  const hex = fixtureText('rfc8785/sample-canonical.hex').replace(/\s+/g, '');
  assert.equal(toHex(canonicalBytes(input, rfc)), hex);
  assert.deepEqual(canonicalBytes(input, rfc), fromHex(hex));
  // Keyrite's default refuses 1E30, a whole number beyond ±(2^53−1).
  throwsKeyrite(() => canonicalize(input), 'INVALID_INPUT', /beyond.* at \$\.numbers\[1\]\.$/);
});

test('jcs: RFC 8785 §3.2.3 sorting by UTF-16 code units', () => {
  const input = parseAny(fixtureText('rfc8785/sorting-input.json'));
  const out = canonicalize(input);
  // Read the values in text order (Object.values would put the integer-like key "1" first).
  const values = [...out.matchAll(/":"([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(values, [
    'Carriage Return',
    'One',
    'Control',
    'Latin Small Letter O With Diaeresis',
    'Euro Sign',
    'Emoji: Grinning Face',
    'Hebrew Letter Dalet With Dagesh',
  ]);
  assert.equal(
    out,
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
  // Code units, not code points: U+1F600 (D83D DE00) sorts before U+FB33, and both after U+20AC.
  assert.equal(canonicalize({ '\ufb33': 1, '\u{1f600}': 2 }), '{"\u{1f600}":2,"\ufb33":1}');
  assert.equal(canonicalize({ aa: 1, '': 2, ab: 3, a: 4, b: { z: 1, y: [{ d: 1, c: 2 }] } }), '{"":2,"a":4,"aa":1,"ab":3,"b":{"y":[{"c":2,"d":1}],"z":1}}');
});

test('jcs: RFC 8785 Appendix B number serialisation samples', () => {
  const rows = JSON.parse(fixtureText('rfc8785/appendix-b.json')) as { ieee754: string; json: string | null; comment: string }[];
  assert.equal(rows.length, 26);
  for (const row of rows) {
    const n = new DataView(fromHex(row.ieee754).buffer).getFloat64(0);
    if (row.json === null) {
      throwsKeyrite(() => canonicalize(n, rfc), 'INVALID_INPUT', /JSON cannot hold/);
      throwsKeyrite(() => canonicalize(n), 'INVALID_INPUT');
      continue;
    }
    assert.equal(canonicalize(n, rfc), row.json, row.ieee754);
    assert.equal(canonicalize([n], rfc), `[${row.json}]`);
    // Keyrite's default accepts every value here except whole numbers beyond ±(2^53−1).
    if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
      throwsKeyrite(() => canonicalize(n), 'INVALID_INPUT', /beyond/);
    } else {
      assert.equal(canonicalize(n), row.json, row.ieee754);
    }
  }
  assert.equal(canonicalize(9007199254740991), '9007199254740991');
  assert.equal(canonicalize(-9007199254740991), '-9007199254740991');
  assert.equal(canonicalize(-0), '0');
  assert.equal(canonicalize(1e-7), '1e-7');
  assert.equal(canonicalize(123456789012.5), '123456789012.5');
});

test('jcs: RFC 8785 §3.2.2.2 string escaping', () => {
  const all: string[] = [];
  for (let c = 0; c < 0x20; c++) all.push(String.fromCharCode(c));
  const out = canonicalize(all.join('') + '"\\/\u007f\u2028\u00e9😀');
  assert.equal(
    out,
    '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
      '\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f' +
      '\\"\\\\/\u007f\u2028\u00e9😀"',
  );
  assert.equal(canonicalize({ 'a"b': 'c\\d' }), '{"a\\"b":"c\\\\d"}');
});

test('jcs: rejects what JSON cannot hold, with the path', () => {
  throwsKeyrite(() => canonicalize(undefined), 'INVALID_INPUT', /undefined.* at \$\.$/);
  throwsKeyrite(() => canonicalize({ a: undefined }), 'INVALID_INPUT', /undefined.* at \$\.a\.$/);
  throwsKeyrite(() => canonicalize([1, undefined]), 'INVALID_INPUT', /undefined.* at \$\[1\]\.$/);
  throwsKeyrite(() => canonicalize({ b: { 'x y': [undefined] } }), 'INVALID_INPUT', /at \$\.b\["x y"\]\[0\]/);
  throwsKeyrite(() => canonicalize({ f: () => 1 }), 'INVALID_INPUT', /function/);
  throwsKeyrite(() => canonicalize(Symbol('s')), 'INVALID_INPUT', /symbol/);
  throwsKeyrite(() => canonicalize({ n: 10n }), 'INVALID_INPUT', /bigint/);
  throwsKeyrite(() => canonicalize(NaN), 'INVALID_INPUT', /NaN/);
  throwsKeyrite(() => canonicalize([Infinity]), 'INVALID_INPUT', /Infinity/);
  throwsKeyrite(() => canonicalize(-Infinity), 'INVALID_INPUT');
  throwsKeyrite(() => canonicalize(2 ** 53), 'INVALID_INPUT', /beyond/);
  throwsKeyrite(() => canonicalize(-(2 ** 53)), 'INVALID_INPUT', /beyond/);
  throwsKeyrite(() => canonicalize(1e21), 'INVALID_INPUT', /beyond/);
  assert.equal(canonicalize(1e21, rfc), '1e+21');
  throwsKeyrite(() => canonicalize('a\ud800'), 'INVALID_INPUT', /lone surrogate/);
  throwsKeyrite(() => canonicalize('\udc00a'), 'INVALID_INPUT', /lone surrogate/);
  throwsKeyrite(() => canonicalize({ '\udead': 1 }), 'INVALID_INPUT', /member name contains a lone surrogate/);
});

test('jcs: rejects objects that are not plain JSON data', () => {
  class Thing {
    a = 1;
  }
  throwsKeyrite(() => canonicalize(new Date(0)), 'INVALID_INPUT', /not a plain object \(it is a Date\)/);
  throwsKeyrite(() => canonicalize(new Map()), 'INVALID_INPUT', /Map/);
  throwsKeyrite(() => canonicalize(new Set()), 'INVALID_INPUT', /Set/);
  throwsKeyrite(() => canonicalize(new Uint8Array(2)), 'INVALID_INPUT', /Uint8Array/);
  throwsKeyrite(() => canonicalize(new Thing()), 'INVALID_INPUT', /Thing/);
  throwsKeyrite(() => canonicalize(/re/), 'INVALID_INPUT', /RegExp/);
  throwsKeyrite(() => canonicalize(new String('s')), 'INVALID_INPUT');
  throwsKeyrite(() => canonicalize(new Number(1)), 'INVALID_INPUT');
  throwsKeyrite(() => canonicalize({ toJSON: () => 1 }), 'INVALID_INPUT', /function/);
  throwsKeyrite(() => canonicalize({ [Symbol('s')]: 1 }), 'INVALID_INPUT', /symbol-keyed/);
  throwsKeyrite(() => canonicalize(Object.defineProperty({}, 'g', { get: () => 1, enumerable: true })), 'INVALID_INPUT', /accessor/);
  throwsKeyrite(() => canonicalize(Object.defineProperty({}, 'h', { value: 1, enumerable: false })), 'INVALID_INPUT', /not enumerable/);
  // eslint-disable-next-line no-sparse-arrays
  throwsKeyrite(() => canonicalize([1, , 3]), 'INVALID_INPUT', /holes/);
  throwsKeyrite(() => canonicalize(Object.assign([1], { extra: 2 })), 'INVALID_INPUT', /extra properties/);
  class MyArray extends Array {}
  throwsKeyrite(() => canonicalize(MyArray.from([1])), 'INVALID_INPUT', /plain Array/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  throwsKeyrite(() => canonicalize(cyclic), 'INVALID_INPUT', /cycle/);
  // A shared (non-cyclic) reference is fine.
  const shared = { x: 1 };
  assert.equal(canonicalize({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}');
  // Null-prototype objects and "__proto__" own members are plain data.
  const bare = Object.create(null) as Record<string, unknown>;
  bare.b = 1;
  bare.a = 2;
  assert.equal(canonicalize(bare), '{"a":2,"b":1}');
  assert.equal(canonicalize(JSON.parse('{"__proto__":1}')), '{"__proto__":1}');
});

test('jcs: depth limit', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 64; i++) deep = [deep];
  assert.equal(canonicalize(deep), '['.repeat(64) + '1' + ']'.repeat(64));
  throwsKeyrite(() => canonicalize([deep]), 'INVALID_INPUT', /deeper than 64/);
  throwsKeyrite(() => canonicalize([[1]], { maxDepth: 1 }), 'INVALID_INPUT', /deeper than 1/);
  throwsKeyrite(() => canonicalize(1, { maxDepth: 0 }), 'INVALID_INPUT');
});

test('jcs: canonicalBytes is the UTF-8 of canonicalize', () => {
  assert.deepEqual(canonicalBytes({ é: '€' }), new TextEncoder().encode('{"é":"€"}'));
  assert.deepEqual(canonicalBytes('😀'), Uint8Array.of(0x22, 0xf0, 0x9f, 0x98, 0x80, 0x22));
});

const jsonValue = fc.jsonValue({ maxDepth: 5, stringUnit: 'binary' });

test('jcs (property): canonicalize(parse(canonicalize(x))) === canonicalize(x)', () => {
  fc.assert(fc.property(jsonValue, (x) => {
    const c = canonicalize(x, rfc);
    assert.equal(canonicalize(parseAny(c), rfc), c);
    // The canonical text is JSON that means the same value.
    assert.deepEqual(JSON.parse(c), JSON.parse(JSON.stringify(x)));
    // It equals JSON.stringify for primitives (RFC 8785 §3.2.2 is ECMAScript's serialisation).
    if (x === null || typeof x !== 'object') assert.equal(c, JSON.stringify(x));
  }));
});

function shuffleKeys(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, rnd));
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v as Record<string, unknown>);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries) Object.defineProperty(out, k, { value: shuffleKeys(x, rnd), enumerable: true, writable: true, configurable: true });
  return out;
}

test('jcs (property): member order does not change the output', () => {
  fc.assert(fc.property(jsonValue, fc.integer(), (x, seed) => {
    let s = seed >>> 0;
    const rnd = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    assert.equal(canonicalize(shuffleKeys(x, rnd), rfc), canonicalize(x, rfc));
  }));
});

test('jcs (property): output is strict JSON that parseJsonStrict accepts', () => {
  fc.assert(fc.property(jsonValue, (x) => {
    const c = canonicalize(x, rfc);
    assert.doesNotThrow(() => parseAny(c));
    assert.doesNotMatch(c, /^\s|\s$/);
  }));
});
