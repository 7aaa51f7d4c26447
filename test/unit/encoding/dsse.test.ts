import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeEnvelope, pae, parseEnvelope, type DsseEnvelope } from '../../../core/encoding/dsse.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { fixtureText, onlyKeyriteErrors, throwsKeyrite } from './_helpers.ts';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('dsse: PAE of the protocol.md example', () => {
  assert.equal(text(pae('http://example.com/HelloWorld', bytes('hello world'))), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
});

test('dsse: PAE counts UTF-8 bytes and handles empty values', () => {
  assert.deepEqual(pae('t', bytes('é')), Uint8Array.of(...bytes('DSSEv1 1 t 2 '), 0xc3, 0xa9));
  assert.equal(text(pae('类型', bytes('中文'))), 'DSSEv1 6 类型 6 中文');
  assert.equal(text(pae('', new Uint8Array(0))), 'DSSEv1 0  0 ');
  assert.equal(text(pae('x', new Uint8Array(1234))).slice(0, 16), 'DSSEv1 1 x 1234 ');
  throwsKeyrite(() => pae('a\ud800', new Uint8Array(0)), 'INVALID_ENCODING', /lone surrogate/);
  throwsKeyrite(() => pae(5 as unknown as string, new Uint8Array(0)), 'INVALID_INPUT');
  throwsKeyrite(() => pae('t', 'body' as unknown as Uint8Array), 'INVALID_INPUT');
});

test('dsse: protocol.md example envelope parses', () => {
  const env = parseEnvelope(
    '{"payload": "aGVsbG8gd29ybGQ=",\n "payloadType": "http://example.com/HelloWorld",\n "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}',
  );
  assert.equal(text(env.payload), 'hello world');
  assert.equal(env.signatures.length, 1);
  assert.equal(env.signatures[0]!.keyid, undefined);
  assert.equal(env.signatures[0]!.sig.length, 64);
});

interface Vector {
  id: string;
  envelope: unknown;
  pae: string;
  expect: 'accept' | 'reject';
}
interface Vectors {
  keys: Record<string, { public: string }>;
  vectors: Vector[];
}

test('dsse: secure-systems-lab/dsse test vectors (PAE bytes, both base64 alphabets, signatures verify)', () => {
  const v = JSON.parse(fixtureText('dsse/vectors.json')) as Vectors;
  assert.equal(v.vectors.length, 9);
  for (const vec of v.vectors) {
    const raw = JSON.stringify(vec.envelope);
    if (vec.id === 'empty-payload-type') {
      // Refused already when reading: no verifier supports an empty type.
      throwsKeyrite(() => parseEnvelope(raw), 'INVALID_ENCODING', /payloadType.*empty/);
      continue;
    }
    const env = parseEnvelope(raw);
    const p = pae(env.payloadType, env.payload);
    const signers = env.signatures.map((s) => Object.keys(v.keys).filter((k) => ed25519.verify(s.sig, p, fromHex(v.keys[k]!.public))));
    if (vec.id === 'payload-type-swapped') {
      assert.notEqual(toHex(p), vec.pae, vec.id); // signed type differs from the claimed one
      assert.deepEqual(signers, [[]], vec.id);
      continue;
    }
    assert.equal(toHex(p), vec.pae, vec.id);
    for (const s of signers) assert.equal(s.length, 1, vec.id);
    // Duplicate entries are kept; counting distinct principals is the verifier's job.
    const distinct = new Set(signers.flat()).size;
    if (vec.id === 'threshold-two-one-key-twice') assert.deepEqual([env.signatures.length, distinct], [2, 1]);
    if (vec.id === 'threshold-two-distinct-keys' || vec.id === 'threshold-two-without-keyids') assert.equal(distinct, 2);
  }
});

const sample: DsseEnvelope = {
  payloadType: 'application/vnd.in-toto+json',
  payload: bytes('{"_type":"https://in-toto.io/Statement/v1"}'),
  signatures: [
    { keyid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k', sig: new Uint8Array(64).fill(0xfb) },
    { keyid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k', sig: new Uint8Array(64).fill(0xfb) },
    { sig: Uint8Array.of(1, 2, 3) },
  ],
};

test('dsse: encodeEnvelope writes canonical JSON with standard base64, parse reads it back', () => {
  const out = encodeEnvelope(sample);
  assert.ok(out.startsWith('{"payload":"eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"kPrK'));
  assert.ok(out.includes('"sig":"+/v7'));
  assert.ok(out.endsWith('{"sig":"AQID"}]}'));
  assert.deepEqual(parseEnvelope(out), sample);
  assert.equal(encodeEnvelope({ ...sample, signatures: [] }).endsWith('"signatures":[]}'), true);
  assert.deepEqual(parseEnvelope(encodeEnvelope({ ...sample, signatures: [] })).signatures, []);
  throwsKeyrite(() => encodeEnvelope({ ...sample, payloadType: '' }), 'INVALID_INPUT', /empty/);
  throwsKeyrite(() => encodeEnvelope({ ...sample, payload: 'x' as unknown as Uint8Array }), 'INVALID_INPUT');
  throwsKeyrite(() => encodeEnvelope({ ...sample, signatures: [{ sig: new Uint8Array(0) }] }), 'INVALID_INPUT', /non-empty/);
  throwsKeyrite(() => encodeEnvelope({ ...sample, signatures: [{ keyid: 5 as unknown as string, sig: Uint8Array.of(1) }] }), 'INVALID_INPUT', /keyid/);
  throwsKeyrite(() => encodeEnvelope(null as unknown as DsseEnvelope), 'INVALID_INPUT');
});

test('dsse: base64 handling when reading', () => {
  const env = (payload: string, sig = 'AQID'): string => JSON.stringify({ payload, payloadType: 't', signatures: [{ sig }] });
  assert.deepEqual(parseEnvelope(env('+/+/')).payload, Uint8Array.of(0xfb, 0xff, 0xbf));
  assert.deepEqual(parseEnvelope(env('-_-_')).payload, Uint8Array.of(0xfb, 0xff, 0xbf));
  assert.deepEqual(parseEnvelope(env('Zg==')).payload, bytes('f'));
  assert.deepEqual(parseEnvelope(env('Zg')).payload, bytes('f')); // padding optional
  assert.deepEqual(parseEnvelope(env('_w==')).payload, Uint8Array.of(0xff)); // url-safe with padding
  throwsKeyrite(() => parseEnvelope(env('+_')), 'INVALID_ENCODING', /mixes/);
  throwsKeyrite(() => parseEnvelope(env('Zh==')), 'INVALID_ENCODING', /canonical/);
  throwsKeyrite(() => parseEnvelope(env('Zh')), 'INVALID_ENCODING', /canonical/);
  throwsKeyrite(() => parseEnvelope(env('Zg=')), 'INVALID_ENCODING');
  throwsKeyrite(() => parseEnvelope(env('Z')), 'INVALID_ENCODING');
  throwsKeyrite(() => parseEnvelope(env('Zg ==')), 'INVALID_ENCODING', /not base64/);
  throwsKeyrite(() => parseEnvelope(env('Zg==\n')), 'INVALID_ENCODING', /not base64/);
  throwsKeyrite(() => parseEnvelope(env('Zg', 'A=B=')), 'INVALID_ENCODING');
});

test('dsse: strict envelope structure', () => {
  const ok = { payload: 'AQID', payloadType: 't', signatures: [{ keyid: 'k', sig: 'AQID' }] };
  const parse = (o: unknown): DsseEnvelope => parseEnvelope(JSON.stringify(o));
  assert.equal(parse(ok).signatures[0]!.keyid, 'k');
  throwsKeyrite(() => parse({ ...ok, extra: 1 }), 'INVALID_ENCODING', /"extra"/);
  throwsKeyrite(() => parse({ payloadType: 't', signatures: [] }), 'INVALID_ENCODING', /no "payload"/);
  throwsKeyrite(() => parse({ payload: '', signatures: [] }), 'INVALID_ENCODING', /no "payloadType"/);
  throwsKeyrite(() => parse({ payload: '', payloadType: 't' }), 'INVALID_ENCODING', /no "signatures"/);
  throwsKeyrite(() => parse({ ...ok, payload: 5 }), 'INVALID_ENCODING', /"payload"/);
  throwsKeyrite(() => parse({ ...ok, payload: null }), 'INVALID_ENCODING', /"payload"/);
  throwsKeyrite(() => parse({ ...ok, payloadType: 5 }), 'INVALID_ENCODING', /"payloadType"/);
  throwsKeyrite(() => parse({ ...ok, signatures: {} }), 'INVALID_ENCODING', /list/);
  throwsKeyrite(() => parse({ ...ok, signatures: ['AQID'] }), 'INVALID_ENCODING', /signature 1 must be a JSON object/);
  throwsKeyrite(() => parse({ ...ok, signatures: [{ keyid: 'k' }] }), 'INVALID_ENCODING', /no "sig"/);
  throwsKeyrite(() => parse({ ...ok, signatures: [{ sig: '' }] }), 'INVALID_ENCODING', /is empty/);
  throwsKeyrite(() => parse({ ...ok, signatures: [{ sig: 'AQID', keyid: null }] }), 'INVALID_ENCODING', /keyid/);
  throwsKeyrite(() => parse({ ...ok, signatures: [{ sig: 'AQID', publicKey: 'x' }] }), 'INVALID_ENCODING', /"publicKey"/);
  throwsKeyrite(() => parse([ok]), 'INVALID_ENCODING', /JSON object/);
  throwsKeyrite(() => parseEnvelope('{"payload":"","payload":"AQID","payloadType":"t","signatures":[]}'), 'INVALID_JSON', /twice/);
  throwsKeyrite(() => parseEnvelope('{"payload":"","payloadType":"\\ud800","signatures":[]}'), 'INVALID_JSON', /lone surrogate/);
  throwsKeyrite(() => parseEnvelope(JSON.stringify(ok), { maxLength: 10 }), 'INVALID_JSON', /too large/);
  throwsKeyrite(() => parseEnvelope('not json'), 'INVALID_JSON', /DSSE envelope/);
});

test('dsse (property): encode/parse round trip; random text raises only KeyriteError', () => {
  const envArb = fc.record({
    payloadType: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
    payload: fc.uint8Array({ maxLength: 64 }),
    signatures: fc.array(fc.record({ keyid: fc.option(fc.string({ unit: 'binary', maxLength: 10 }), { nil: undefined }), sig: fc.uint8Array({ minLength: 1, maxLength: 8 }) }), { maxLength: 3 }),
  });
  fc.assert(fc.property(envArb, (e) => {
    const env: DsseEnvelope = { ...e, signatures: e.signatures.map((s) => (s.keyid === undefined ? { sig: s.sig } : { keyid: s.keyid, sig: s.sig })) };
    const out = encodeEnvelope(env);
    assert.deepEqual(parseEnvelope(out), env);
    assert.equal(encodeEnvelope(parseEnvelope(out)), out);
  }));
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => onlyKeyriteErrors(() => parseEnvelope(s))));
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => onlyKeyriteErrors(() => parseEnvelope(JSON.stringify(v)))));
});
