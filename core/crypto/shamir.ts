/**
 * Shamir secret sharing over GF(2^8) through the audited `shamir-secret-sharing` library,
 * with the checks the library leaves out (DESIGN.md, Escrow):
 *  - combine() happily uses a forged share with x = 0 (it then returns bytes the forger
 *    chose) and returns a wrong secret without error when given fewer than t shares;
 *  - it rejects Node Buffers, so every array handed to it is a plain Uint8Array.
 * A share is kept as {x, y}; the library's wire form is y ‖ x.
 */
import { combine, split } from 'shamir-secret-sharing';
import { KeyriteError } from '../errors.ts';
import { assertBytes, toPlainBytes } from '../bytes.ts';
import { wipe } from './wipe.ts';

export interface Share {
  /** Evaluation point, 1..255. */
  x: number;
  /** Share value, as long as the secret. */
  y: Uint8Array;
}

export interface SharingParams {
  /** Number of shares (2..255). */
  n: number;
  /** Threshold (2..n). */
  t: number;
}

export function assertSharingParams(params: SharingParams): void {
  const { n, t } = params;
  if (!Number.isInteger(n) || n < 2 || n > 255) throw new KeyriteError('INVALID_INPUT', `The number of shares must be a whole number from 2 to 255, got ${String(n)}.`);
  if (!Number.isInteger(t) || t < 2) throw new KeyriteError('INVALID_INPUT', `The threshold must be a whole number of at least 2, got ${String(t)}.`);
  if (t > n) throw new KeyriteError('INVALID_INPUT', `The threshold (${t}) cannot exceed the number of shares (${n}).`);
}

export async function splitSecret(secret: Uint8Array, params: SharingParams): Promise<Share[]> {
  assertBytes(secret, 'The secret to split');
  if (secret.length === 0) throw new KeyriteError('INVALID_LENGTH', 'The secret to split is empty.');
  assertSharingParams(params);
  const plain = toPlainBytes(secret);
  const raw = await split(plain, params.n, params.t);
  wipe(plain);
  const shares = raw.map((r) => ({ x: r[r.length - 1]!, y: r.slice(0, -1) }));
  wipe(...raw);
  if (new Set(shares.map((s) => s.x)).size !== shares.length || shares.some((s) => s.x === 0)) {
    throw new KeyriteError('SELFTEST_FAILED', 'Secret sharing produced invalid share coordinates.');
  }
  return shares;
}

/**
 * Recombines at least `threshold` shares. Every share must have 1 ≤ x ≤ 255, a distinct x
 * and the expected length; anything else is refused before the library sees it.
 * The result is only correct if every share is genuine: callers check each share's
 * signature and commitment first, and check the recovered secret afterwards.
 */
export async function combineShares(shares: readonly Share[], threshold: number, secretLength: number): Promise<Uint8Array> {
  if (!Array.isArray(shares)) throw new KeyriteError('INVALID_INPUT', 'Shares must be given as a list.');
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > 255) throw new KeyriteError('INVALID_INPUT', `The threshold must be a whole number from 2 to 255, got ${String(threshold)}.`);
  if (!Number.isInteger(secretLength) || secretLength < 1) throw new KeyriteError('INVALID_INPUT', 'The secret length must be a positive whole number.');
  if (shares.length < threshold) {
    throw new KeyriteError('SHARE_REJECTED', `Only ${shares.length} of the ${threshold} shares needed were given; recombining fewer would silently give a wrong key.`);
  }
  const seen = new Set<number>();
  for (const [i, share] of shares.entries()) {
    if (typeof share !== 'object' || share === null) throw new KeyriteError('INVALID_INPUT', `Share ${i + 1} is not a share.`);
    const { x, y } = share;
    if (!Number.isInteger(x) || x < 0 || x > 255) throw new KeyriteError('SHARE_REJECTED', `Share ${i + 1} has an invalid index ${String(x)}.`);
    if (x === 0) throw new KeyriteError('SHARE_REJECTED', `Share ${i + 1} has index 0, which would be the secret itself: it is forged.`);
    if (seen.has(x)) throw new KeyriteError('SHARE_REJECTED', `Two shares have the same index ${x}; each share may be given once.`);
    seen.add(x);
    assertBytes(y, `Share ${i + 1}`);
    if (y.length !== secretLength) throw new KeyriteError('SHARE_REJECTED', `Share ${i + 1} is ${y.length} bytes long, expected ${secretLength}.`);
  }
  const wire = shares.map((s) => {
    const w = new Uint8Array(secretLength + 1);
    w.set(s.y, 0);
    w[secretLength] = s.x;
    return w;
  });
  try {
    return await combine(wire);
  } finally {
    wipe(...wire);
  }
}

/** Every k-element subset of the indices 0..count-1, in lexicographic order (C(count, k) of them). */
export function* indexSubsets(count: number, k: number): Generator<number[]> {
  if (k < 0 || k > count) return;
  const idx = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield [...idx];
    let i = k - 1;
    while (i >= 0 && idx[i] === count - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}
