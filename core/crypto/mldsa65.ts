/**
 * ML-DSA-65 (FIPS 204) through @noble/post-quantum, pure mode (no pre-hash).
 * Keys come from a 32-byte seed ξ (ML-DSA.KeyGen_internal, FIPS 204 Alg. 6).
 * Every signature carries a context string (FIPS 204 §5.2); Keyrite's is 'keyrite/v1'.
 * Signing is hedged by default (fresh 32-byte rnd, FIPS 204 Alg. 2); rnd can be injected
 * or set to all zeros ('deterministic', the FIPS 204 deterministic variant) for fixtures.
 * The external-µ functions (FIPS 204 Alg. 7 with µ supplied) exist for known-answer tests
 * and for tokens that compute µ themselves; ordinary code signs messages.
 */
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { KeyriteError } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { assertBytes, assertKey, assertOptions } from './checks.ts';
import { randomBytes } from './random.ts';
import { wipe } from './wipe.ts';

export const MLDSA65_SEED_LENGTH = 32;
export const MLDSA65_PUBLIC_KEY_LENGTH = 1952;
export const MLDSA65_SECRET_KEY_LENGTH = 4032;
export const MLDSA65_SIGNATURE_LENGTH = 3309;
export const MLDSA65_MU_LENGTH = 64;
const RND_LENGTH = 32;
const MAX_CONTEXT = 255;

export const KEYRITE_CONTEXT_STRING = 'keyrite/v1';
/** UTF-8 of 'keyrite/v1'. A shared array: do not modify it (the defaults use a private copy). */
export const KEYRITE_CONTEXT: Uint8Array = utf8(KEYRITE_CONTEXT_STRING);
const DEFAULT_CONTEXT = utf8(KEYRITE_CONTEXT_STRING);

export interface MlDsa65KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface MlDsa65SignOptions {
  /** FIPS 204 context string, at most 255 bytes. Default: KEYRITE_CONTEXT. */
  context?: Uint8Array;
  /** 32 bytes of signing randomness rnd, or 'deterministic' for rnd = 0^32. Default: fresh random. */
  random?: Uint8Array | 'deterministic';
}

export interface MlDsa65VerifyOptions {
  /** FIPS 204 context string, at most 255 bytes. Default: KEYRITE_CONTEXT. */
  context?: Uint8Array;
}

function contextOf(opts: { context?: Uint8Array } | undefined): Uint8Array {
  if (opts?.context === undefined) return DEFAULT_CONTEXT;
  assertBytes(opts.context, 'The ML-DSA context');
  if (opts.context.length > MAX_CONTEXT) {
    throw new KeyriteError('INVALID_LENGTH', `The ML-DSA context must be at most ${MAX_CONTEXT} bytes, got ${opts.context.length}.`);
  }
  return opts.context;
}

/** Returns rnd and whether it was generated here (and must be wiped here). */
function rndOf(random: Uint8Array | 'deterministic' | undefined): { rnd: Uint8Array; owned: boolean } {
  if (random === undefined) return { rnd: randomBytes(RND_LENGTH), owned: true };
  if (random === 'deterministic') return { rnd: new Uint8Array(RND_LENGTH), owned: true };
  if (!(random instanceof Uint8Array)) {
    throw new KeyriteError('INVALID_INPUT', "The ML-DSA signing randomness must be 32 bytes or 'deterministic'.");
  }
  assertBytes(random, 'The ML-DSA signing randomness', RND_LENGTH);
  return { rnd: random, owned: false };
}

export function mldsa65KeyFromSeed(seed32: Uint8Array): MlDsa65KeyPair {
  assertBytes(seed32, 'The ML-DSA-65 seed', MLDSA65_SEED_LENGTH);
  const { publicKey, secretKey } = ml_dsa65.keygen(seed32);
  return { publicKey, secretKey };
}

/** The public key embedded in (recomputed from) an ML-DSA-65 secret key. */
export function mldsa65PublicKeyFromSecret(secretKey: Uint8Array): Uint8Array {
  assertKey(secretKey, 'The ML-DSA-65 secret key', MLDSA65_SECRET_KEY_LENGTH);
  try {
    return ml_dsa65.getPublicKey(secretKey);
  } catch (cause) {
    throw new KeyriteError('INVALID_KEY', 'The ML-DSA-65 secret key is malformed.', { cause });
  }
}

export function mldsa65Sign(secretKey: Uint8Array, msg: Uint8Array, opts?: MlDsa65SignOptions): Uint8Array {
  assertKey(secretKey, 'The ML-DSA-65 secret key', MLDSA65_SECRET_KEY_LENGTH);
  assertBytes(msg, 'The message to sign');
  assertOptions(opts, 'ML-DSA-65 signing', ['context', 'random']);
  const context = contextOf(opts);
  const { rnd, owned } = rndOf(opts?.random);
  try {
    return ml_dsa65.sign(msg, secretKey, { context, extraEntropy: rnd });
  } catch (cause) {
    throw new KeyriteError('INVALID_KEY', 'The ML-DSA-65 secret key is malformed.', { cause });
  } finally {
    if (owned) wipe(rnd);
  }
}

/** True only for a valid signature under `publicKey` and the context; false for any bad signature. */
export function mldsa65Verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array, opts?: MlDsa65VerifyOptions): boolean {
  assertKey(publicKey, 'The ML-DSA-65 public key', MLDSA65_PUBLIC_KEY_LENGTH);
  assertBytes(msg, 'The signed message');
  assertBytes(sig, 'The ML-DSA-65 signature');
  assertOptions(opts, 'ML-DSA-65 verification', ['context']);
  const context = contextOf(opts);
  if (sig.length !== MLDSA65_SIGNATURE_LENGTH) return false;
  try {
    return ml_dsa65.verify(sig, msg, publicKey, { context });
  } catch {
    return false;
  }
}

/** ML-DSA.Sign_internal on a caller-computed µ (64 bytes). For KATs and µ-computing tokens. */
export function mldsa65SignExternalMu(secretKey: Uint8Array, mu: Uint8Array, opts?: { random?: Uint8Array | 'deterministic' }): Uint8Array {
  assertKey(secretKey, 'The ML-DSA-65 secret key', MLDSA65_SECRET_KEY_LENGTH);
  assertBytes(mu, 'The ML-DSA message representative µ', MLDSA65_MU_LENGTH);
  assertOptions(opts, 'ML-DSA-65 signing', ['random']);
  const { rnd, owned } = rndOf(opts?.random);
  try {
    return ml_dsa65.internal.sign(mu, secretKey, { extraEntropy: rnd, externalMu: true });
  } catch (cause) {
    throw new KeyriteError('INVALID_KEY', 'The ML-DSA-65 secret key is malformed.', { cause });
  } finally {
    if (owned) wipe(rnd);
  }
}

/** ML-DSA.Verify_internal on a caller-computed µ (64 bytes). */
export function mldsa65VerifyExternalMu(publicKey: Uint8Array, mu: Uint8Array, sig: Uint8Array): boolean {
  assertKey(publicKey, 'The ML-DSA-65 public key', MLDSA65_PUBLIC_KEY_LENGTH);
  assertBytes(mu, 'The ML-DSA message representative µ', MLDSA65_MU_LENGTH);
  assertBytes(sig, 'The ML-DSA-65 signature');
  if (sig.length !== MLDSA65_SIGNATURE_LENGTH) return false;
  try {
    return ml_dsa65.internal.verify(sig, mu, publicKey, { externalMu: true });
  } catch {
    return false;
  }
}
