/**
 * Software checks on what tokens return: every signature a token makes is verified with
 * core/crypto before Keyrite hands it on (a faulty or tampered token must not slip a bad
 * signature into a transcript), and every new key passes a pairwise-consistency test
 * (FIPS 140-3 style) on a domain-separated message that can never pass as a real
 * statement (the message of core/crypto/pairwise.ts). A failed test is SELFTEST_FAILED.
 */
import { KeyriteError } from '../errors.ts';
import { ed25519Verify } from '../crypto/ed25519.ts';
import { p256Verify } from '../crypto/p256.ts';
import { pairwiseTestMessage } from '../crypto/pairwise.ts';
import type { SigningAlg } from './token.ts';

export { pairwiseTestMessage };

export const PUBLIC_KEY_LENGTHS: Readonly<Record<SigningAlg, number>> = { Ed25519: 32, ES256: 65 };
export const SIGNATURE_LENGTH = 64;

/** True when `sig` is a valid signature of `msg` under `pub` for `alg` (ES256: SHA-256 prehash, raw r‖s). */
export function signatureValid(alg: SigningAlg, pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== SIGNATURE_LENGTH || pub.length !== PUBLIC_KEY_LENGTHS[alg]) return false;
  try {
    return alg === 'Ed25519' ? ed25519Verify(pub, msg, sig) : p256Verify(pub, msg, sig);
  } catch {
    return false;
  }
}

/** Throws INVALID_SIGNATURE unless the token's signature verifies in software. */
export function assertTokenSignature(alg: SigningAlg, pub: Uint8Array, msg: Uint8Array, sig: Uint8Array, tokenLabel: string, keyLabel: string): void {
  if (!signatureValid(alg, pub, msg, sig)) {
    throw new KeyriteError(
      'INVALID_SIGNATURE',
      `Token "${tokenLabel}" returned an ${alg} signature with key "${keyLabel}" that does not verify against the key's public key. The signature was discarded; the token may be faulty or tampered with. Stop and investigate before using this token.`,
    );
  }
}

/** Pairwise-consistency check of a new token key: SELFTEST_FAILED when its test signature does not verify. */
export function assertPairwiseSignature(alg: SigningAlg, pub: Uint8Array, msg: Uint8Array, sig: Uint8Array, tokenLabel: string, keyLabel: string): void {
  if (!signatureValid(alg, pub, msg, sig)) {
    throw new KeyriteError('SELFTEST_FAILED', `The pairwise consistency test failed for the new ${alg} key "${keyLabel}" on token "${tokenLabel}": its test signature does not verify. The key was removed and must not be used.`);
  }
}
