/**
 * What a rotation learns step by step (kinds/rotation.ts): everything a quorum unlock learns
 * (recovery-state.ts: the current bundle, the shares, the combined key), the OLD key taken out of
 * `run.master` once combined (so that every root-ceremony action after it works on the NEW key),
 * and the key states cross-sign fixed.
 */
import type { HybridPublicKey } from '../../crypto/hybrid.ts';
import { wipe } from '../../crypto/wipe.ts';
import type { KeyStates } from '../../bundle/key-states.ts';
import { wipeOffers, type RecoveryState } from './recovery-state.ts';

/** The old master key, unlocked by the quorum: both halves in memory until the rotation statement is signed. */
export interface UnlockedOldKey {
  readonly publicKey: HybridPublicKey;
  readonly fingerprint: string;
  edSeed?: Uint8Array;
  mldsaSecretKey?: Uint8Array;
}

export interface RotationState extends RecoveryState {
  /** The key states the current bundle published (a rotation bundle), or none (a root bundle); read once it is verified. */
  currentStates?: KeyStates;
  /** When the current bundle's key became active: its ceremony.end time, read once it is verified. */
  currentSince: string;
  /** The new key label was found free on the new master token in this run. */
  labelChecked?: boolean;
  old?: UnlockedOldKey;
  /** Fixed by cross-sign: the key states, their exact bytes, the rotation time and the grace. */
  keyStates?: { readonly states: KeyStates; readonly bytes: Uint8Array; readonly at: string; readonly until: string; readonly graceDays: number };
}

/** Wipes the shares and the old key's secret halves (the kind's dispose). */
export function wipeRotationSecrets(st: RotationState): void {
  wipeOffers(st);
  if (st.old) {
    wipe(st.old.edSeed, st.old.mldsaSecretKey);
    st.old.edSeed = undefined;
    st.old.mldsaSecretKey = undefined;
  }
}
