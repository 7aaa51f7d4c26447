/**
 * What an escrow recovery learns step by step (kinds/escrow-recovery.ts): the link to the
 * original ceremony, what verify-bundle took from the verified bundle, the shares collect-share
 * accepted (secret, wiped when the run ends), and what combine and restore-to-token did.
 */
import type { HybridPublicKey } from '../../crypto/hybrid.ts';
import type { EscrowManifest } from '../../escrow/manifest.ts';
import type { OfferedShare, ShareRejection } from '../../escrow/recovery.ts';
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
  masterPublicKey?: HybridPublicKey;
  anchored?: boolean;
  bundleChecks?: BundleCheck[];
  /** Accepted shares: secret, wiped when the run ends. */
  readonly offers: OfferedShare[];
  used?: string[];
  readonly rejected: ShareRejection[];
  restored?: RestoredKey;
  recoveredFingerprint?: string;
}

/** Wipes the shares a run accepted (a kind's dispose). */
export function wipeOffers(st: RecoveryState): void {
  for (const o of st.offers) wipe(o.share.y, o.salt);
}
