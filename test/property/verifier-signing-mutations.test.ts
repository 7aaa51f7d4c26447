// Tampering with the golden signing bundle (test/fixtures/golden-signing-bundle/) with
// bundle.json re-hashed over the changed files, so that the file-hash checks pass and the
// signing checks must catch the change (docs/FORMATS.md "Signing bundle"):
//  - a signed document (bytes, or a JSON value changed and re-written canonically) fails
//    `signed-documents`;
//  - an envelope (a checked signature corrupted, removed, duplicated or given the other half's
//    keyid, its payload or payload type changed, the other document's envelope in its place)
//    fails `signed-documents`;
//  - the request (bytes, a JSON value, or only re-spaced) fails `signing-request`;
// in every mode, anchored by the golden master fingerprint; the verifier never throws and no
// check "could not read this part". The relying party's check (core/signing/check-signature.ts)
// on the same documents and envelopes with any byte changed fails too (hybrid), with the check named.
// The verifier runs on `keyrite verify`'s native SHA-256 and Ed25519, as the CLI does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalize } from '../../core/encoding/jcs.ts';
import { parseFingerprint } from '../../core/encoding/fingerprint.ts';
import { verifyBundle } from '../../core/verifier/verify.ts';
import { CACHED_VERIFIER_CRYPTO } from '../helpers/cached-verifier-crypto.ts';
import { checkSignedDocument } from '../../core/signing/check-signature.ts';
import { GOLDEN_MASTER_FINGERPRINT, readBundleDir, rehash, text, setText, type MutableBundle } from '../helpers/bundle-files.ts';
import { GOLDEN_SIGNING_BUNDLE_FIXTURE } from '../helpers/golden.ts';

const MODES = ['hybrid', 'classical-only', 'pq-only'] as const;
type Mode = (typeof MODES)[number];
const GOLDEN = readBundleDir(GOLDEN_SIGNING_BUNDLE_FIXTURE);
const DOCUMENTS = ['signed/endorsed-keys.jwks.json', 'signed/artifacts.intoto.json'] as const;
const REQUEST = 'request/signing-request.json';
const TRUST = parseFingerprint(GOLDEN_MASTER_FINGERPRINT);
const CRASH_TEXT = 'could not read this part';

function fresh(): MutableBundle {
  return new Map([...GOLDEN].map(([p, b]) => [p, Uint8Array.from(b)]));
}

test('the golden signing bundle itself verifies in every mode (what the mutations start from)', () => {
  for (const mode of MODES) assert.equal(verifyBundle(fresh(), { trust: GOLDEN_MASTER_FINGERPRINT, mode }).verdict, 'valid', mode);
});

type ByteOp = { pos: number; xor: number } | { truncate: number } | { insert: number; byte: number };
const byteOpArb: fc.Arbitrary<ByteOp> = fc.oneof(
  { arbitrary: fc.record({ pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), weight: 4 },
  { arbitrary: fc.record({ truncate: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ insert: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), weight: 1 },
);

function applyByteOp(b: Uint8Array, op: ByteOp): Uint8Array {
  if ('xor' in op) {
    const out = b.slice();
    out[op.pos % b.length]! ^= op.xor;
    return out;
  }
  if ('truncate' in op) return b.slice(0, op.truncate % b.length);
  const at = op.insert % (b.length + 1);
  return Uint8Array.from([...b.subarray(0, at), op.byte, ...b.subarray(at)]);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every leaf of a JSON document by path, pre-order. */
function leaves(doc: Json, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(doc)) return doc.flatMap((x, i) => leaves(x, [...path, i]));
  if (doc !== null && typeof doc === 'object') return Object.keys(doc).flatMap((k) => leaves(doc[k]!, [...path, k]));
  return [path];
}

/** The document with leaf `pick` changed (a string gets its last character changed, a number + 1, a boolean flipped). */
function tweakLeaf(doc: Json, pick: number): Json {
  const copy = structuredClone(doc);
  const all = leaves(copy);
  const path = all[pick % all.length]!;
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const key = path[path.length - 1]!;
  const v = parent[key]!;
  parent[key] = typeof v === 'string' ? (v.length > 0 ? v.slice(0, -1) + (v.endsWith('A') ? 'B' : 'A') : 'A') : typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : 0;
  return copy;
}

interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

type Mutation =
  | { kind: 'document-bytes'; doc: 0 | 1; op: ByteOp }
  | { kind: 'document-json'; doc: 0 | 1; pick: number }
  | { kind: 'envelope-sig'; doc: 0 | 1; pos: number; xor: number }
  | { kind: 'envelope-remove'; doc: 0 | 1; which: 0 | 1 }
  | { kind: 'envelope-duplicate'; doc: 0 | 1; which: 0 | 1 }
  | { kind: 'envelope-keyid-swap'; doc: 0 | 1 }
  | { kind: 'envelope-payload'; doc: 0 | 1; pick: number }
  | { kind: 'envelope-payload-type'; doc: 0 | 1 }
  | { kind: 'envelope-other-document'; doc: 0 | 1 }
  | { kind: 'envelope-bytes'; doc: 0 | 1; op: ByteOp }
  | { kind: 'request-bytes'; op: ByteOp }
  | { kind: 'request-json'; pick: number }
  | { kind: 'request-respaced' };

const doc = fc.constantFrom(0 as const, 1 as const);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('document-bytes' as const), doc, op: byteOpArb }),
  fc.record({ kind: fc.constant('document-json' as const), doc, pick: fc.nat() }),
  fc.record({ kind: fc.constant('envelope-sig' as const), doc, pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('envelope-remove' as const), doc, which: fc.constantFrom(0 as const, 1 as const) }),
  fc.record({ kind: fc.constant('envelope-duplicate' as const), doc, which: fc.constantFrom(0 as const, 1 as const) }),
  fc.record({ kind: fc.constant('envelope-keyid-swap' as const), doc }),
  fc.record({ kind: fc.constant('envelope-payload' as const), doc, pick: fc.nat() }),
  fc.record({ kind: fc.constant('envelope-payload-type' as const), doc }),
  fc.record({ kind: fc.constant('envelope-other-document' as const), doc }),
  fc.record({ kind: fc.constant('envelope-bytes' as const), doc, op: byteOpArb }),
  fc.record({ kind: fc.constant('request-bytes' as const), op: byteOpArb }),
  fc.record({ kind: fc.constant('request-json' as const), pick: fc.nat() }),
  fc.constant({ kind: 'request-respaced' as const }),
);

/** Applies `m` (bundle.json re-hashed) and returns the check that must fail. */
function apply(b: MutableBundle, m: Mutation, mode: Mode): string {
  const envPath = (i: 0 | 1): string => `${DOCUMENTS[i]}.dsse.json`;
  const editEnvelope = (i: 0 | 1, edit: (e: Envelope) => void): void => {
    const e = JSON.parse(text(b, envPath(i))) as Envelope;
    edit(e);
    setText(b, envPath(i), canonicalize(e));
  };
  switch (m.kind) {
    case 'document-bytes':
      b.set(DOCUMENTS[m.doc], applyByteOp(b.get(DOCUMENTS[m.doc])!, m.op));
      break;
    case 'document-json':
      setText(b, DOCUMENTS[m.doc], canonicalize(tweakLeaf(JSON.parse(text(b, DOCUMENTS[m.doc])) as Json, m.pick)));
      break;
    case 'envelope-sig':
      editEnvelope(m.doc, (e) => {
        // The half the mode checks (the envelope lists the Ed25519 signature first).
        const s = e.signatures[mode === 'pq-only' ? 1 : mode === 'classical-only' ? 0 : m.pos % 2]!;
        const raw = Buffer.from(s.sig, 'base64url');
        raw[m.pos % raw.length]! ^= m.xor;
        s.sig = raw.toString('base64url');
      });
      break;
    case 'envelope-remove':
      editEnvelope(m.doc, (e) => void e.signatures.splice(m.which, 1));
      break;
    case 'envelope-duplicate':
      editEnvelope(m.doc, (e) => void e.signatures.push({ ...e.signatures[m.which]! }));
      break;
    case 'envelope-keyid-swap':
      editEnvelope(m.doc, (e) => {
        const [a, c] = e.signatures;
        [a!.keyid, c!.keyid] = [c!.keyid, a!.keyid];
      });
      break;
    case 'envelope-payload':
      editEnvelope(m.doc, (e) => {
        e.payload = Buffer.from(canonicalize(tweakLeaf(JSON.parse(Buffer.from(e.payload, 'base64url').toString('utf8')) as Json, m.pick))).toString('base64url');
      });
      break;
    case 'envelope-payload-type':
      editEnvelope(m.doc, (e) => {
        e.payloadType = e.payloadType === 'application/jwk-set+json' ? 'application/vnd.in-toto+json' : 'application/jwk-set+json';
      });
      break;
    case 'envelope-other-document':
      b.set(envPath(m.doc), GOLDEN.get(envPath(m.doc === 0 ? 1 : 0))!);
      break;
    case 'envelope-bytes':
      b.set(envPath(m.doc), applyByteOp(b.get(envPath(m.doc))!, m.op));
      break;
    case 'request-bytes':
      b.set(REQUEST, applyByteOp(b.get(REQUEST)!, m.op));
      break;
    case 'request-json':
      setText(b, REQUEST, `${JSON.stringify(tweakLeaf(JSON.parse(text(b, REQUEST)) as Json, m.pick), null, 2)}\n`);
      break;
    case 'request-respaced':
      setText(b, REQUEST, JSON.stringify(JSON.parse(text(b, REQUEST))));
      break;
  }
  rehash(b);
  return m.kind.startsWith('request') ? 'signing-request' : 'signed-documents';
}

test('property: a signed document, envelope or request changed, bundle.json re-hashed, fails the signing check that covers it, in every mode', (t) => {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let runs = 0;
  fc.assert(
    fc.property(mutationArb, fc.constantFrom(...MODES), (m, mode) => {
      const b = fresh();
      const check = apply(b, m, mode);
      const changed = [...b.keys()].filter((p) => p !== 'bundle.json' && !Buffer.from(b.get(p)!).equals(Buffer.from(GOLDEN.get(p)!)));
      assert.ok(changed.length > 0, `test bug: ${JSON.stringify(m)} changed nothing`);
      runs++;
      const what = `${JSON.stringify(m)} mode=${mode}`;
      let report;
      try {
        report = verifyBundle(b, { trust: GOLDEN_MASTER_FINGERPRINT, mode, crypto: CACHED_VERIFIER_CRYPTO });
      } catch (e) {
        problems.push(`THREW ${String(e)} :: ${what}`);
        return;
      }
      for (const c of report.checks) if (c.detail.includes(CRASH_TEXT)) problems.push(`CRASH IN ${c.name}: ${c.detail} :: ${what}`);
      if (report.verdict !== 'invalid') problems.push(`ACCEPTED :: ${what}`);
      if (report.checks.find((c) => c.name === 'bundle-files')?.status !== 'pass') problems.push(`bundle-files did not pass (test bug: re-hash) :: ${what}`);
      const named = report.checks.find((c) => c.name === check);
      if (named?.status !== 'fail') problems.push(`${check} is ${named?.status ?? 'missing'} :: ${what}`);
      seen.set(m.kind, (seen.get(m.kind) ?? 0) + 1);
    }),
    // A signing bundle's verification costs about as much as the root bundle's (~0.1 s): kept small for the suite's time.
    { numRuns: 120 },
  );
  t.diagnostic(`${runs} mutations: ${[...seen].map(([k, n]) => `${k}=${n}`).join(' ')}`);
  assert.deepEqual(problems.slice(0, 15), [], `${problems.length} of ${runs} mutations were mishandled`);
});

test('property: the relying party\'s check (hybrid) of a golden document with one byte of it or of its envelope changed fails, with the check named', (t) => {
  const now = new Date('2026-06-01T00:00:00Z');
  for (const path of DOCUMENTS) {
    const good = checkSignedDocument({ document: GOLDEN.get(path)!, envelope: GOLDEN.get(`${path}.dsse.json`)!, trust: TRUST, now });
    assert.equal(good.ok, true, `${path}: ${JSON.stringify(good.checks)}`);
  }
  const failed = new Map<string, number>();
  fc.assert(
    // Hybrid: a single-half mode leaves the other signature unchecked by design (and says so; test/unit/signing/check-signature.test.ts).
    fc.property(fc.constantFrom(...DOCUMENTS), fc.boolean(), byteOpArb, (path, inEnvelope, op) => {
      const mode = 'hybrid';
      const document = GOLDEN.get(path)!;
      const envelope = GOLDEN.get(`${path}.dsse.json`)!;
      const r = checkSignedDocument({ document: inEnvelope ? document : applyByteOp(document, op), envelope: inEnvelope ? applyByteOp(envelope, op) : envelope, trust: TRUST, now, mode });
      assert.equal(r.ok, false, `${path} ${inEnvelope ? 'envelope' : 'document'} ${JSON.stringify(op)} ${mode} passed`);
      const bad = r.checks.filter((c) => !c.ok);
      assert.equal(bad.length, 1, JSON.stringify(r.checks));
      assert.ok(['envelope', 'document', 'issuer', 'trust', 'signatures'].includes(bad[0]!.name), bad[0]!.name);
      assert.ok(bad[0]!.detail.length > 0);
      failed.set(bad[0]!.name, (failed.get(bad[0]!.name) ?? 0) + 1);
    }),
    { numRuns: 200 },
  );
  t.diagnostic(`failing checks: ${[...failed].map(([k, n]) => `${k}=${n}`).join(' ')}`);
});
