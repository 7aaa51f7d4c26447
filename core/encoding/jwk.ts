/**
 * JSON Web Keys for public keys (RFC 7517), one shape per algorithm:
 *  - Ed25519   {"kty":"OKP","crv":"Ed25519","x":…}        RFC 8037 §2
 *  - ML-DSA-65 {"kty":"AKP","alg":"ML-DSA-65","pub":…}     RFC 9964 §3, §5 (pub = FIPS 204 pkEncode)
 *  - P-256     {"kty":"EC","crv":"P-256","x":…,"y":…}      RFC 7518 §6.2.1 (x, y 32 bytes each)
 * Key bytes are base64url without padding (RFC 7515 §2); decoding is canonical-only.
 *
 * Reading is closed-world and strict (docs/FORMATS.md, "JWK"):
 *  - any private member (d, priv, seed, p, q, dp, dq, qi, oth, k) is refused first, so a
 *    private key is never mistaken for a public one;
 *  - kty/crv/alg must be one of the three shapes above; lengths and curve points are checked;
 *  - the optional members Keyrite accepts are kid (a non-empty string, reported back and
 *    checked against the thumbprint by parsePublicJwk in thumbprint.ts), use ("sig" only),
 *    key_ops (["verify"] only; not together with use, RFC 7517 §4.3) and alg on OKP
 *    ("EdDSA" or "Ed25519") and EC ("ES256"); alg is required on AKP (RFC 9964 §3);
 *  - every other member is refused (RFC 7517 would ignore it; in a signed bundle an
 *    unexplained member is a question nobody can answer, so Keyrite never writes or reads one).
 * Writing produces the required members only (plus alg for AKP, which is required).
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes } from '../bytes.ts';
import { fromBase64url, toBase64url } from './base64url.ts';
import { assertPublicKey, assertPublicKeyAlg, PUBLIC_KEY_LENGTH, type PublicKeyAlg } from './public-key.ts';

export type { PublicKeyAlg } from './public-key.ts';

interface JwkOptionalMembers {
  kid?: string;
  use?: 'sig';
  key_ops?: ['verify'];
}

export interface OkpJwk extends JwkOptionalMembers {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  alg?: 'EdDSA' | 'Ed25519';
}

export interface EcJwk extends JwkOptionalMembers {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  alg?: 'ES256';
}

export interface AkpJwk extends JwkOptionalMembers {
  kty: 'AKP';
  alg: 'ML-DSA-65';
  pub: string;
}

export type PublicJwk = OkpJwk | EcJwk | AkpJwk;

export interface DecodedJwk {
  alg: PublicKeyAlg;
  /** Raw public key: 32 bytes (Ed25519), 1952 bytes (ML-DSA-65) or 65 bytes 0x04 ‖ x ‖ y (P-256). */
  publicKey: Uint8Array;
  /** The kid member when present. A hint only: keys are identified by their thumbprint. */
  kid?: string;
}

/** Members that carry private key material in any registered JWK key type. */
const PRIVATE_MEMBERS = ['d', 'priv', 'seed', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const OPTIONAL_MEMBERS = ['kid', 'use', 'key_ops'];
const ALLOWED: Record<string, readonly string[]> = {
  OKP: ['kty', 'crv', 'x', 'alg', ...OPTIONAL_MEMBERS],
  EC: ['kty', 'crv', 'x', 'y', 'alg', ...OPTIONAL_MEMBERS],
  AKP: ['kty', 'alg', 'pub', ...OPTIONAL_MEMBERS],
};
const P256_COORDINATE = 32;

/** The JWK of a public key: required members only (for AKP, alg is required). */
export function publicKeyToJwk(alg: PublicKeyAlg, publicKey: Uint8Array): PublicJwk {
  assertPublicKeyAlg(alg);
  assertPublicKey(alg, publicKey, `${alg} public key`);
  switch (alg) {
    case 'Ed25519':
      return { kty: 'OKP', crv: 'Ed25519', x: toBase64url(publicKey) };
    case 'ML-DSA-65':
      return { kty: 'AKP', alg: 'ML-DSA-65', pub: toBase64url(publicKey) };
    case 'P-256':
      return {
        kty: 'EC',
        crv: 'P-256',
        x: toBase64url(publicKey.subarray(1, 1 + P256_COORDINATE)),
        y: toBase64url(publicKey.subarray(1 + P256_COORDINATE)),
      };
  }
}

function fail(message: string): never {
  throw new KeyriteError('INVALID_KEY', message);
}

function has(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function stringMember(jwk: Record<string, unknown>, name: string, kind: string): string {
  if (!has(jwk, name)) fail(`The ${kind} JWK has no "${name}" member.`);
  const v = jwk[name];
  if (typeof v !== 'string') fail(`The "${name}" member of the ${kind} JWK must be a string.`);
  return v;
}

function bytesMember(jwk: Record<string, unknown>, name: string, kind: string, length: number): Uint8Array {
  const text = stringMember(jwk, name, kind);
  const bytes = fromBase64url(text, `"${name}" member of the ${kind} JWK`);
  if (bytes.length !== length) {
    throw new KeyriteError('INVALID_LENGTH', `The "${name}" member of the ${kind} JWK must encode ${length} bytes, got ${bytes.length}.`);
  }
  return bytes;
}

/**
 * Reads a public JWK (already parsed from JSON) strictly; see the module comment for
 * what is refused. Returns the algorithm, the raw public key and the kid if present.
 */
export function jwkToPublicKey(jwk: unknown): DecodedJwk {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) fail('A JWK must be a JSON object.');
  const obj = jwk as Record<string, unknown>;
  const names = Object.keys(obj);
  const priv = names.filter((n) => PRIVATE_MEMBERS.includes(n));
  if (priv.length > 0) {
    fail(`The JWK contains private key material (${priv.map((n) => `"${n}"`).join(', ')}); Keyrite only reads public keys here. Do not share this file.`);
  }
  if (!has(obj, 'kty')) fail('The JWK has no "kty" (key type) member.');
  const kty = obj.kty;
  if (typeof kty !== 'string' || !has(ALLOWED, kty)) {
    fail(`The JWK key type ${typeof kty === 'string' ? JSON.stringify(kty.slice(0, 20)) : '(not a string)'} is not supported; Keyrite reads OKP (Ed25519), EC (P-256) and AKP (ML-DSA-65).`);
  }
  const allowed = ALLOWED[kty]!;
  const unknown = names.filter((n) => !allowed.includes(n));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 30))).join(', ');
    fail(`The ${kty} JWK has members Keyrite does not accept: ${shown}.`);
  }
  const kid = checkOptionalMembers(obj, kty);

  let alg: PublicKeyAlg;
  let publicKey: Uint8Array;
  if (kty === 'OKP') {
    const crv = stringMember(obj, 'crv', 'OKP');
    if (crv !== 'Ed25519') fail(`The OKP curve ${JSON.stringify(crv.slice(0, 20))} is not supported; Keyrite reads Ed25519 only.`);
    if (has(obj, 'alg') && obj.alg !== 'EdDSA' && obj.alg !== 'Ed25519') fail('The "alg" member of an Ed25519 JWK must be "EdDSA" or "Ed25519".');
    alg = 'Ed25519';
    publicKey = bytesMember(obj, 'x', 'Ed25519', PUBLIC_KEY_LENGTH.Ed25519);
  } else if (kty === 'EC') {
    const crv = stringMember(obj, 'crv', 'EC');
    if (crv !== 'P-256') fail(`The EC curve ${JSON.stringify(crv.slice(0, 20))} is not supported; Keyrite reads P-256 only.`);
    if (has(obj, 'alg') && obj.alg !== 'ES256') fail('The "alg" member of a P-256 JWK must be "ES256".');
    alg = 'P-256';
    const x = bytesMember(obj, 'x', 'P-256', P256_COORDINATE);
    const y = bytesMember(obj, 'y', 'P-256', P256_COORDINATE);
    publicKey = concatBytes(Uint8Array.of(0x04), x, y);
  } else {
    const a = stringMember(obj, 'alg', 'AKP');
    if (a !== 'ML-DSA-65') fail(`The AKP algorithm ${JSON.stringify(a.slice(0, 30))} is not supported; Keyrite reads ML-DSA-65 only.`);
    alg = 'ML-DSA-65';
    publicKey = bytesMember(obj, 'pub', 'ML-DSA-65', PUBLIC_KEY_LENGTH['ML-DSA-65']);
  }
  assertPublicKey(alg, publicKey, `${alg} JWK public key`);
  return kid === undefined ? { alg, publicKey } : { alg, publicKey, kid };
}

function checkOptionalMembers(obj: Record<string, unknown>, kty: string): string | undefined {
  let kid: string | undefined;
  if (has(obj, 'kid')) {
    const v = obj.kid;
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) fail(`The "kid" member of the ${kty} JWK must be a non-empty string of at most 256 characters.`);
    kid = v;
  }
  if (has(obj, 'use') && obj.use !== 'sig') fail(`The "use" member of the ${kty} JWK must be "sig": Keyrite keys only sign.`);
  if (has(obj, 'key_ops')) {
    if (has(obj, 'use')) fail(`The ${kty} JWK has both "use" and "key_ops"; RFC 7517 §4.3 says not to use them together.`);
    const ops = obj.key_ops;
    if (!Array.isArray(ops) || ops.length !== 1 || ops[0] !== 'verify') fail(`The "key_ops" member of the ${kty} JWK must be ["verify"]: this is a public signature key.`);
  }
  return kid;
}
