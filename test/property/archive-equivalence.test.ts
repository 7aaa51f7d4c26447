// A bundle verified from its archive gets exactly the report of the same bundle verified as a
// folder (docs/VERIFIER.md "Archives"): over random bundles made from the two golden ones, valid
// or not (bytes changed, files removed, added or renamed, bundle.json re-hashed or not), in
// every mode, anchored or not: folder → archive → folder is byte-identical, and the verifier's
// report on the archive's files is deep-equal to its report on the folder's (on `keyrite verify`'s
// native SHA-256 and Ed25519, as the CLI verifies both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBundleArchive, encodeBundleArchive } from '../../core/bundle/archive.ts';
import { verifyBundle } from '../../core/verifier/verify.ts';
import { CACHED_VERIFIER_CRYPTO } from '../helpers/cached-verifier-crypto.ts';
import { GOLDEN_MASTER_FINGERPRINT, readBundleDir, rehash, type MutableBundle } from '../helpers/bundle-files.ts';
import { GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE } from '../helpers/golden.ts';

const GOLDEN = { root: readBundleDir(GOLDEN_FIXTURE), recovery: readBundleDir(GOLDEN_RECOVERY_FIXTURE) };

type Change = { kind: 'none' } | { kind: 'flip'; file: number; at: number; xor: number } | { kind: 'remove'; file: number } | { kind: 'add'; path: string; bytes: Uint8Array } | { kind: 'rename'; file: number; to: string };

const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('flip' as const), file: fc.nat(), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('remove' as const), file: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), path: fc.stringMatching(/^(keys\/|checkpoints\/)?[a-z0-9][a-z0-9.-]{0,15}$/), bytes: fc.uint8Array({ maxLength: 600 }) }),
  fc.record({ kind: fc.constant('rename' as const), file: fc.nat(), to: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,15}$/) }),
);

function apply(files: ReadonlyMap<string, Uint8Array>, changes: readonly Change[], rehashed: boolean): MutableBundle {
  const out: MutableBundle = new Map(files);
  for (const c of changes) {
    const paths = [...out.keys()].sort();
    if (paths.length === 0) break;
    if (c.kind === 'flip') {
      const path = paths[c.file % paths.length]!;
      const bytes = Uint8Array.from(out.get(path)!);
      if (bytes.length > 0) bytes[c.at % bytes.length] = bytes[c.at % bytes.length]! ^ c.xor;
      out.set(path, bytes);
    } else if (c.kind === 'remove') {
      out.delete(paths[c.file % paths.length]!);
    } else if (c.kind === 'add') {
      // A name that is also a folder of the bundle (or lies in a file's place) cannot be a file.
      if (![...out.keys()].some((p) => p.startsWith(`${c.path}/`) || c.path.startsWith(`${p}/`))) out.set(c.path, c.bytes);
    } else if (c.kind === 'rename') {
      const from = paths[c.file % paths.length]!;
      if (!out.has(c.to) && ![...out.keys()].some((p) => p.startsWith(`${c.to}/`))) {
        out.set(c.to, out.get(from)!);
        out.delete(from);
      }
    }
  }
  // bundle.json can be re-hashed only while it is still a manifest (a flip may have broken it).
  return rehashed && isManifest(out.get('bundle.json')) ? rehash(out) : out;
}

function isManifest(bytes: Uint8Array | undefined): boolean {
  if (bytes === undefined) return false;
  try {
    const doc: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof doc === 'object' && doc !== null;
  } catch {
    return false;
  }
}

test('property: folder → archive → folder is byte-identical, and verify gives the same report for both', () => {
  let valid = 0;
  fc.assert(
    fc.property(
      fc.constantFrom('root' as const, 'recovery' as const),
      fc.array(changeArb, { maxLength: 3 }),
      fc.boolean(),
      fc.constantFrom('hybrid' as const, 'classical-only' as const, 'pq-only' as const),
      fc.boolean(),
      (which, changes, rehashed, mode, anchored) => {
        const files = apply(GOLDEN[which], changes, rehashed);
        fc.pre(files.size > 0);
        const back = decodeBundleArchive(encodeBundleArchive(files));
        assert.deepEqual(new Map([...back].sort()), new Map([...files].sort()));
        const options = { mode, crypto: CACHED_VERIFIER_CRYPTO, ...(anchored ? { trust: GOLDEN_MASTER_FINGERPRINT } : {}) };
        const folderReport = verifyBundle(files, options);
        assert.deepEqual(verifyBundle(back, options), folderReport);
        if (folderReport.verdict === 'valid') valid++;
      },
    ),
    { numRuns: 40 },
  );
  assert.ok(valid > 0, 'some of the random bundles were valid');
});
