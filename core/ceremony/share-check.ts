/**
 * A trustee checks their own share, alone, at any time (DESIGN.md, Escrow: "A trustee can check
 * their own share against the manifest at any time, alone"): with the public bundle, their
 * keyring, their envelope (the file, or the printed card's scan) and their token, nothing else
 * (`keyrite check-share`).
 * It proves, before a recovery needs it, that this trustee could offer a valid share:
 *
 *  1. bundle:   the bundle verifies (anchored when a fingerprint is given) and is a root-keygen
 *               bundle; the escrow manifest and the master public key come from it only.
 *  2. keyring:  the keyring is of this ceremony, its fingerprint is its keys', and the manifest
 *               names this trustee with those keys.
 *  3. token:    the token is the keyring's (label and serial), the PIN opens it, it holds the
 *               keyring's signing key, and a test signature by it verifies (the trustee can
 *               co-sign a recovery).
 *  4. seed:     the sealed seed opens on the token and derives the keyring's ML-DSA-65 and X-Wing keys.
 *  5. share:    the envelope opens with those keys, and the share passes every check a recovery
 *               makes before combining (checkOffer: the master key's signature, the header
 *               against the manifest, the index, the commitment C_i).
 *  6. paper:    only when the paper-backup words are given: they decode (checksum), are of this
 *               ceremony, and are exactly this share (index and bytes), so a copy made by hand
 *               is known right before the day it is needed.
 *
 * The checks stop at the first failure (the later ones need the earlier). Nothing is written;
 * the seed, the derived secret keys and the share are wiped before returning.
 *
 * With `healthRecord`, once the seed opened (the token and the trustee's ML-DSA-65 key can sign),
 * the token signs a health record of the outcome (core/escrow/health-record.ts): "alive", or the
 * share or paper check that failed. It names the share's published commitment, never the share.
 */
import { KeyriteError } from '../errors.ts';
import { equalBytes, fromUtf8 } from '../bytes.ts';
import { ed25519Verify } from '../crypto/ed25519.ts';
import { pairwiseTestMessage } from '../crypto/pairwise.ts';
import { wipe } from '../crypto/wipe.ts';
import { parseEnvelope, SHARE_ENVELOPE_FORMAT } from '../escrow/envelope.ts';
import { parseManifest } from '../escrow/manifest.ts';
import { openAndCheckOffer } from '../escrow/recovery.ts';
import { readScannedShareCard } from '../escrow/share-card-parts.ts';
import { PAPER_WORD_COUNT, wordsToShare } from '../escrow/paper-words.ts';
import type { Share } from '../crypto/shamir.ts';
import { readTranscript } from '../transcript/transcript.ts';
import type { KeyriteToken } from '../tokens/token.ts';
import { verifyPublicBundle, type VerifierCrypto } from './bundle-check.ts';
import { analyzeJournal } from './journal.ts';
import { requireFileKind } from './file-kind.ts';
import { KEYRING_FORMAT, keyringPublicKeys, openSealedTrusteeKeys, parseKeyring } from './keyring.ts';
import { fingerprintHex } from '../bundle/principals.ts';
import { makeHybridSigner } from '../crypto/hybrid.ts';
import { mldsa65Sign } from '../crypto/mldsa65.ts';
import { createHealthRecord, type HealthRecord, type HealthResult } from '../escrow/health-record.ts';

export interface ShareCheckInput {
  /** The public bundle's files (bundle-relative paths). */
  bundle: ReadonlyMap<string, Uint8Array>;
  /** The master fingerprint read aloud at the ceremony (64 hex digits or 16 words), to anchor the bundle; without it the result says "not anchored". */
  trust?: string;
  keyring: Uint8Array;
  /** The envelope: the file's bytes, or the text a QR scanner typed from the printed card (readScannedShareCard). */
  envelope: { file: Uint8Array } | { card: string };
  /** The trustee's token, opened, not logged in. */
  token: KeyriteToken;
  /** Asked once the token is known to be the keyring's. */
  pin: () => Promise<string>;
  /** The paper-backup words, to check against the share (secret: asked only once the share checks out). */
  paperWords?: () => Promise<string>;
  crypto?: VerifierCrypto;
  /** Sign a health record of the outcome, dated by `now` when it is signed. */
  healthRecord?: { now: () => Date };
}

export interface ShareCheckStep {
  name: 'bundle' | 'keyring' | 'token' | 'seed' | 'share' | 'paper';
  ok: boolean;
  detail: string;
}

export interface ShareCheckResult {
  ok: boolean;
  checks: ShareCheckStep[];
  anchored: boolean;
  ceremonyId?: string;
  masterFingerprint?: string;
  trusteeId?: string;
  name?: string;
  /** The share's index (from the manifest), once the keyring is matched. */
  x?: number;
  epoch?: number;
  quorum?: { n: number; t: number };
  /** The signed health record, when asked for and the token could sign (the seed check passed). */
  healthRecord?: HealthRecord;
}

class Stop extends Error {}

/** The paper words against the opened share; never quotes a word (they are the share). */
function checkPaperWords(text: string, ceremonyId: string, share: Share, pass: (name: 'paper', detail: string) => void, fail: (name: 'paper', detail: string) => never): void {
  let paper;
  try {
    paper = wordsToShare(text, { ceremonyId });
  } catch (e) {
    return fail('paper', `the paper words do not decode (${e instanceof KeyriteError ? e.message : 'unreadable'})`);
  }
  try {
    if (paper.share.x !== share.x || !equalBytes(paper.share.y, share.y)) fail('paper', 'the paper words are a valid share of this ceremony, but not this share: they are another trustee\'s copy, or of an earlier split');
    pass('paper', `the ${PAPER_WORD_COUNT} paper words are exactly share ${share.x}`);
  } finally {
    wipe(paper.share.y);
  }
}

export async function checkTrusteeShare(input: ShareCheckInput): Promise<ShareCheckResult> {
  const result: ShareCheckResult = { ok: false, checks: [], anchored: false };
  const pass = (name: ShareCheckStep['name'], detail: string): void => void result.checks.push({ name, ok: true, detail });
  const fail = (name: ShareCheckStep['name'], detail: string): never => {
    result.checks.push({ name, ok: false, detail });
    throw new Stop();
  };
  // A file in the wrong place is a usage error, not a bad share.
  requireFileKind(input.keyring, KEYRING_FORMAT, 'your keyring');
  if ('file' in input.envelope) requireFileKind(input.envelope.file, SHARE_ENVELOPE_FORMAT, 'your share envelope');
  try {
    // 1. The bundle, verified by the auditor's verifier.
    const report = verifyPublicBundle(new Map(input.bundle), { ...(input.trust ? { trust: input.trust } : {}), ...(input.crypto ? { crypto: input.crypto } : {}) });
    result.anchored = report.anchor.anchored && report.anchor.matches === true;
    if (report.verdict !== 'valid') {
      const failed = report.checks.filter((c) => c.status !== 'pass');
      fail('bundle', `the public bundle does not verify (${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}); check your share against the genuine bundle of your ceremony`);
    }
    if (report.kind !== 'root-keygen') fail('bundle', `this is the bundle of an ${report.kind}; shares are checked against the bundle of the root-keygen ceremony that made them`);
    const manifest = parseManifest(fromUtf8(input.bundle.get('escrow/manifest.json')!).replace(/\n$/, ''));
    const master = analyzeJournal(readTranscript(input.bundle.get('transcript.jsonl')!).entries).master!;
    Object.assign(result, { ceremonyId: manifest.ceremonyId, masterFingerprint: master.fingerprint, epoch: manifest.epoch, quorum: { n: manifest.n, t: manifest.t } });
    pass('bundle', `${report.checks.length} checks pass; ${result.anchored ? 'anchored by the fingerprint given' : 'NOT anchored: no fingerprint was given, so this only shows the bundle is consistent'}`);

    // 2. The keyring: this ceremony's, and named by the manifest with the same keys.
    let keyring;
    let keys;
    try {
      keyring = parseKeyring(input.keyring);
      keys = keyringPublicKeys(keyring);
    } catch (e) {
      return fail('keyring', `the keyring file cannot be read (${e instanceof KeyriteError ? e.message : 'unreadable'})`);
    }
    const fp = fingerprintHex(keys.publicKey);
    if (keyring.fingerprint !== fp) fail('keyring', 'the keyring states a fingerprint that does not match its keys; it was altered');
    if (keyring.ceremonyId !== manifest.ceremonyId) fail('keyring', `the keyring is of ceremony ${keyring.ceremonyId.slice(0, 8)}…, not of this bundle's ceremony ${manifest.ceremonyId.slice(0, 8)}…`);
    const entry = manifest.trustees.find((t) => t.id === keyring.trusteeId);
    if (!entry) fail('keyring', `the escrow manifest has no trustee "${keyring.trusteeId}"`);
    if (entry!.fingerprint !== fp) fail('keyring', `the escrow manifest names other keys for ${keyring.trusteeId} than this keyring's`);
    Object.assign(result, { trusteeId: keyring.trusteeId, name: keyring.name, x: entry!.x });
    pass('keyring', `${keyring.name} (${keyring.trusteeId}), share index ${entry!.x} (one of ${manifest.n} shares); keys as in the escrow manifest`);

    // 3. The token: the keyring's, unlocked, holding the signing key, and it signs.
    const t = input.token;
    const desc = await t.describe();
    if (desc.serial !== keyring.token.serial || desc.label !== keyring.token.label) {
      fail('token', `this is token "${desc.label}" (serial ${desc.serial}), but the keyring belongs to token "${keyring.token.label}" (serial ${keyring.token.serial})`);
    }
    await t.login(await input.pin());
    const onToken = await t.getPublicKey(keyring.signingKey.ref).catch(() => undefined);
    if (!onToken || !equalBytes(onToken, keys.publicKey.classical.publicKey)) fail('token', "the token does not hold the keyring's signing key");
    if (keys.publicKey.classical.alg === 'Ed25519') {
      const msg = pairwiseTestMessage();
      if (!ed25519Verify(keys.publicKey.classical.publicKey, msg, await t.sign(keyring.signingKey.ref, msg))) fail('token', 'a test signature by the token does not verify');
    } else {
      await t.sign(keyring.signingKey.ref, pairwiseTestMessage());
    }
    pass('token', `token "${desc.label}" (serial ${desc.serial}) opens with the PIN, holds the signing key and signs`);

    // 4 and 5. The sealed seed, then the envelope with the keys it derives.
    let derived;
    try {
      derived = await openSealedTrusteeKeys(t, keyring, { pq: keys.publicKey.pq.publicKey, xwing: keys.xwingPublicKey });
    } catch {
      return fail('seed', 'the sealed seed in the keyring does not open on this token; the keyring or the token is not the one enrolled');
    }
    if (!derived) return fail('seed', "the sealed seed does not derive the keyring's ML-DSA-65 and X-Wing keys");
    let outcome: HealthResult | undefined;
    try {
      pass('seed', "the sealed seed opens on the token and derives the keyring's ML-DSA-65 and X-Wing keys");
      let envelope;
      try {
        const file = 'file' in input.envelope ? input.envelope.file : readScannedShareCard(input.envelope.card, { ceremonyId: manifest.ceremonyId, masterFingerprint: master.fingerprint, trusteeId: keyring.trusteeId }).envelopeFile;
        envelope = parseEnvelope(fromUtf8(file).replace(/\n$/, ''));
      } catch (e) {
        return fail('share', `the share ${'file' in input.envelope ? 'envelope is damaged' : 'card scan cannot be used'} (${e instanceof KeyriteError ? e.message : 'unreadable'})`);
      }
      const opened = openAndCheckOffer(manifest, master.publicKey, keyring.trusteeId, envelope, derived.xwing.secretKey);
      if (!opened.ok) fail('share', opened.reason);
      else {
        const share = opened.offer.share;
        try {
          pass('share', `the envelope is signed by the master key, its header matches the escrow manifest, and share ${share.x} matches its published commitment`);
          if (input.paperWords) checkPaperWords(await input.paperWords(), manifest.ceremonyId, share, pass, fail);
        } finally {
          wipe(share.y, opened.offer.salt);
        }
      }
      outcome = 'alive';
    } catch (e) {
      if (e instanceof Stop) outcome = result.checks[result.checks.length - 1]!.name === 'paper' ? 'paper-failed' : 'share-failed';
      throw e;
    } finally {
      try {
        if (outcome !== undefined && input.healthRecord) {
          const sk = derived.mldsa65.secretKey;
          const signer = makeHybridSigner(
            { alg: keys.publicKey.classical.alg, publicKey: keys.publicKey.classical.publicKey, sign: (m) => t.sign(keyring.signingKey.ref, m) },
            { publicKey: keys.publicKey.pq.publicKey, sign: (m) => mldsa65Sign(sk, m) },
          );
          result.healthRecord = await createHealthRecord({
            ceremonyId: manifest.ceremonyId,
            epoch: manifest.epoch,
            masterFingerprint: manifest.masterFingerprint,
            trusteeId: keyring.trusteeId,
            x: entry!.x,
            commitment: entry!.commitment,
            checkedAt: input.healthRecord.now(),
            result: outcome,
            paper: result.checks.some((c) => c.name === 'paper'),
            trusteeSigner: signer,
          });
        }
      } finally {
        wipe(derived.mldsa65.secretKey, derived.xwing.secretKey);
      }
    }
    result.ok = true;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  } finally {
    await input.token.logout().catch(() => undefined);
  }
  return result;
}
