import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { combine as libraryCombine, split as librarySplit } from 'shamir-secret-sharing';
import { combineShares, indexSubsets, splitSecret, type Share } from '../../../core/crypto/shamir.ts';
import { isKeyriteError } from '../../../core/errors.ts';

const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 255);

function subsets<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items as [T, ...T[]];
  return [...subsets(rest, k - 1).map((s) => [first, ...s]), ...subsets(rest, k)];
}

test('every 3-of-5 subset recombines to the secret', async () => {
  const shares = await splitSecret(secret, { n: 5, t: 3 });
  assert.equal(shares.length, 5);
  const triples = subsets(shares, 3);
  assert.equal(triples.length, 10);
  for (const triple of triples) assert.deepEqual(await combineShares(triple, 3, 32), secret);
  for (const s of shares) {
    assert.ok(s.x >= 1 && s.x <= 255);
    assert.equal(s.y.length, 32);
  }
});

test('Node Buffers are accepted as input (the library alone rejects them)', async () => {
  await assert.rejects(librarySplit(Buffer.from(secret), 5, 3));
  const shares = await splitSecret(Buffer.from(secret), { n: 5, t: 3 });
  assert.deepEqual(await combineShares(shares.slice(0, 3), 3, 32), secret);
});

test('the library returns a wrong secret below threshold; the wrapper refuses', async () => {
  const shares = await splitSecret(secret, { n: 5, t: 3 });
  const two = shares.slice(0, 2);
  const wire = two.map((s) => Uint8Array.from([...s.y, s.x]));
  const wrong = await libraryCombine(wire);
  assert.notDeepEqual(wrong, secret, 'library silently returns garbage below threshold');
  await assert.rejects(combineShares(two, 3, 32), (e) => isKeyriteError(e, 'SHARE_REJECTED') && /2 of the 3/.test(e.message));
});

test('a forged x = 0 share is refused (the library would return the forger\'s bytes)', async () => {
  const shares = await splitSecret(secret, { n: 5, t: 3 });
  const chosen = new Uint8Array(32).fill(0x41);
  const forged: Share = { x: 0, y: chosen };
  const wire = [forged, ...shares.slice(0, 2)].map((s) => Uint8Array.from([...s.y, s.x]));
  assert.notDeepEqual(await libraryCombine(wire), secret);
  await assert.rejects(combineShares([forged, shares[0]!, shares[1]!], 3, 32), (e) => isKeyriteError(e, 'SHARE_REJECTED') && /index 0/.test(e.message));
});

test('duplicate x, wrong lengths, bad indices and garbage are refused', async () => {
  const shares = await splitSecret(secret, { n: 5, t: 3 });
  const [a, b, c] = shares as [Share, Share, Share];
  const cases: Array<[string, unknown[], RegExp]> = [
    ['duplicate x', [a, b, { x: a.x, y: c.y }], /same index/],
    ['short share', [a, b, { x: c.x, y: c.y.slice(1) }], /31 bytes/],
    ['x = 256', [a, b, { x: 256, y: c.y }], /invalid index/],
    ['x = -1', [a, b, { x: -1, y: c.y }], /invalid index/],
    ['x not an integer', [a, b, { x: 1.5, y: c.y }], /invalid index/],
    ['y not bytes', [a, b, { x: c.x, y: 'abc' }], /byte array/],
    ['null share', [a, b, null], /not a share/],
  ];
  for (const [name, list, message] of cases) {
    await assert.rejects(combineShares(list as Share[], 3, 32), (e) => isKeyriteError(e) && message.test(e.message), name);
  }
  await assert.rejects(combineShares('nope' as unknown as Share[], 3, 32), (e) => isKeyriteError(e, 'INVALID_INPUT'));
  await assert.rejects(combineShares([a, b, c], 1, 32), (e) => isKeyriteError(e, 'INVALID_INPUT'));
});

test('split parameters are validated', async () => {
  for (const [n, t] of [[1, 1], [5, 1], [3, 5], [256, 3], [5.5, 3], [Number.NaN, 2]] as const) {
    await assert.rejects(splitSecret(secret, { n, t }), (e) => isKeyriteError(e, 'INVALID_INPUT'), `n=${n} t=${t}`);
  }
  await assert.rejects(splitSecret(new Uint8Array(0), { n: 5, t: 3 }), (e) => isKeyriteError(e, 'INVALID_LENGTH'));
  await assert.rejects(splitSecret('secret' as unknown as Uint8Array, { n: 5, t: 3 }), (e) => isKeyriteError(e, 'INVALID_INPUT'));
});

test('property: any t or more distinct shares recombine; fewer are refused', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 48 }),
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 0, max: 1000 }),
      async (s, t, extra, pick) => {
        const n = t + extra;
        const shares = await splitSecret(s, { n, t });
        const k = t + (pick % (n - t + 1));
        const start = pick % n;
        const chosen = Array.from({ length: k }, (_, i) => shares[(start + i) % n]!);
        assert.deepEqual(await combineShares(chosen, t, s.length), s);
        await assert.rejects(combineShares(chosen.slice(0, t - 1), t, s.length));
      },
    ),
    { numRuns: 200 },
  );
});

test('indexSubsets lists every k-subset once, in order', () => {
  const all = [...indexSubsets(5, 3)];
  assert.equal(all.length, 10);
  assert.deepEqual(all[0], [0, 1, 2]);
  assert.deepEqual(all[9], [2, 3, 4]);
  assert.equal(new Set(all.map((s) => s.join(','))).size, 10);
  assert.deepEqual([...indexSubsets(3, 0)], [[]]);
  assert.deepEqual([...indexSubsets(2, 3)], []);
});
