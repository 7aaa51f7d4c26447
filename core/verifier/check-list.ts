/**
 * Runs named checks in order and records each result. A check whose prerequisites failed is
 * recorded as skipped (which makes the verdict invalid), so the report always lists every
 * check and a failure never hides behind an exception.
 */
import { KeyriteError } from '../errors.ts';
import { displayField } from '../encoding/display.ts';
import type { CheckResult, CheckStatus } from './report.ts';

/** A detail quotes what the bundle says (file names, ids), so it is escaped and capped for display. */
const MAX_DETAIL_CHARS = 1000;

/** A check that reports itself as not run (the transcript checks past the first broken rule). */
export class Skipped {
  constructor(readonly detail: string) {}
}

/** One named check of the verifier's table; `run` returns the pass detail, or throws (fail) why it failed. */
export interface Check<C> {
  readonly name: string;
  /** Checks that must have passed first (their results are what this one reads). */
  readonly needs: readonly string[];
  run(ctx: C): string | Skipped;
}

export class CheckList {
  readonly results: CheckResult[] = [];
  private readonly passed = new Set<string>();

  /** Runs the check unless a check in `needs` did not pass. */
  run<C>(check: Check<C>, ctx: C): void {
    const missing = check.needs.filter((n) => !this.passed.has(n));
    if (missing.length > 0) {
      this.record(check.name, 'skipped', `Not checked, because ${missing.join(', ')} did not pass.`);
      return;
    }
    try {
      const outcome = check.run(ctx);
      if (outcome instanceof Skipped) {
        this.record(check.name, 'skipped', outcome.detail);
        return;
      }
      this.record(check.name, 'pass', outcome);
      this.passed.add(check.name);
    } catch (e) {
      this.record(check.name, 'fail', failureDetail(e));
    }
  }

  private record(name: string, status: CheckStatus, detail: string): void {
    this.results.push({ name, status, detail: displayField(detail, MAX_DETAIL_CHARS) });
  }
}

/** A check's failure as one sentence; never a stack trace. */
export function failureDetail(e: unknown): string {
  if (e instanceof KeyriteError) return e.message;
  // Anything else is a verifier bug on hostile input: still a failure, never a pass.
  return `The verifier could not read this part of the bundle (${e instanceof Error ? e.name : 'error'}); treat the bundle as invalid.`;
}

/** Throws the VERIFY_FAILED error a check reports. */
export function fail(message: string): never {
  throw new KeyriteError('VERIFY_FAILED', message);
}
