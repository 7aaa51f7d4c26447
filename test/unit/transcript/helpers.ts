// Shared helpers for the transcript tests: fixtures, error assertions, an RFC 6962
// reference implementation written straight from the recursive definitions, in-memory
// sinks, fixed clocks and software hybrid signers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isKeyriteError } from '../../../core/errors.ts';
import type { ErrorCode } from '../../../core/errors.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { ed25519PublicKey, ed25519Sign } from '../../../core/crypto/ed25519.ts';
import { mldsa65KeyFromSeed, mldsa65Sign } from '../../../core/crypto/mldsa65.ts';
import { p256PublicKey, p256Sign } from '../../../core/crypto/p256.ts';
import { makeHybridSigner } from '../../../core/crypto/hybrid.ts';
import type { HybridSigner } from '../../../core/crypto/hybrid.ts';
import type { TranscriptSink } from '../../../core/transcript/transcript.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function loadJson<T>(path: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${path}`, 'utf8')) as T;
}

export function throwsCode(fn: () => unknown, code: ErrorCode, message?: string): void {
  assert.throws(fn, (e: unknown) => isKeyriteError(e, code), message ?? `expected KeyriteError ${code}`);
}

export async function rejectsCode(p: Promise<unknown>, code: ErrorCode, message?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => isKeyriteError(e, code), message ?? `expected KeyriteError ${code}`);
}

export const enc = new TextEncoder();
export const dec = new TextDecoder();

// ---- RFC 6962 §2.1 reference implementation (recursive, O(n) per call) ----

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function refNode(l: Uint8Array, r: Uint8Array): Uint8Array {
  const b = new Uint8Array(65);
  b[0] = 1;
  b.set(l, 1);
  b.set(r, 33);
  return sha256(b);
}

export function refLeaf(d: Uint8Array): Uint8Array {
  const b = new Uint8Array(d.length + 1);
  b.set(d, 1);
  return sha256(b);
}

/** MTH(D[n]) over leaf hashes. */
export function refMth(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return refNode(refMth(leaves.slice(0, k)), refMth(leaves.slice(k)));
}

/** PATH(m, D[n]). */
export function refPath(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  if (m < k) return [...refPath(m, leaves.slice(0, k)), refMth(leaves.slice(k))];
  return [...refPath(m - k, leaves.slice(k)), refMth(leaves.slice(0, k))];
}

function refSubproof(m: number, leaves: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [refMth(leaves)];
  const k = split(n);
  if (m <= k) return [...refSubproof(m, leaves.slice(0, k), b), refMth(leaves.slice(k))];
  return [...refSubproof(m - k, leaves.slice(k), false), refMth(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) for 0 < m ≤ n. */
export function refProof(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  return refSubproof(m, leaves, true);
}

// ---- sinks and clocks ----

/** A sink that keeps what it is given; `failOn` makes the n-th append (0-based) reject. */
export class MemorySink implements TranscriptSink {
  chunks: Uint8Array[] = [];
  calls = 0;
  constructor(private readonly failOn?: number) {}
  async append(bytes: Uint8Array): Promise<void> {
    const call = this.calls++;
    await Promise.resolve();
    if (call === this.failOn) throw new Error('disk full (simulated)');
    this.chunks.push(bytes.slice());
  }
  bytes(): Uint8Array {
    const total = this.chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** A clock starting at `start` that advances `stepMs` per call. */
export function steppingClock(start = '2026-03-01T09:00:00.000Z', stepMs = 1000): () => Date {
  let t = Date.parse(start);
  return () => {
    const d = new Date(t);
    t += stepMs;
    return d;
  };
}

// ---- software hybrid signers (deterministic keys from a label) ----

export interface TestPrincipal {
  name: string;
  signer: HybridSigner;
}

function seed(label: string): Uint8Array {
  return sha256(enc.encode(`keyrite test seed ${label}`));
}

export function ed25519Principal(label: string, name = `keyrite.dev/principal/${label}`): TestPrincipal {
  const edSeed = seed(`${label}/ed25519`);
  const { publicKey, secretKey } = mldsa65KeyFromSeed(seed(`${label}/ml-dsa-65`));
  const signer = makeHybridSigner(
    { alg: 'Ed25519', publicKey: ed25519PublicKey(edSeed), sign: async (m) => ed25519Sign(edSeed, m) },
    { publicKey, sign: (m) => mldsa65Sign(secretKey, m) },
  );
  return { name, signer };
}

export function es256Principal(label: string, name = `keyrite.dev/principal/${label}`): TestPrincipal {
  const ecSecret = seed(`${label}/p-256`);
  const { publicKey, secretKey } = mldsa65KeyFromSeed(seed(`${label}/ml-dsa-65`));
  const signer = makeHybridSigner(
    { alg: 'ES256', publicKey: p256PublicKey(ecSecret), sign: async (m) => p256Sign(ecSecret, m) },
    { publicKey, sign: (m) => mldsa65Sign(secretKey, m) },
  );
  return { name, signer };
}
