/**
 * Runs named checks in order and records each result. A check whose prerequisites failed is
 * recorded as skipped (which makes the verdict invalid), so the report always lists every
 * check and a failure never hides behind an exception.
 */
import { KeyriteError } from '../errors.ts';
import type { CheckResult } from './report.ts';

export class CheckList {
  readonly results: CheckResult[] = [];
  private readonly passed = new Set<string>();

  /** Runs `fn` unless a check in `needs` did not pass; its string result is the pass detail. */
  run(name: string, needs: readonly string[], fn: () => string): boolean {
    const missing = needs.filter((n) => !this.passed.has(n));
    if (missing.length > 0) {
      this.results.push({ name, status: 'skipped', detail: `Not checked, because ${missing.join(', ')} did not pass.` });
      return false;
    }
    try {
      const detail = fn();
      this.results.push({ name, status: 'pass', detail });
      this.passed.add(name);
      return true;
    } catch (e) {
      this.results.push({ name, status: 'fail', detail: failureDetail(e) });
      return false;
    }
  }

  ok(name: string): boolean {
    return this.passed.has(name);
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
