/**
 * When a rehearsal software token named in the answers does not exist yet, may the engine
 * create it? (docs/CEREMONY-SCRIPTS.md "Rehearsal tokens created on first use".) Only in a
 * rehearsal script, and only for a token the ceremony needs EMPTY: the master token a
 * root-keygen or a rotation puts the new key on or a recovery restores the key to, and a
 * trustee's token in a root-keygen whose check-in enrols (creates the trustee's identity on it),
 * and a reshare's new holder's (who enrols and holds nothing of the old epoch).
 * Every other token must already hold something a new token cannot: the signing master key, a
 * trustee's identity from the root ceremony. Never for a live script, never over an existing file.
 */
import type { CeremonyScript } from '../script/script.ts';

export type TokenCreation = { readonly allowed: true; readonly label: string } | { readonly allowed: false; readonly why: string };

function enrolsTrustees(script: CeremonyScript): boolean {
  return script.steps.some((s) => s.action === 'check-in' && s.actor === 'trustee' && s.params.enroll);
}

/** `newHolder`: a reshare's trustee who only receives a share of the new epoch (no keyring of the old one), whose check-in enrols. */
export function rehearsalTokenCreation(script: CeremonyScript, target: 'master' | 'trustee', participantId?: string, newHolder = false): TokenCreation {
  if (script.mode !== 'rehearsal') return { allowed: false, why: 'a live ceremony never creates a token; bring the token the answers name' };
  if (target === 'master') {
    if (script.kind === 'root-keygen') return { allowed: true, label: 'Rehearsal master' };
    if (script.kind === 'escrow-recovery') return { allowed: true, label: 'Rehearsal new master' };
    if (script.kind === 'rotation') return { allowed: true, label: 'Rehearsal next master' };
    if (script.kind === 'signing') return { allowed: false, why: 'it must already hold the master key (a new token would hold nothing to sign with)' };
    return { allowed: false, why: `Keyrite creates a master token only for a ceremony that puts a key on it, not for a ${script.kind} ceremony` };
  }
  if (script.kind === 'root-keygen' && enrolsTrustees(script)) return { allowed: true, label: participantId ?? 'Rehearsal trustee' };
  if (script.kind === 'reshare' && newHolder) return { allowed: true, label: participantId ?? 'Rehearsal trustee' };
  return { allowed: false, why: "it must already hold the trustee's identity from the root ceremony (a new token could not open the trustee's share)" };
}
