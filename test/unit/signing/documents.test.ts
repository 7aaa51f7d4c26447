// The signed documents and their envelopes (docs/FORMATS.md "Signed documents"): deterministic
// canonical bytes with the members the format lists, the issuer's keys and fingerprint, and an
// envelope whose two signatures verify over PAE with Keyrite's own crypto wrappers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeyriteError } from '../../../core/errors.ts';
import { fromUtf8, utf8 } from '../../../core/bytes.ts';
import { ed25519Verify } from '../../../core/crypto/ed25519.ts';
import { KEYRITE_CONTEXT, mldsa65Verify } from '../../../core/crypto/mldsa65.ts';
import { p256PublicKey } from '../../../core/crypto/p256.ts';
import { canonicalize } from '../../../core/encoding/jcs.ts';
import { parseEnvelope, pae } from '../../../core/encoding/dsse.ts';
import { principalFingerprint } from '../../../core/encoding/fingerprint.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { principalKeyIds } from '../../../core/bundle/principals.ts';
import {
  documentsToSign,
  ENDORSED_KEYS_DOCUMENT,
  ENDORSEMENT_PAYLOAD_TYPE,
  SIGNED_ARTIFACTS_DOCUMENT,
  SIGNED_ARTIFACTS_PREDICATE_TYPE,
  signedEnvelope,
} from '../../../core/signing/documents.ts';
import { parseSigningRequest } from '../../../core/signing/request.ts';
import { contextFor, exampleRequestBytes, LIMITS, masterKey, NOW, signDocument, signedSet } from './fixtures.ts';

test('documentsToSign: the endorsement then the statement, the same bytes every time, canonical JSON without a trailing newline', () => {
  const a = signedSet();
  const b = signedSet();
  assert.deepEqual(a.docs.map((d) => [d.name, d.payloadType]), [
    [ENDORSED_KEYS_DOCUMENT, ENDORSEMENT_PAYLOAD_TYPE],
    [SIGNED_ARTIFACTS_DOCUMENT, 'application/vnd.in-toto+json'],
  ]);
  for (let i = 0; i < a.docs.length; i++) {
    assert.deepEqual(a.docs[i]!.bytes, b.docs[i]!.bytes);
    const text = fromUtf8(a.docs[i]!.bytes);
    assert.equal(text, canonicalize(JSON.parse(text)));
    assert.ok(!text.endsWith('\n'));
  }
});

test('the endorsement is a JWK Set of the requested keys exactly as requested, with the issuer and the ceremony', () => {
  const { docs, request, master } = signedSet();
  const doc = JSON.parse(fromUtf8(docs[0]!.bytes));
  assert.deepEqual(Object.keys(doc).sort(), ['keyrite', 'keys']);
  assert.deepEqual(doc.keys, request.keys.map((k) => k.jwk));
  assert.deepEqual(doc.keyrite, {
    format: 'keyrite/endorsement/v1',
    issuer: doc.keyrite.issuer,
    ceremonyId: '0123456789abcdef0123456789abcdef',
    mode: 'live',
    requestSha256: request.sha256,
    signedAt: '2026-12-07T15:00:00Z',
  });
  const issuer = doc.keyrite.issuer;
  assert.equal(issuer.fingerprint, master.fingerprint);
  assert.equal(toHex(principalFingerprint(issuer.keys[0], issuer.keys[1])), master.fingerprint, 'the listed keys give the fingerprint');
  const ids = principalKeyIds(master.publicKey);
  assert.deepEqual([issuer.keys[0].kid, issuer.keys[1].kid], [ids.classical, ids.pq]);
});

test('the statement is an in-toto Statement v1: subjects in request order with sha256 and size, the predicate names issuer, ceremony and title', () => {
  const { docs, request } = signedSet();
  const st = JSON.parse(fromUtf8(docs[1]!.bytes));
  assert.equal(st._type, 'https://in-toto.io/Statement/v1');
  assert.equal(st.predicateType, SIGNED_ARTIFACTS_PREDICATE_TYPE);
  assert.deepEqual(st.subject, request.artifacts.map((a) => ({ name: a.name, digest: { sha256: a.sha256 }, annotations: { size: a.size } })));
  assert.deepEqual(Object.keys(st.predicate).sort(), ['ceremonyId', 'issuer', 'mode', 'requestSha256', 'signedAt', 'title']);
  assert.equal(st.predicate.title, request.title);
});

test('a request with only keys or only artifacts makes one document; rehearsal mode is written', () => {
  const doc = JSON.parse(fromUtf8(exampleRequestBytes()));
  const onlyKeys = { ...doc };
  delete onlyKeys.artifacts;
  const onlyArtifacts = { ...doc };
  delete onlyArtifacts.keys;
  assert.deepEqual(signedSet(utf8(JSON.stringify(onlyKeys))).docs.map((d) => d.name), [ENDORSED_KEYS_DOCUMENT]);
  const set = signedSet(utf8(JSON.stringify(onlyArtifacts)), masterKey(), 'rehearsal');
  assert.deepEqual(set.docs.map((d) => d.name), [SIGNED_ARTIFACTS_DOCUMENT]);
  assert.equal(JSON.parse(fromUtf8(set.docs[0]!.bytes)).predicate.mode, 'rehearsal');
});

test('the envelope: canonical DSSE, payload = the document, two signatures (Ed25519 then ML-DSA-65) with thumbprint keyids, each verifying over PAE', () => {
  const { docs, envelopes, master } = signedSet();
  const ids = principalKeyIds(master.publicKey);
  docs.forEach((doc, i) => {
    const text = fromUtf8(envelopes[i]!);
    assert.equal(text, canonicalize(JSON.parse(text)));
    const env = parseEnvelope(text);
    assert.equal(env.payloadType, doc.payloadType);
    assert.deepEqual(env.payload, doc.bytes);
    assert.deepEqual(env.signatures.map((s) => s.keyid), [ids.classical, ids.pq]);
    const m = pae(doc.payloadType, doc.bytes);
    assert.ok(ed25519Verify(master.publicKey.classical.publicKey, m, env.signatures[0]!.sig));
    assert.ok(mldsa65Verify(master.publicKey.pq.publicKey, m, env.signatures[1]!.sig, { context: KEYRITE_CONTEXT }));
    assert.ok(!mldsa65Verify(master.publicKey.pq.publicKey, m, env.signatures[1]!.sig, { context: new Uint8Array(0) }), 'the context is keyrite/v1, not empty');
  });
});

test('signedEnvelope refuses signatures that do not verify: swapped documents, swapped halves, another key', () => {
  const { docs, master } = signedSet();
  const sig0 = signDocument(docs[0]!, master);
  const sig1 = signDocument(docs[1]!, master);
  const other = masterKey(40);
  const cases = [
    { classical: sig1.classical, pq: sig0.pq },
    { classical: sig0.classical, pq: sig1.pq },
    signDocument(docs[0]!, other),
  ];
  for (const sigs of cases) assert.throws(() => signedEnvelope(docs[0]!, master.publicKey, sigs), (e: unknown) => isKeyriteError(e, 'INVALID_SIGNATURE') && /no envelope was made/.test(e.message));
});

test('documentsToSign refuses a context that does not fit: another request, a malformed ceremony id or time, an ES256 master key', () => {
  const master = masterKey();
  const request = parseSigningRequest(exampleRequestBytes(), LIMITS, NOW);
  const ctx = contextFor(request, master);
  assert.throws(() => documentsToSign(request, { ...ctx, requestSha256: '0'.repeat(64) }), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT') && /another request/.test(e.message));
  assert.throws(() => documentsToSign(request, { ...ctx, ceremonyId: 'x' }), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT'));
  assert.throws(() => documentsToSign(request, { ...ctx, signedAt: '2026-12-07T15:00:00.5Z' }), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT'));
  assert.throws(() => documentsToSign(request, { ...ctx, mode: 'practice' as 'live' }), (e: unknown) => isKeyriteError(e, 'INVALID_INPUT'));
  const es256 = { classical: { alg: 'ES256' as const, publicKey: p256PublicKey(new Uint8Array(32).fill(9)) }, pq: master.publicKey.pq };
  assert.throws(() => documentsToSign(request, { ...ctx, issuer: es256 }), (e: unknown) => isKeyriteError(e, 'INVALID_KEY') && /Ed25519 \+ ML-DSA-65/.test(e.message));
});
