/**
 * JWK Thumbprint, RFC 7638, with SHA-256 and base64url (no padding):
 *  §3.2 take the required members only, in lexicographic order, no whitespace —
 *       OKP {crv,kty,x} (RFC 8037 §2), EC {crv,kty,x,y} (RFC 7638 §3.2),
 *       AKP {alg,kty,pub} (RFC 9964 §6);
 *  §3.3 the members are ASCII strings, so the RFC 8785 (JCS) text of that object is exactly
 *       the RFC 7638 input; hash its UTF-8 bytes with SHA-256.
 * Keyrite uses the thumbprint as the DSSE keyid and the JWK kid, and to build principal
 * fingerprints (fingerprint.ts).
 */
import { sha256 } from '../crypto/hash.ts';
import { KeyriteError } from '../errors.ts';
import { toBase64url } from './base64url.ts';
import { canonicalBytes } from './jcs.ts';
import { jwkToPublicKey, publicKeyToJwk, type PublicJwk, type PublicKeyAlg } from './jwk.ts';

/** The object whose canonical JSON RFC 7638 hashes: the required members of the key's JWK. */
export function thumbprintMembers(alg: PublicKeyAlg, publicKey: Uint8Array): Record<string, string> {
  const jwk = publicKeyToJwk(alg, publicKey);
  switch (jwk.kty) {
    case 'OKP':
      return { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
    case 'EC':
      return { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
    case 'AKP':
      return { alg: jwk.alg, kty: jwk.kty, pub: jwk.pub };
  }
}

/** SHA-256 JWK thumbprint of a raw public key, as 32 bytes. */
export function publicKeyThumbprintBytes(alg: PublicKeyAlg, publicKey: Uint8Array): Uint8Array {
  return sha256(canonicalBytes(thumbprintMembers(alg, publicKey)));
}

/** SHA-256 JWK thumbprint of a raw public key, base64url (43 characters). */
export function publicKeyThumbprint(alg: PublicKeyAlg, publicKey: Uint8Array): string {
  return toBase64url(publicKeyThumbprintBytes(alg, publicKey));
}

/** SHA-256 JWK thumbprint of a public JWK (validated strictly first), base64url. */
export function jwkThumbprint(jwk: unknown): string {
  const { alg, publicKey } = jwkToPublicKey(jwk);
  return publicKeyThumbprint(alg, publicKey);
}

/** The public JWK of a key with kid set to its thumbprint, as Keyrite writes it in a JWKS. */
export function publicKeyToJwkWithKid(alg: PublicKeyAlg, publicKey: Uint8Array): PublicJwk {
  return { ...publicKeyToJwk(alg, publicKey), kid: publicKeyThumbprint(alg, publicKey) };
}

export interface ParsedPublicJwk {
  alg: PublicKeyAlg;
  publicKey: Uint8Array;
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  thumbprint: string;
}

/**
 * Reads a public JWK strictly (jwkToPublicKey) and computes its thumbprint. A kid, when
 * present, must equal the thumbprint: Keyrite always writes it so, and a different kid in
 * a bundle would be a label that names some other key.
 */
export function parsePublicJwk(jwk: unknown): ParsedPublicJwk {
  const { alg, publicKey, kid } = jwkToPublicKey(jwk);
  const thumbprint = publicKeyThumbprint(alg, publicKey);
  if (kid !== undefined && kid !== thumbprint) {
    throw new KeyriteError('INVALID_KEY', `The ${alg} JWK has a "kid" that is not its RFC 7638 thumbprint (expected ${thumbprint}).`);
  }
  return { alg, publicKey, thumbprint };
}
