// The verifier-mutation property extended to chains: a root bundle and its rotation (one
// `keyrite demo` output, cheapest scrypt, rotated once with the rehearsal script: the run's
// shared makeRotatedDemo), then random
// changes to any file of either bundle — bytes flipped, cut or inserted, with bundle.json
// re-hashed over the changed files so that the file-hash checks pass and a deeper check must
// catch it; or a value of the rotation's key states, policy or transcript link changed and
// written back canonically — and the chain is never accepted, never names a current key, and the
// verifier never throws or "could not read" a part. The same for the revocation of the root key
// (root → revocation, the fixture's revocation-1/): never accepted, never naming a revoked key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize } from '../../core/encoding/jcs.ts';
import { CACHED_VERIFIER_CRYPTO } from '../helpers/cached-verifier-crypto.ts';
import { verifyChain } from '../../core/verifier/chain.ts';
import { readBundleDir, rehash, text, setText, transcriptLines, setTranscriptLines, type MutableBundle } from '../helpers/bundle-files.ts';
import { trustedFingerprint } from '../integration/recovery/helpers.ts';
import { makeRotatedDemo } from '../integration/rotation/helpers.ts';

let work: string;
let ROOT: MutableBundle;
let ROTATION: MutableBundle;
let REVOCATION: MutableBundle;
let trust: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyrite-chain-mutations-'));
  const d = join(work, 'demo');
  await makeRotatedDemo(d);
  ROOT = readBundleDir(join(d, 'bundle'));
  ROTATION = readBundleDir(join(d, 'rot', 'bundle'));
  REVOCATION = readBundleDir(join(d, 'revocation-1', 'bundle'));
  trust = trustedFingerprint(d);
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const copy = (b: MutableBundle): MutableBundle => new Map([...b].map(([p, x]) => [p, Uint8Array.from(x)]));

function assertRefused(root: MutableBundle, rotation: MutableBundle, what: string): void {
  const r = verifyChain([root, rotation], { trust, crypto: CACHED_VERIFIER_CRYPTO });
  assert.equal(r.verdict, 'invalid', what);
  assert.equal(r.current, undefined, what);
  assert.equal(r.revoked, undefined, what);
  for (const report of [r, ...r.bundles]) for (const c of report.checks) assert.doesNotMatch(c.detail, /could not read this part/, `${what}: ${c.name}`);
}

test('the chains the mutations start from verify', () => {
  for (const next of [ROTATION, REVOCATION]) {
    const r = verifyChain([copy(ROOT), copy(next)], { trust, crypto: CACHED_VERIFIER_CRYPTO });
    assert.equal(r.verdict, 'valid', JSON.stringify(r.checks.filter((c) => c.status !== 'pass')));
  }
});

type ByteOp = { pos: number; xor: number } | { truncate: number } | { insert: number; byte: number };
const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  { arbitrary: fc.record({ pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), weight: 4 },
  { arbitrary: fc.record({ truncate: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ insert: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), weight: 1 },
);

function apply(b: Uint8Array, op: ByteOp): Uint8Array {
  if ('xor' in op) {
    const out = b.slice();
    out[op.pos % b.length]! ^= op.xor;
    return out;
  }
  if ('truncate' in op) return b.slice(0, op.truncate % b.length);
  const at = op.insert % (b.length + 1);
  return Uint8Array.from([...b.subarray(0, at), op.byte, ...b.subarray(at)]);
}

test('property: any file of either bundle changed (bundle.json re-hashed): the chain is refused', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.nat(), byteOp, (inRotation, pick, op) => {
      const root = copy(ROOT);
      const rotation = copy(ROTATION);
      const target = inRotation ? rotation : root;
      const paths = [...target.keys()].filter((p) => p !== 'bundle.json').sort();
      const path = paths[pick % paths.length]!;
      const changed = apply(target.get(path)!, op);
      fc.pre(changed.length !== target.get(path)!.length || changed.some((b, i) => b !== target.get(path)![i]));
      target.set(path, changed);
      rehash(target);
      assertRefused(root, rotation, `${inRotation ? 'rotation' : 'root'} ${path}`);
    }),
    { numRuns: 20 },
  );
});

/** Every leaf of a JSON value by path. */
function leaves(doc: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(doc)) return doc.flatMap((x, i) => leaves(x, [...path, i]));
  if (doc !== null && typeof doc === 'object') return Object.keys(doc).flatMap((k) => leaves((doc as Record<string, unknown>)[k], [...path, k]));
  return [path];
}

function tweak(doc: unknown, pick: number): unknown {
  const out = structuredClone(doc) as Record<string | number, unknown>;
  const all = leaves(out);
  const path = all[pick % all.length]!;
  let parent = out;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  const v = parent[key];
  parent[key] = typeof v === 'string' ? (v.length > 0 ? v.slice(0, -1) + (v.endsWith('0') ? '1' : '0') : '0') : typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : 0;
  return out;
}

test('property: a value of the key states, the policy or the link in ceremony.start changed and written canonically: the chain is refused', () => {
  fc.assert(
    fc.property(fc.constantFrom('keys/key-states.json', 'policy.json', 'link'), fc.nat(), (file, pick) => {
      const rotation = copy(ROTATION);
      if (file === 'link') {
        const lines = transcriptLines(rotation);
        const start = JSON.parse(lines[0]!) as { body: { original: unknown } };
        start.body.original = tweak(start.body.original, pick);
        setTranscriptLines(rotation, [canonicalize(start), ...lines.slice(1)]);
      } else {
        setText(rotation, file, canonicalize(tweak(JSON.parse(text(rotation, file)), pick)) + '\n');
      }
      rehash(rotation);
      assertRefused(copy(ROOT), rotation, `${file} leaf ${pick}`);
    }),
    { numRuns: 12 },
  );
});

test('property: the revocation of the root key, any file changed (bundle.json re-hashed) or a value of its key states, policy or link changed: refused, no revoked key named', () => {
  fc.assert(
    fc.property(fc.constantFrom('bytes', 'keys/key-states.json', 'policy.json', 'link'), fc.nat(), byteOp, (how, pick, op) => {
      const revocation = copy(REVOCATION);
      if (how === 'bytes') {
        const paths = [...revocation.keys()].filter((p) => p !== 'bundle.json').sort();
        const path = paths[pick % paths.length]!;
        const changed = apply(revocation.get(path)!, op);
        fc.pre(changed.length !== revocation.get(path)!.length || changed.some((b, i) => b !== revocation.get(path)![i]));
        revocation.set(path, changed);
      } else if (how === 'link') {
        const lines = transcriptLines(revocation);
        const start = JSON.parse(lines[0]!) as { body: { original: unknown } };
        start.body.original = tweak(start.body.original, pick);
        setTranscriptLines(revocation, [canonicalize(start), ...lines.slice(1)]);
      } else {
        setText(revocation, how, canonicalize(tweak(JSON.parse(text(revocation, how)), pick)) + '\n');
      }
      rehash(revocation);
      assertRefused(copy(ROOT), revocation, `revocation ${how} ${pick}`);
    }),
    { numRuns: 12 },
  );
});
