// RFC 7512 token URIs: parsing, refusals (PINs, slots, modules, garbage), formatting, matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isKeyriteError } from '../../../core/errors.ts';
import { formatTokenMatch, formatTokenUri, parseTokenUri, selectToken, tokenMatches, unpad } from '../../../core/tokens/pkcs11-uri.ts';

const softhsm = { label: 'Trustee 1', manufacturer: 'SoftHSM project', model: 'SoftHSM v2', serial: '1c65389b29ccdd33' };

test('parses token, serial, manufacturer and model with percent-decoding', () => {
  assert.deepEqual(parseTokenUri('pkcs11:token=Trustee%201;serial=1c65389b29ccdd33;manufacturer=SoftHSM%20project;model=SoftHSM%20v2'), {
    token: 'Trustee 1',
    serial: '1c65389b29ccdd33',
    manufacturer: 'SoftHSM project',
    model: 'SoftHSM v2',
  });
  assert.deepEqual(parseTokenUri('pkcs11:'), {});
  assert.deepEqual(parseTokenUri('PKCS11:token=a'), { token: 'a' }, 'the scheme is case-insensitive');
  assert.deepEqual(parseTokenUri('pkcs11:TOKEN=a'), { token: 'a' }, 'attribute names are case-insensitive');
  assert.deepEqual(parseTokenUri('pkcs11:token=%C3%A9t%C3%A9'), { token: 'été' });
  assert.deepEqual(parseTokenUri('pkcs11:token=a=b:c@d!$(x)*+,&'), { token: 'a=b:c@d!$(x)*+,&' });
  assert.deepEqual(parseTokenUri('pkcs11:token='), { token: '' });
  assert.deepEqual(parseTokenUri('pkcs11:library-manufacturer=SoftHSM;library-description=Implementation%20of%20PKCS11;library-version=2.6'), {
    libraryManufacturer: 'SoftHSM',
    libraryDescription: 'Implementation of PKCS11',
    libraryVersion: '2.6',
  });
});

function refused(uri: string, pattern: RegExp): void {
  assert.throws(
    () => parseTokenUri(uri),
    (e) => {
      assert.ok(isKeyriteError(e, 'INVALID_INPUT'), `${uri}: ${String(e)}`);
      assert.match(e.message, pattern, uri);
      return true;
    },
  );
}

test('refuses PINs in URIs (pin-value, pin-source), in the query or the path, without echoing them', () => {
  for (const uri of ['pkcs11:token=a?pin-value=123456', 'pkcs11:token=a?pin-source=file:/etc/pin', 'pkcs11:token=a?module-name=x&pin-value=123456', 'pkcs11:token=a;pin-value=123456', 'pkcs11:?PIN-VALUE=123456']) {
    refused(uri, /PIN|pin-/);
    try {
      parseTokenUri(uri);
    } catch (e) {
      assert.ok(!(e as Error).message.includes('123456'), 'the PIN is not repeated');
      assert.ok(!(e as Error).message.includes('/etc/pin'));
    }
  }
});

test('refuses selection by slot, objects, modules and unknown attributes', () => {
  refused('pkcs11:slot-id=1', /never selects by slot/);
  refused('pkcs11:token=a;slot-description=SoftHSM%20slot', /never selects by slot/);
  refused('pkcs11:slot-manufacturer=SoftHSM', /never selects by slot/);
  refused('pkcs11:token=a;object=master', /names an object/);
  refused('pkcs11:token=a;type=private', /names an object/);
  refused('pkcs11:token=a;id=%01%02', /names an object/);
  refused('pkcs11:token=a?module-path=/usr/lib/evil.so', /--module/);
  refused('pkcs11:token=a?module-name=softhsm2', /--module/);
  refused('pkcs11:token=a;x-vendor=1', /vendor attribute/);
  refused('pkcs11:token=a;colour=blue', /unknown attribute/);
  refused('pkcs11:token=a?', /empty query/);
  refused('pkcs11:token=a?foo=bar', /query part/);
});

test('refuses garbage', () => {
  const garbage: Array<[string, RegExp]> = [
    ['', /must start with "pkcs11:"/],
    ['token=a', /must start with "pkcs11:"/],
    ['pkcs11', /must start with "pkcs11:"/],
    ['http://example.com/', /must start with "pkcs11:"/],
    ['pkcs11:token=a;;serial=1', /empty attribute/],
    ['pkcs11:token=a;', /empty attribute/],
    ['pkcs11:token', /name=value/],
    ['pkcs11:=a', /name=value/],
    ['pkcs11:token=a;token=b', /more than once/],
    ['pkcs11:token=a;TOKEN=b', /more than once/],
    ['pkcs11:token=a%2', /percent-encoding/],
    ['pkcs11:token=a%zz', /percent-encoding/],
    ['pkcs11:token=%', /percent-encoding/],
    ['pkcs11:token=a b', /percent-encoded/],
    ['pkcs11:token=a/b', /percent-encoded/],
    ['pkcs11:token=é', /percent-encoded/],
    ['pkcs11:token=a"b', /percent-encoded/],
    ['pkcs11:token=%FF%FE', /UTF-8/],
    ['pkcs11:token=a#frag', /fragment/],
    ['pkcs11:library-version=two', /major/],
    ['pkcs11:token=' + 'a'.repeat(5000), /too long/],
  ];
  for (const [uri, pattern] of garbage) refused(uri, pattern);
  assert.throws(() => parseTokenUri(42 as unknown as string), (e) => isKeyriteError(e, 'INVALID_INPUT'));
});

test('arbitrary strings never crash the parser: a result or INVALID_INPUT', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      for (const uri of [s, 'pkcs11:' + s]) {
        try {
          const m = parseTokenUri(uri);
          assert.equal(typeof m, 'object');
        } catch (e) {
          assert.ok(isKeyriteError(e, 'INVALID_INPUT'), String(e));
        }
      }
    }),
    { numRuns: 500 },
  );
});

test('formats a token URI that parses back to the same identity', () => {
  const uri = formatTokenUri(softhsm);
  assert.equal(uri, 'pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=1c65389b29ccdd33;token=Trustee%201');
  assert.deepEqual(parseTokenUri(uri), { model: 'SoftHSM v2', manufacturer: 'SoftHSM project', serial: '1c65389b29ccdd33', token: 'Trustee 1' });
  assert.equal(formatTokenUri({ ...softhsm, label: 'a;b?c%d/e#f' }).endsWith('token=a%3Bb%3Fc%25d%2Fe%23f'), true);
  fc.assert(
    fc.property(fc.record({ label: fc.string({ maxLength: 32 }), manufacturer: fc.string({ maxLength: 32 }), model: fc.string({ maxLength: 16 }), serial: fc.string({ maxLength: 16 }) }), (t) => {
      const id = { label: unpad(t.label), manufacturer: unpad(t.manufacturer), model: unpad(t.model), serial: unpad(t.serial) };
      // Lone surrogates cannot be encoded as UTF-8; they never come out of a token either.
      if (Object.values(id).some((v) => /[\uD800-\uDFFF]/.test(v))) return;
      assert.ok(tokenMatches(parseTokenUri(formatTokenUri(id)), id));
    }),
    { numRuns: 300 },
  );
});

test('matching ignores PKCS#11 blank padding, compares exactly otherwise', () => {
  const padded = { label: 'Trustee 1'.padEnd(32, ' '), manufacturer: 'SoftHSM project'.padEnd(32, ' '), model: 'SoftHSM v2'.padEnd(16, ' '), serial: softhsm.serial };
  assert.ok(tokenMatches({ token: 'Trustee 1' }, padded));
  assert.ok(tokenMatches({}, padded));
  assert.ok(!tokenMatches({ token: 'trustee 1' }, padded), 'case-sensitive');
  assert.ok(!tokenMatches({ token: 'Trustee' }, padded), 'no prefix match');
  assert.ok(!tokenMatches({ serial: '1c65389b29ccdd34' }, padded));
  const lib = { manufacturer: 'SoftHSM', description: 'Implementation of PKCS11', version: '2.6' };
  assert.ok(tokenMatches({ libraryVersion: '2' }, padded, lib));
  assert.ok(tokenMatches({ libraryVersion: '2.6' }, padded, lib));
  assert.ok(!tokenMatches({ libraryVersion: '2.5' }, padded, lib));
  assert.ok(!tokenMatches({ libraryManufacturer: 'SoftHSM' }, padded), 'library attributes need library information');
});

test('selectToken: exactly one, none (listing what is there), or ambiguous (naming label and serial)', () => {
  const tokens = [
    { ...softhsm, label: 'A', serial: '01' },
    { ...softhsm, label: 'B', serial: '02' },
    { ...softhsm, label: 'B', serial: '03' },
  ];
  assert.equal(selectToken(tokens, 'pkcs11:token=A').serial, '01');
  assert.equal(selectToken(tokens, { token: 'B', serial: '03' }).serial, '03');
  assert.throws(
    () => selectToken(tokens, 'pkcs11:token=C'),
    (e) => isKeyriteError(e, 'TOKEN_NOT_FOUND') && /No token matches pkcs11:token=C\. Tokens present: "A" \(serial 01\), "B" \(serial 02\), "B" \(serial 03\)\./.test(e.message),
  );
  assert.throws(() => selectToken([], 'pkcs11:'), (e) => isKeyriteError(e, 'TOKEN_NOT_FOUND') && /No token is present/.test(e.message));
  assert.throws(
    () => selectToken(tokens, 'pkcs11:token=B'),
    (e) => isKeyriteError(e, 'TOKEN_ERROR') && /2 tokens match pkcs11:token=B: "B" \(serial 02\), "B" \(serial 03\)\. Add serial=/.test(e.message),
  );
  assert.equal(formatTokenMatch({ token: 'a b', serial: '1' }), 'pkcs11:token=a%20b;serial=1');
});
