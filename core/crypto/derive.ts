/**
 * Domain-separated key derivation from a 32-byte seed (DESIGN.md, "Master key"),
 * HKDF (RFC 5869) with SHA-512:
 *   PRK  = HKDF-Extract(SHA-512, salt = UTF-8 'keyrite/v1/derive', IKM = seed)
 *   out  = HKDF-Expand(SHA-512, PRK, info = UTF-8 label, L = 32)
 * with one label per key (DERIVATION_LABELS), so no two keys share derived bytes.
 * The 32-byte outputs are the algorithms' own seeds: the Ed25519 secret key (RFC 8032),
 * ML-DSA-65 ξ (FIPS 204 KeyGen_internal) and the X-Wing secret key (draft-08).
 * Changing anything here changes every published key: it is a format, pinned by tests.
 */
import { KeyriteError } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { assertBytes } from './checks.ts';
import { ed25519PublicKey } from './ed25519.ts';
import { hkdf } from './hkdf.ts';
import { mldsa65KeyFromSeed } from './mldsa65.ts';
import type { MlDsa65KeyPair } from './mldsa65.ts';
import { wipe } from './wipe.ts';
import { xwingKeyFromSeed } from './xwing.ts';
import type { KemKeyPair } from './mlkem768.ts';

export const DERIVATION_SALT = 'keyrite/v1/derive';

export const DERIVATION_LABELS = Object.freeze({
  masterEd25519: 'keyrite/v1/master/ed25519',
  masterMlDsa65: 'keyrite/v1/master/ml-dsa-65',
  trusteeMlDsa65: 'keyrite/v1/trustee/ml-dsa-65',
  trusteeXWing: 'keyrite/v1/trustee/x-wing',
} as const);

export type DerivationLabel = (typeof DERIVATION_LABELS)[keyof typeof DERIVATION_LABELS];

const KNOWN_LABELS: ReadonlySet<string> = new Set(Object.values(DERIVATION_LABELS));
const SALT = utf8(DERIVATION_SALT);
export const DERIVED_SEED_LENGTH = 32;

export interface MasterKeys {
  ed25519: { publicKey: Uint8Array; seed: Uint8Array };
  mldsa65: MlDsa65KeyPair;
}

export interface TrusteeKeys {
  mldsa65: MlDsa65KeyPair;
  xwing: KemKeyPair;
}

export function deriveSeed(seed32: Uint8Array, label: DerivationLabel): Uint8Array {
  assertBytes(seed32, 'The seed to derive keys from', DERIVED_SEED_LENGTH);
  if (typeof label !== 'string' || !KNOWN_LABELS.has(label)) {
    throw new KeyriteError('INVALID_INPUT', `Unknown key derivation label ${JSON.stringify(String(label))}.`);
  }
  return hkdf('sha512', seed32, SALT, utf8(label), DERIVED_SEED_LENGTH);
}

/** The master key pair halves from the master seed S. The caller wipes the secrets. */
export function deriveMasterKeys(seed32: Uint8Array): MasterKeys {
  const edSeed = deriveSeed(seed32, DERIVATION_LABELS.masterEd25519);
  const dsaSeed = deriveSeed(seed32, DERIVATION_LABELS.masterMlDsa65);
  try {
    return {
      ed25519: { publicKey: ed25519PublicKey(edSeed), seed: edSeed },
      mldsa65: mldsa65KeyFromSeed(dsaSeed),
    };
  } catch (e) {
    wipe(edSeed);
    throw e;
  } finally {
    wipe(dsaSeed);
  }
}

/** A trustee's ML-DSA-65 and X-Wing key pairs from the trustee seed. The caller wipes the secrets. */
export function deriveTrusteeKeys(seed32: Uint8Array): TrusteeKeys {
  const dsaSeed = deriveSeed(seed32, DERIVATION_LABELS.trusteeMlDsa65);
  const kemSeed = deriveSeed(seed32, DERIVATION_LABELS.trusteeXWing);
  try {
    return { mldsa65: mldsa65KeyFromSeed(dsaSeed), xwing: xwingKeyFromSeed(kemSeed) };
  } finally {
    // The X-Wing secret key is its own copy of the seed, so both seeds can go.
    wipe(dsaSeed, kemSeed);
  }
}
