// The signing request (docs/FORMATS.md "Signing request"): the example parses; each refusal of
// the format, one test each, with its sentence; garbage and mutations only ever give typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isKeyriteError } from '../../../core/errors.ts';
import { fromUtf8, utf8 } from '../../../core/bytes.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { toBase64url } from '../../../core/encoding/base64url.ts';
import { p256PublicKey } from '../../../core/crypto/p256.ts';
import { mldsa65KeyFromSeed } from '../../../core/crypto/mldsa65.ts';
import { mlkem768KeyFromSeed } from '../../../core/crypto/mlkem768.ts';
import { exampleArtifactBytes, exampleSigningRequest, EXAMPLE_ARTIFACT_NAME } from '../../../core/signing/example-request.ts';
import { MAX_ARTIFACTS_PER_REQUEST, MAX_KEYS_PER_REQUEST, MAX_REQUEST_BYTES, parseSigningRequest, SIGNING_REQUEST_FORMAT } from '../../../core/signing/request.ts';
import { exampleRequestBytes, fixedRandom, LIMITS, NOW } from './fixtures.ts';

type Json = Record<string, unknown> & { keys: Record<string, unknown>[]; artifacts: Record<string, unknown>[] };

function example(): Json {
  return JSON.parse(fromUtf8(exampleRequestBytes())) as Json;
}

function parse(doc: unknown, limits = LIMITS, now = NOW) {
  return parseSigningRequest(utf8(JSON.stringify(doc)), limits, now);
}

function refused(doc: unknown, sentence: RegExp, limits = LIMITS, now = NOW): void {
  assert.throws(
    () => parse(doc, limits, now),
    (e: unknown) => {
      assert.ok(isKeyriteError(e, 'REQUEST_REFUSED'), `expected REQUEST_REFUSED, got ${String(e)}`);
      assert.match(e.message, /^The signing request is refused: /);
      assert.match(e.message, sentence);
      return true;
    },
  );
}

const ed = (doc: Json) => doc.keys[0]!;
const xwing = (doc: Json) => doc.keys[1]!;
const NBF = '2026-12-07T15:00:00Z';
const EXP = '2027-12-07T15:00:00Z';
const common = (kid: string, use: string) => ({ kid, use, label: 'ops', nbf: NBF, exp: EXP });

test('the example request parses: two keys, one artifact of the demo release file, the SHA-256 of the exact bytes', () => {
  const bytes = exampleRequestBytes();
  const r = parseSigningRequest(bytes, LIMITS, NOW);
  assert.equal(r.sha256, toHex(sha256(bytes)));
  assert.deepEqual(r.keys.map((k) => [k.alg, k.use, k.label, k.nbf, k.exp]), [
    ['Ed25519', 'sig', 'release-signing', NBF, EXP],
    ['X-Wing', 'enc', 'backup-encryption', NBF, EXP],
  ]);
  assert.deepEqual(r.artifacts, [{ name: EXAMPLE_ARTIFACT_NAME, size: exampleArtifactBytes().length, sha256: toHex(sha256(exampleArtifactBytes())) }]);
  assert.deepEqual(r.keys[0]!.jwk, example().keys[0]);
});

test('the example request is valid for a year from now truncated to the second', () => {
  const r = parseSigningRequest(exampleRequestBytesAt(new Date('2026-03-01T10:20:30.999Z')), { ...LIMITS, maxValidityDays: 365 }, new Date('2026-03-01T10:20:31Z'));
  assert.equal(r.keys[0]!.nbf, '2026-03-01T10:20:30Z');
  assert.equal(r.keys[0]!.exp, '2027-03-01T10:20:30Z');
});

function exampleRequestBytesAt(now: Date): Uint8Array {
  return exampleSigningRequest(now, fixedRandom());
}

test('every algorithm of the format is accepted with its use: Ed25519, ES256, ML-DSA-65 (sig), ML-KEM-768, X-Wing (enc)', () => {
  const doc = example();
  const p = p256PublicKey(new Uint8Array(32).fill(3));
  doc.keys.push({ kty: 'EC', crv: 'P-256', x: toBase64url(p.subarray(1, 33)), y: toBase64url(p.subarray(33)), alg: 'ES256', ...common('es', 'sig') });
  doc.keys.push({ kty: 'AKP', alg: 'ML-DSA-65', pub: toBase64url(mldsa65KeyFromSeed(new Uint8Array(32).fill(4)).publicKey), ...common('mldsa', 'sig') });
  doc.keys.push({ kty: 'AKP', alg: 'ML-KEM-768', pub: toBase64url(mlkem768KeyFromSeed(new Uint8Array(64).fill(5)).publicKey), ...common('mlkem', 'enc') });
  ed(doc).alg = 'EdDSA';
  assert.deepEqual(parse(doc).keys.map((k) => k.alg), ['Ed25519', 'X-Wing', 'ES256', 'ML-DSA-65', 'ML-KEM-768']);
  ed(doc).alg = 'Ed25519';
  assert.equal(parse(doc).keys.length, 5);
});

test('refused: a top-level member outside the format', () => {
  refused({ ...example(), comment: 'x' }, /member outside the request format: "comment"/);
});

test('refused: a key member outside the format', () => {
  const doc = example();
  ed(doc).key_ops = ['verify'];
  refused(doc, /key 1 has a member outside the request format: "key_ops"/);
});

test('refused: an artifact member outside the format', () => {
  const doc = example();
  doc.artifacts[0]!.url = 'https://example.com';
  refused(doc, /artifact 1 has a member outside the request format: "url"/);
});

test('refused: a private member in a JWK (each of d, priv, seed, p, q, dp, dq, qi, k, oth)', () => {
  for (const m of ['d', 'priv', 'seed', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) {
    const doc = example();
    xwing(doc)[m] = 'AAAA';
    refused(doc, new RegExp(`key 2 contains private key material \\("${m}"\\): only public keys are endorsed`));
  }
});

test('refused: an unknown key type', () => {
  const doc = example();
  ed(doc).kty = 'RSA';
  refused(doc, /key 1 has an unknown algorithm: its key type "RSA" is not one Keyrite endorses/);
});

test('refused: an unknown curve', () => {
  const doc = example();
  ed(doc).crv = 'X25519';
  refused(doc, /key 1 has an unknown algorithm: its OKP curve "X25519"/);
  const ec = example();
  ec.keys[0] = { ...ed(ec), kty: 'EC', crv: 'secp256k1', y: ed(ec).x };
  refused(ec, /key 1 has an unknown algorithm: its EC curve "secp256k1"/);
});

test('refused: an unknown AKP algorithm', () => {
  const doc = example();
  xwing(doc).alg = 'ML-KEM-1024';
  refused(doc, /key 2 has an unknown algorithm: its AKP algorithm "ML-KEM-1024"/);
});

test('refused: an "alg" that does not fit a curve key', () => {
  const doc = example();
  ed(doc).alg = 'ES256';
  refused(doc, /key 1 \(kid "release-signing-2026"\) has an unknown algorithm: "alg" must be "EdDSA" or "Ed25519"/);
});

test('refused: a use that does not fit the algorithm', () => {
  const doc = example();
  ed(doc).use = 'enc';
  refused(doc, /key 1 \(kid "release-signing-2026"\) has "use" "enc", which does not fit an Ed25519 key: it must be "sig"/);
  const kem = example();
  xwing(kem).use = 'sig';
  refused(kem, /key 2 \(kid "backup-encryption-2026"\) has "use" "sig", which does not fit an X-Wing key: it must be "enc"/);
});

test('refused: an Ed25519 key that does not decode or has small order', () => {
  const doc = example();
  ed(doc).x = toBase64url(new Uint8Array(32).fill(0xff)); // y ≥ p: not canonical
  refused(doc, /key 1 \(kid "release-signing-2026"\) is not a valid Ed25519 key/);
  const small = example();
  small.keys[0]!.x = toBase64url(Uint8Array.of(1, ...new Uint8Array(31))); // the identity point
  refused(small, /is not a valid Ed25519 key: "x" does not decode to a curve point, or the point has small order/);
});

test('refused: an ES256 key that is not on the curve', () => {
  const doc = example();
  const p = p256PublicKey(new Uint8Array(32).fill(3));
  const y = p.slice(33);
  y[31] = y[31]! ^ 1;
  doc.keys.push({ kty: 'EC', crv: 'P-256', x: toBase64url(p.subarray(1, 33)), y: toBase64url(y), ...common('es', 'sig') });
  refused(doc, /key 3 \(kid "es"\) is not a valid ES256 key: \(x, y\) is not a point on the P-256 curve/);
});

test('refused: a key of the wrong length', () => {
  const doc = example();
  doc.keys.push({ kty: 'AKP', alg: 'ML-DSA-65', pub: toBase64url(new Uint8Array(1951)), ...common('mldsa', 'sig') });
  refused(doc, /key 3 \(kid "mldsa"\) is not a valid ML-DSA-65 key: "pub" must encode 1952 bytes, it encodes 1951/);
  const x = example();
  xwing(x).pub = toBase64url(new Uint8Array(1184));
  refused(x, /is not a valid X-Wing key: "pub" must encode 1216 bytes, it encodes 1184/);
});

test('refused: an ML-KEM-768 key that fails the FIPS 203 modulus check', () => {
  const pub = mlkem768KeyFromSeed(new Uint8Array(64).fill(5)).publicKey;
  pub[0] = 0xff;
  pub[1] = pub[1]! | 0x0f; // the first 12-bit coefficient becomes 4095 ≥ q
  const doc = example();
  doc.keys.push({ kty: 'AKP', alg: 'ML-KEM-768', pub: toBase64url(pub), ...common('mlkem', 'enc') });
  refused(doc, /key 3 \(kid "mlkem"\) is not a valid ML-KEM-768 key: it fails the encapsulation-key modulus check of FIPS 203 §7.2/);
});

test('refused: an X-Wing key whose ML-KEM part fails the modulus check, or whose X25519 part is of low order', () => {
  const doc = example();
  const pub = Buffer.from(xwing(doc).pub as string, 'base64url');
  const bad = Uint8Array.from(pub);
  bad[0] = 0xff;
  bad[1] = bad[1]! | 0x0f;
  xwing(doc).pub = toBase64url(bad);
  refused(doc, /key 2 \(kid "backup-encryption-2026"\) is not a valid X-Wing key: its ML-KEM-768 part fails the encapsulation-key modulus check/);
  const low = Uint8Array.from(pub);
  low.fill(0, 1184);
  low[1184] = 1; // u = 1, a point of order 4
  const doc2 = example();
  xwing(doc2).pub = toBase64url(low);
  refused(doc2, /is not a valid X-Wing key: its X25519 part is a low-order point/);
});

test('refused: key material that is not canonical base64url', () => {
  const doc = example();
  ed(doc).x = `${ed(doc).x as string}=`;
  refused(doc, /key 1 \(kid "release-signing-2026"\) has a "x" that is not canonical unpadded base64url/);
});

test('refused: a duplicate kid', () => {
  const doc = example();
  xwing(doc).kid = ed(doc).kid;
  refused(doc, /key 2 \(kid "release-signing-2026"\) repeats the kid of key 1: every kid must be unique in the request/);
});

test('refused: the same public key twice under two kids', () => {
  const doc = example();
  doc.keys.push({ ...ed(doc), kid: 'again' });
  refused(doc, /key 3 \(kid "again"\) is the same public key as key 1: endorse each key once/);
});

test('refused: nbf not before exp', () => {
  const doc = example();
  ed(doc).nbf = ed(doc).exp;
  refused(doc, /key 1 \(kid "release-signing-2026"\) has nbf 2027-12-07T15:00:00Z not before exp 2027-12-07T15:00:00Z/);
});

test('refused: a key already expired at the time of the check', () => {
  refused(example(), /key 1 \(kid "release-signing-2026"\) has already expired: exp 2027-12-07T15:00:00Z is not after the time of the check/, LIMITS, new Date('2027-12-07T15:00:00Z'));
});

test("refused: a validity longer than the script's max-validity-days", () => {
  refused(example(), /key 1 \(kid "release-signing-2026"\) is valid from 2026-12-07T15:00:00Z to 2027-12-07T15:00:00Z, longer than this script's limit of 364 days \(max-validity-days\)/, { ...LIMITS, maxValidityDays: 364 });
  assert.equal(parse(example(), { ...LIMITS, maxValidityDays: 365 }).keys.length, 2, 'exactly the limit is allowed');
});

test("refused: more keys than the script's max-keys", () => {
  refused(example(), /it has 2 keys, more than this script's limit of 1 \(max-keys\)/, { ...LIMITS, maxKeys: 1 });
});

test("refused: more artifacts than the script's max-artifacts", () => {
  const doc = example();
  doc.artifacts.push({ ...doc.artifacts[0]!, name: 'second.txt' });
  refused(doc, /it has 2 artifacts, more than this script's limit of 1 \(max-artifacts\)/, { ...LIMITS, maxArtifacts: 1 });
});

test('refused: an empty request, or an empty list', () => {
  refused({ format: SIGNING_REQUEST_FORMAT, title: 'nothing' }, /it is empty: it has neither "keys" nor "artifacts"/);
  refused({ ...example(), keys: [] }, /"keys" is an empty list \(leave it out instead\)/);
  refused({ ...example(), artifacts: [] }, /"artifacts" is an empty list/);
  const onlyArtifacts = example() as Partial<Json>;
  delete onlyArtifacts.keys;
  assert.equal(parse(onlyArtifacts).keys.length, 0);
});

test('refused: another format', () => {
  refused({ ...example(), format: 'keyrite/signing-request/v2' }, /its "format" is not "keyrite\/signing-request\/v1"/);
});

test('refused: a title that is empty, too long, or has control or invisible characters', () => {
  for (const title of ['', 'x'.repeat(201), 'sign\u001b[2Jthis', 'release \u202egnp.exe', 'a\u200bb', 42]) {
    refused({ ...example(), title }, /its "title" is not 1 to 200 characters without control or invisible characters/);
  }
  assert.equal(parse({ ...example(), title: '日本語 😀'.repeat(28) }).title.length > 0, true, '200 characters, not UTF-16 units');
});

test('refused: a kid outside 1 to 64 of A-Za-z0-9._:-', () => {
  for (const kid of ['', 'a'.repeat(65), 'has space', 'ünicode', 'a/b', 7]) {
    const doc = example();
    ed(doc).kid = kid;
    refused(doc, /key 1 has a "kid" that is not 1 to 64 of the characters/);
  }
});

test('refused: a label that is empty, too long or has control characters', () => {
  for (const label of ['', 'x'.repeat(101), 'line\nbreak', 'bidi\u2066x']) {
    const doc = example();
    ed(doc).label = label;
    refused(doc, /key 1 \(kid "release-signing-2026"\) has a "label" that is not 1 to 100 characters/);
  }
});

test('refused: nbf or exp not written YYYY-MM-DDTHH:MM:SSZ, or not a real date', () => {
  for (const nbf of ['2026-12-07T15:00:00.000Z', '2026-12-07T15:00:00+00:00', '2026-02-30T00:00:00Z', '2026-12-07 15:00:00Z', 1765119600]) {
    const doc = example();
    ed(doc).nbf = nbf;
    refused(doc, /key 1 \(kid "release-signing-2026"\) has an "nbf" that is not a UTC time written YYYY-MM-DDTHH:MM:SSZ/);
  }
  const doc = example();
  ed(doc).exp = '2027-13-01T00:00:00Z';
  refused(doc, /has an "exp" that is not a UTC time/);
});

test('refused: a key that is not an object, or misses a member', () => {
  refused({ ...example(), keys: ['x'] }, /key 1 is not a JSON object \(a public JWK\)/);
  const doc = example();
  delete ed(doc).label;
  refused(doc, /key 1 has no "label" member/);
});

test('refused: an artifact name that is not a plain file name', () => {
  for (const name of ['', '.hidden', '../etc/passwd', 'a/b', 'sp ace', 'x'.repeat(129), 'nul\u0000']) {
    const doc = example();
    doc.artifacts[0]!.name = name;
    refused(doc, /artifact 1 has a "name" that is not a file name of 1 to 128 of the characters/);
  }
});

test('refused: a duplicate artifact name', () => {
  const doc = example();
  doc.artifacts.push({ ...doc.artifacts[0]! });
  refused(doc, /artifact 2 \("keyrite-demo-release.txt"\) repeats the name of artifact 1/);
});

test('refused: an artifact size that is not a whole number from 0 to 2^53-1', () => {
  for (const size of [-1, '12', true, null]) {
    const doc = example();
    doc.artifacts[0]!.size = size;
    refused(doc, /artifact 1 \("keyrite-demo-release.txt"\) has a "size" that is not a whole number of bytes/);
  }
  // Fractions and integers beyond 2^53-1 never reach the rule: the strict JSON reader refuses them.
  for (const size of ['1.5', '9007199254740992']) {
    const text = JSON.stringify(example()).replace(/"size":\d+/, `"size":${size}`);
    assert.throws(() => parseSigningRequest(utf8(text), LIMITS, NOW), (e: unknown) => isKeyriteError(e, 'INVALID_JSON') && /signing request/.test(e.message));
  }
});

test('refused: an artifact sha256 that is not 64 lowercase hex digits', () => {
  for (const digest of ['A'.repeat(64), 'a'.repeat(63), 'g'.repeat(64)]) {
    const doc = example();
    doc.artifacts[0]!.sha256 = digest;
    refused(doc, /artifact 1 \("keyrite-demo-release.txt"\) has a "sha256" that is not 64 lowercase hex digits/);
  }
});

test('refused: a request over 1 MiB, before it is parsed', () => {
  const big = new Uint8Array(MAX_REQUEST_BYTES + 1).fill(0x20);
  assert.throws(() => parseSigningRequest(big, LIMITS, NOW), (e: unknown) => isKeyriteError(e, 'REQUEST_REFUSED') && /1048577 bytes, more than the limit of 1048576 bytes/.test(e.message));
});

test('malformed JSON, encodings and duplicate members are typed errors naming the signing request', () => {
  const cases = [utf8('{'), Uint8Array.of(0xef, 0xbb, 0xbf, ...utf8('{}')), Uint8Array.of(0x7b, 0xff, 0x7d), utf8('{"format":"a","format":"b"}'), utf8('[]'), utf8('null'), new Uint8Array(0)];
  for (const bytes of cases) {
    assert.throws(() => parseSigningRequest(bytes, LIMITS, NOW), (e: unknown) => isKeyriteError(e) && /signing request/.test(e.message) && ['INVALID_JSON', 'REQUEST_REFUSED'].includes(e.code));
  }
});

test('bad limits or time are a programming error (INVALID_INPUT), not a refusal of the request', () => {
  assert.throws(() => parseSigningRequest(exampleRequestBytes(), { ...LIMITS, maxKeys: 0 }, NOW), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT'));
  assert.throws(() => parseSigningRequest(exampleRequestBytes(), LIMITS, new Date(NaN)), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT'));
  assert.throws(() => parseSigningRequest(exampleRequestBytes(), { ...LIMITS, maxKeys: MAX_KEYS_PER_REQUEST + 1 }, NOW), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT') && /max-keys from 1 to 64/.test(e.message));
  assert.throws(() => parseSigningRequest(exampleRequestBytes(), { ...LIMITS, maxArtifacts: MAX_ARTIFACTS_PER_REQUEST + 1 }, NOW), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT'));
});

const TYPED = ['REQUEST_REFUSED', 'INVALID_JSON'];

test('property: a request with random byte changes parses or is refused with a typed error naming the signing request', () => {
  const base = exampleRequestBytes();
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
      const bytes = Uint8Array.from(base);
      for (const [i, b] of edits) bytes[i] = b;
      try {
        parseSigningRequest(bytes, LIMITS, NOW);
      } catch (e) {
        assert.ok(isKeyriteError(e) && TYPED.includes(e.code) && /signing request/.test(e.message), String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test('property: any member of the request replaced by any JSON value is accepted or refused (REQUEST_REFUSED), never a crash', () => {
  const paths: (string | number)[][] = [['format'], ['title'], ['keys'], ['artifacts'], ['keys', 0], ['keys', 1], ['artifacts', 0]];
  for (const m of ['kty', 'crv', 'x', 'kid', 'use', 'label', 'nbf', 'exp', 'alg']) paths.push(['keys', 0, m]);
  for (const m of ['kty', 'alg', 'pub', 'kid', 'use']) paths.push(['keys', 1, m]);
  for (const m of ['name', 'size', 'sha256']) paths.push(['artifacts', 0, m]);
  fc.assert(
    fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
      const doc = example() as unknown as Record<string | number, unknown>;
      let at = doc;
      for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
      at[path[path.length - 1]!] = value;
      try {
        parseSigningRequest(utf8(JSON.stringify(doc)), LIMITS, NOW);
      } catch (e) {
        assert.ok(isKeyriteError(e) && TYPED.includes(e.code), String(e));
      }
    }),
    { numRuns: 400 },
  );
});
