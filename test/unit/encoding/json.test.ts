import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonStrict, parseJsonUtf8 } from '../../../core/encoding/json.ts';
import { findLoneSurrogate, isWellFormedUtf16 } from '../../../core/encoding/utf16.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { onlyKeyriteErrors, throwsKeyrite } from './_helpers.ts';

const parse = (t: string, opts = {}): unknown => parseJsonStrict(t, 'test file', opts);
const floats = { allowFloats: true };

test('json: parses the RFC 8259 grammar like JSON.parse', () => {
  const texts = [
    '{}', '[]', 'null', 'true', 'false', '0', '-1', '42', '""', '"a"',
    ' \t\r\n{ "a" : [ 1 , 2 , { "b" : null } ] , "c" : "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00" } \n',
    '[9007199254740991, -9007199254740991]',
    '{"__proto__": {"x": 1}, "constructor": 2}',
    '"€😀"',
  ];
  for (const t of texts) assert.deepEqual(parse(t), JSON.parse(t), t);
  const withProto = parse('{"__proto__": 1}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(withProto), Object.prototype);
  assert.ok(Object.prototype.hasOwnProperty.call(withProto, '__proto__'));
});

test('json: rejects duplicate member names, even when written differently', () => {
  throwsKeyrite(() => parse('{"a":1,"a":2}'), 'INVALID_JSON', /"a" appears twice.*line 1, column 8/);
  throwsKeyrite(() => parse('{"a":1,"\\u0061":2}'), 'INVALID_JSON', /appears twice/);
  throwsKeyrite(() => parse('[{"x":{"k":1,"k":1}}]'), 'INVALID_JSON', /"k" appears twice/);
  assert.deepEqual(parse('[{"a":1},{"a":2}]'), [{ a: 1 }, { a: 2 }]); // different objects are fine
});

test('json: rejects lone surrogates, raw or escaped', () => {
  throwsKeyrite(() => parse('"\\ud800"'), 'INVALID_JSON', /lone surrogate/);
  throwsKeyrite(() => parse('"\\udc00"'), 'INVALID_JSON', /lone surrogate/);
  throwsKeyrite(() => parse('"\\ud800\\u0041"'), 'INVALID_JSON', /lone surrogate/);
  throwsKeyrite(() => parse('"\\ud800x"'), 'INVALID_JSON', /lone surrogate/);
  throwsKeyrite(() => parse('{"\\udead":1}'), 'INVALID_JSON', /lone surrogate/);
  throwsKeyrite(() => parse('"\ud800"'), 'INVALID_JSON', /lone surrogate/);
  throwsKeyrite(() => parse('"\ude00\ud83d"'), 'INVALID_JSON', /lone surrogate/);
  throwsKeyrite(() => parse('"\\ud83d\ude00"'), 'INVALID_JSON', /lone surrogate/); // mixed escape + raw
  assert.equal(parse('"\\ud83d\\ude00"'), '😀');
  assert.equal(parse('"\ud83d\ude00"'), '😀');
});

test('json: numbers are safe integers unless floats are allowed', () => {
  assert.equal(parse('9007199254740991'), 9007199254740991);
  throwsKeyrite(() => parse('9007199254740992'), 'INVALID_JSON', /beyond.*strings/);
  throwsKeyrite(() => parse('-9007199254740992'), 'INVALID_JSON', /beyond/);
  throwsKeyrite(() => parse('1.5'), 'INVALID_JSON', /fraction or an exponent/);
  throwsKeyrite(() => parse('1.0'), 'INVALID_JSON', /fraction/);
  throwsKeyrite(() => parse('1e2'), 'INVALID_JSON', /exponent/);
  throwsKeyrite(() => parse('-0'), 'INVALID_JSON', /negative zero/);
  assert.equal(parse('1.5', floats), 1.5);
  assert.equal(parse('1E30', floats), 1e30);
  assert.equal(parse('9007199254740993', floats), 9007199254740992);
  assert.ok(Object.is(parse('-0', floats), -0));
  throwsKeyrite(() => parse('1e400', floats), 'INVALID_JSON', /too large/);
  throwsKeyrite(() => parse('-1e400', floats), 'INVALID_JSON', /too large/);
  assert.equal(parse('1e-400', floats), 0); // underflow is finite
  for (const bad of ['01', '-', '1.', '.5', '1e', '1e+', '+1', '0x10', 'NaN', 'Infinity', '-Infinity', '1_000']) {
    throwsKeyrite(() => parse(bad, floats), 'INVALID_JSON');
  }
});

test('json: rejects syntax errors with line and column', () => {
  throwsKeyrite(() => parse(''), 'INVALID_JSON', /empty/);
  throwsKeyrite(() => parse('  \n '), 'INVALID_JSON', /only whitespace/);
  throwsKeyrite(() => parse('{"a":1} x'), 'INVALID_JSON', /more data after.*line 1, column 9/);
  throwsKeyrite(() => parse('{"a":1}{}'), 'INVALID_JSON', /more data/);
  throwsKeyrite(() => parse('{\n  "a": 1,\n}'), 'INVALID_JSON', /member name.*line 3, column 1/);
  throwsKeyrite(() => parse('[1,]'), 'INVALID_JSON', /line 1, column 4/);
  throwsKeyrite(() => parse('[1 2]'), 'INVALID_JSON', /"," or "]"/);
  throwsKeyrite(() => parse('{"a" 1}'), 'INVALID_JSON', /":"/);
  throwsKeyrite(() => parse('{a:1}'), 'INVALID_JSON', /double quotes/);
  throwsKeyrite(() => parse("{'a':1}"), 'INVALID_JSON');
  throwsKeyrite(() => parse('[1'), 'INVALID_JSON', /ends inside an array/);
  throwsKeyrite(() => parse('{"a":1'), 'INVALID_JSON', /ends inside an object/);
  throwsKeyrite(() => parse('"abc'), 'INVALID_JSON', /ends inside a string/);
  throwsKeyrite(() => parse('"a\nb"'), 'INVALID_JSON', /control character/);
  throwsKeyrite(() => parse('"\\x41"'), 'INVALID_JSON', /invalid escape/);
  throwsKeyrite(() => parse('"\\u12"'), 'INVALID_JSON', /four hex digits/);
  throwsKeyrite(() => parse('"\\u12G4"'), 'INVALID_JSON', /four hex digits/);
  throwsKeyrite(() => parse('tru'), 'INVALID_JSON');
  throwsKeyrite(() => parse('True'), 'INVALID_JSON');
  throwsKeyrite(() => parse('nulls'), 'INVALID_JSON', /more data/);
  throwsKeyrite(() => parse('/* c */ 1'), 'INVALID_JSON');
  throwsKeyrite(() => parse('\u00a01'), 'INVALID_JSON'); // NBSP is not JSON whitespace
  throwsKeyrite(() => parse('\ufeff{}'), 'INVALID_JSON', /byte-order mark/);
});

test('json: error messages name the file and never quote values', () => {
  try {
    parseJsonStrict('{"pin": "123456", "pin": "123456"}', 'answers file');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(isKeyriteError(e, 'INVALID_JSON'));
    assert.match(e.message, /^The answers file is not valid JSON: /);
    assert.doesNotMatch(e.message, /123456/);
  }
  try {
    parseJsonStrict('{"secret": "s3cr3t\\q"}', 'keyring');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(isKeyriteError(e, 'INVALID_JSON'));
    assert.doesNotMatch(e.message, /s3cr3t/);
  }
});

test('json: depth and size limits', () => {
  const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  assert.ok(Array.isArray(parse(nest(64))));
  throwsKeyrite(() => parse(nest(65)), 'INVALID_JSON', /deeper than 64/);
  throwsKeyrite(() => parse('{"a":'.repeat(65) + '1' + '}'.repeat(65)), 'INVALID_JSON', /deeper than 64/);
  assert.ok(Array.isArray(parse(nest(3), { maxDepth: 3 })));
  throwsKeyrite(() => parse(nest(4), { maxDepth: 3 }), 'INVALID_JSON', /deeper than 3/);
  throwsKeyrite(() => parse(nest(100000)), 'INVALID_JSON', /deeper/); // no stack overflow
  throwsKeyrite(() => parse('"abcdef"', { maxLength: 5 }), 'INVALID_JSON', /too large.*limit is 5/);
  assert.equal(parse('"abc"', { maxLength: 5 }), 'abc');
  throwsKeyrite(() => parse('1', { maxDepth: 0 }), 'INVALID_INPUT');
  throwsKeyrite(() => parse('1', { maxDepth: 100000 }), 'INVALID_INPUT');
  throwsKeyrite(() => parse('1', { maxLength: -1 }), 'INVALID_INPUT');
});

test('json: wrong argument types', () => {
  throwsKeyrite(() => parseJsonStrict(undefined as unknown as string, 'x'), 'INVALID_INPUT');
  throwsKeyrite(() => parseJsonStrict(new Uint8Array(2) as unknown as string, 'x'), 'INVALID_INPUT');
  throwsKeyrite(() => parseJsonStrict('1', ''), 'INVALID_INPUT');
  throwsKeyrite(() => parseJsonUtf8('{}' as unknown as Uint8Array, 'x'), 'INVALID_INPUT');
});

test('json: parseJsonUtf8 decodes strict UTF-8 without a byte-order mark', () => {
  assert.deepEqual(parseJsonUtf8(new TextEncoder().encode('{"é":"😀"}'), 'f'), { é: '😀' });
  throwsKeyrite(() => parseJsonUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d), 'f'), 'INVALID_JSON', /byte-order mark/);
  throwsKeyrite(() => parseJsonUtf8(Uint8Array.of(0x22, 0xff, 0x22), 'f'), 'INVALID_JSON', /UTF-8/);
  throwsKeyrite(() => parseJsonUtf8(Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22), 'f'), 'INVALID_JSON', /UTF-8/); // CESU surrogate
  throwsKeyrite(() => parseJsonUtf8(new Uint8Array(40), 'f', { maxLength: 10 }), 'INVALID_JSON', /too large/);
});

test('utf16: lone surrogate detection', () => {
  assert.equal(findLoneSurrogate('abc😀'), -1);
  assert.equal(findLoneSurrogate('a\ud800b'), 1);
  assert.equal(findLoneSurrogate('ab\udc00'), 2);
  assert.equal(findLoneSurrogate('\ud83d'), 0);
  assert.ok(isWellFormedUtf16(''));
  assert.ok(!isWellFormedUtf16('\ude00\ud83d'));
});

// Property tests.
const anyUnit = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 30 });

test('json (property): random text never throws anything but a KeyriteError', () => {
  fc.assert(fc.property(anyUnit, (s) => onlyKeyriteErrors(() => parse(s, floats))));
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789.-+eE \\tunrfalse'.split('')), maxLength: 30 }), (s) => {
    onlyKeyriteErrors(() => parse(s));
    onlyKeyriteErrors(() => parse(s, floats));
  }));
});

test('json (property): never accepts what JSON.parse rejects; agrees when it accepts', () => {
  const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]",:01-.e "a\\u'.split('')), maxLength: 25 });
  fc.assert(fc.property(fc.oneof(jsonish, anyUnit), (s) => {
    let ours: unknown;
    try {
      ours = parse(s, floats);
    } catch (e) {
      if (!isKeyriteError(e, 'INVALID_JSON')) throw e;
      return;
    }
    assert.deepEqual(ours, JSON.parse(s));
  }), { numRuns: 2000 });
});

test('json (property): accepts every JSON text of a JSON value and agrees with JSON.parse', () => {
  const value = fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' });
  fc.assert(fc.property(value, fc.constantFrom(undefined, 1, '\t'), (v, indent) => {
    const text = JSON.stringify(v, null, indent);
    assert.deepEqual(parse(text, floats), JSON.parse(text));
  }));
  // Integers only: the default (strict) mode accepts them too.
  const ints = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, fc.maxSafeInteger(), fc.boolean(), fc.constant(null), fc.string({ unit: 'binary' }), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(fc.property(ints, (v) => {
    const text = JSON.stringify(v);
    assert.deepEqual(parse(text), JSON.parse(text));
  }));
});

test('json (property): any object text with a repeated member name is rejected', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }), (key, a, b, rest) => {
    const k = JSON.stringify(key);
    const others = Object.entries(rest).filter(([n]) => n !== key).map(([n, v]) => `${JSON.stringify(n)}:${v}`);
    const members = [`${k}:${JSON.stringify(a)}`, ...others, `${k}:${JSON.stringify(b)}`];
    throwsKeyrite(() => parse(`{${members.join(',')}}`, floats), 'INVALID_JSON', /appears twice/);
  }));
});
