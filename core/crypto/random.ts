/**
 * Random bytes from the platform CSPRNG: WebCrypto `crypto.getRandomValues`
 * (W3C Web Cryptography API), the same source in Node, Electron and the browser.
 */
import { KeyriteError } from '../errors.ts';

// getRandomValues refuses more than 65536 bytes per call (QuotaExceededError).
const CHUNK = 65536;
// Far above anything Keyrite needs; stops a runaway length from allocating gigabytes.
const MAX_BYTES = 16 * 1024 * 1024;

export function randomBytes(n: number): Uint8Array {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_BYTES) {
    throw new KeyriteError('INVALID_INPUT', `The number of random bytes must be a whole number from 0 to ${MAX_BYTES}, got ${String(n)}.`);
  }
  const c = (globalThis as { crypto?: { getRandomValues?: unknown } }).crypto;
  if (c === undefined || typeof c.getRandomValues !== 'function') {
    throw new KeyriteError('UNSUPPORTED', 'This platform has no secure random number generator (crypto.getRandomValues).');
  }
  const rng = globalThis.crypto;
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += CHUNK) rng.getRandomValues(out.subarray(off, Math.min(n, off + CHUNK)));
  // 16+ zero bytes from a working CSPRNG has probability 2^-128: a stubbed or broken RNG.
  if (n >= 16 && out.every((b) => b === 0)) {
    throw new KeyriteError('SELFTEST_FAILED', 'The random number generator returned only zero bytes; it is broken.');
  }
  return out;
}
