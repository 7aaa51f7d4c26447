/**
 * self-test: the known-answer tests (core/selftest/) run in this process; the report (names
 * and pass/fail, never timings, so a rehearsal is reproducible) is recorded, and a failure
 * stops the ceremony before any key exists (DESIGN.md: "A failure blocks every ceremony").
 */
import { requirePassingSelfTests, runSelfTests } from '../../selftest/run.ts';
import type { StepOf } from '../../script/script.ts';
import type { CeremonyRun } from '../run.ts';
import { ENTRY } from '../../bundle/entries.ts';

export async function selfTest(run: CeremonyRun, step: StepOf<'self-test'>): Promise<void> {
  const report = await runSelfTests(run.options.selfTests);
  await run.record(ENTRY.selftestReport, run.admin.id, {
    step: step.id,
    ok: report.ok,
    results: report.results.map((r) => ({ name: r.name, ok: r.ok, ...(r.detail !== undefined ? { detail: r.detail } : {}) })),
  });
  requirePassingSelfTests(report);
}
