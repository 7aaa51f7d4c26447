// verifyChain (core/verifier/chain.ts) on what is not a chain: bad options are a typed usage
// error; garbage bundles, a bundle of a kind that follows no key, and the golden bundles in any
// order are refused with the failed checks named, never a crash and never a current key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isKeyriteError } from '../../../core/errors.ts';
import { utf8 } from '../../../core/bytes.ts';
import { verifyChain } from '../../../core/verifier/chain.ts';
import { readBundleDir, GOLDEN_MASTER_FINGERPRINT } from '../../helpers/bundle-files.ts';
import { GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE, GOLDEN_SIGNING_BUNDLE_FIXTURE } from '../../helpers/golden.ts';

const root = readBundleDir(GOLDEN_FIXTURE);

test('bad options are refused as a usage error', () => {
  const usage = (e: unknown) => isKeyriteError(e, 'INVALID_INPUT');
  assert.throws(() => verifyChain([root], { trust: GOLDEN_MASTER_FINGERPRINT }), usage);
  assert.throws(() => verifyChain([], { trust: GOLDEN_MASTER_FINGERPRINT }), usage);
  assert.throws(() => verifyChain(Array.from({ length: 65 }, () => root), { trust: GOLDEN_MASTER_FINGERPRINT }), usage);
  assert.throws(() => verifyChain([root, root], {} as never), usage);
  assert.throws(() => verifyChain([root, root], { trust: 'not a fingerprint' }), (e: unknown) => isKeyriteError(e));
  assert.throws(() => verifyChain('bundles' as never, { trust: GOLDEN_MASTER_FINGERPRINT }), usage);
});

test('a recovery or signing bundle is not a successor; a chain not beginning with the root is refused', () => {
  for (const other of [GOLDEN_RECOVERY_FIXTURE, GOLDEN_SIGNING_BUNDLE_FIXTURE]) {
    const r = verifyChain([root, readBundleDir(other)], { trust: GOLDEN_MASTER_FINGERPRINT, at: new Date('2026-06-01T00:00:00Z') });
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.current, undefined);
    const link = r.checks.find((c) => c.name === 'chain-link-1')!;
    assert.equal(link.status, 'fail');
    assert.match(link.detail, /^Not a successor: bundle 1 is a (escrow-recovery|signing) bundle/);
    const backwards = verifyChain([readBundleDir(other), root], { trust: GOLDEN_MASTER_FINGERPRINT });
    assert.equal(backwards.checks.find((c) => c.name === 'chain-root')!.status, 'fail');
    assert.equal(backwards.verdict, 'invalid');
  }
});

test('property: garbage bundles are refused with the failed checks named, never a crash', () => {
  const file = fc.tuple(fc.constantFrom('bundle.json', 'transcript.jsonl', 'statement.dsse.json', 'keys/jwks.json', 'keys/key-states.json', 'policy.json', 'x'), fc.string({ maxLength: 200 }));
  const garbage = fc.array(file, { maxLength: 6 }).map((files) => new Map(files.map(([name, text]) => [name, utf8(text)])));
  fc.assert(
    fc.property(fc.boolean(), garbage, garbage, (realRoot, a, b) => {
      const r = verifyChain([realRoot ? root : a, b], { trust: GOLDEN_MASTER_FINGERPRINT });
      assert.equal(r.verdict, 'invalid');
      assert.equal(r.current, undefined);
      assert.equal(r.revoked, undefined);
      assert.ok(r.checks.some((c) => c.status === 'fail' && c.name.startsWith('chain-')));
    }),
    { numRuns: 25 },
  );
});
