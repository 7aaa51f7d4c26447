/**
 * One operational key in a signing request or an endorsement (docs/FORMATS.md "Signing
 * request", `keys`): a public JWK with kid, use, label, nbf and exp, read closed-world. The
 * key itself is checked as its algorithm requires (a point that decodes and is not of small
 * order; a point on P-256; a length; FIPS 203's modulus check), so nothing unusable is ever
 * endorsed. Time rules (expired, too long) belong to the request: an endorsement read later
 * states validity, it does not refuse it.
 */
import type { ErrorCode } from '../errors.ts';
import { concatBytes } from '../bytes.ts';
import { fromBase64url } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { ed25519IsValidPublicKey, ED25519_PUBLIC_KEY_LENGTH } from '../crypto/ed25519.ts';
import { p256IsValidPublicKey } from '../crypto/p256.ts';
import { MLDSA65_PUBLIC_KEY_LENGTH } from '../crypto/mldsa65.ts';
import { MLKEM768_PUBLIC_KEY_LENGTH, mlkem768IsValidPublicKey } from '../crypto/mlkem768.ts';
import { x25519IsValidPublicKey, X25519_KEY_LENGTH } from '../crypto/x25519.ts';
import { XWING_PUBLIC_KEY_LENGTH } from '../crypto/xwing.ts';
import { has, isObject, isShownText, memberName, parseUtcSecond, refusal } from './fields.ts';

export type EndorsedKeyAlg = 'Ed25519' | 'ES256' | 'ML-DSA-65' | 'ML-KEM-768' | 'X-Wing';

export interface EndorsedKey {
  readonly kid: string;
  readonly alg: EndorsedKeyAlg;
  readonly use: 'sig' | 'enc';
  readonly label: string;
  readonly nbf: string;
  readonly exp: string;
  /** The JWK's members exactly as requested (kid, use, label, nbf, exp included). */
  readonly jwk: Readonly<Record<string, unknown>>;
}

/** An endorsed key with its times and raw public key, for the checks that need them. */
export interface ReadEndorsedKey extends EndorsedKey {
  readonly nbfMs: number;
  readonly expMs: number;
  /** The raw public key (ES256: 0x04 ‖ x ‖ y), to find the same key listed twice. */
  readonly publicKeyHex: string;
}

export const KID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
export const MAX_LABEL_CHARS = 100;
/** RFC 7517 private members of every registered key type: a request carrying one leaks a secret. */
export const PRIVATE_JWK_MEMBERS: readonly string[] = ['d', 'priv', 'seed', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const COMMON_MEMBERS = ['kid', 'use', 'label', 'nbf', 'exp'];

interface Shape {
  readonly members: readonly string[];
  readonly optional: readonly string[];
  readonly use: 'sig' | 'enc';
}

const SHAPES: Readonly<Record<EndorsedKeyAlg, Shape>> = {
  Ed25519: { members: ['kty', 'crv', 'x', ...COMMON_MEMBERS], optional: ['alg'], use: 'sig' },
  ES256: { members: ['kty', 'crv', 'x', 'y', ...COMMON_MEMBERS], optional: ['alg'], use: 'sig' },
  'ML-DSA-65': { members: ['kty', 'alg', 'pub', ...COMMON_MEMBERS], optional: [], use: 'sig' },
  'ML-KEM-768': { members: ['kty', 'alg', 'pub', ...COMMON_MEMBERS], optional: [], use: 'enc' },
  'X-Wing': { members: ['kty', 'alg', 'pub', ...COMMON_MEMBERS], optional: [], use: 'enc' },
};

const AKP_ALGS: readonly EndorsedKeyAlg[] = ['ML-DSA-65', 'ML-KEM-768', 'X-Wing'];
/** The optional JOSE "alg" of the two curve keys: RFC 8037's EdDSA or RFC 9864's fully specified Ed25519; ES256. */
const CURVE_KEY_ALGS: Readonly<Partial<Record<EndorsedKeyAlg, readonly string[]>>> = { Ed25519: ['EdDSA', 'Ed25519'], ES256: ['ES256'] };

/** Which algorithm the JWK's kty/crv/alg name, or a sentence saying what is unknown. */
function algorithmOf(jwk: Record<string, unknown>): EndorsedKeyAlg | string {
  const { kty, crv, alg } = jwk;
  if (kty === 'OKP') return crv === 'Ed25519' ? 'Ed25519' : `its OKP curve ${typeof crv === 'string' ? memberName(crv) : '(missing)'} is not one Keyrite endorses (Ed25519)`;
  if (kty === 'EC') return crv === 'P-256' ? 'ES256' : `its EC curve ${typeof crv === 'string' ? memberName(crv) : '(missing)'} is not one Keyrite endorses (P-256)`;
  if (kty === 'AKP') {
    return typeof alg === 'string' && (AKP_ALGS as readonly string[]).includes(alg)
      ? (alg as EndorsedKeyAlg)
      : `its AKP algorithm ${typeof alg === 'string' ? memberName(alg) : '(missing)'} is not one Keyrite endorses (ML-DSA-65, ML-KEM-768, X-Wing)`;
  }
  return `its key type ${typeof kty === 'string' ? memberName(kty) : '(missing)'} is not one Keyrite endorses (OKP Ed25519, EC P-256, AKP ML-DSA-65 / ML-KEM-768 / X-Wing)`;
}

/**
 * Reads one key. `where` names it in sentences ("key 2 of the signing request"); once the kid
 * is known it is added. Every refusal is a KeyriteError of `code` whose sentence names the key
 * and the rule.
 */
export function readEndorsedKey(value: unknown, where: string, code: ErrorCode): ReadEndorsedKey {
  const refuse = (who: string, rule: string): never => {
    throw refusal(code, `${who} ${rule}.`);
  };
  if (!isObject(value)) return refuse(where, 'is not a JSON object (a public JWK)');
  const names = Object.keys(value);
  const secret = names.filter((n) => PRIVATE_JWK_MEMBERS.includes(n));
  if (secret.length > 0) return refuse(where, `contains private key material (${secret.map(memberName).join(', ')}): only public keys are endorsed. Treat that key as exposed and make a new one`);
  const alg = algorithmOf(value);
  if (!has(SHAPES, alg)) return refuse(where, `has an unknown algorithm: ${alg}`);
  const shape = SHAPES[alg as EndorsedKeyAlg];
  const unknown = names.filter((n) => !shape.members.includes(n) && !shape.optional.includes(n));
  if (unknown.length > 0) return refuse(where, `has a member outside the request format: ${unknown.slice(0, 3).map(memberName).join(', ')}`);
  const missing = shape.members.find((n) => !has(value, n));
  if (missing !== undefined) return refuse(where, `has no ${memberName(missing)} member`);
  const { kid, use, label, nbf, exp } = value;
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return refuse(where, 'has a "kid" that is not 1 to 64 of the characters A-Z a-z 0-9 . _ : -');
  const who = `${where} (kid "${kid}")`;
  if (use !== shape.use) return refuse(who, `has "use" ${typeof use === 'string' ? memberName(use) : '(not text)'}, which does not fit an ${alg} key: it must be "${shape.use}"`);
  const allowedAlgs = CURVE_KEY_ALGS[alg as EndorsedKeyAlg];
  if (allowedAlgs !== undefined && has(value, 'alg') && !allowedAlgs.includes(value.alg as string)) {
    return refuse(who, `has an unknown algorithm: "alg" must be ${allowedAlgs.map((a) => `"${a}"`).join(' or ')} for an ${alg} key, or left out`);
  }
  if (!isShownText(label, 1, MAX_LABEL_CHARS)) return refuse(who, `has a "label" that is not 1 to ${MAX_LABEL_CHARS} characters without control or invisible characters`);
  const nbfMs = parseUtcSecond(nbf);
  if (nbfMs === undefined) return refuse(who, 'has an "nbf" that is not a UTC time written YYYY-MM-DDTHH:MM:SSZ');
  const expMs = parseUtcSecond(exp);
  if (expMs === undefined) return refuse(who, 'has an "exp" that is not a UTC time written YYYY-MM-DDTHH:MM:SSZ');
  const publicKey = publicKeyOf(alg as EndorsedKeyAlg, value, (rule) => refuse(who, rule));
  return Object.freeze({
    kid,
    alg: alg as EndorsedKeyAlg,
    use: shape.use,
    label: label as string,
    nbf: nbf as string,
    exp: exp as string,
    jwk: Object.freeze({ ...value }),
    nbfMs,
    expMs,
    publicKeyHex: toHex(publicKey),
  });
}

function keyBytes(jwk: Record<string, unknown>, member: string, length: number, alg: string, refuse: (rule: string) => never): Uint8Array {
  const text = jwk[member];
  if (typeof text !== 'string') return refuse(`has a "${member}" that is not text`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(text, `"${member}"`);
  } catch {
    return refuse(`has a "${member}" that is not canonical unpadded base64url`);
  }
  if (bytes.length !== length) return refuse(`is not a valid ${alg} key: "${member}" must encode ${length} bytes, it encodes ${bytes.length}`);
  return bytes;
}

/** The raw public key, checked as its algorithm requires. */
function publicKeyOf(alg: EndorsedKeyAlg, jwk: Record<string, unknown>, refuse: (rule: string) => never): Uint8Array {
  switch (alg) {
    case 'Ed25519': {
      const x = keyBytes(jwk, 'x', ED25519_PUBLIC_KEY_LENGTH, alg, refuse);
      if (!ed25519IsValidPublicKey(x)) refuse('is not a valid Ed25519 key: "x" does not decode to a curve point, or the point has small order');
      return x;
    }
    case 'ES256': {
      const point = concatBytes(Uint8Array.of(0x04), keyBytes(jwk, 'x', 32, alg, refuse), keyBytes(jwk, 'y', 32, alg, refuse));
      if (!p256IsValidPublicKey(point)) refuse('is not a valid ES256 key: (x, y) is not a point on the P-256 curve');
      return point;
    }
    case 'ML-DSA-65':
      return keyBytes(jwk, 'pub', MLDSA65_PUBLIC_KEY_LENGTH, alg, refuse);
    case 'ML-KEM-768': {
      const pub = keyBytes(jwk, 'pub', MLKEM768_PUBLIC_KEY_LENGTH, alg, refuse);
      if (!mlkem768IsValidPublicKey(pub)) refuse('is not a valid ML-KEM-768 key: it fails the encapsulation-key modulus check of FIPS 203 §7.2');
      return pub;
    }
    case 'X-Wing': {
      const pub = keyBytes(jwk, 'pub', XWING_PUBLIC_KEY_LENGTH, alg, refuse);
      if (!mlkem768IsValidPublicKey(pub.subarray(0, MLKEM768_PUBLIC_KEY_LENGTH))) refuse('is not a valid X-Wing key: its ML-KEM-768 part fails the encapsulation-key modulus check of FIPS 203 §7.2');
      if (!x25519IsValidPublicKey(pub.subarray(MLKEM768_PUBLIC_KEY_LENGTH, MLKEM768_PUBLIC_KEY_LENGTH + X25519_KEY_LENGTH))) refuse('is not a valid X-Wing key: its X25519 part is a low-order point');
      return pub;
    }
  }
}
