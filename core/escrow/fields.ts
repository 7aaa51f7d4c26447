/**
 * Field rules shared by the escrow formats (blob, envelope, manifest, receipt; documented in
 * docs/FORMATS.md, "Escrow"), read through encoding/json-fields.ts: the escrow suite
 * identifiers, id and name rules, and the principal fingerprint of a hybrid public key.
 */
import { KeyriteError } from '../errors.ts';
import { principalFingerprint } from '../encoding/fingerprint.ts';
import { publicKeyToJwk } from '../encoding/jwk.ts';
import { findLoneSurrogate } from '../encoding/utf16.ts';
import { expectMembers, expectObject, readLiteral, type JsonObject } from '../encoding/json-fields.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';

export type SigSuite = 'Ed25519+ML-DSA-65' | 'ES256+ML-DSA-65';

/** Algorithm identifiers of one escrow; the same object appears in the blob, the envelopes and the manifest. */
export interface EscrowSuites {
  aead: 'XChaCha20-Poly1305';
  kem: 'X-Wing';
  sig: SigSuite;
  sss: 'Shamir-GF(2^8)';
}

export const AEAD_SUITE = 'XChaCha20-Poly1305';
export const KEM_SUITE = 'X-Wing';
export const SSS_SUITE = 'Shamir-GF(2^8)';
export const SIG_SUITES: readonly SigSuite[] = ['Ed25519+ML-DSA-65', 'ES256+ML-DSA-65'];

export function escrowSuites(sig: SigSuite): EscrowSuites {
  return { aead: AEAD_SUITE, kem: KEM_SUITE, sig, sss: SSS_SUITE };
}

/** The signature suite of a hybrid public key ("Ed25519+ML-DSA-65" or "ES256+ML-DSA-65"). */
export function sigSuiteOf(pub: HybridPublicKey): SigSuite {
  const alg = pub?.classical?.alg;
  if (alg === 'Ed25519') return 'Ed25519+ML-DSA-65';
  if (alg === 'ES256') return 'ES256+ML-DSA-65';
  throw new KeyriteError('UNSUPPORTED', 'The key is not an Ed25519 or ES256 + ML-DSA-65 hybrid key.');
}

export function sameSuites(a: EscrowSuites, b: EscrowSuites): boolean {
  return a.aead === b.aead && a.kem === b.kem && a.sig === b.sig && a.sss === b.sss;
}

/** Principal fingerprint (encoding/fingerprint.ts) of a hybrid public key, 32 bytes. */
export function hybridFingerprint(pub: HybridPublicKey): Uint8Array {
  if (pub === null || typeof pub !== 'object' || pub.classical === null || typeof pub.classical !== 'object' || pub.pq === null || typeof pub.pq !== 'object') {
    throw new KeyriteError('INVALID_KEY', 'A hybrid public key {classical, pq} is needed.');
  }
  const classicalAlg = pub.classical.alg === 'ES256' ? 'P-256' : pub.classical.alg;
  if (classicalAlg !== 'Ed25519' && classicalAlg !== 'P-256') throw new KeyriteError('UNSUPPORTED', 'The classical key must be Ed25519 or ES256 (P-256).');
  if (pub.pq.alg !== 'ML-DSA-65') throw new KeyriteError('UNSUPPORTED', 'The post-quantum key must be ML-DSA-65.');
  return principalFingerprint(publicKeyToJwk(classicalAlg, pub.classical.publicKey), publicKeyToJwk('ML-DSA-65', pub.pq.publicKey));
}

// ---- identifiers and names ------------------------------------------------------------

export const CEREMONY_ID_HEX = /^[0-9a-f]{32}$/;
export const FINGERPRINT_HEX = /^[0-9a-f]{64}$/;
/** A SHA-256 value (commitment, hash) as 64 lowercase hex digits. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Trustee ids: 1–64 characters, letters, digits and . _ : - (e.g. "trustee-3"), starting with a letter or digit. */
export const TRUSTEE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const MAX_NAME_LENGTH = 128;

export function assertTrusteeId(id: unknown, what = 'trustee id'): asserts id is string {
  if (typeof id !== 'string' || !TRUSTEE_ID.test(id)) {
    throw new KeyriteError('INVALID_INPUT', `The ${what} must be 1 to 64 letters, digits or . _ : - (starting with a letter or digit).`);
  }
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** A display name: 1–128 characters, no control characters, well-formed Unicode. */
export function assertDisplayName(name: unknown, what = 'trustee name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH || hasControlCharacter(name) || findLoneSurrogate(name) >= 0) {
    throw new KeyriteError('INVALID_INPUT', `The ${what} must be 1 to ${MAX_NAME_LENGTH} printable characters.`);
  }
}

export function readSuites(obj: JsonObject, key: string, what: string): EscrowSuites {
  const s = expectObject(obj[key], `${what} suites`);
  expectMembers(s, `${what} suites`, ['aead', 'kem', 'sig', 'sss']);
  return {
    aead: readLiteral(s, 'aead', `${what} suite`, [AEAD_SUITE] as const),
    kem: readLiteral(s, 'kem', `${what} suite`, [KEM_SUITE] as const),
    sig: readLiteral(s, 'sig', `${what} suite`, SIG_SUITES),
    sss: readLiteral(s, 'sss', `${what} suite`, [SSS_SUITE] as const),
  };
}

export function assertSuites(suites: EscrowSuites, what = 'escrow'): void {
  readSuites({ suites } as JsonObject, 'suites', what);
}
