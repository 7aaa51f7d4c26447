/**
 * Principals (docs/FORMATS.md "Principal fingerprint"): the master key and every trustee are
 * each a hybrid key pair, named in checkpoint notes and policy.json as
 * "keyrite.dev/principal/<fingerprint hex>", with keyids (DSSE, JWK kid) that are the RFC 7638
 * thumbprints of their two halves, and a fingerprint shown as hex groups and PGP words.
 */
import { fromHex, toHex } from '../encoding/hex.ts';
import { fingerprint, fingerprintWords, formatFingerprintHex } from '../encoding/fingerprint.ts';
import { publicKeyThumbprint, publicKeyToJwkWithKid } from '../encoding/thumbprint.ts';
import type { PublicJwk } from '../encoding/jwk.ts';
import type { PublicKeyAlg } from '../encoding/public-key.ts';
import type { ClassicalAlg, HybridPublicKey } from '../crypto/hybrid.ts';
import { hybridFingerprint } from '../escrow/fields.ts';

export const PRINCIPAL_NAME_PREFIX = 'keyrite.dev/principal/';

export function principalName(fingerprintHex: string): string {
  return PRINCIPAL_NAME_PREFIX + fingerprintHex;
}

/** The public-key algorithm of a classical signature algorithm (ES256 keys are P-256 keys). */
export function publicKeyAlgOf(alg: ClassicalAlg): PublicKeyAlg {
  return alg === 'ES256' ? 'P-256' : 'Ed25519';
}

export function classicalJwk(pub: HybridPublicKey): PublicJwk {
  return publicKeyToJwkWithKid(publicKeyAlgOf(pub.classical.alg), pub.classical.publicKey);
}

export function pqJwk(pub: HybridPublicKey): PublicJwk {
  return publicKeyToJwkWithKid('ML-DSA-65', pub.pq.publicKey);
}

/** The principal fingerprint of a hybrid public key, 64 lowercase hex digits. */
export function fingerprintHex(pub: HybridPublicKey): string {
  return toHex(hybridFingerprint(pub));
}

/** A fingerprint given as 64 hex digits, as people read it: hex groups and the 16 words. */
export function readableFingerprint(hex: string): { hexGroups: string; words: string[] } {
  const fp = fingerprint(fromHex(hex));
  return { hexGroups: formatFingerprintHex(fp), words: fingerprintWords(fp) };
}

/** The DSSE keyids of a principal's two signatures: the RFC 7638 thumbprints of its keys. */
export function principalKeyIds(pub: HybridPublicKey): { classical: string; pq: string } {
  return { classical: publicKeyThumbprint(publicKeyAlgOf(pub.classical.alg), pub.classical.publicKey), pq: publicKeyThumbprint('ML-DSA-65', pub.pq.publicKey) };
}
