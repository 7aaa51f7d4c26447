import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromBase64, fromBase64url, toBase64, toBase64url } from '../../../core/encoding/base64url.ts';
import { onlyKeyriteErrors, throwsKeyrite } from './_helpers.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('base64: RFC 4648 §10 test vectors (padded standard, unpadded url-safe)', () => {
  const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
  for (const [text, b64] of vectors) {
    assert.equal(toBase64(enc(text)), b64);
    assert.deepEqual(fromBase64(b64), enc(text));
    const url = b64.replace(/=+$/, '');
    assert.equal(toBase64url(enc(text)), url);
    assert.deepEqual(fromBase64url(url), enc(text));
  }
  // The two alphabets differ in 62 and 63.
  assert.equal(toBase64(Uint8Array.of(0xfb, 0xff, 0xbf)), '+/+/');
  assert.equal(toBase64url(Uint8Array.of(0xfb, 0xff, 0xbf)), '-_-_');
  // RFC 8037 Appendix A.2 public key x.
  assert.equal(fromBase64url('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo').length, 32);
});

test('base64url: strict decoding', () => {
  throwsKeyrite(() => fromBase64url('Zg=='), 'INVALID_ENCODING', /not base64url/); // padding
  throwsKeyrite(() => fromBase64url('Zm9v+A'), 'INVALID_ENCODING'); // standard alphabet
  throwsKeyrite(() => fromBase64url('Zm9v/A'), 'INVALID_ENCODING');
  throwsKeyrite(() => fromBase64url('Z'), 'INVALID_ENCODING', /length/); // impossible length
  throwsKeyrite(() => fromBase64url('Zh'), 'INVALID_ENCODING', /canonical/); // non-zero trailing bits
  throwsKeyrite(() => fromBase64url('Zm9=v'), 'INVALID_ENCODING');
  throwsKeyrite(() => fromBase64url('Zm 9v'), 'INVALID_ENCODING');
  throwsKeyrite(() => fromBase64url('Zm9v\n'), 'INVALID_ENCODING');
  // Characters outside ASCII, including ones whose low bits name an alphabet letter ('Ł' is U+0141, 'A' + 256).
  throwsKeyrite(() => fromBase64url('Zm9v\u0141A'), 'INVALID_ENCODING', /not base64url/);
  throwsKeyrite(() => fromBase64url('Zm9v\u{1F600}'), 'INVALID_ENCODING');
  throwsKeyrite(() => fromBase64('Zm9v\u0141A=='), 'INVALID_ENCODING', /not base64/);
  throwsKeyrite(() => fromBase64url(null as unknown as string), 'INVALID_ENCODING');
  throwsKeyrite(() => toBase64url('x' as unknown as Uint8Array), 'INVALID_INPUT');
});

test('base64: strict decoding', () => {
  throwsKeyrite(() => fromBase64('Zg'), 'INVALID_ENCODING', /length/); // missing padding
  throwsKeyrite(() => fromBase64('Zg='), 'INVALID_ENCODING');
  throwsKeyrite(() => fromBase64('Zh=='), 'INVALID_ENCODING', /canonical/);
  throwsKeyrite(() => fromBase64('Zm9='), 'INVALID_ENCODING', /canonical/);
  throwsKeyrite(() => fromBase64('Zm8=Zm8='), 'INVALID_ENCODING'); // padding in the middle
  throwsKeyrite(() => fromBase64('===='), 'INVALID_ENCODING');
  throwsKeyrite(() => fromBase64('Zm9v-_-_'), 'INVALID_ENCODING'); // url-safe alphabet
  throwsKeyrite(() => fromBase64('Zm9v\r\n'), 'INVALID_ENCODING');
});

test('base64/base64url: round trip and one encoding per byte string (property)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    const u = toBase64url(bytes);
    assert.match(u, /^[A-Za-z0-9_-]*$/);
    assert.deepEqual(fromBase64url(u), bytes);
    const s = toBase64(bytes);
    assert.equal(s.length % 4, 0);
    assert.deepEqual(fromBase64(s), bytes);
  }));
  // Strictness: whatever decodes re-encodes to exactly the same text.
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,24}$/), (s) => {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64url(s);
    } catch {
      return;
    }
    assert.equal(toBase64url(bytes), s);
  }));
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9+/]{0,24}={0,2}$/), (s) => {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(s);
    } catch {
      return;
    }
    assert.equal(toBase64(bytes), s);
  }));
  fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
    onlyKeyriteErrors(() => fromBase64url(s));
    onlyKeyriteErrors(() => fromBase64(s));
  }));
});
