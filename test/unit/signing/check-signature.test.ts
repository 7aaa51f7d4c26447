// The relying party's check (docs/FORMATS.md "Relying party's check"): good documents, the
// artifact path, the trust anchor in both forms, validity at a time, and every tamper failing
// with the check named — including property tests over single-byte changes and garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromUtf8, utf8 } from '../../../core/bytes.ts';
import { canonicalize } from '../../../core/encoding/jcs.ts';
import { encodeEnvelope, parseEnvelope } from '../../../core/encoding/dsse.ts';
import { parseFingerprint } from '../../../core/encoding/fingerprint.ts';
import { NOBLE_ED25519 } from '../../../core/crypto/hybrid.ts';
import { principalKeyIds } from '../../../core/bundle/principals.ts';
import { checkSignedDocument, type SignatureCheckReport } from '../../../core/signing/check-signature.ts';
import { signedEnvelope, type DocumentToSign } from '../../../core/signing/documents.ts';
import { exampleArtifactBytes, EXAMPLE_ARTIFACT_NAME } from '../../../core/signing/example-request.ts';
import { masterKey, NOW, signDocument, signedSet, trustHex, trustWords, type MasterKey } from './fixtures.ts';

const SET = signedSet();
const [ENDORSEMENT, STATEMENT] = SET.docs as [DocumentToSign, DocumentToSign];
const [ENDORSEMENT_ENV, STATEMENT_ENV] = SET.envelopes as [Uint8Array, Uint8Array];
const TRUST = trustHex(SET.master);

function check(document: Uint8Array, envelope: Uint8Array, extra: Partial<Parameters<typeof checkSignedDocument>[0]> = {}): SignatureCheckReport {
  return checkSignedDocument({ document, envelope, trust: TRUST, now: NOW, ...extra });
}

function failedAt(r: SignatureCheckReport, name: string, detail?: RegExp): void {
  assert.equal(r.ok, false);
  const last = r.checks[r.checks.length - 1]!;
  assert.equal(last.name, name, `failed at ${last.name}: ${last.detail}`);
  assert.equal(last.ok, false);
  assert.ok(r.checks.slice(0, -1).every((c) => c.ok), 'the checks stop at the first failure');
  if (detail) assert.match(last.detail, detail);
}

function envelopeWith(change: (env: { payloadType: string; payload: Uint8Array; signatures: { keyid?: string; sig: Uint8Array }[] }) => void, from = ENDORSEMENT_ENV): Uint8Array {
  const env = parseEnvelope(fromUtf8(from));
  change(env);
  return utf8(encodeEnvelope(env));
}

/** The endorsement with its JSON changed, signed again by `signer` (an attacker holding some key). */
function resigned(change: (doc: { keys: Record<string, unknown>[]; keyrite: Record<string, unknown> & { issuer: { fingerprint: string; keys: Record<string, unknown>[] } } }) => void, signer: MasterKey): { document: Uint8Array; envelope: Uint8Array } {
  const doc = JSON.parse(fromUtf8(ENDORSEMENT.bytes));
  change(doc);
  const bytes = utf8(canonicalize(doc));
  const d: DocumentToSign = { ...ENDORSEMENT, bytes };
  const sigs = signDocument(d, signer);
  const ids = principalKeyIds(signer.publicKey);
  return { document: bytes, envelope: utf8(encodeEnvelope({ payloadType: d.payloadType, payload: bytes, signatures: [{ keyid: ids.classical, sig: sigs.classical }, { keyid: ids.pq, sig: sigs.pq }] })) };
}

test('a good endorsement passes envelope, document, issuer, trust, signatures and validity, and lists its keys as valid now', () => {
  const r = check(ENDORSEMENT.bytes, ENDORSEMENT_ENV);
  assert.equal(r.ok, true);
  assert.deepEqual(r.checks.map((c) => c.name), ['envelope', 'document', 'issuer', 'trust', 'signatures', 'validity']);
  assert.equal(r.kind, 'endorsement');
  assert.equal(r.matched, 'document');
  assert.equal(r.issuerFingerprint, SET.master.fingerprint);
  assert.equal(r.anchor, 'full');
  assert.equal(r.mode, 'hybrid');
  assert.equal(r.rehearsal, false);
  assert.equal(r.ceremonyId, '0123456789abcdef0123456789abcdef');
  assert.deepEqual(r.keys!.map((k) => [k.kid, k.alg, k.use, k.label, k.validNow]), [
    ['release-signing-2026', 'Ed25519', 'sig', 'release-signing', true],
    ['backup-encryption-2026', 'X-Wing', 'enc', 'backup-encryption', true],
  ]);
});

test('a good statement passes, and so does the artifact it lists (name, SHA-256 and size)', () => {
  const r = check(STATEMENT.bytes, STATEMENT_ENV);
  assert.equal(r.ok, true);
  assert.deepEqual(r.checks.map((c) => c.name), ['envelope', 'document', 'issuer', 'trust', 'signatures']);
  assert.equal(r.kind, 'artifacts');
  const a = check(exampleArtifactBytes(), STATEMENT_ENV, { documentName: EXAMPLE_ARTIFACT_NAME });
  assert.equal(a.ok, true);
  assert.equal(a.matched, 'artifact');
  assert.equal(a.artifact!.name, EXAMPLE_ARTIFACT_NAME);
  assert.match(a.checks[1]!.detail, /name, SHA-256 and size match/);
});

test('an artifact under another name fails the document check; without a name it passes and says the name was not compared', () => {
  failedAt(check(exampleArtifactBytes(), STATEMENT_ENV, { documentName: 'keyrite-demo-release-2.txt' }), 'document', /signed as "keyrite-demo-release.txt", but the file is named differently/);
  const r = check(exampleArtifactBytes(), STATEMENT_ENV);
  assert.equal(r.ok, true);
  assert.match(r.checks[1]!.detail, /its name was not compared/);
});

test('a file the statement does not list fails the document check; an artifact against the endorsement too', () => {
  const other = utf8('Keyrite demo release 1.1\n');
  failedAt(check(other, STATEMENT_ENV, { documentName: EXAMPLE_ARTIFACT_NAME }), 'document', /neither the envelope's statement nor one of the 1 artifacts it lists/);
  failedAt(check(exampleArtifactBytes(), ENDORSEMENT_ENV), 'document', /is not the envelope's payload/);
});

test('the document and envelope of two different documents do not pair', () => {
  failedAt(check(ENDORSEMENT.bytes, STATEMENT_ENV), 'document');
  failedAt(check(STATEMENT.bytes, ENDORSEMENT_ENV), 'document');
});

test('trust by the 16 words compares the first 16 bytes and says so', () => {
  const r = check(ENDORSEMENT.bytes, ENDORSEMENT_ENV, { trust: trustWords(SET.master) });
  assert.equal(r.ok, true);
  assert.equal(r.anchor, 'words-prefix');
  assert.match(r.checks[3]!.detail, /first 16 bytes/);
});

test('another master fingerprint fails the trust check (hex and words)', () => {
  const other = masterKey(40);
  failedAt(check(ENDORSEMENT.bytes, ENDORSEMENT_ENV, { trust: trustHex(other) }), 'trust', /NOT the master key whose fingerprint was given/);
  failedAt(check(ENDORSEMENT.bytes, ENDORSEMENT_ENV, { trust: trustWords(other) }), 'trust');
  const oneOff = SET.master.fingerprint.slice(0, 63) + (SET.master.fingerprint.endsWith('0') ? '1' : '0');
  failedAt(check(ENDORSEMENT.bytes, ENDORSEMENT_ENV, { trust: parseFingerprint(oneOff) }), 'trust');
});

test('an attacker who re-signs with their own key and names it as issuer fails trust; keeping the real fingerprint fails issuer', () => {
  const attacker = masterKey(40);
  const ownIssuer = resigned((d) => {
    d.keys[0]!.label = 'attacker';
    d.keyrite.issuer = { fingerprint: attacker.fingerprint, keys: JSON.parse(fromUtf8(signedSet(undefined, attacker).docs[0]!.bytes)).keyrite.issuer.keys };
  }, attacker);
  failedAt(check(ownIssuer.document, ownIssuer.envelope), 'trust');
  const spoofed = resigned((d) => {
    d.keyrite.issuer.keys = JSON.parse(fromUtf8(signedSet(undefined, attacker).docs[0]!.bytes)).keyrite.issuer.keys;
  }, attacker);
  failedAt(check(spoofed.document, spoofed.envelope), 'issuer', /states the issuer fingerprint .* but the two keys it lists give/);
});

test("a document whose issuer keys are tampered with (one key swapped, order swapped, a kid changed) fails the issuer check", () => {
  const attacker = masterKey(40);
  const attackerKeys = JSON.parse(fromUtf8(signedSet(undefined, attacker).docs[0]!.bytes)).keyrite.issuer.keys;
  const changes: ((d: { keyrite: { issuer: { keys: Record<string, unknown>[] } } }) => void)[] = [
    (d) => (d.keyrite.issuer.keys[1] = attackerKeys[1]),
    (d) => d.keyrite.issuer.keys.reverse(),
    (d) => (d.keyrite.issuer.keys[0]!.kid = 'x'),
    (d) => d.keyrite.issuer.keys.pop(),
  ];
  for (const change of changes) {
    const t = resigned(change as never, attacker);
    failedAt(check(t.document, t.envelope), 'issuer');
  }
});

test('signatures duplicated, missing, swapped, extra or of another key fail the signatures check', () => {
  const env = parseEnvelope(fromUtf8(ENDORSEMENT_ENV));
  const [c, p] = env.signatures as [{ keyid?: string; sig: Uint8Array }, { keyid?: string; sig: Uint8Array }];
  const cases: [typeof env.signatures, RegExp][] = [
    [[c, c], /Signature 2 does not name the master key's ML-DSA-65 key/],
    [[p, p], /Signature 1 does not name the master key's Ed25519 key/],
    [[c], /has 1 signature;/],
    [[], /has 0 signatures/],
    [[p, c], /Signature 1 does not name/],
    [[c, p, p], /has 3 signatures/],
    [[{ sig: c.sig }, p], /Signature 1 does not name the master key's Ed25519 key by its thumbprint/],
    [[c, { sig: p.sig }], /Signature 2 does not name/],
    [[{ keyid: c.keyid!, sig: c.sig }, { keyid: p.keyid!, sig: c.sig }], /The ML-DSA-65 signature of the master key does not verify/],
    [[{ keyid: c.keyid!, sig: p.sig }, { keyid: p.keyid!, sig: p.sig }], /The Ed25519 signature of the master key does not verify/],
    [[{ keyid: c.keyid!, sig: p.sig }, { keyid: p.keyid!, sig: c.sig }], /Neither the Ed25519 nor the ML-DSA-65 signature/],
  ];
  for (const [signatures, detail] of cases) failedAt(check(ENDORSEMENT.bytes, envelopeWith((e) => (e.signatures = signatures))), 'signatures', detail);
  const stmt = parseEnvelope(fromUtf8(STATEMENT_ENV));
  failedAt(check(ENDORSEMENT.bytes, envelopeWith((e) => (e.signatures = stmt.signatures))), 'signatures', /Neither the Ed25519 nor the ML-DSA-65 signature/);
});

test('classical-only and pq-only check one half and say the other was not checked; hybrid needs both', () => {
  const badPq = envelopeWith((e) => (e.signatures[1]!.sig = Uint8Array.from(e.signatures[1]!.sig, (b, i) => (i === 10 ? b ^ 1 : b))));
  failedAt(check(ENDORSEMENT.bytes, badPq), 'signatures', /ML-DSA-65 signature of the master key does not verify/);
  const r = check(ENDORSEMENT.bytes, badPq, { mode: 'classical-only' });
  assert.equal(r.ok, true);
  assert.equal(r.mode, 'classical-only');
  assert.match(r.checks[4]!.detail, /ML-DSA-65 signature was NOT checked/);
  failedAt(check(ENDORSEMENT.bytes, badPq, { mode: 'pq-only' }), 'signatures');
  const badEd = envelopeWith((e) => (e.signatures[0]!.sig = Uint8Array.from(e.signatures[0]!.sig, (b, i) => (i === 3 ? b ^ 1 : b))));
  assert.equal(check(ENDORSEMENT.bytes, badEd, { mode: 'pq-only' }).ok, true);
  failedAt(check(ENDORSEMENT.bytes, badEd, { mode: 'classical-only' }), 'signatures', /Ed25519 signature/);
});

test('validity: before nbf and from exp on no key is valid and the check fails; the keys are listed either way', () => {
  const before = check(ENDORSEMENT.bytes, ENDORSEMENT_ENV, { now: new Date('2026-12-07T14:59:59Z') });
  failedAt(before, 'validity', /None of the 2 endorsed keys is valid at 2026-12-07T14:59:59Z/);
  assert.deepEqual(before.keys!.map((k) => k.validNow), [false, false]);
  failedAt(check(ENDORSEMENT.bytes, ENDORSEMENT_ENV, { now: new Date('2027-12-07T15:00:00Z') }), 'validity');
  const last = check(ENDORSEMENT.bytes, ENDORSEMENT_ENV, { now: new Date('2027-12-07T14:59:59Z') });
  assert.equal(last.ok, true);
  assert.match(last.checks[5]!.detail, /2 of the 2 endorsed keys are valid/);
});

test('validity: one key valid of two passes and says which', () => {
  const master = SET.master;
  const t = resigned((d) => (d.keys[1]!.nbf = '2027-06-01T00:00:00Z'), master);
  const r = check(t.document, t.envelope);
  assert.equal(r.ok, true);
  assert.deepEqual(r.keys!.map((k) => k.validNow), [true, false]);
  assert.match(r.checks[5]!.detail, /1 of the 2 endorsed keys is valid/);
});

test('a rehearsal document is reported as such', () => {
  const set = signedSet(undefined, masterKey(), 'rehearsal');
  const r = checkSignedDocument({ document: set.docs[0]!.bytes, envelope: set.envelopes[0]!, trust: TRUST, now: NOW });
  assert.equal(r.ok, true);
  assert.equal(r.rehearsal, true);
});

test('the envelope check: not JSON, not DSSE, another payload type', () => {
  failedAt(check(ENDORSEMENT.bytes, utf8('not json')), 'envelope', /not a DSSE envelope/);
  failedAt(check(ENDORSEMENT.bytes, utf8('{"payload":"","payloadType":"x","signatures":[],"extra":1}')), 'envelope');
  failedAt(check(ENDORSEMENT.bytes, envelopeWith((e) => (e.payloadType = 'application/vnd.keyrite.statement+json'))), 'envelope', /payload type is neither/);
  failedAt(check(ENDORSEMENT.bytes, new Uint8Array(4 * 1024 * 1024 + 1)), 'envelope', /more than the 4194304 bytes/);
});

test('a payload that is not a valid document of its type fails the document check with the reason', () => {
  const t = resigned((d) => (d.keyrite.mode = 'practice'), SET.master);
  failedAt(check(t.document, t.envelope), 'document', /not a valid endorsement: The endorsement "mode" is neither "live" nor "rehearsal"/);
  const priv = resigned((d) => (d.keys[0]!.d = 'AAAA'), SET.master);
  failedAt(check(priv.document, priv.envelope), 'document', /contains private key material/);
});

test('an endorsement listing more keys than any request may hold fails the document check before any key is validated', () => {
  const t = resigned((d) => (d.keys = Array.from({ length: 65 }, (_, i) => ({ ...d.keys[1]!, kid: `k${i}` }))), SET.master);
  failedAt(check(t.document, t.envelope), 'document', /lists 65 keys, more than a signing request may hold \(64\)/);
});

test('the same function with the platform backend gives the same verdicts (Ed25519 backend passed in)', () => {
  const calls: number[] = [];
  const backend = { verify: (k: Uint8Array, m: Uint8Array, s: Uint8Array) => (calls.push(1), NOBLE_ED25519.verify(k, m, s)) };
  assert.equal(check(ENDORSEMENT.bytes, ENDORSEMENT_ENV, { ed25519: backend }).ok, true);
  assert.equal(calls.length, 1);
});

test('malformed calls fail an input check instead of throwing', () => {
  const bad: unknown[] = [
    null,
    { document: 'x', envelope: ENDORSEMENT_ENV, trust: TRUST, now: NOW },
    { document: ENDORSEMENT.bytes, envelope: null, trust: TRUST, now: NOW },
    { document: ENDORSEMENT.bytes, envelope: ENDORSEMENT_ENV, trust: { kind: 'full', bytes: new Uint8Array(3) }, now: NOW },
    { document: ENDORSEMENT.bytes, envelope: ENDORSEMENT_ENV, trust: TRUST, now: new Date(NaN) },
    { document: ENDORSEMENT.bytes, envelope: ENDORSEMENT_ENV, trust: TRUST, now: NOW, mode: 'both' },
  ];
  for (const input of bad) failedAt(checkSignedDocument(input as never), 'input');
});

/** Whether two envelope texts carry the same signed content (DSSE readers must accept both base64 alphabets). */
function sameEnvelope(a: Uint8Array, b: Uint8Array): boolean {
  try {
    const x = parseEnvelope(fromUtf8(a));
    const y = parseEnvelope(fromUtf8(b));
    return x.payloadType === y.payloadType && Buffer.from(x.payload).equals(Buffer.from(y.payload)) && JSON.stringify(x.signatures.map((s) => [s.keyid, [...s.sig]])) === JSON.stringify(y.signatures.map((s) => [s.keyid, [...s.sig]]));
  } catch {
    return false;
  }
}

const NAMES = ['envelope', 'document', 'issuer', 'trust', 'signatures', 'validity'];

for (const [label, doc, env] of [['endorsement', ENDORSEMENT.bytes, ENDORSEMENT_ENV], ['statement', STATEMENT.bytes, STATEMENT_ENV]] as const) {
  test(`property (${label}): any single-byte change to the document fails the document check`, () => {
    fc.assert(
      fc.property(fc.nat(doc.length - 1), fc.integer({ min: 1, max: 255 }), (i, delta) => {
        const changed = Uint8Array.from(doc);
        changed[i] = (changed[i]! + delta) & 0xff;
        failedAt(check(changed, env), 'document');
      }),
      { numRuns: 150 },
    );
  });

  test(`property (${label}): any single-byte change to the envelope fails a named check, unless it spells the same envelope`, () => {
    fc.assert(
      fc.property(fc.nat(env.length - 1), fc.integer({ min: 1, max: 255 }), (i, delta) => {
        const changed = Uint8Array.from(env);
        changed[i] = (changed[i]! + delta) & 0xff;
        const r = check(doc, changed);
        if (r.ok) {
          assert.ok(sameEnvelope(env, changed), `byte ${i} changed and the check still passed`);
          return;
        }
        const last = r.checks[r.checks.length - 1]!;
        assert.ok(NAMES.includes(last.name) && !/a bug in Keyrite/.test(last.detail), `${last.name}: ${last.detail}`);
      }),
      { numRuns: 150 },
    );
  });
}

test('property: garbage documents and envelopes never throw and never pass', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.jsonValue().map((v) => utf8(JSON.stringify(v) ?? 'null'))), (document, envelope) => {
      const r = check(document, envelope);
      assert.equal(r.ok, false);
      assert.ok(!r.checks.some((c) => /a bug in Keyrite/.test(c.detail)));
    }),
    { numRuns: 300 },
  );
});

test('property: envelopes with any JSON members replaced never throw; only the genuine one passes', () => {
  const original = JSON.parse(fromUtf8(ENDORSEMENT_ENV));
  fc.assert(
    fc.property(fc.constantFrom('payload', 'payloadType', 'signatures', 'extra'), fc.jsonValue(), (member, value) => {
      const env = { ...original, [member]: value };
      const r = check(ENDORSEMENT.bytes, utf8(JSON.stringify(env)));
      assert.ok(!r.checks.some((c) => /a bug in Keyrite/.test(c.detail)));
      if (r.ok) assert.deepEqual(parseEnvelope(JSON.stringify(env)).payload, ENDORSEMENT.bytes);
    }),
    { numRuns: 200 },
  );
});

test('signedEnvelope output is what checkSignedDocument accepts, for every document of the set', () => {
  SET.docs.forEach((d, i) => {
    assert.deepEqual(signedEnvelope(d, SET.master.publicKey, signDocument(d, SET.master)), SET.envelopes[i]);
  });
});
