/**
 * The words a relying party reads for one signature check, the same in `keyrite
 * check-signature` and verify.html: the rehearsal warning, each endorsed key's state at the
 * time of the check, and the verdict sentence.
 */
import type { EndorsedKeyStatus, SignatureCheckReport } from './check-signature.ts';

export const REHEARSAL_LINE = 'REHEARSAL: this document was signed in a rehearsal ceremony by a practice master key; never rely on it for real.';

export type EndorsedKeyState = 'VALID NOW' | 'NOT YET VALID' | 'EXPIRED';

export function endorsedKeyState(k: EndorsedKeyStatus, now: Date): EndorsedKeyState {
  if (k.validNow) return 'VALID NOW';
  return Date.parse(k.nbf) > now.getTime() ? 'NOT YET VALID' : 'EXPIRED';
}

export function purposeWord(k: EndorsedKeyStatus): string {
  return k.use === 'sig' ? 'signing' : 'encryption';
}

/** "GOOD: …" or "BAD: the … check failed. …", one sentence. */
export function signatureVerdict(r: SignatureCheckReport): string {
  if (!r.ok) return `BAD: the ${r.checks[r.checks.length - 1]!.name} check failed. Do not rely on this document.`;
  const what = r.matched === 'artifact' ? 'this file is an artifact the master key signed' : r.kind === 'endorsement' ? 'the master key endorsed these keys (use only those VALID NOW)' : 'the master key signed this statement';
  return `GOOD${r.rehearsal === true ? ' (REHEARSAL)' : ''}: ${what}.`;
}
