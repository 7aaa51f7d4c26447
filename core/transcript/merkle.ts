/**
 * Merkle Hash Trees for the transcript, RFC 6962 §2.1 with SHA-256:
 *   MTH({})        = SHA-256()                       (the empty string)
 *   leaf hash      = SHA-256(0x00 ‖ d(0))
 *   node hash      = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of two < n
 * Proof generation follows RFC 6962 §2.1.1 (PATH) and §2.1.2 (PROOF / SUBPROOF); proof
 * verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) step by
 * step. Proof lists are ordered from the leaf (or the old root) upwards, as in both RFCs.
 *
 * MerkleTree is incremental: it keeps every complete subtree hash level by level
 * (level 0 = leaf hashes), so append costs amortised O(1) hashes, the root at any size
 * costs O(log n) (it folds the "compact range" of at most log2(n)+1 perfect subtrees on the
 * right edge), and a proof costs O(log² n). Memory is about 2n hashes.
 *
 * Sizes and indices are JavaScript numbers up to 2^53−1; all arithmetic avoids 32-bit
 * bitwise operators. Verifiers never throw on bad proofs: they return false.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes } from '../bytes.ts';
import { sha256 } from '../crypto/hash.ts';

export const HASH_LENGTH = 32;

/** A SHA-256 implementation (noble by default; the verifier may pass node:crypto's). */
export type Sha256 = (data: Uint8Array) => Uint8Array;

const EMPTY_ROOT = sha256(new Uint8Array(0));

/** MTH({}) = SHA-256 of the empty string (e3b0c442…b855). A fresh copy each call. */
export function emptyRoot(): Uint8Array {
  return EMPTY_ROOT.slice();
}

/**
 * The hash inputs are built in one reused buffer (hashing is synchronous and keeps no
 * reference to its input), so hashing a 100,000-entry transcript allocates no input copies.
 */
let scratch = new Uint8Array(1024);

function hashInput(length: number): Uint8Array {
  if (scratch.length < length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
  return scratch.subarray(0, length);
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array, hash: Sha256 = sha256): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'A Merkle leaf must be a byte array.');
  const buf = hashInput(1 + data.length);
  buf[0] = 0x00;
  buf.set(data, 1);
  return hash(buf);
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array, hash: Sha256 = sha256): Uint8Array {
  const buf = hashInput(1 + left.length + right.length);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return hash(buf);
}

/** One level of the tree: its hashes back to back in one growing buffer. */
class HashRow {
  private bytes = new Uint8Array(HASH_LENGTH * 16);
  length = 0;

  push(h: Uint8Array): void {
    if ((this.length + 1) * HASH_LENGTH > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(h, this.length * HASH_LENGTH);
    this.length++;
  }

  /** A view of hash i, valid until the next push (copy it to keep it). */
  at(i: number): Uint8Array {
    return this.bytes.subarray(i * HASH_LENGTH, (i + 1) * HASH_LENGTH);
  }

  /** SHA-256(0x01 ‖ hash i ‖ hash i+1): the two are already adjacent. */
  parentOf(i: number, hash: Sha256): Uint8Array {
    const buf = hashInput(1 + 2 * HASH_LENGTH);
    buf[0] = 0x01;
    buf.set(this.bytes.subarray(i * HASH_LENGTH, (i + 2) * HASH_LENGTH), 1);
    return hash(buf);
  }
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_LENGTH;
}

/** The largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

export class MerkleTree {
  /** levels[l].at(i) = hash of the perfect subtree of 2^l leaves starting at leaf i·2^l. */
  private readonly levels: HashRow[] = [new HashRow()];

  /** `hash` computes the interior nodes (default noble SHA-256); leaf hashes are given to append. */
  constructor(private readonly hash: Sha256 = sha256) {}

  /** A tree over the given leaf hashes (each 32 bytes). */
  static fromLeafHashes(leafHashes: readonly Uint8Array[]): MerkleTree {
    const t = new MerkleTree();
    for (const h of leafHashes) t.append(h);
    return t;
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends one leaf hash (already SHA-256(0x00 ‖ d)); returns its index. */
  append(leaf: Uint8Array): number {
    if (!isHash(leaf)) throw new KeyriteError('INVALID_INPUT', `A Merkle leaf hash must be ${HASH_LENGTH} bytes.`);
    const index = this.size;
    let node: Uint8Array = leaf;
    for (let level = 0; ; level++) {
      if (this.levels.length === level) this.levels.push(new HashRow());
      const row = this.levels[level]!;
      row.push(node);
      // An even-length row just completed a pair: their parent is a new perfect subtree.
      if (row.length % 2 !== 0) break;
      node = row.parentOf(row.length - 2, this.hash);
    }
    return index;
  }

  /** The leaf hash at `index`. */
  leaf(index: number): Uint8Array {
    if (!isSize(index) || index >= this.size) throw new KeyriteError('INVALID_INPUT', `There is no leaf ${String(index)} in a tree of ${this.size}.`);
    return this.levels[0]!.at(index).slice();
  }

  /** MTH of the first `size` leaves (default: all). */
  root(size: number = this.size): Uint8Array {
    this.checkSize(size);
    return size === 0 ? emptyRoot() : this.rangeHash(0, size);
  }

  /** RFC 6962 §2.1.1 PATH(index, D[size]): the audit path of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.checkSize(size);
    if (!isSize(index) || index >= size) throw new KeyriteError('INVALID_INPUT', `Leaf ${String(index)} is not in a tree of ${size} leaves.`);
    const path: Uint8Array[] = [];
    let start = 0;
    let n = size;
    let m = index;
    while (n > 1) {
      const k = splitPoint(n);
      if (m < k) {
        path.push(this.rangeHash(start + k, n - k)); // PATH(m, D[0:k]) : MTH(D[k:n])
        n = k;
      } else {
        path.push(this.rangeHash(start, k)); // PATH(m−k, D[k:n]) : MTH(D[0:k])
        start += k;
        m -= k;
        n -= k;
      }
    }
    return path.reverse();
  }

  /**
   * RFC 6962 §2.1.2 PROOF(first, D[second]) = SUBPROOF(first, D[second], true).
   * Empty when first is 0 or first = second (RFC 9162 §2.1.4.1 gives no nodes for those).
   */
  consistencyProof(first: number, second: number = this.size): Uint8Array[] {
    this.checkSize(second);
    if (!isSize(first) || first > second) throw new KeyriteError('INVALID_INPUT', `No consistency proof from size ${String(first)} to size ${second}.`);
    if (first === 0 || first === second) return [];
    const proof: Uint8Array[] = [];
    let start = 0;
    let n = second;
    let m = first;
    let b = true;
    while (m !== n) {
      const k = splitPoint(n);
      if (m <= k) {
        proof.push(this.rangeHash(start + k, n - k)); // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
        n = k;
      } else {
        proof.push(this.rangeHash(start, k)); // SUBPROOF(m−k, D[k:n], false) : MTH(D[0:k])
        start += k;
        n -= k;
        m -= k;
        b = false;
      }
    }
    if (!b) proof.push(this.rangeHash(start, n)); // SUBPROOF(m, D[m], false) = {MTH(D[m])}
    return proof.reverse();
  }

  private checkSize(size: number): void {
    if (!isSize(size) || size > this.size) throw new KeyriteError('INVALID_INPUT', `The tree has ${this.size} leaves, not ${String(size)}.`);
  }

  /**
   * MTH(D[start : start+len]) for len ≥ 1 and start a multiple of the smallest power of two
   * ≥ len — the only ranges the RFC 6962 recursion visits. Such a range is the right fold
   * H(N1, H(N2, … Nk)) of the perfect subtrees for the binary digits of len, high to low.
   */
  private rangeHash(start: number, len: number): Uint8Array {
    const nodes: Uint8Array[] = [];
    let offset = start;
    let block = 1;
    let level = 0;
    while (block * 2 <= len) {
      block *= 2;
      level++;
    }
    let rest = len;
    while (rest > 0) {
      if (block <= rest) {
        if (offset % block !== 0) throw new KeyriteError('CEREMONY_ERROR', 'Internal error: unaligned Merkle range.');
        nodes.push(this.levels[level]!.at(offset / block));
        offset += block;
        rest -= block;
      }
      block /= 2;
      level--;
    }
    let acc = nodes[nodes.length - 1]!;
    for (let i = nodes.length - 2; i >= 0; i--) acc = nodeHash(nodes[i]!, acc, this.hash);
    return acc.slice();
  }
}

/** MTH of a list of leaf hashes, in O(n) hashes. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  return MerkleTree.fromLeafHashes(leafHashes).root();
}

/**
 * RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or undefined when the proof is
 * malformed for (leafIndex, treeSize) — wrong length, hash of the wrong size, index out of range.
 */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | undefined {
  if (!isSize(leafIndex) || !isSize(treeSize) || !isHash(leaf) || !Array.isArray(proof)) return undefined;
  // 1. leaf_index ≥ tree_size fails.
  if (leafIndex >= treeSize) return undefined;
  // 2. fn = leaf_index, sn = tree_size − 1.  3. r = hash.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  // 4. For each p in inclusion_path:
  for (const p of proof) {
    if (!isHash(p)) return undefined;
    // a. sn = 0 fails.
    if (sn === 0) return undefined;
    // b. LSB(fn) set, or fn = sn:
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      // ii. if LSB(fn) is not set, shift both until LSB(fn) is set or fn is 0.
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    // c. shift both once.
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 5. sn must be 0.
  return sn === 0 ? r : undefined;
}

/** RFC 9162 §2.1.3.2: whether `proof` shows `leaf` at `leafIndex` in the tree of `treeSize` with `root`. */
export function verifyInclusion(leafIndex: number, treeSize: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isHash(root)) return false;
  const r = rootFromInclusionProof(leafIndex, treeSize, leaf, proof);
  return r !== undefined && equalBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `firstSize` leaves with
 * `firstRoot` is a prefix of the tree of `secondSize` leaves with `secondRoot`.
 * Edge cases (outside the RFC algorithm, which assumes 0 < first < second):
 *  - first = second: consistent iff the proof is empty and the roots are equal;
 *  - first = 0: consistent iff the proof is empty and firstRoot is MTH({}) (the empty tree
 *    is a prefix of every tree; Keyrite also insists its root is the real empty root);
 *  - first > second, or any hash not 32 bytes: false.
 */
export function verifyConsistency(firstSize: number, secondSize: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isSize(firstSize) || !isSize(secondSize) || !isHash(firstRoot) || !isHash(secondRoot) || !Array.isArray(proof)) return false;
  if (firstSize > secondSize) return false;
  if (!proof.every(isHash)) return false;
  if (firstSize === secondSize) return proof.length === 0 && equalBytes(firstRoot, secondRoot);
  if (firstSize === 0) return proof.length === 0 && equalBytes(firstRoot, EMPTY_ROOT);
  // 1. An empty consistency_path fails.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of 2, prepend first_hash.
  const path = isPowerOfTwo(firstSize) ? [firstRoot, ...proof] : [...proof];
  // 3. fn = first − 1, sn = second − 1.
  let fn = firstSize - 1;
  let sn = secondSize - 1;
  // 4. If LSB(fn) is set, shift both until it is not.
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 5. fr = sr = the first value of the path.
  let fr = path[0]!;
  let sr = path[0]!;
  // 6. For each subsequent value c:
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    // a. sn = 0 fails.
    if (sn === 0) return false;
    // b. LSB(fn) set, or fn = sn:
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      // iii. if LSB(fn) is not set, shift both until LSB(fn) is set or fn is 0.
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    // c. shift both once.
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 7. fr = first_hash, sr = second_hash, and sn = 0.
  return sn === 0 && equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot);
}
