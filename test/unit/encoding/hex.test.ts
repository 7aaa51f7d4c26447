import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { onlyKeyriteErrors, throwsKeyrite } from './_helpers.ts';

test('hex: RFC 4648 §10 base16 test vectors, lowercase out, either case in', () => {
  const vectors: [string, string][] = [['', ''], ['f', '66'], ['fo', '666f'], ['foo', '666f6f'], ['foob', '666f6f62'], ['fooba', '666f6f6261'], ['foobar', '666f6f626172']];
  for (const [text, hex] of vectors) {
    const bytes = new TextEncoder().encode(text);
    assert.equal(toHex(bytes), hex);
    assert.deepEqual(fromHex(hex), bytes);
    assert.deepEqual(fromHex(hex.toUpperCase()), bytes);
  }
  assert.equal(toHex(Uint8Array.of(0, 1, 0xab, 0xff)), '0001abff');
});

test('hex: rejects odd length, non-hex characters, separators and wrong types', () => {
  throwsKeyrite(() => fromHex('abc'), 'INVALID_ENCODING', /odd/);
  throwsKeyrite(() => fromHex('zz'), 'INVALID_ENCODING', /not hex/);
  throwsKeyrite(() => fromHex('0x00'), 'INVALID_ENCODING');
  throwsKeyrite(() => fromHex('00 11'), 'INVALID_ENCODING');
  throwsKeyrite(() => fromHex('+1'), 'INVALID_ENCODING');
  throwsKeyrite(() => fromHex(12 as unknown as string), 'INVALID_ENCODING');
  throwsKeyrite(() => toHex('00' as unknown as Uint8Array), 'INVALID_INPUT');
  throwsKeyrite(() => toHex([0, 1] as unknown as Uint8Array), 'INVALID_INPUT');
});

test('hex: round trip for any bytes, and any string decodes or throws a KeyriteError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    assert.deepEqual(fromHex(toHex(bytes)), bytes);
    assert.match(toHex(bytes), /^(?:[0-9a-f]{2})*$/);
  }));
  fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
    onlyKeyriteErrors(() => fromHex(s));
  }));
  fc.assert(fc.property(fc.stringMatching(/^[0-9a-fA-F]{0,40}$/), (s) => {
    if (s.length % 2 === 0) assert.equal(toHex(fromHex(s)), s.toLowerCase());
    else throwsKeyrite(() => fromHex(s), 'INVALID_ENCODING');
  }));
});
