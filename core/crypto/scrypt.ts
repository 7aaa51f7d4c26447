/**
 * scrypt (RFC 7914) through @noble/hashes, for passphrase-derived keys (the software token,
 * which validates and stores its parameters beside what they protect).
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { assertBytes } from './checks.ts';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

export async function scryptKey(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, length = 32): Promise<Uint8Array> {
  assertBytes(passphrase, 'The passphrase');
  assertBytes(salt, 'The scrypt salt');
  return scryptAsync(passphrase, salt, { N: params.N, r: params.r, p: params.p, dkLen: length, asyncTick: 50 });
}
