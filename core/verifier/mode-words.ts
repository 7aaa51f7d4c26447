/**
 * What a verification mode checks and what it leaves out, in the words every report line
 * about signatures uses (docs/VERIFIER.md "Modes"): a single-half mode never says "valid"
 * about signatures it did not look at.
 */
import type { VerifyMode } from '../crypto/hybrid.ts';

/** "hybrid", or the single-half mode with the half it did NOT check. */
export function modeClause(mode: VerifyMode): string {
  if (mode === 'classical-only') return 'classical-only mode: classical signatures only, ML-DSA-65 signatures NOT checked';
  if (mode === 'pq-only') return 'pq-only mode: ML-DSA-65 signatures only, classical signatures NOT checked';
  return 'hybrid';
}

/** The half a single-half mode checks ("classical" or "ML-DSA-65"), and the one it skips. */
export function modeHalves(mode: Exclude<VerifyMode, 'hybrid'>): { checked: string; skipped: string } {
  return mode === 'classical-only' ? { checked: 'classical', skipped: 'ML-DSA-65' } : { checked: 'ML-DSA-65', skipped: 'classical' };
}
