/**
 * What a reshare learns step by step (kinds/reshare.ts): everything a quorum unlock learns
 * (recovery-state.ts: the current bundle, its escrow, the shares, the combined key), the OLD
 * identities of the holders who unlocked (kept once the new epoch's holders enrol, so that
 * destroy-old-keys can destroy them), and what destroy-old-keys did.
 */
import type { TrusteeRecord } from '../../bundle/entries.ts';
import type { TrusteeKeyring } from '../keyring.ts';
import type { RecoveryState } from './recovery-state.ts';

/** How the superseded epoch's holder attested destruction (escrow.superseded `holders`). */
export interface OldHolderStatus {
  readonly trusteeId: string;
  readonly fingerprint: string;
  /** Their old sealing and signing keys destroyed on their token in this reshare, or not attested (no token here). */
  readonly token: 'destroyed' | 'not-attested';
  /** Their old paper backup and share card destroyed before the witness, or not attested (not in the room). */
  readonly paper: 'destroyed' | 'not-attested';
  readonly reason?: string;
}

export interface ReshareState extends RecoveryState {
  /** run.trusteeAnswers narrowed to the old holders (before the first step). */
  phase?: 'unlock' | 'new-epoch';
  /** The identities the old holders unlocked with, by trustee id (from the enrolment on, run.trustees holds the new ones). */
  readonly oldIdentities: Map<string, { readonly record: TrusteeRecord; readonly keyring: TrusteeKeyring }>;
  /** SHA-256 of the superseded epoch's escrow/manifest.json (the current bundle's). */
  oldManifestSha256?: string;
  /** Fixed by destroy-old-keys. */
  holders?: readonly OldHolderStatus[];
}
