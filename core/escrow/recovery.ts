/**
 * Escrow recovery (DESIGN.md, Escrow: "check signature, header, commitment of each share
 * before combining and name the trustee whose share fails; with more than t shares, find
 * the bad one by subsets; after combining, E must decrypt and S must re-derive exactly the
 * published public keys"). Steps, in order:
 *
 *  1. The manifest is read strictly and the master public key must have its fingerprint.
 *  2. Offers whose envelope claims this escrow (ceremony id, epoch, master key) are compared
 *     as given: an exact duplicate (same trustee, same share, same salt) is dropped; two
 *     offers with the same index x but different bytes are tampering and stop the recovery,
 *     naming both trustees. (Shares of other ceremonies or epochs may reuse an index by
 *     chance, since indices are random; they are rejected on their own in step 3.)
 *  3. Each offer is checked alone (checkOffer): the trustee is in the manifest; the envelope
 *     header agrees with the manifest (ceremony id, epoch, master key, suites, n, t, trustee
 *     id and key fingerprint, x, commitment); the master key's signature on the envelope
 *     verifies; the share's x is not 0 and equals the header's; lengths; and the share
 *     matches its published commitment C_i. A failing offer is rejected with the trustee's
 *     name and a reason they understand.
 *  4. Fewer than t accepted shares: nothing is combined (the library would return a wrong
 *     key without error); SHARE_REJECTED lists every rejection.
 *  5. t-subsets of the accepted shares are combined until one gives a K that opens E; every
 *     other accepted share is then checked by swapping it into that subset (a share off the
 *     polynomial changes the result), so the bad ones are named and left out.
 *  Shares typed from paper words (paper-share.ts) carry no salt: they are checked for their
 *  trustee and index only, at most t − 1 of them are combined (so every t-subset holds a share
 *  proven by its commitment), and when E does not open they are the ones named.
 *  6. S = open(E, K); K is wiped. The caller re-derives the keys (checkSeedMatchesMasterKey)
 *     and compares them with the published public keys before using S.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes } from '../bytes.ts';
import { fromHex, toHex } from '../encoding/hex.ts';
import { deriveMasterKeys } from '../crypto/derive.ts';
import type { HybridPublicKey, VerifyMode } from '../crypto/hybrid.ts';
import { combineShares, indexSubsets, type Share } from '../crypto/shamir.ts';
import { wipe } from '../crypto/wipe.ts';
import { ESCROW_KEY_LENGTH, openEscrowBlob } from './blob.ts';
import { SALT_LENGTH, SHARE_LENGTH, checkShareCommitment } from './commitment.ts';
import { envelopeFromJson, envelopeToJson, openEnvelope, verifyEnvelopeSignature, type ShareEnvelope } from './envelope.ts';
import { TRUSTEE_ID, hybridFingerprint, sameSuites, sigSuiteOf } from './fields.ts';
import { findManifestTrustee, manifestFromJson, manifestToJson, type EscrowManifest, type ManifestTrustee } from './manifest.ts';
import { maxPaperShares, PAPER_SHARE_RULE, type PaperOffer, type PaperRejectionKind } from './paper-share.ts';

/** Most t-subsets tried to find one that opens E. */
export const MAX_RECOVERY_SUBSETS = 10000;

export interface OfferedShare {
  /** Who offers the share (the manifest's trustee id). */
  trusteeId: string;
  /** The trustee's envelope, as signed by the master key. */
  envelope: ShareEnvelope;
  /** The share, as opened by the trustee with their token. */
  share: Share;
  /** The commitment salt, from the same envelope. */
  salt: Uint8Array;
}

export type RejectionKind =
  | 'unknown-trustee'
  | 'malformed'
  | 'header-mismatch'
  | 'bad-signature'
  | 'forged-index'
  | 'index-mismatch'
  | 'commitment-mismatch'
  | 'tampering'
  | 'inconsistent-share'
  | PaperRejectionKind
  /** A share typed from paper words that passed its checks but does not open E with the token-checked shares. */
  | 'paper-share-wrong'
  /** More paper shares than a quorum may combine (paper-share.ts PAPER_SHARE_RULE). */
  | 'paper-rule'
  /** An envelope of an escrow epoch a reshare superseded (epoch.ts). */
  | 'superseded-epoch';

export interface ShareRejection {
  trusteeId: string;
  /** "Name (id)" or the id: how the trustee is named in messages. */
  label: string;
  kind: RejectionKind;
  /** A sentence the trustee understands; never contains share bytes. */
  reason: string;
}

export interface RecoverInput {
  manifest: EscrowManifest;
  masterPublicKey: HybridPublicKey;
  /** Shares opened from envelopes with the trustees' tokens, and shares typed from paper words (paper-share.ts). */
  offered: readonly (OfferedShare | PaperOffer)[];
  /** How envelope signatures are checked; default hybrid (both halves). */
  mode?: VerifyMode;
}

export interface RecoveryResult {
  /** The master seed S (32 bytes). The caller wipes it. */
  seed: Uint8Array;
  /** Trustee ids whose shares were combined and agree on the key (all accepted shares but the inconsistent ones). */
  used: string[];
  /** Shares that were offered and refused (recovery still succeeded with the others). */
  rejected: ShareRejection[];
  /** Trustee ids of exact duplicate offers that were dropped. */
  duplicatesDropped: string[];
  /** Trustee ids of `used` whose shares were typed from paper words. */
  paper: string[];
  /** How many t-subsets were combined to find and confirm the key. */
  subsetsTried: number;
}

/** SHARE_REJECTED with the structured list of rejections. */
export class ShareRejectedError extends KeyriteError {
  readonly rejections: readonly ShareRejection[];
  constructor(message: string, rejections: readonly ShareRejection[]) {
    super('SHARE_REJECTED', message);
    this.name = 'ShareRejectedError';
    this.rejections = Object.freeze([...rejections]);
  }
}

function labelOf(entry: ManifestTrustee | undefined, trusteeId: unknown): string {
  if (entry !== undefined) return entry.name !== undefined ? `${entry.name} (${entry.id})` : entry.id;
  // Not a trustee of this escrow: show the id as given, quoted when it is not a plain id.
  if (typeof trusteeId !== 'string') return '(a share without a trustee id)';
  return TRUSTEE_ID.test(trusteeId) ? trusteeId : JSON.stringify(trusteeId.slice(0, 64));
}

function isPaperOffer(offer: OfferedShare | PaperOffer): offer is PaperOffer {
  return offer !== null && typeof offer === 'object' && (offer as PaperOffer).source === 'paper';
}

const PAPER_WRONG = 'the share typed from the paper words passed its checksum, ceremony and index checks but does not open the escrow blob with the shares checked against their commitments: a word is wrong in a way the checksum cannot catch, or the words are of an earlier split. Check the card against check-share, or recover without it';

function describe(rejections: readonly ShareRejection[]): string {
  return rejections.map((r) => `${r.label}: ${r.reason}`).join('; ');
}

type OfferCheck = { ok: true; entry: ManifestTrustee } | { ok: false; rejection: ShareRejection };

function isShareShaped(offer: OfferedShare): boolean {
  return (
    offer !== null &&
    typeof offer === 'object' &&
    offer.share !== null &&
    typeof offer.share === 'object' &&
    Number.isInteger(offer.share.x) &&
    offer.share.y instanceof Uint8Array &&
    offer.share.y.length === SHARE_LENGTH &&
    offer.salt instanceof Uint8Array &&
    offer.salt.length === SALT_LENGTH
  );
}

/**
 * Whether the offer's envelope says it belongs to this escrow (ceremony id, epoch, master
 * key). Only such offers are compared with each other for tampering: a stale share from
 * another ceremony or epoch may reuse an index by chance and is rejected on its own.
 */
function claimsThisEscrow(offer: OfferedShare, manifest: EscrowManifest): boolean {
  try {
    const h = envelopeFromJson(envelopeToJson(offer.envelope)).header;
    return h.ceremonyId === manifest.ceremonyId && h.epoch === manifest.epoch && h.masterFingerprint === manifest.masterFingerprint;
  } catch {
    return false;
  }
}

/**
 * Checks one offered share against the manifest and the master key, alone, before any
 * combining (usable as each share is collected, to show progress k/t). The manifest must
 * already be validated (manifestFromJson).
 */
export function checkOffer(manifest: EscrowManifest, masterPublicKey: HybridPublicKey, offer: OfferedShare, mode: VerifyMode = 'hybrid'): OfferCheck {
  const trusteeId = offer?.trusteeId;
  const entry = typeof trusteeId === 'string' ? findManifestTrustee(manifest, trusteeId) : undefined;
  const label = labelOf(entry, trusteeId);
  const reject = (kind: RejectionKind, reason: string): OfferCheck => ({ ok: false, rejection: { trusteeId: String(trusteeId).slice(0, 64), label, kind, reason } });
  if (entry === undefined) return reject('unknown-trustee', 'is not a trustee of this escrow');

  let env: ShareEnvelope;
  try {
    env = envelopeFromJson(envelopeToJson(offer.envelope));
  } catch (e) {
    return reject('malformed', `the share envelope is damaged (${e instanceof KeyriteError ? e.message : 'unreadable'})`);
  }
  const h = env.header;
  const m = manifest;
  if (h.ceremonyId !== m.ceremonyId) return reject('header-mismatch', `the share belongs to another ceremony (id ${h.ceremonyId.slice(0, 8)}…, this escrow is ${m.ceremonyId.slice(0, 8)}…)`);
  if (h.epoch !== m.epoch) {
    return reject(
      'header-mismatch',
      h.epoch < m.epoch
        ? `the share is from epoch ${h.epoch}, an earlier split that this escrow (epoch ${m.epoch}) replaced`
        : `the share is from epoch ${h.epoch}, not this escrow's epoch ${m.epoch}`,
    );
  }
  if (h.masterFingerprint !== m.masterFingerprint) return reject('header-mismatch', 'the share escrows another master key');
  if (!sameSuites(h.suites, m.suites)) return reject('header-mismatch', 'the envelope names other algorithms than this escrow');
  if (h.n !== m.n || h.t !== m.t) return reject('header-mismatch', `the envelope is for a ${h.t}-of-${h.n} split, this escrow is ${m.t}-of-${m.n}`);
  if (h.trusteeId !== entry.id) return reject('header-mismatch', `the envelope is addressed to trustee ${JSON.stringify(h.trusteeId)}, not to this trustee`);
  if (h.trusteeFingerprint !== entry.fingerprint) return reject('header-mismatch', "the envelope names other trustee keys than the escrow manifest");
  if (h.x !== entry.x) return reject('header-mismatch', `the envelope carries share index ${h.x}, but this trustee's share index is ${entry.x}`);
  if (h.commitment !== toHex(entry.commitment)) return reject('header-mismatch', 'the envelope carries another share commitment than the escrow manifest');

  let signatureOk: boolean;
  try {
    signatureOk = verifyEnvelopeSignature(env, masterPublicKey, mode).valid;
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) return reject('bad-signature', "the envelope's signature does not verify with this escrow's master key (it was forged, altered or signed by another key)");

  if (!isShareShaped(offer)) return reject('malformed', `the share must be an index with ${SHARE_LENGTH} bytes and a ${SALT_LENGTH}-byte salt`);
  const { x, y } = offer.share;
  if (x === 0) return reject('forged-index', 'the share has index 0, which no genuine share has (it would replace the secret itself): it is forged');
  if (x !== h.x) return reject('index-mismatch', `the share has index ${x}, but its envelope says ${h.x}`);
  const ok = checkShareCommitment({ ceremonyId: fromHex(m.ceremonyId), epoch: m.epoch, x, salt: offer.salt, share: y }, entry.commitment);
  if (!ok) return reject('commitment-mismatch', 'the share does not match its published commitment (it was altered, mistyped or belongs to another escrow)');
  return { ok: true, entry };
}

/**
 * A trustee's share as a recovery takes it: the envelope opened with the trustee's X-Wing key,
 * then checkOffer. When the envelope does not open, its signature and header say why where they
 * can (decryption binds the header, so a damaged header or payload fails there). An accepted
 * share is the caller's to wipe; a refused one is wiped here.
 */
export function openAndCheckOffer(
  manifest: EscrowManifest,
  masterPublicKey: HybridPublicKey,
  trusteeId: string,
  envelope: ShareEnvelope,
  xwingSecretKey: Uint8Array,
): { ok: true; offer: OfferedShare } | { ok: false; kind: RejectionKind; reason: string } {
  let opened;
  try {
    opened = openEnvelope(envelope, xwingSecretKey);
  } catch (e) {
    const sig = checkOffer(manifest, masterPublicKey, { trusteeId, envelope, share: { x: 1, y: new Uint8Array(0) }, salt: new Uint8Array(0) });
    if (!sig.ok && sig.rejection.kind !== 'malformed') return { ok: false, kind: sig.rejection.kind, reason: sig.rejection.reason };
    return { ok: false, kind: 'malformed', reason: `the envelope cannot be opened with this trustee's keys (${e instanceof KeyriteError ? e.message : 'damaged'}): it was altered or is not addressed to them` };
  }
  const offer: OfferedShare = { trusteeId, envelope, share: opened.share, salt: opened.salt };
  const checked = checkOffer(manifest, masterPublicKey, offer);
  if (!checked.ok) {
    wipe(offer.share.y, offer.salt);
    return { ok: false, kind: checked.rejection.kind, reason: checked.rejection.reason };
  }
  return { ok: true, offer };
}

/** Checks that S re-derives exactly the given master public key (both halves). S is not modified. */
export function checkSeedMatchesMasterKey(seed: Uint8Array, expected: HybridPublicKey): boolean {
  if (expected === null || typeof expected !== 'object' || expected.classical === null || typeof expected.classical !== 'object' || expected.pq === null || typeof expected.pq !== 'object') {
    throw new KeyriteError('INVALID_KEY', 'The expected master public key must be a hybrid public key {classical, pq}.');
  }
  const keys = deriveMasterKeys(seed);
  try {
    return (
      expected.classical.alg === 'Ed25519' &&
      expected.pq.alg === 'ML-DSA-65' &&
      equalBytes(keys.ed25519.publicKey, expected.classical.publicKey) &&
      equalBytes(keys.mldsa65.publicKey, expected.pq.publicKey)
    );
  } finally {
    wipe(keys.ed25519.seed, keys.mldsa65.secretKey);
  }
}

/** Raises VERIFY_FAILED unless S re-derives exactly the given master public key. */
export function assertSeedMatchesMasterKey(seed: Uint8Array, expected: HybridPublicKey): void {
  if (!checkSeedMatchesMasterKey(seed, expected)) {
    throw new KeyriteError('VERIFY_FAILED', 'The recovered master seed does not re-derive the published master public keys; it must not be used.');
  }
}


export async function recoverFromShares(input: RecoverInput): Promise<RecoveryResult> {
  if (input === null || typeof input !== 'object' || !Array.isArray(input.offered)) {
    throw new KeyriteError('INVALID_INPUT', 'Recovery needs the escrow manifest, the master public key and a list of offered shares.');
  }
  const manifest = manifestFromJson(manifestToJson(input.manifest));
  const mode = input.mode ?? 'hybrid';
  if (toHex(hybridFingerprint(input.masterPublicKey)) !== manifest.masterFingerprint || sigSuiteOf(input.masterPublicKey) !== manifest.suites.sig) {
    throw new KeyriteError('INVALID_KEY', "The master public key given is not the one this escrow manifest names (fingerprints differ).");
  }
  const t = manifest.t;

  // 2. Duplicates and tampering, on the offers as given.
  const offers: OfferedShare[] = [];
  const duplicatesDropped: string[] = [];
  const labelFor = (id: unknown): string => labelOf(typeof id === 'string' ? findManifestTrustee(manifest, id) : undefined, id);
  const paperOffers = input.offered.filter(isPaperOffer);
  for (const offer of input.offered) {
    if (isPaperOffer(offer)) continue;
    if (!isShareShaped(offer) || !claimsThisEscrow(offer, manifest)) {
      offers.push(offer);
      continue;
    }
    let duplicate = false;
    for (const prev of offers) {
      if (!isShareShaped(prev) || !claimsThisEscrow(prev, manifest) || prev.share.x !== offer.share.x || offer.share.x < 1 || offer.share.x > 255) continue;
      const sameBytes = equalBytes(prev.share.y, offer.share.y) && equalBytes(prev.salt, offer.salt);
      if (!sameBytes) {
        const both: ShareRejection[] = [prev, offer].map((o) => ({
          trusteeId: String(o.trusteeId).slice(0, 64),
          label: labelFor(o.trusteeId),
          kind: 'tampering',
          reason: `two different shares claim index ${offer.share.x}; one of them has been tampered with`,
        }));
        throw new ShareRejectedError(
          `${both[0]!.label} and ${both[1]!.label}: two different shares claim the same index ${offer.share.x}; one of them has been tampered with. Recovery stopped: set both aside and check each against the escrow manifest.`,
          both,
        );
      }
      if (prev.trusteeId === offer.trusteeId) {
        duplicate = true;
        break;
      }
    }
    if (duplicate) duplicatesDropped.push(String(offer.trusteeId));
    else offers.push(offer);
  }

  // 3. Each offer alone.
  const rejected: ShareRejection[] = [];
  const accepted: { trusteeId: string; share: Share; paper: boolean }[] = [];
  for (const offer of offers) {
    const r = checkOffer(manifest, input.masterPublicKey, offer, mode);
    if (!r.ok) {
      rejected.push(r.rejection);
      continue;
    }
    // Same x, same bytes, accepted twice (e.g. the same share with two copies of the envelope): keep one.
    if (accepted.some((a) => a.share.x === offer.share.x)) {
      duplicatesDropped.push(offer.trusteeId);
      continue;
    }
    accepted.push({ trusteeId: offer.trusteeId, share: { x: offer.share.x, y: Uint8Array.from(offer.share.y) }, paper: false });
  }
  // 3b. Shares typed from paper: the trustee and the index only (the words' checksum and ceremony were checked as they were typed).
  for (const offer of paperOffers) {
    const entry = typeof offer.trusteeId === 'string' ? findManifestTrustee(manifest, offer.trusteeId) : undefined;
    const reject = (kind: RejectionKind, reason: string): void => void rejected.push({ trusteeId: String(offer.trusteeId).slice(0, 64), label: labelOf(entry, offer.trusteeId), kind, reason });
    const share = offer.share;
    if (entry === undefined) reject('unknown-trustee', 'is not a trustee of this escrow');
    else if (share === null || typeof share !== 'object' || !(share.y instanceof Uint8Array) || share.y.length !== SHARE_LENGTH) reject('malformed', `the share typed from paper must be an index with ${SHARE_LENGTH} bytes`);
    else if (share.x !== entry.x) reject('paper-other-trustee', `the paper words carry share index ${share.x}, but this trustee's share index is ${entry.x}`);
    else {
      const same = accepted.find((a) => a.share.x === share.x);
      if (same && equalBytes(same.share.y, share.y)) duplicatesDropped.push(offer.trusteeId);
      else if (same) reject('paper-share-wrong', 'the share typed from the paper words differs from the same trustee\'s share opened with their token');
      else accepted.push({ trusteeId: entry.id, share: { x: share.x, y: Uint8Array.from(share.y) }, paper: true });
    }
  }

  try {
    // 4. Never fewer than t, never more than t − 1 from paper.
    const paperCount = accepted.filter((a) => a.paper).length;
    if (paperCount > maxPaperShares(t)) {
      const ids = accepted.filter((a) => a.paper).map((a) => a.trusteeId);
      const all = ids.map((id) => ({ trusteeId: id, label: labelFor(id), kind: 'paper-rule' as const, reason: `${paperCount} shares were typed from paper words; ${PAPER_SHARE_RULE}` }));
      throw new ShareRejectedError(`Recovery refused before combining: ${paperCount} of the shares (${all.map((r) => r.label).join(', ')}) were typed from paper words, and ${PAPER_SHARE_RULE} (t = ${t}, so at most ${maxPaperShares(t)}). Bring another trustee with their token.`, [...rejected, ...all]);
    }
    if (accepted.length < t) {
      const head = `Recovery needs ${t} valid shares; ${accepted.length === 0 ? 'none was' : `only ${accepted.length} ${accepted.length === 1 ? 'was' : 'were'}`} accepted`;
      throw new ShareRejectedError(rejected.length > 0 ? `${head}. ${describe(rejected)}.` : `${head}. Collect more trustees' shares.`, rejected);
    }

    // 5. Find a t-subset whose K opens E, then test every other share against it.
    let subsetsTried = 0;
    let good: number[] | undefined;
    let K: Uint8Array | undefined;
    let S: Uint8Array | undefined;
    for (const subset of indexSubsets(accepted.length, t)) {
      if (subsetsTried >= MAX_RECOVERY_SUBSETS) break;
      subsetsTried++;
      const k = await combineShares(subset.map((i) => accepted[i]!.share), t, ESCROW_KEY_LENGTH);
      try {
        S = openEscrowBlob(k, manifest.blob);
        good = subset;
        K = k;
        break;
      } catch (e) {
        wipe(k);
        if (!(e instanceof KeyriteError) || e.code !== 'DECRYPTION_FAILED') throw e;
      }
    }
    if (good === undefined || K === undefined || S === undefined) {
      const paperIds = accepted.filter((a) => a.paper).map((a) => a.trusteeId);
      if (paperIds.length > 0) {
        // The token-checked shares matched their commitments; the paper shares carry none, so they are the culprits.
        const named = paperIds.map((id) => ({ trusteeId: id, label: labelFor(id), kind: 'paper-share-wrong' as const, reason: PAPER_WRONG }));
        const who = named.map((r) => r.label).join(paperIds.length === 2 ? ' and ' : ', ');
        throw new ShareRejectedError(
          `Recovery failed: the escrow blob does not open. ${paperIds.length === 1 ? `The share of ${who}, typed from paper words, is wrong` : `One or more of the shares typed from paper words (${who}) are wrong`}: ${PAPER_WRONG}.${rejected.length > 0 ? ` Also refused: ${describe(rejected)}.` : ''}`,
          [...rejected, ...named],
        );
      }
      const reason =
        accepted.length === t
          ? `the ${t} accepted shares do not open the escrow blob, although each matched its commitment: one of them is wrong. Offer another trustee's share so the bad one can be found`
          : 'no combination of the accepted shares opens the escrow blob';
      throw new ShareRejectedError(`Recovery failed: ${reason}.${rejected.length > 0 ? ` Also refused: ${describe(rejected)}.` : ''}`, rejected);
    }
    const used = new Set(good);
    try {
      for (let i = 0; i < accepted.length; i++) {
        if (used.has(i)) continue;
        subsetsTried++;
        const probe = [...good.slice(1), i].map((j) => accepted[j]!.share);
        const k2 = await combineShares(probe, t, ESCROW_KEY_LENGTH);
        const consistent = equalBytes(k2, K);
        wipe(k2);
        if (consistent) {
          used.add(i);
          continue;
        }
        const entry = findManifestTrustee(manifest, accepted[i]!.trusteeId);
        rejected.push({
          trusteeId: accepted[i]!.trusteeId,
          label: labelOf(entry, accepted[i]!.trusteeId),
          ...(accepted[i]!.paper
            ? { kind: 'paper-share-wrong' as const, reason: PAPER_WRONG }
            : { kind: 'inconsistent-share' as const, reason: 'the share matched its commitment but does not fit with the other shares: the escrow itself was made wrong or tampered with; report it' }),
        });
      }
    } catch (e) {
      wipe(S);
      throw e;
    } finally {
      wipe(K);
    }
    return {
      seed: S,
      used: accepted.flatMap((a, i) => (used.has(i) ? [a.trusteeId] : [])),
      paper: accepted.flatMap((a, i) => (used.has(i) && a.paper ? [a.trusteeId] : [])),
      rejected,
      duplicatesDropped,
      subsetsTried,
    };
  } finally {
    for (const a of accepted) wipe(a.share.y);
  }
}
