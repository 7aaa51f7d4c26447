/**
 * HKDF (RFC 5869) with HMAC-SHA-256 or HMAC-SHA-512 through @noble/hashes.
 * Stricter than the RFC in one place: an output length of 0 is refused (never useful here).
 */
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { KeyriteError } from '../errors.ts';
import { assertBytes } from './checks.ts';
import { wipe } from './wipe.ts';

export type HkdfHash = 'sha256' | 'sha512';

const HASHES = {
  sha256: { fn: sha256, length: 32 },
  sha512: { fn: sha512, length: 64 },
} as const;

function hashOf(hash: unknown): (typeof HASHES)[HkdfHash] {
  if (hash !== 'sha256' && hash !== 'sha512') {
    throw new KeyriteError('INVALID_INPUT', `The HKDF hash must be 'sha256' or 'sha512', got ${JSON.stringify(String(hash))}.`);
  }
  return HASHES[hash];
}

function assertOutputLength(length: unknown, hashLength: number): asserts length is number {
  const max = 255 * hashLength;
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 1 || length > max) {
    throw new KeyriteError('INVALID_LENGTH', `The HKDF output length must be a whole number from 1 to ${max} bytes, got ${String(length)}.`);
  }
}

/** HKDF-Extract (RFC 5869 §2.2). An absent salt means HashLen zero bytes, as the RFC says. */
export function hkdfExtract(hash: HkdfHash, ikm: Uint8Array, salt?: Uint8Array): Uint8Array {
  const h = hashOf(hash);
  assertBytes(ikm, 'The HKDF input keying material');
  if (salt !== undefined) assertBytes(salt, 'The HKDF salt');
  return extract(h.fn, ikm, salt);
}

/** HKDF-Expand (RFC 5869 §2.3). The PRK must be at least HashLen bytes. */
export function hkdfExpand(hash: HkdfHash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const h = hashOf(hash);
  assertBytes(prk, 'The HKDF pseudorandom key');
  if (prk.length < h.length) {
    throw new KeyriteError('INVALID_LENGTH', `The HKDF pseudorandom key must be at least ${h.length} bytes, got ${prk.length}.`);
  }
  assertBytes(info, 'The HKDF info');
  assertOutputLength(length, h.length);
  return expand(h.fn, prk, info, length);
}

/** HKDF-Extract then HKDF-Expand (RFC 5869 §2). */
export function hkdf(hash: HkdfHash, ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array {
  const h = hashOf(hash);
  assertBytes(ikm, 'The HKDF input keying material');
  if (salt !== undefined) assertBytes(salt, 'The HKDF salt');
  assertBytes(info, 'The HKDF info');
  assertOutputLength(length, h.length);
  const prk = extract(h.fn, ikm, salt);
  try {
    return expand(h.fn, prk, info, length);
  } finally {
    wipe(prk);
  }
}
