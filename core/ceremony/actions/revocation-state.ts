/**
 * What a revocation learns step by step (kinds/revocation.ts): everything a quorum unlock learns
 * (recovery-state.ts), when the key became active and the key states its bundle published, where
 * the key lived (its label and token, from the verified statement: the token is never opened),
 * and the key states revoke fixed.
 */
import type { KeyStates } from '../../bundle/key-states.ts';
import type { TokenRecord } from '../../bundle/entries.ts';
import type { RecoveryState } from './recovery-state.ts';

export interface RevocationState extends RecoveryState {
  /** The key states the current bundle published (a rotation bundle), or none (a root bundle). */
  currentStates?: KeyStates;
  /** When the key to revoke became active: its bundle's ceremony.end time. */
  currentSince: string;
  /** The key's label and token as the verified current statement names them. */
  keyHome?: { readonly keyLabel: string; readonly token: TokenRecord };
  /** Fixed by revoke: the key states, their exact bytes, the revocation time and the reason. */
  keyStates?: { readonly states: KeyStates; readonly bytes: Uint8Array; readonly at: string; readonly reason: string };
}
