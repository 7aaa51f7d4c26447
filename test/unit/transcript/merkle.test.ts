// RFC 6962 Merkle trees: CT / transparency-dev known answers, the corruption probes of
// transparency-dev/merkle proof/verify_test.go, a cross-check against the recursive
// reference definitions, and fast-check properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { fromBase64 } from '../../../core/encoding/base64url.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import {
  HASH_LENGTH,
  MerkleTree,
  emptyRoot,
  leafHash,
  merkleRoot,
  nodeHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../../core/transcript/merkle.ts';
import { FIXTURES, enc, loadJson, refLeaf, refMth, refPath, refProof, throwsCode } from './helpers.ts';

interface RefTree {
  hasher: { emptyRoot: string; emptyLeaf: string; leaf: { inputAscii: string; hash: string }; node: { leftAscii: string; rightAscii: string; hash: string } };
  leaves: string[];
  roots: string[];
  nodeHashes: string[][];
  inclusionProofs: { leafIndex: number; treeSize: number; proof: string[] }[];
  consistencyProofs: { size1: number; size2: number; proof: string[] }[];
}

const ref = loadJson<RefTree>('rfc6962/ct-reference-tree.json');
const leaves = ref.leaves.map((h) => fromHex(h));
const leafHashes = leaves.map((d) => leafHash(d));
const tree8 = MerkleTree.fromLeafHashes(leafHashes);
const hex = (b: Uint8Array): string => toHex(b);
const someHash = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');
const EMPTY = fromHex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

test('RFC 6962 hasher known answers', () => {
  assert.equal(hex(emptyRoot()), ref.hasher.emptyRoot);
  assert.equal(hex(leafHash(new Uint8Array(0))), ref.hasher.emptyLeaf);
  assert.equal(hex(leafHash(enc.encode(ref.hasher.leaf.inputAscii))), ref.hasher.leaf.hash);
  assert.equal(hex(nodeHash(enc.encode(ref.hasher.node.leftAscii), enc.encode(ref.hasher.node.rightAscii))), ref.hasher.node.hash);
  // The empty tree hash differs from the hash of an empty leaf; leaf and node hashes are domain-separated.
  assert.notEqual(hex(emptyRoot()), hex(leafHash(new Uint8Array(0))));
  const h1 = leafHash(enc.encode('Hello'));
  const h2 = leafHash(enc.encode('World'));
  assert.notEqual(hex(nodeHash(h1, h2)), hex(leafHash(new Uint8Array([...h1, ...h2]))));
  assert.notEqual(hex(nodeHash(h1, h2)), hex(nodeHash(h2, h1)));
});

test('emptyRoot returns a fresh copy', () => {
  const a = emptyRoot();
  a[0] = 0;
  assert.equal(hex(emptyRoot()), ref.hasher.emptyRoot);
});

test('roots of the reference tree at every size, appended one by one', () => {
  const t = new MerkleTree();
  assert.equal(t.size, 0);
  assert.equal(hex(t.root()), ref.roots[0]);
  leafHashes.forEach((h, i) => {
    assert.equal(t.append(h), i);
    assert.equal(t.size, i + 1);
    assert.equal(hex(t.root()), ref.roots[i + 1]);
    for (let s = 0; s <= i + 1; s++) assert.equal(hex(t.root(s)), ref.roots[s], `root(${s}) after ${i + 1} leaves`);
  });
  assert.equal(hex(merkleRoot(leafHashes)), ref.roots[8]);
  assert.equal(hex(merkleRoot([])), ref.roots[0]);
});

test('every perfect subtree hash of the reference tree', () => {
  ref.nodeHashes.forEach((row, level) => {
    row.forEach((h, i) => {
      const width = 2 ** level;
      assert.equal(hex(merkleRoot(leafHashes.slice(i * width, (i + 1) * width))), h, `node (${level}, ${i})`);
    });
  });
  ref.nodeHashes[0]!.forEach((h, i) => assert.equal(hex(tree8.leaf(i)), h));
});

test('inclusion proofs of the reference tree: generated exactly and verified', () => {
  for (const v of ref.inclusionProofs) {
    const proof = tree8.inclusionProof(v.leafIndex, v.treeSize);
    assert.deepEqual(proof.map(hex), v.proof, `PATH(${v.leafIndex}, D[${v.treeSize}])`);
    const root = fromHex(ref.roots[v.treeSize]!);
    assert.ok(verifyInclusion(v.leafIndex, v.treeSize, leafHashes[v.leafIndex]!, proof, root));
    assert.equal(hex(rootFromInclusionProof(v.leafIndex, v.treeSize, leafHashes[v.leafIndex]!, proof)!), ref.roots[v.treeSize]);
  }
});

test('consistency proofs of the reference tree: generated exactly and verified', () => {
  for (const v of ref.consistencyProofs) {
    const proof = tree8.consistencyProof(v.size1, v.size2);
    assert.deepEqual(proof.map(hex), v.proof, `PROOF(${v.size1}, D[${v.size2}])`);
    assert.ok(verifyConsistency(v.size1, v.size2, fromHex(ref.roots[v.size1]!), fromHex(ref.roots[v.size2]!), proof));
  }
});

function flipBit(h: Uint8Array, index: number, bit: number): void {
  h[index] = h[index]! ^ (1 << bit);
}

function flip(h: Uint8Array, mask: number): Uint8Array {
  const c = h.slice();
  c[0] = c[0]! ^ mask;
  return c;
}

test('corrupted inclusion proofs never verify (transparency-dev corruptInclusionProof probes)', () => {
  for (const v of ref.inclusionProofs) {
    const proof = v.proof.map((h) => fromHex(h));
    const root = fromHex(ref.roots[v.treeSize]!);
    const leaf = leafHashes[v.leafIndex]!;
    const { leafIndex: i, treeSize: n } = v;
    const probes: [string, number, number, Uint8Array, Uint8Array[], Uint8Array][] = [
      ['leafIndex - 1', i - 1, n, leaf, proof, root],
      ['leafIndex + 1', i + 1, n, leaf, proof, root],
      ['leafIndex ^ 2', i ^ 2, n, leaf, proof, root],
      ['treeSize * 2', i, n * 2, leaf, proof, root],
      ['treeSize / 2', i, Math.floor(n / 2), leaf, proof, root],
      ['wrong leaf', i, n, enc.encode('WrongLeaf'), proof, root],
      ['wrong leaf (32 bytes)', i, n, someHash, proof, root],
      ['empty root', i, n, leaf, proof, EMPTY],
      ['random root', i, n, leaf, proof, someHash],
      ['trailing garbage', i, n, leaf, [...proof, new Uint8Array(0)], root],
      ['trailing root', i, n, leaf, [...proof, root], root],
      ['preceding garbage', i, n, leaf, [new Uint8Array(0), ...proof], root],
      ['preceding root', i, n, leaf, [root, ...proof], root],
    ];
    proof.forEach((_, j) => probes.push([`modified proof[${j}] bit 3`, i, n, leaf, proof.map((h, k) => (k === j ? flip(h, 8) : h)), root]));
    if (proof.length > 0) probes.push(['removed component', i, n, leaf, proof.slice(0, -1), root]);
    if (proof.length > 1) probes.push(['inserted component', i, n, leaf, [proof[0]!, someHash, ...proof.slice(1)], root]);
    for (const [desc, li, ts, lh, p, r] of probes) {
      if (desc === 'leafIndex ^ 2' && li === i) continue;
      assert.equal(verifyInclusion(li, ts, lh, p, r), false, `PATH(${i}, D[${n}]) ${desc} verified`);
    }
  }
});

test('corrupted consistency proofs never verify (transparency-dev corruptConsistencyProof probes)', () => {
  for (const v of ref.consistencyProofs) {
    if (v.proof.length === 0) continue;
    const proof = v.proof.map((h) => fromHex(h));
    const r1 = fromHex(ref.roots[v.size1]!);
    const r2 = fromHex(ref.roots[v.size2]!);
    const { size1: m, size2: n } = v;
    const wrong = sha256(enc.encode('WrongRoot'));
    const probes: [string, number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
      ['size1 - 1', m - 1, n, r1, r2, proof],
      ['size1 + 1', m + 1, n, r1, r2, proof],
      ['size1 ^ 2', m ^ 2, n, r1, r2, proof],
      ['size2 * 2', m, n * 2, r1, r2, proof],
      ['size2 / 2', m, Math.floor(n / 2), r1, r2, proof],
      ['wrong root1', m, n, wrong, r2, proof],
      ['wrong root2', m, n, r1, wrong, proof],
      ['short root1', m, n, enc.encode('WrongRoot'), r2, proof],
      ['swapped roots', m, n, r2, r1, proof],
      ['empty proof', m, n, r1, r2, []],
      ['trailing garbage', m, n, r1, r2, [...proof, new Uint8Array(0)]],
      ['trailing root1', m, n, r1, r2, [...proof, r1]],
      ['trailing root2', m, n, r1, r2, [...proof, r2]],
      ['preceding garbage', m, n, r1, r2, [new Uint8Array(0), ...proof]],
      ['preceding root1', m, n, r1, r2, [r1, ...proof]],
      ['preceding root2', m, n, r1, r2, [r2, ...proof]],
      ['preceding proof[0]', m, n, r1, r2, [proof[0]!, ...proof]],
      ['truncated proof', m, n, r1, r2, proof.slice(0, -1)],
    ];
    proof.forEach((_, j) => probes.push([`modified proof[${j}] bit 4`, m, n, r1, r2, proof.map((h, k) => (k === j ? flip(h, 16) : h))]));
    for (const [desc, s1, s2, a, b, p] of probes) {
      assert.equal(verifyConsistency(s1, s2, a, b, p), false, `PROOF(${m}, D[${n}]) ${desc} verified`);
    }
  }
});

test('consistency edge cases (transparency-dev TestVerifyConsistency, with 32-byte roots)', () => {
  const a = sha256(enc.encode("don't care 1"));
  const b = sha256(enc.encode("don't care 2"));
  const cases: [number, number, Uint8Array, Uint8Array, Uint8Array[], boolean][] = [
    [0, 0, a, b, [], false],
    [1, 1, a, b, [], false],
    // Sizes that are always consistent (Keyrite: the size-0 root must be the empty root).
    [0, 0, a, a, [], true],
    [0, 1, EMPTY, b, [], true],
    [1, 1, b, b, [], true],
    [0, 1, a, b, [], false],
    // Time travel to the past.
    [1, 0, a, b, [], false],
    [2, 1, a, b, [], false],
    // Empty proof.
    [1, 2, a, b, [], false],
    // Roots don't match.
    [0, 0, EMPTY, b, [], false],
    [1, 1, EMPTY, b, [], false],
    // Roots match but the proof is not empty.
    [0, 0, EMPTY, EMPTY, [EMPTY], false],
    [0, 1, EMPTY, EMPTY, [EMPTY], false],
    [1, 1, EMPTY, EMPTY, [EMPTY], false],
  ];
  for (const [m, n, r1, r2, p, want] of cases) assert.equal(verifyConsistency(m, n, r1, r2, p), want, `${m}->${n}`);
});

test('inclusion edge cases (transparency-dev TestVerifyInclusion / SingleEntry)', () => {
  for (const [i, n] of [[0, 0], [0, 1], [1, 0], [2, 1]] as const) {
    assert.equal(verifyInclusion(i, n, someHash, [], new Uint8Array(0)), false);
    assert.equal(verifyInclusion(i, n, new Uint8Array(0), [], EMPTY), false);
    assert.equal(verifyInclusion(i, n, someHash, [], EMPTY), false);
  }
  const h = leafHash(enc.encode('data'));
  assert.equal(verifyInclusion(0, 1, h, [], h), true);
  assert.equal(verifyInclusion(0, 1, new Uint8Array(0), [], h), false);
  assert.equal(verifyInclusion(0, 1, h, [], new Uint8Array(0)), false);
  assert.equal(verifyInclusion(-1, 1, h, [], h), false);
  assert.equal(verifyInclusion(0.5, 1, h, [], h), false);
  assert.equal(verifyInclusion(0, 2 ** 53, h, [], h), false);
});

test('transparency-dev/merkle testdata JSON files verify as upstream expects', () => {
  const base = `${FIXTURES}rfc6962/transparency-dev-merkle/testdata/`;
  let count = 0;
  for (const kind of ['inclusion', 'consistency']) {
    for (const dir of readdirSync(`${base}${kind}`)) {
      for (const file of readdirSync(`${base}${kind}/${dir}`)) {
        const v = JSON.parse(readFileSync(`${base}${kind}/${dir}/${file}`, 'utf8')) as Record<string, unknown>;
        const b64 = (s: unknown): Uint8Array => fromBase64(s as string);
        const proof = (v.proof as string[]).map(b64);
        const ok =
          kind === 'inclusion'
            ? verifyInclusion(v.leafIdx as number, v.treeSize as number, b64(v.leafHash), proof, b64(v.root))
            : verifyConsistency(v.size1 as number, v.size2 as number, b64(v.root1), b64(v.root2), proof);
        assert.equal(ok, !(v.wantErr as boolean), `${kind}/${dir}/${file}`);
        count++;
      }
    }
  }
  assert.equal(count, 12);
});

test('proofs match the recursive RFC 6962 definitions for every tree up to 64 leaves', () => {
  const data = Array.from({ length: 64 }, (_, i) => Uint8Array.of(i));
  const hashes = data.map(refLeaf);
  const t = MerkleTree.fromLeafHashes(hashes);
  for (let n = 1; n <= 64; n++) {
    const prefix = hashes.slice(0, n);
    const root = refMth(prefix);
    assert.equal(hex(t.root(n)), hex(root), `MTH(D[${n}])`);
    for (let m = 0; m < n; m++) {
      const path = t.inclusionProof(m, n);
      assert.deepEqual(path.map(hex), refPath(m, prefix).map(hex), `PATH(${m}, D[${n}])`);
      assert.ok(verifyInclusion(m, n, hashes[m]!, path, root));
    }
    for (let m = 1; m <= n; m++) {
      const proof = t.consistencyProof(m, n);
      assert.deepEqual(proof.map(hex), (m === n ? [] : refProof(m, prefix)).map(hex), `PROOF(${m}, D[${n}])`);
      assert.ok(verifyConsistency(m, n, refMth(hashes.slice(0, m)), root, proof), `verify ${m}->${n}`);
    }
    assert.deepEqual(t.consistencyProof(0, n), []);
    assert.ok(verifyConsistency(0, n, emptyRoot(), root, []));
  }
});

test('MerkleTree rejects bad arguments', () => {
  const t = MerkleTree.fromLeafHashes(leafHashes);
  throwsCode(() => t.append(new Uint8Array(31)), 'INVALID_INPUT');
  throwsCode(() => t.root(9), 'INVALID_INPUT');
  throwsCode(() => t.root(-1), 'INVALID_INPUT');
  throwsCode(() => t.inclusionProof(8, 8), 'INVALID_INPUT');
  throwsCode(() => t.inclusionProof(0, 0), 'INVALID_INPUT');
  throwsCode(() => t.consistencyProof(5, 4), 'INVALID_INPUT');
  throwsCode(() => t.consistencyProof(1, 9), 'INVALID_INPUT');
  throwsCode(() => t.leaf(8), 'INVALID_INPUT');
  throwsCode(() => leafHash('abc' as unknown as Uint8Array), 'INVALID_INPUT');
  // Returned hashes are copies: changing them does not change the tree.
  const r = t.root();
  r.fill(0);
  assert.equal(hex(t.root()), ref.roots[8]);
  t.leaf(0).fill(0);
  assert.equal(hex(t.leaf(0)), ref.nodeHashes[0]![0]);
});

const treeArb = fc.integer({ min: 1, max: 300 }).map((n) => {
  const hashes = Array.from({ length: n }, (_, i) => leafHash(enc.encode(`leaf ${i}`)));
  return { n, hashes, tree: MerkleTree.fromLeafHashes(hashes) };
});

test('property: every inclusion proof verifies, and any tampering breaks it', () => {
  fc.assert(
    fc.property(treeArb, fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), ({ n, hashes, tree }, a, b, c, bit) => {
      const size = 1 + (a % n);
      const index = b % size;
      const root = tree.root(size);
      const proof = tree.inclusionProof(index, size);
      assert.ok(verifyInclusion(index, size, hashes[index]!, proof, root));
      if (proof.length > 0) {
        const j = c % proof.length;
        const bad = proof.map((h, k) => (k === j ? h.slice() : h));
        flipBit(bad[j]!, c % HASH_LENGTH, bit);
        assert.equal(verifyInclusion(index, size, hashes[index]!, bad, root), false);
        assert.equal(verifyInclusion(index, size, hashes[index]!, proof.slice(1), root), false);
      }
      const otherIndex = (index + 1 + (c % size)) % size;
      if (otherIndex !== index) assert.equal(verifyInclusion(otherIndex, size, hashes[index]!, proof, root), false);
      const badLeaf = hashes[index]!.slice();
      flipBit(badLeaf, bit, 0);
      assert.equal(verifyInclusion(index, size, badLeaf, proof, root), false);
      // (A size off by one can still verify — RFC 6962 proofs bind the size only through the
      // root — so, as upstream does, probe a size with a different tree height.)
      assert.equal(verifyInclusion(index, size * 2, hashes[index]!, proof, root), false);
    }),
    { numRuns: 200 },
  );
});

test('property: every consistency proof m ≤ n verifies, and any tampering breaks it', () => {
  fc.assert(
    fc.property(treeArb, fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), ({ n, tree }, a, b, c, bit) => {
      const second = 1 + (a % n);
      const first = b % (second + 1);
      const r1 = tree.root(first);
      const r2 = tree.root(second);
      const proof = tree.consistencyProof(first, second);
      assert.ok(verifyConsistency(first, second, r1, r2, proof), `${first}->${second}`);
      if (proof.length > 0) {
        const j = c % proof.length;
        const bad = proof.map((h, k) => (k === j ? h.slice() : h));
        flipBit(bad[j]!, c % HASH_LENGTH, bit);
        assert.equal(verifyConsistency(first, second, r1, r2, bad), false);
        assert.equal(verifyConsistency(first, second, r1, r2, proof.slice(0, -1)), false);
        assert.equal(verifyConsistency(first, second, r1, r2, [...proof, r2]), false);
      }
      const badRoot1 = r1.slice();
      flipBit(badRoot1, c % HASH_LENGTH, bit);
      assert.equal(verifyConsistency(first, second, badRoot1, r2, proof), false);
      const badRoot2 = r2.slice();
      flipBit(badRoot2, c % HASH_LENGTH, bit);
      // The empty tree is a prefix of every tree, whatever its root.
      assert.equal(verifyConsistency(first, second, r1, badRoot2, proof), first === 0);
    }),
    { numRuns: 200 },
  );
});

test('100,000 appends with roots at checkpoints (incremental tree, linear work)', () => {
  const N = 100_000;
  const t = new MerkleTree();
  const hashes: Uint8Array[] = [];
  const checkpoints: { size: number; root: Uint8Array }[] = [];
  for (let i = 0; i < N; i++) {
    const h = leafHash(enc.encode(`entry ${i}`));
    hashes.push(h);
    t.append(h);
    if ((i + 1) % 10_000 === 0) checkpoints.push({ size: i + 1, root: t.root() });
  }
  assert.equal(t.size, N);
  // The first checkpoint against the recursive definition; each later one is tied to it by a
  // consistency proof (a full recursive MTH of 100,000 leaves would double the test's cost).
  assert.equal(hex(checkpoints[0]!.root), hex(refMth(hashes.slice(0, checkpoints[0]!.size))));
  assert.equal(hex(checkpoints[checkpoints.length - 1]!.root), hex(t.root()));
  for (let k = 1; k < checkpoints.length; k++) {
    const a = checkpoints[k - 1]!;
    const b = checkpoints[k]!;
    assert.equal(hex(t.root(a.size)), hex(a.root));
    assert.ok(verifyConsistency(a.size, b.size, a.root, b.root, t.consistencyProof(a.size, b.size)));
  }
  const idx = 77_777;
  assert.ok(verifyInclusion(idx, N, hashes[idx]!, t.inclusionProof(idx), t.root()));
});
