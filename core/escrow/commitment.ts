/**
 * Share commitment (DESIGN.md, Escrow; docs/FORMATS.md, "Escrow — share commitment"):
 *
 *   C_i = SHA-256("keyrite/share-commit/v1" ‖ ceremony id ‖ epoch ‖ x_i ‖ salt_i ‖ share_i)
 *
 * with every field of fixed length, so the concatenation is unambiguous:
 *   label       the 23 bytes of the ASCII string "keyrite/share-commit/v1" (no terminator)
 *   ceremony id 16 bytes
 *   epoch       8 bytes, unsigned big-endian (0 ≤ epoch ≤ 2^53 − 1)
 *   x_i         1 byte, 1..255
 *   salt_i      32 random bytes
 *   share_i     32 bytes (the Shamir share value y_i)
 * 112 bytes hashed in all. The salt makes the public commitment hiding; the manifest
 * publishes C_i so a trustee can check their own share, alone, at any time.
 */
import { KeyriteError } from '../errors.ts';
import { assertBytes, concatBytes, equalBytes, uintBE, utf8 } from '../bytes.ts';
import { sha256 } from '../crypto/hash.ts';
import { wipe } from '../crypto/wipe.ts';

export const SHARE_COMMIT_LABEL = 'keyrite/share-commit/v1';
export const CEREMONY_ID_LENGTH = 16;
export const SHARE_LENGTH = 32;
export const SALT_LENGTH = 32;
export const COMMITMENT_LENGTH = 32;
const LABEL = utf8(SHARE_COMMIT_LABEL);

export interface CommitmentInput {
  ceremonyId: Uint8Array;
  epoch: number;
  x: number;
  salt: Uint8Array;
  share: Uint8Array;
}

export function assertEpoch(epoch: unknown, what = 'The epoch'): asserts epoch is number {
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0) {
    throw new KeyriteError('INVALID_INPUT', `${what} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}.`);
  }
}

export function assertShareIndex(x: unknown, what = 'The share index'): asserts x is number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > 255) {
    throw new KeyriteError('INVALID_INPUT', `${what} must be a whole number from 1 to 255.`);
  }
}

/** The exact bytes that are hashed (exported for the format tests and docs). */
export function commitmentPreimage(input: CommitmentInput): Uint8Array {
  assertBytes(input.ceremonyId, 'The ceremony id', CEREMONY_ID_LENGTH);
  assertEpoch(input.epoch);
  assertShareIndex(input.x);
  assertBytes(input.salt, 'The commitment salt', SALT_LENGTH);
  assertBytes(input.share, 'The share', SHARE_LENGTH);
  return concatBytes(LABEL, input.ceremonyId, uintBE(input.epoch, 8), Uint8Array.of(input.x), input.salt, input.share);
}

export function shareCommitment(input: CommitmentInput): Uint8Array {
  const pre = commitmentPreimage(input);
  try {
    return sha256(pre);
  } finally {
    wipe(pre);
  }
}

/** Recomputes the commitment and compares it in constant time with `expected` (32 bytes). */
export function checkShareCommitment(input: CommitmentInput, expected: Uint8Array): boolean {
  assertBytes(expected, 'The published commitment', COMMITMENT_LENGTH);
  return equalBytes(shareCommitment(input), expected);
}
