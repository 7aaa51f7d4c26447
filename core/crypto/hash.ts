/** SHA-256 and SHA-512 (FIPS 180-4) through @noble/hashes. */
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { assertBytes } from './checks.ts';

export function sha256(data: Uint8Array): Uint8Array {
  assertBytes(data, 'The data to hash');
  return nobleSha256(data);
}

export function sha512(data: Uint8Array): Uint8Array {
  assertBytes(data, 'The data to hash');
  return nobleSha512(data);
}
