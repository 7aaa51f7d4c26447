/**
 * The verifier's report (DESIGN.md "Verifier"; docs/VERIFIER.md): every check by name with
 * pass / fail / skipped and a reason, whether a trust anchor was used, and one verdict.
 * Never fail open: the verdict is `valid` only when every check passed (a check skipped
 * because an earlier one failed makes the bundle invalid, it never counts as a pass).
 */
import type { VerifyMode } from '../crypto/hybrid.ts';

export const VERIFY_REPORT_FORMAT = 'keyrite/verify-report/v1';

export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface CheckResult {
  /** Stable kebab-case name (docs/VERIFIER.md lists them); audit-script checks are `audit:<script>:<name>`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** One sentence: what was checked, or why it failed. */
  readonly detail: string;
}

export interface TrustAnchor {
  /** Whether the master key was checked against a fingerprint given out of band (`--trust`). */
  readonly anchored: boolean;
  /** The fingerprint as given, when anchored. */
  readonly given?: string;
  /** `full` (64 hex digits) or `words-prefix` (the 16 words cover the first 16 bytes). */
  readonly compared?: 'full' | 'words-prefix';
  /** Absent when the bundle's master key could not be read, so nothing was compared. */
  readonly matches?: boolean;
}

export interface VerifyReport {
  readonly format: typeof VERIFY_REPORT_FORMAT;
  readonly verdict: 'valid' | 'invalid';
  readonly mode: VerifyMode;
  readonly anchor: TrustAnchor;
  /** What the bundle says about itself (present once read; unverified if the verdict is invalid). */
  readonly kind?: string;
  readonly ceremonyId?: string;
  readonly masterFingerprint?: string;
  readonly transcriptEntries?: number;
  /**
   * The script says rehearsal: its keys were made for practice (software tokens) and must
   * never be used for real. Present once script.yaml was read; every output shows it.
   */
  readonly rehearsal?: boolean;
  readonly checks: readonly CheckResult[];
}

export function verdictOf(checks: readonly CheckResult[], anchor: TrustAnchor): 'valid' | 'invalid' {
  if (checks.length === 0) return 'invalid';
  if (anchor.anchored && anchor.matches !== true) return 'invalid';
  return checks.every((c) => c.status === 'pass') ? 'valid' : 'invalid';
}
