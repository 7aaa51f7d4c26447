/**
 * A share offered from the paper-backup words, by a trustee whose token is lost (DESIGN.md "Paper
 * share"; docs/FORMATS.md "Paper backup words"). The words carry no commitment salt, so before
 * the share is used only three things can be checked, in this order, each refused by name:
 *
 *  1. the words decode: every word is in the list, there are 34, and the RS1024 checksum holds
 *     (a typo or a swapped pair of words is caught here);
 *  2. the ceremony words (first 5 bytes of the ceremony id) are this escrow's;
 *  3. the share index is the one the escrow manifest gives this trustee (another trustee's words
 *     are caught here).
 *
 * Everything else (that y is the right share) is known only once the escrow blob opens: the
 * recovery (recovery.ts) combines paper shares only with shares checked against their
 * commitments, at most t − 1 of them (PAPER_SHARE_RULE), and names the paper share when E does
 * not open. No message ever quotes a word.
 */
import { KeyriteError } from '../errors.ts';
import type { Share } from '../crypto/shamir.ts';
import { wipe } from '../crypto/wipe.ts';
import { findManifestTrustee, type EscrowManifest } from './manifest.ts';
import { wordsToShare } from './paper-words.ts';

/** A share typed from paper: no envelope, no salt, no commitment check. */
export interface PaperOffer {
  readonly source: 'paper';
  /** Who offers the share (the manifest's trustee id). */
  readonly trusteeId: string;
  /** The share as decoded from the words; the caller wipes y. */
  readonly share: Share;
}

export type PaperRejectionKind = 'paper-unreadable' | 'paper-other-ceremony' | 'paper-other-trustee';

/** The most paper shares one quorum unlock combines: t − 1, so every t shares combined hold at least one checked against its commitment. */
export function maxPaperShares(t: number): number {
  return t - 1;
}

export const PAPER_SHARE_RULE = 'a quorum combines at most t − 1 shares typed from paper words: at least one share is always opened with a token and checked against its published commitment';

/**
 * Checks words offered by `trusteeId` against the escrow manifest (steps 1–3 above). The share of
 * an accepted offer is the caller's to wipe.
 */
export function checkPaperWords(manifest: EscrowManifest, trusteeId: string, words: string): { ok: true; offer: PaperOffer } | { ok: false; kind: PaperRejectionKind | 'unknown-trustee'; reason: string } {
  const entry = findManifestTrustee(manifest, trusteeId);
  if (entry === undefined) return { ok: false, kind: 'unknown-trustee', reason: 'is not a trustee of this escrow' };
  let decoded;
  try {
    decoded = wordsToShare(typeof words === 'string' ? words : '', { ceremonyId: manifest.ceremonyId });
  } catch (e) {
    const message = e instanceof KeyriteError ? e.message.replace(/\.$/, '') : 'They cannot be read';
    if (e instanceof KeyriteError && e.code === 'SHARE_REJECTED') {
      return { ok: false, kind: 'paper-other-ceremony', reason: `the paper words are of another ceremony: ${message.charAt(0).toLowerCase()}${message.slice(1)}. Bring the card of this ceremony` };
    }
    return { ok: false, kind: 'paper-unreadable', reason: `the paper words cannot be used: ${message.charAt(0).toLowerCase()}${message.slice(1)}` };
  }
  if (decoded.share.x !== entry.x) {
    wipe(decoded.share.y);
    return { ok: false, kind: 'paper-other-trustee', reason: `the paper words carry share index ${decoded.share.x}, but this trustee's share index is ${entry.x}: they are another trustee's words, or of an earlier split` };
  }
  return { ok: true, offer: { source: 'paper', trusteeId: entry.id, share: decoded.share } };
}
