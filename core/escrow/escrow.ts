/**
 * Escrow, ceremony side (DESIGN.md, Escrow; docs/FORMATS.md, "Escrow"). createEscrow:
 *
 *  1. checks the inputs: S re-derives exactly the master signer's public keys, the master
 *     fingerprint is that key's principal fingerprint, n trustees with distinct ids,
 *     fingerprints and X-Wing keys, 2 ≤ t ≤ n;
 *  2. draws a random 32-byte escrow key K and seals E = XChaCha20-Poly1305(K, S, AAD = header);
 *  3. splits K with Shamir (crypto/shamir.ts), draws a 32-byte salt per share and computes
 *     the commitments C_i;
 *  4. before anything leaves: every one of the C(n, t) subsets of shares (10 for 3-of-5)
 *     recombines to K and opens E back to S — as Vault's `operator rekey -verify` proves
 *     the new shares before switching over, but for every subset, not only one quorum;
 *  5. seals one envelope per trustee (their X-Wing key), signed by the master key, and
 *     verifies every envelope signature and every envelope against the manifest;
 *  6. wipes K, the shares and the salts; returns the envelopes and the public manifest.
 * The ceremony then collects one receipt per trustee (receipt.ts) before it may finish.
 * Recovery lives in recovery.ts; everything is re-exported here.
 */
import { KeyriteError } from '../errors.ts';
import { assertBytes, equalBytes } from '../bytes.ts';
import { fromHex, toHex } from '../encoding/hex.ts';
import type { HybridSigner } from '../crypto/hybrid.ts';
import { randomBytes } from '../crypto/random.ts';
import { assertSharingParams, combineShares, indexSubsets, splitSecret, type Share } from '../crypto/shamir.ts';
import { wipe } from '../crypto/wipe.ts';
import { XWING_PUBLIC_KEY_LENGTH } from '../crypto/xwing.ts';
import { ESCROW_BLOB_FORMAT, ESCROW_KEY_LENGTH, MASTER_SEED_LENGTH, openEscrowBlob, sealEscrowBlob } from './blob.ts';
import { CEREMONY_ID_LENGTH, SALT_LENGTH, assertEpoch, shareCommitment } from './commitment.ts';
import { createEnvelope, encodeEnvelope, parseEnvelope, verifyEnvelopeSignature, type ShareEnvelope } from './envelope.ts';
import { FINGERPRINT_HEX, assertDisplayName, assertTrusteeId, escrowSuites, hybridFingerprint, sigSuiteOf } from './fields.ts';
import { ESCROW_MANIFEST_FORMAT, manifestFromJson, manifestToJson, type EscrowManifest } from './manifest.ts';
import { checkSeedMatchesMasterKey } from './recovery.ts';

export * from './blob.ts';
export * from './commitment.ts';
export * from './envelope.ts';
export * from './fields.ts';
export * from './manifest.ts';
export * from './receipt.ts';
export * from './recovery.ts';

/** Upper bound on C(n, t) for the all-subsets check; larger splits are refused. */
export const MAX_VERIFY_SUBSETS = 50000;

export interface EscrowTrustee {
  id: string;
  name?: string;
  /** Principal fingerprint of the trustee's keys: 32 bytes or 64 hex digits. */
  fingerprint: Uint8Array | string;
  xwingPublicKey: Uint8Array;
}

export interface CreateEscrowInput {
  /** The 32-byte master seed to escrow. Not modified; the caller wipes it. */
  S: Uint8Array;
  masterSigner: HybridSigner;
  /** Principal fingerprint of the master key: 32 bytes or 64 hex digits. */
  masterFingerprint: Uint8Array | string;
  trustees: readonly EscrowTrustee[];
  n: number;
  t: number;
  /** 16 random bytes, or 32 hex digits. */
  ceremonyId: Uint8Array | string;
  epoch: number;
}

export interface EscrowVerification {
  /** C(n, t) subsets recombined to K and opened E back to S. */
  subsetsChecked: number;
  /** Envelope signatures verified (hybrid) with the master public key. */
  envelopeSignaturesChecked: number;
}

export interface CreatedEscrow {
  /** One envelope per trustee, in the order of `trustees`. */
  envelopes: ShareEnvelope[];
  manifest: EscrowManifest;
  verification: EscrowVerification;
}

function hex32(value: Uint8Array | string, what: string): string {
  if (typeof value === 'string') {
    if (!FINGERPRINT_HEX.test(value)) throw new KeyriteError('INVALID_INPUT', `The ${what} must be 64 lowercase hex digits.`);
    return value;
  }
  assertBytes(value, `The ${what}`, 32);
  return toHex(value);
}

function ceremonyHex(value: Uint8Array | string): string {
  if (typeof value === 'string') {
    if (!/^[0-9a-f]{32}$/.test(value)) throw new KeyriteError('INVALID_INPUT', 'The ceremony id must be 32 lowercase hex digits (16 bytes).');
    return value;
  }
  assertBytes(value, 'The ceremony id', CEREMONY_ID_LENGTH);
  return toHex(value);
}

/** C(n, k), or Infinity once it passes `cap`. */
export function binomial(n: number, k: number, cap = Number.MAX_SAFE_INTEGER): number {
  let r = 1;
  for (let i = 1; i <= k; i++) {
    r = (r * (n - k + i)) / i;
    if (r > cap) return Infinity;
  }
  return Math.round(r);
}


function ceremonyFailure(what: string): KeyriteError {
  return new KeyriteError('CEREMONY_ERROR', `The escrow failed its own check and was discarded: ${what}. Nothing was handed out; run the step again.`);
}

export async function createEscrow(input: CreateEscrowInput): Promise<CreatedEscrow> {
  if (input === null || typeof input !== 'object') throw new KeyriteError('INVALID_INPUT', 'createEscrow needs its parameters as an object.');
  const { S, masterSigner, n, t, epoch } = input;
  assertBytes(S, 'The master seed', MASTER_SEED_LENGTH);
  if (masterSigner === null || typeof masterSigner !== 'object' || typeof masterSigner.sign !== 'function') {
    throw new KeyriteError('INVALID_INPUT', 'A master key signer is needed.');
  }
  assertSharingParams({ n, t });
  assertEpoch(epoch);
  const ceremonyId = ceremonyHex(input.ceremonyId);
  const masterFingerprint = hex32(input.masterFingerprint, 'master key fingerprint');
  const masterPublicKey = masterSigner.publicKey;
  if (toHex(hybridFingerprint(masterPublicKey)) !== masterFingerprint) {
    throw new KeyriteError('INVALID_KEY', "The master key fingerprint given is not the master signer's fingerprint.");
  }
  if (!checkSeedMatchesMasterKey(S, masterPublicKey)) {
    throw new KeyriteError('INVALID_KEY', 'The master seed to escrow does not derive the master public keys; escrowing it would not allow recovery of this key.');
  }
  if (!Array.isArray(input.trustees) || input.trustees.length !== n) {
    throw new KeyriteError('INVALID_INPUT', `The escrow needs exactly n = ${n} trustees, got ${Array.isArray(input.trustees) ? input.trustees.length : 'none'}.`);
  }
  const trustees = input.trustees.map((tr, i) => {
    if (tr === null || typeof tr !== 'object') throw new KeyriteError('INVALID_INPUT', `Trustee ${i + 1} must be an object.`);
    assertTrusteeId(tr.id, `id of trustee ${i + 1}`);
    if (tr.name !== undefined) assertDisplayName(tr.name, `name of trustee ${i + 1}`);
    assertBytes(tr.xwingPublicKey, `The X-Wing public key of trustee ${tr.id}`, XWING_PUBLIC_KEY_LENGTH);
    return { id: tr.id, name: tr.name, fingerprint: hex32(tr.fingerprint, `key fingerprint of trustee ${tr.id}`), xwingPublicKey: tr.xwingPublicKey };
  });
  for (const [key, what] of [
    ['id', 'id'],
    ['fingerprint', 'key fingerprint'],
  ] as const) {
    if (new Set(trustees.map((tr) => tr[key])).size !== n) throw new KeyriteError('INVALID_INPUT', `Two trustees have the same ${what}; each trustee must be a different person with their own keys.`);
  }
  if (new Set(trustees.map((tr) => toHex(tr.xwingPublicKey))).size !== n) throw new KeyriteError('INVALID_INPUT', 'Two trustees have the same X-Wing key.');
  if (trustees.some((tr) => tr.fingerprint === masterFingerprint)) throw new KeyriteError('INVALID_INPUT', 'A trustee key fingerprint equals the master key fingerprint.');
  const subsetCount = binomial(n, t, MAX_VERIFY_SUBSETS);
  if (subsetCount > MAX_VERIFY_SUBSETS) {
    throw new KeyriteError('UNSUPPORTED', `A ${t}-of-${n} split has more than ${MAX_VERIFY_SUBSETS} combinations of shares; Keyrite checks every one before a ceremony may finish, so it refuses splits this large.`);
  }

  const suites = escrowSuites(sigSuiteOf(masterPublicKey));
  const K = randomBytes(ESCROW_KEY_LENGTH);
  let shares: Share[] = [];
  const salts: Uint8Array[] = [];
  try {
    const blob = sealEscrowBlob(K, S, { format: ESCROW_BLOB_FORMAT, suites, ceremonyId, epoch, masterFingerprint });
    shares = await splitSecret(K, { n, t });
    for (let i = 0; i < n; i++) salts.push(randomBytes(SALT_LENGTH));
    const ceremonyBytes = fromHex(ceremonyId);
    const commitments = shares.map((s, i) => shareCommitment({ ceremonyId: ceremonyBytes, epoch, x: s.x, salt: salts[i]!, share: s.y }));

    // Every t-subset recombines to K and opens E back to S.
    let subsetsChecked = 0;
    for (const subset of indexSubsets(n, t)) {
      const k = await combineShares(subset.map((i) => shares[i]!), t, ESCROW_KEY_LENGTH);
      let s2: Uint8Array | undefined;
      try {
        if (!equalBytes(k, K)) throw ceremonyFailure(`shares ${subset.map((i) => i + 1).join(', ')} do not recombine to the escrow key`);
        try {
          s2 = openEscrowBlob(k, blob);
        } catch {
          throw ceremonyFailure(`shares ${subset.map((i) => i + 1).join(', ')} do not open the escrow blob`);
        }
        if (!equalBytes(s2, S)) throw ceremonyFailure('the escrow blob does not give back the master seed');
      } finally {
        wipe(k, s2);
      }
      subsetsChecked++;
    }
    if (subsetsChecked !== subsetCount) throw ceremonyFailure('not every combination of shares was checked');

    const manifest: EscrowManifest = manifestFromJson(
      manifestToJson({
        format: ESCROW_MANIFEST_FORMAT,
        ceremonyId,
        epoch,
        masterFingerprint,
        n,
        t,
        suites,
        trustees: trustees.map((tr, i) => ({
          id: tr.id,
          ...(tr.name !== undefined ? { name: tr.name } : {}),
          fingerprint: tr.fingerprint,
          x: shares[i]!.x,
          commitment: commitments[i]!,
        })),
        blob,
      }),
    );

    const envelopes: ShareEnvelope[] = [];
    for (let i = 0; i < n; i++) {
      const tr = trustees[i]!;
      envelopes.push(
        await createEnvelope({
          header: { suites, ceremonyId, epoch, masterFingerprint, n, t, x: shares[i]!.x, trusteeId: tr.id, trusteeFingerprint: tr.fingerprint, commitment: toHex(commitments[i]!) },
          share: shares[i]!,
          salt: salts[i]!,
          blob,
          trusteeXWingPublicKey: tr.xwingPublicKey,
          masterSigner,
        }),
      );
    }

    // Every envelope: round-trips through its file form, verifies (hybrid), agrees with the manifest.
    let envelopeSignaturesChecked = 0;
    for (const [i, env] of envelopes.entries()) {
      const reread = parseEnvelope(encodeEnvelope(env));
      if (!verifyEnvelopeSignature(reread, masterPublicKey, 'hybrid').valid) throw ceremonyFailure(`the envelope for ${trustees[i]!.id} does not verify`);
      const h = reread.header;
      const entry = manifest.trustees[i]!;
      if (h.trusteeId !== entry.id || h.x !== entry.x || h.trusteeFingerprint !== entry.fingerprint || h.commitment !== toHex(entry.commitment)) {
        throw ceremonyFailure(`the envelope for ${trustees[i]!.id} disagrees with the manifest`);
      }
      envelopeSignaturesChecked++;
    }
    return { envelopes, manifest, verification: { subsetsChecked, envelopeSignaturesChecked } };
  } finally {
    wipe(K, ...shares.map((s) => s.y), ...salts);
  }
}
