/**
 * ISSUER of a signed document (docs/FORMATS.md "Signed documents"): the master key's principal
 * fingerprint and its two public JWKs (kid = RFC 7638 thumbprint), so that a relying party needs
 * only the document, its envelope and the fingerprint read aloud.
 */
import { KeyriteError } from '../errors.ts';
import { toHex } from '../encoding/hex.ts';
import { principalFingerprint } from '../encoding/fingerprint.ts';
import { parsePublicJwk } from '../encoding/thumbprint.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';
import { classicalJwk, fingerprintHex, pqJwk } from '../bundle/principals.ts';
import { has, isObject } from './fields.ts';

export interface IssuerMember {
  readonly fingerprint: string;
  readonly keys: readonly [Record<string, unknown>, Record<string, unknown>];
}

/** The ISSUER object of a master key whose classical half is Ed25519 (the signing ceremony signs with CKM_EDDSA). */
export function issuerMember(issuer: HybridPublicKey): IssuerMember {
  if (!isObject(issuer) || !isObject(issuer.classical) || issuer.classical.alg !== 'Ed25519') {
    throw new KeyriteError('INVALID_KEY', 'The master key that signs documents must be an Ed25519 + ML-DSA-65 key.');
  }
  return { fingerprint: fingerprintHex(issuer), keys: [{ ...classicalJwk(issuer) }, { ...pqJwk(issuer) }] };
}

export interface ReadIssuer {
  readonly publicKey: HybridPublicKey;
  /** The fingerprint the two keys give, 64 hex digits. */
  readonly fingerprint: string;
  /** The fingerprint the document states; the issuer check compares the two. */
  readonly statedFingerprint: string;
}

/** Reads an ISSUER member: exactly {fingerprint, keys: [Ed25519 JWK, ML-DSA-65 JWK]}, each with its kid. */
export function readIssuer(value: unknown): ReadIssuer {
  const bad = (problem: string): never => {
    throw new KeyriteError('INVALID_KEY', `The document's issuer ${problem}.`);
  };
  if (!isObject(value)) return bad('is not a JSON object');
  if (Object.keys(value).length !== 2 || !has(value, 'fingerprint') || !has(value, 'keys')) bad('must have exactly the members "fingerprint" and "keys"');
  const stated = value.fingerprint;
  if (typeof stated !== 'string' || !/^[0-9a-f]{64}$/.test(stated)) return bad('fingerprint is not 64 lowercase hex digits');
  const keys = value.keys;
  if (!Array.isArray(keys) || keys.length !== 2) return bad('must list exactly two keys, the Ed25519 key and then the ML-DSA-65 key');
  const [classical, pq] = keys.map((k, i) => {
    if (!isObject(k) || typeof k.kid !== 'string') return bad(`key ${i + 1} has no "kid" (its thumbprint)`);
    return parsePublicJwk(k);
  }) as [ReturnType<typeof parsePublicJwk>, ReturnType<typeof parsePublicJwk>];
  if (classical.alg !== 'Ed25519') bad(`key 1 is ${classical.alg}, not the master key's Ed25519 key`);
  if (pq.alg !== 'ML-DSA-65') bad(`key 2 is ${pq.alg}, not the master key's ML-DSA-65 key`);
  const fingerprint = toHex(principalFingerprint(keys[0], keys[1]));
  return {
    publicKey: { classical: { alg: 'Ed25519', publicKey: classical.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: pq.publicKey } },
    fingerprint,
    statedFingerprint: stated,
  };
}
