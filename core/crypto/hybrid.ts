/**
 * Hybrid signatures (DESIGN.md, "Cryptography"): a classical signature (Ed25519, RFC 8032;
 * or ECDSA P-256/SHA-256 "ES256", raw r || s) AND an ML-DSA-65 signature (FIPS 204, context
 * 'keyrite/v1') over the same message. A principal counts only when both verify ('hybrid',
 * the default); 'classical-only' and 'pq-only' check one half and report the other as
 * 'not-checked', for auditors studying old or partial material.
 * A hybrid signer checks each half in software before returning it: a token may return garbage.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes } from '../bytes.ts';
import { assertBytes, assertKey, copyOf } from './checks.ts';
import { ED25519_PUBLIC_KEY_LENGTH, ed25519PublicKey, ed25519Sign, ed25519Verify } from './ed25519.ts';
import { MLDSA65_PUBLIC_KEY_LENGTH, mldsa65PublicKeyFromSecret, mldsa65Sign, mldsa65Verify } from './mldsa65.ts';
import { assertP256PublicKey, p256Verify } from './p256.ts';

export type ClassicalAlg = 'Ed25519' | 'ES256';
export type PqAlg = 'ML-DSA-65';
export type VerifyMode = 'hybrid' | 'classical-only' | 'pq-only';
export type PartResult = 'pass' | 'fail' | 'not-checked';

export interface HybridPublicKey {
  classical: { alg: ClassicalAlg; publicKey: Uint8Array };
  pq: { alg: PqAlg; publicKey: Uint8Array };
}

export interface HybridSignature {
  classical: Uint8Array;
  pq: Uint8Array;
}

export interface HybridVerifyResult {
  valid: boolean;
  mode: VerifyMode;
  classical: PartResult;
  pq: PartResult;
}

export interface HybridSigner {
  readonly publicKey: HybridPublicKey;
  sign(msg: Uint8Array): Promise<HybridSignature>;
}

/** Signs with the classical key, e.g. on a token. ES256 returns raw r || s over SHA-256(msg). */
export interface ClassicalPartSigner {
  alg: ClassicalAlg;
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Promise<Uint8Array>;
}

/** Signs with ML-DSA-65 and the context 'keyrite/v1'. */
export interface PqPartSigner {
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export const VERIFY_MODES: readonly VerifyMode[] = Object.freeze(['hybrid', 'classical-only', 'pq-only']);

function assertClassicalKey(alg: unknown, publicKey: unknown): asserts alg is ClassicalAlg {
  if (alg === 'Ed25519') {
    assertKey(publicKey, 'The Ed25519 public key', ED25519_PUBLIC_KEY_LENGTH);
  } else if (alg === 'ES256') {
    assertBytes(publicKey, 'The P-256 public key');
    assertP256PublicKey(publicKey);
  } else {
    throw new KeyriteError('UNSUPPORTED', `Unsupported classical signature algorithm ${JSON.stringify(String(alg))}; Keyrite uses Ed25519 or ES256.`);
  }
}

function assertPqKey(alg: unknown, publicKey: unknown): void {
  if (alg !== 'ML-DSA-65') {
    throw new KeyriteError('UNSUPPORTED', `Unsupported post-quantum signature algorithm ${JSON.stringify(String(alg))}; Keyrite uses ML-DSA-65.`);
  }
  assertKey(publicKey, 'The ML-DSA-65 public key', MLDSA65_PUBLIC_KEY_LENGTH);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

/**
 * Where Ed25519 verification runs. The default is @noble/curves (through core/crypto/ed25519);
 * a verifier may pass the platform's native Ed25519 (node:crypto), which must give the same
 * answers (test/unit/verifier/native-crypto.test.ts runs the Wycheproof vectors through it).
 */
export interface Ed25519Backend {
  verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean;
}

export const NOBLE_ED25519: Ed25519Backend = Object.freeze({ verify: ed25519Verify });

/** Where ML-DSA-65 verification (context 'keyrite/v1') runs: @noble/post-quantum. Tests may wrap it in a cache of its own verdicts. */
export interface MlDsa65Backend {
  verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean;
}

export const NOBLE_MLDSA65: MlDsa65Backend = Object.freeze({ verify: (publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array) => mldsa65Verify(publicKey, msg, sig) });

function verifyClassical(alg: ClassicalAlg, publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array, ed25519: Ed25519Backend): boolean {
  return alg === 'Ed25519' ? ed25519.verify(publicKey, msg, sig) : p256Verify(publicKey, msg, sig);
}

export function verifyHybrid(pub: HybridPublicKey, msg: Uint8Array, sig: HybridSignature, mode: VerifyMode = 'hybrid', ed25519: Ed25519Backend = NOBLE_ED25519, mldsa65: MlDsa65Backend = NOBLE_MLDSA65): HybridVerifyResult {
  if (!VERIFY_MODES.includes(mode)) {
    throw new KeyriteError('INVALID_INPUT', `Unknown verification mode ${JSON.stringify(String(mode))}; use hybrid, classical-only or pq-only.`);
  }
  if (!isObject(pub) || !isObject(sig)) throw new KeyriteError('INVALID_INPUT', 'A hybrid public key and a hybrid signature are needed.');
  assertBytes(msg, 'The signed message');
  let classical: PartResult = 'not-checked';
  let pq: PartResult = 'not-checked';
  // Only the half being checked is validated, so partial material can still be studied.
  if (mode !== 'pq-only') {
    if (!isObject(pub.classical)) throw new KeyriteError('INVALID_KEY', 'The hybrid public key has no classical part.');
    assertClassicalKey(pub.classical.alg, pub.classical.publicKey);
    assertBytes(sig.classical, 'The classical signature');
    classical = verifyClassical(pub.classical.alg, pub.classical.publicKey, msg, sig.classical, ed25519) ? 'pass' : 'fail';
  }
  if (mode !== 'classical-only') {
    if (!isObject(pub.pq)) throw new KeyriteError('INVALID_KEY', 'The hybrid public key has no post-quantum part.');
    assertPqKey(pub.pq.alg, pub.pq.publicKey);
    assertBytes(sig.pq, 'The ML-DSA-65 signature');
    pq = mldsa65.verify(pub.pq.publicKey, msg, sig.pq) ? 'pass' : 'fail';
  }
  const valid = mode === 'hybrid' ? classical === 'pass' && pq === 'pass' : mode === 'classical-only' ? classical === 'pass' : pq === 'pass';
  return { valid, mode, classical, pq };
}

/**
 * A hybrid signer from two part-signers. Each returned half is verified in software
 * against the declared public key; a half that does not verify raises INVALID_SIGNATURE.
 */
export function makeHybridSigner(classical: ClassicalPartSigner, pq: PqPartSigner): HybridSigner {
  if (!isObject(classical) || typeof classical.sign !== 'function') throw new KeyriteError('INVALID_INPUT', 'The classical signer must have a sign function.');
  if (!isObject(pq) || typeof pq.sign !== 'function') throw new KeyriteError('INVALID_INPUT', 'The post-quantum signer must have a sign function.');
  assertClassicalKey(classical.alg, classical.publicKey);
  assertPqKey('ML-DSA-65', pq.publicKey);
  const publicKey: HybridPublicKey = Object.freeze({
    classical: Object.freeze({ alg: classical.alg, publicKey: copyOf(classical.publicKey) }),
    pq: Object.freeze({ alg: 'ML-DSA-65' as const, publicKey: copyOf(pq.publicKey) }),
  });
  const classicalSign = classical.sign.bind(classical);
  const pqSign = pq.sign.bind(pq);
  return Object.freeze({
    publicKey,
    async sign(msg: Uint8Array): Promise<HybridSignature> {
      assertBytes(msg, 'The message to sign');
      const m = copyOf(msg);
      // Each part-signer gets its own copy, so neither can change what the other signs or what is checked.
      const c = await classicalSign(copyOf(m));
      if (!(c instanceof Uint8Array) || !verifyClassical(publicKey.classical.alg, publicKey.classical.publicKey, m, c, NOBLE_ED25519)) {
        throw new KeyriteError('INVALID_SIGNATURE', `The ${publicKey.classical.alg} signature returned by the signer does not verify against its public key; it was not used.`);
      }
      const p = await pqSign(copyOf(m));
      if (!(p instanceof Uint8Array) || !mldsa65Verify(publicKey.pq.publicKey, m, p)) {
        throw new KeyriteError('INVALID_SIGNATURE', 'The ML-DSA-65 signature returned by the signer does not verify against its public key; it was not used.');
      }
      return { classical: copyOf(c), pq: copyOf(p) };
    },
  });
}

/**
 * A hybrid signer over keys held in memory (Ed25519 seed + ML-DSA-65 secret key). The
 * arrays are used, not copied: the caller owns them and wipes them when done.
 */
export function softwareHybridSigner(ed25519Seed: Uint8Array, mldsaSecretKey: Uint8Array, mldsaPublicKey: Uint8Array): HybridSigner {
  const edPublic = ed25519PublicKey(ed25519Seed);
  assertKey(mldsaPublicKey, 'The ML-DSA-65 public key', MLDSA65_PUBLIC_KEY_LENGTH);
  if (!equalBytes(mldsa65PublicKeyFromSecret(mldsaSecretKey), mldsaPublicKey)) {
    throw new KeyriteError('INVALID_KEY', 'The ML-DSA-65 public key does not belong to the ML-DSA-65 secret key.');
  }
  return makeHybridSigner(
    { alg: 'Ed25519', publicKey: edPublic, sign: async (msg) => ed25519Sign(ed25519Seed, msg) },
    { publicKey: mldsaPublicKey, sign: (msg) => mldsa65Sign(mldsaSecretKey, msg) },
  );
}
