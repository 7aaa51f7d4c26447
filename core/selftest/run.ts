/**
 * Runs the known-answer tests and reports each by name with pass/fail and time.
 * A failure blocks every ceremony (requirePassingSelfTests) and is recorded in the transcript.
 */
import { KeyriteError } from '../errors.ts';
import { KNOWN_ANSWER_TESTS, type KnownAnswerTest } from './kats.ts';

export interface SelfTestResult {
  name: string;
  ok: boolean;
  /** Wall time in milliseconds, rounded to 0.01 ms. */
  ms: number;
  /** Why it failed (never secret material: KAT inputs are public). */
  detail?: string;
}

export interface SelfTestReport {
  ok: boolean;
  results: SelfTestResult[];
}

export async function runSelfTests(kats: readonly KnownAnswerTest[] = KNOWN_ANSWER_TESTS): Promise<SelfTestReport> {
  const results: SelfTestResult[] = [];
  for (const kat of kats) {
    const start = performance.now();
    let detail: string | undefined;
    try {
      await kat.run();
    } catch (e) {
      detail = e instanceof KeyriteError ? e.message : `${kat.name} threw an unexpected error.`;
    }
    const ms = Math.round((performance.now() - start) * 100) / 100;
    results.push(detail === undefined ? { name: kat.name, ok: true, ms } : { name: kat.name, ok: false, ms, detail });
  }
  return { ok: results.length > 0 && results.every((r) => r.ok), results };
}

/** Throws SELFTEST_FAILED unless every known-answer test passed: no ceremony may start otherwise. */
export function requirePassingSelfTests(report: SelfTestReport): void {
  if (report.ok) return;
  const failed = report.results.filter((r) => !r.ok).map((r) => r.name);
  throw new KeyriteError(
    'SELFTEST_FAILED',
    `The cryptographic self-tests failed (${failed.join(', ') || 'none ran'}). No ceremony can run on this installation; reinstall Keyrite from a verified copy.`,
  );
}
