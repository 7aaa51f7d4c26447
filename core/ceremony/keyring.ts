/**
 * A trustee's keyring file (`keyring.json` in the trustee's own folder, docs/FORMATS.md
 * "Trustee keyring"). It holds the trustee's PUBLIC identity and the trustee seed SEALED by
 * a key on their token, so it is useless without that token and its PIN:
 *
 *   {"ceremonyId", "fingerprint", "format": "keyrite/trustee-keyring/v1", "kem": {"alg":"X-Wing","publicKey"},
 *    "name", "pq": {"jwk"}, "sealKey": KeyRef, "sealedSeed": SealedBox,
 *    "signingKey": {"jwk", "ref": KeyRef}, "token": {uri, label, serial, model, manufacturer, rehearsalOnly},
 *    "trusteeId"}
 *
 * The seed is sealed with associated data that binds it to this keyring:
 *   UTF-8(JCS({"ceremonyId", "format": "keyrite/trustee-seed/v1", "sealKeyId", "signingKeyId", "tokenSerial", "trusteeId"}))
 * so a sealed seed moved into another keyring, or under another key, does not open.
 * From the 32-byte seed, core/crypto/derive.ts deriveTrusteeKeys gives the ML-DSA-65 and
 * X-Wing keys; the classical signing key never leaves the token.
 */
import { KeyriteError } from '../errors.ts';
import { fromUtf8, utf8 } from '../bytes.ts';
import { fromBase64url } from '../encoding/base64url.ts';
import { canonicalBytes, canonicalize } from '../encoding/jcs.ts';
import { parseJsonStrict } from '../encoding/json.ts';
import { jwkToPublicKey, type PublicJwk } from '../encoding/jwk.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';
import { deriveTrusteeKeys, type TrusteeKeys } from '../crypto/derive.ts';
import { wipe } from '../crypto/wipe.ts';
import { equalBytes } from '../bytes.ts';
import { isSealScheme, isSigningAlg, type KeyRef, type KeyriteToken, type SealedBox } from '../tokens/token.ts';
import { tokenRecord, type TokenRecord } from '../bundle/entries.ts';
import { expectMembers, expectObject, readString } from '../encoding/json-fields.ts';

export const KEYRING_FORMAT = 'keyrite/trustee-keyring/v1';
export const TRUSTEE_SEED_FORMAT = 'keyrite/trustee-seed/v1';
export const TRUSTEE_SEED_LENGTH = 32;

export interface TrusteeKeyring {
  format: typeof KEYRING_FORMAT;
  ceremonyId: string;
  trusteeId: string;
  name: string;
  fingerprint: string;
  token: TokenRecord;
  signingKey: { ref: KeyRef; jwk: PublicJwk };
  sealKey: KeyRef;
  pq: { jwk: PublicJwk };
  kem: { alg: 'X-Wing'; publicKey: string };
  sealedSeed: SealedBox;
}

export function trusteeSeedAad(k: Pick<TrusteeKeyring, 'ceremonyId' | 'trusteeId' | 'token' | 'signingKey' | 'sealKey'>): Uint8Array {
  return canonicalBytes({
    format: TRUSTEE_SEED_FORMAT,
    ceremonyId: k.ceremonyId,
    trusteeId: k.trusteeId,
    tokenSerial: k.token.serial,
    signingKeyId: k.signingKey.ref.id,
    sealKeyId: k.sealKey.id,
  });
}

export function encodeKeyring(k: TrusteeKeyring): Uint8Array {
  return utf8(canonicalize(k as unknown as Record<string, unknown>) + '\n');
}

function bad(what: string): KeyriteError {
  return new KeyriteError('INVALID_INPUT', `The trustee keyring ${what}.`);
}

const WHAT = 'trustee keyring';

function ref(v: unknown, what: string, kind: KeyRef['kind']): KeyRef {
  const r = expectObject(v, `${WHAT} ${what}`);
  const alg = readString(r, 'alg', `${WHAT} ${what}`);
  if (r.kind !== kind || (kind === 'signing-key' ? !isSigningAlg(alg) : !isSealScheme(alg))) throw bad(`has no valid ${what}`);
  return { kind, label: readString(r, 'label', `${WHAT} ${what}`), id: readString(r, 'id', `${WHAT} ${what}`), alg: alg as KeyRef['alg'] };
}

function sealedSeed(v: unknown): SealedBox {
  const what = `${WHAT} sealed seed`;
  const sealed = expectObject(v, what);
  const scheme = readString(sealed, 'scheme', what);
  if (!isSealScheme(scheme) || sealed.v !== 1) throw bad('has no valid sealed seed');
  return { v: 1, scheme, keyId: readString(sealed, 'keyId', what), nonce: readString(sealed, 'nonce', what), ct: readString(sealed, 'ct', what), ...(typeof sealed.epk === 'string' ? { epk: sealed.epk } : {}) };
}

/** Reads a keyring file strictly (closed world on the top level). */
export function parseKeyring(bytes: Uint8Array): TrusteeKeyring {
  let doc: unknown;
  try {
    doc = parseJsonStrict(fromUtf8(bytes), WHAT, { maxLength: 64 * 1024, maxDepth: 8 });
  } catch (e) {
    throw new KeyriteError('INVALID_INPUT', `The trustee keyring is not valid JSON: ${e instanceof Error ? e.message : 'unreadable'}`);
  }
  const d = expectObject(doc, WHAT);
  if (d.format !== KEYRING_FORMAT) throw bad(`is not a ${KEYRING_FORMAT} file`);
  expectMembers(d, WHAT, ['ceremonyId', 'fingerprint', 'format', 'kem', 'name', 'pq', 'sealKey', 'sealedSeed', 'signingKey', 'token', 'trusteeId']);
  const signing = expectObject(d.signingKey, `${WHAT} signing key`);
  const kem = expectObject(d.kem, `${WHAT} X-Wing key`);
  if (kem.alg !== 'X-Wing') throw bad('has no valid X-Wing key');
  return {
    format: KEYRING_FORMAT,
    ceremonyId: readString(d, 'ceremonyId', WHAT),
    trusteeId: readString(d, 'trusteeId', WHAT),
    name: readString(d, 'name', WHAT),
    fingerprint: readString(d, 'fingerprint', WHAT),
    token: tokenRecord(d.token, `${WHAT} token`),
    signingKey: { ref: ref(signing.ref, 'signing key', 'signing-key'), jwk: expectObject(signing.jwk, `${WHAT} signing key`) as unknown as PublicJwk },
    sealKey: ref(d.sealKey, 'sealing key', 'seal-key'),
    pq: { jwk: expectObject(expectObject(d.pq, `${WHAT} ML-DSA-65 key`).jwk, `${WHAT} ML-DSA-65 key`) as unknown as PublicJwk },
    kem: { alg: 'X-Wing', publicKey: readString(kem, 'publicKey', `${WHAT} X-Wing key`) },
    sealedSeed: sealedSeed(d.sealedSeed),
  };
}

/** The hybrid public key and X-Wing public key a keyring declares. */
export function keyringPublicKeys(k: TrusteeKeyring): { publicKey: HybridPublicKey; xwingPublicKey: Uint8Array } {
  const c = jwkToPublicKey(k.signingKey.jwk);
  const p = jwkToPublicKey(k.pq.jwk);
  if (p.alg !== 'ML-DSA-65' || (c.alg !== 'Ed25519' && c.alg !== 'P-256')) throw bad('declares keys of the wrong types');
  return {
    publicKey: { classical: { alg: c.alg === 'P-256' ? 'ES256' : 'Ed25519', publicKey: c.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: p.publicKey } },
    xwingPublicKey: fromBase64url(k.kem.publicKey, 'X-Wing public key'),
  };
}

/**
 * Opens the seed sealed in the keyring on the trustee's (logged-in) token and derives the
 * trustee's keys. The seed is wiped here; the derived secret keys are the caller's to wipe.
 * undefined (everything wiped) when they are not the `expected` ML-DSA-65 and X-Wing public
 * keys: the keyring or the token is not the one enrolled. A seed that does not open throws.
 */
export async function openSealedTrusteeKeys(token: KeyriteToken, keyring: TrusteeKeyring, expected: { pq: Uint8Array; xwing: Uint8Array }): Promise<TrusteeKeys | undefined> {
  const seed = await token.unseal(keyring.sealKey, keyring.sealedSeed, trusteeSeedAad(keyring));
  let keys: TrusteeKeys;
  try {
    keys = deriveTrusteeKeys(seed);
  } finally {
    wipe(seed);
  }
  if (equalBytes(keys.mldsa65.publicKey, expected.pq) && equalBytes(keys.xwing.publicKey, expected.xwing)) return keys;
  wipe(keys.mldsa65.secretKey, keys.xwing.secretKey);
  return undefined;
}
