/**
 * What an escrow recovery learns step by step (kinds/escrow-recovery.ts): the link to the
 * original ceremony, what verify-bundle took from the verified bundle, the shares collect-share
 * accepted (secret, wiped when the run ends), and what combine and restore-to-token did.
 */
import type { HybridPublicKey } from '../../crypto/hybrid.ts';
import type { EscrowManifest } from '../../escrow/manifest.ts';
import type { OfferedShare, ShareRejection } from '../../escrow/recovery.ts';
import type { PaperOffer } from '../../escrow/paper-share.ts';
import type { SupersededEpoch } from '../../escrow/epoch.ts';
import { wipe } from '../../crypto/wipe.ts';
import type { TokenRecord } from '../../bundle/entries.ts';
import type { BundleLink } from '../../bundle/statement.ts';
import type { BundleCheck } from '../types.ts';

export interface RestoredKey {
  readonly label: string;
  readonly token: TokenRecord;
  readonly publicKeyMatches: true;
  readonly testSignature: 'pass';
}

export interface RecoveryState {
  /** The original ceremony, read from its bundle before anything was written, and recorded in ceremony.start. */
  readonly link: BundleLink;
  manifest?: EscrowManifest;
  /** The escrow epochs of this key that the verified bundle records as superseded (a reshare bundle): their envelopes are refused by name. */
  superseded?: readonly SupersededEpoch[];
  masterPublicKey?: HybridPublicKey;
  anchored?: boolean;
  bundleChecks?: BundleCheck[];
  /** Accepted shares (opened with a token, or typed from paper words): secret, wiped when the run ends. */
  readonly offers: (OfferedShare | PaperOffer)[];
  /** Trustees whose combined shares were typed from paper words. */
  paper?: string[];
  used?: string[];
  readonly rejected: ShareRejection[];
  restored?: RestoredKey;
  recoveredFingerprint?: string;
}

/** Wipes the shares a run accepted (a kind's dispose). */
export function wipeOffers(st: RecoveryState): void {
  for (const o of st.offers) wipe(o.share.y, 'salt' in o ? o.salt : undefined);
}
