// Shared fixtures for the escrow tests: a master key derived from a seed S, trustees with
// hybrid signing keys (Ed25519 or ES256 + ML-DSA-65) and X-Wing keys, and escrows made
// from them. Deterministic seeds keep failures reproducible; ML-DSA work stays small.
import assert from 'node:assert/strict';
import { isKeyriteError, type ErrorCode } from '../../../core/errors.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { deriveMasterKeys, deriveTrusteeKeys } from '../../../core/crypto/derive.ts';
import { ed25519PublicKey, ed25519Sign } from '../../../core/crypto/ed25519.ts';
import { makeHybridSigner, softwareHybridSigner, type HybridPublicKey, type HybridSigner } from '../../../core/crypto/hybrid.ts';
import { mldsa65Sign } from '../../../core/crypto/mldsa65.ts';
import { p256PublicKey, p256Sign } from '../../../core/crypto/p256.ts';
import { createEscrow, hybridFingerprint, type CreatedEscrow, type EscrowTrustee } from '../../../core/escrow/escrow.ts';
import { envelopeAad, envelopeSigningMessage, openEnvelope, type ShareEnvelope } from '../../../core/escrow/envelope.ts';
import { encodeEscrowBlob, type EscrowBlob } from '../../../core/escrow/blob.ts';
import { concatBytes, utf8 } from '../../../core/bytes.ts';
import { sealToRecipient } from '../../../core/crypto/seal.ts';
import type { OfferedShare } from '../../../core/escrow/recovery.ts';

export function seed(tag: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (tag * 31 + i * 7 + 1) & 255);
}

export interface Master {
  S: Uint8Array;
  signer: HybridSigner;
  publicKey: HybridPublicKey;
  fingerprint: string;
}

export function makeMaster(tag = 1): Master {
  const S = seed(tag);
  const keys = deriveMasterKeys(S);
  const signer = softwareHybridSigner(keys.ed25519.seed, keys.mldsa65.secretKey, keys.mldsa65.publicKey);
  return { S, signer, publicKey: signer.publicKey, fingerprint: toHex(hybridFingerprint(signer.publicKey)) };
}

export interface Trustee {
  id: string;
  name: string;
  signer: HybridSigner;
  publicKey: HybridPublicKey;
  fingerprint: string;
  xwingPublicKey: Uint8Array;
  xwingSecretKey: Uint8Array;
}

const NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace'];

/** Trustee i (1-based). The classical key is Ed25519, or P-256 (ES256) when `es256` is set. */
export function makeTrustee(i: number, es256 = false): Trustee {
  const keys = deriveTrusteeKeys(seed(100 + i));
  const classicalSecret = seed(200 + i);
  const { secretKey: dsaSecret, publicKey: dsaPublic } = keys.mldsa65;
  const signer = es256
    ? makeHybridSigner({ alg: 'ES256', publicKey: p256PublicKey(classicalSecret), sign: async (m) => p256Sign(classicalSecret, m) }, { publicKey: dsaPublic, sign: (m) => mldsa65Sign(dsaSecret, m) })
    : makeHybridSigner({ alg: 'Ed25519', publicKey: ed25519PublicKey(classicalSecret), sign: async (m) => ed25519Sign(classicalSecret, m) }, { publicKey: dsaPublic, sign: (m) => mldsa65Sign(dsaSecret, m) });
  return {
    id: `trustee-${i}`,
    name: NAMES[i - 1] ?? `Trustee ${i}`,
    signer,
    publicKey: signer.publicKey,
    fingerprint: toHex(hybridFingerprint(signer.publicKey)),
    xwingPublicKey: keys.xwing.publicKey,
    xwingSecretKey: keys.xwing.secretKey,
  };
}

let trusteeCache: Trustee[] | undefined;
/** Five trustees; trustee-5 has an ES256 classical key (a token without Ed25519). */
export function fiveTrustees(): Trustee[] {
  trusteeCache ??= [1, 2, 3, 4, 5].map((i) => makeTrustee(i, i === 5));
  return trusteeCache;
}

export function escrowTrustees(trustees: Trustee[]): EscrowTrustee[] {
  return trustees.map((t) => ({ id: t.id, name: t.name, fingerprint: t.fingerprint, xwingPublicKey: t.xwingPublicKey }));
}

export const CEREMONY_A = '00112233445566778899aabbccddeeff';
export const CEREMONY_B = 'ffeeddccbbaa99887766554433221100';

export async function makeEscrow(master: Master, trustees: Trustee[], ceremonyId = CEREMONY_A, epoch = 2, t = 3): Promise<CreatedEscrow> {
  return createEscrow({
    S: master.S,
    masterSigner: master.signer,
    masterFingerprint: master.fingerprint,
    trustees: escrowTrustees(trustees),
    n: trustees.length,
    t,
    ceremonyId,
    epoch,
  });
}

/** What trustee `index` (0-based) offers at recovery: their envelope and the share they opened from it. */
export function offer(created: CreatedEscrow, trustees: Trustee[], index: number): OfferedShare {
  const env: ShareEnvelope = created.envelopes[index]!;
  const opened = openEnvelope(env, trustees[index]!.xwingSecretKey);
  return { trusteeId: trustees[index]!.id, envelope: env, share: opened.share, salt: opened.salt };
}

export function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items as [T, ...T[]];
  return [...subsets(rest, k - 1).map((s) => [first, ...s]), ...subsets(rest, k)];
}

export function flip(bytes: Uint8Array, at = 0, mask = 1): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at % out.length]! ^= mask;
  return out;
}

export function assertKeyrite(fn: () => unknown, code: ErrorCode, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isKeyriteError(e, code), `expected KeyriteError ${code}, got ${e instanceof Error ? `${e.name}: ${(e as { code?: string }).code ?? ''} ${e.message}` : String(e)}`);
    if (pattern !== undefined) assert.match((e as Error).message, pattern);
    return true;
  });
}

export async function assertRejectsKeyrite(p: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<unknown> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKeyriteError(e, code), `expected KeyriteError ${code}, got ${e instanceof Error ? `${e.name}: ${(e as { code?: string }).code ?? ''} ${e.message}` : String(e)}`);
    if (pattern !== undefined) assert.match((e as Error).message, pattern);
    caught = e;
    return true;
  });
  return caught;
}

/**
 * What a lying ceremony machine could produce: an envelope signed by the master key whose
 * header (and commitment) says one thing while the sealed payload holds another share.
 * createEnvelope refuses to build this, so it is assembled by hand here.
 */
export async function lyingEnvelope(genuine: ShareEnvelope, payloadShare: { x: number; y: Uint8Array }, payloadSalt: Uint8Array, blob: EscrowBlob, trusteeXWingPublicKey: Uint8Array, masterSigner: HybridSigner): Promise<ShareEnvelope> {
  const payload = concatBytes(Uint8Array.of(1, payloadShare.x), payloadShare.y, payloadSalt, utf8(encodeEscrowBlob(blob)));
  const header = { ...genuine.header };
  const sealed = sealToRecipient(trusteeXWingPublicKey, payload, envelopeAad(header));
  return { header, sealed, signature: await masterSigner.sign(envelopeSigningMessage(header, sealed)) };
}
