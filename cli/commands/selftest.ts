/** `keyrite selftest`: runs the known-answer tests; exit 0 only if all pass. */
import { EXIT, printJson, type Command } from '../command.ts';
import { runSelfTests } from '../../core/selftest/run.ts';
import { KNOWN_ANSWER_TESTS, type KnownAnswerTest } from '../../core/selftest/kats.ts';
import { SELFTEST_SPEC } from './specs.ts';

export function makeSelftestCommand(kats: readonly KnownAnswerTest[] = KNOWN_ANSWER_TESTS): Command {
  return {
    ...SELFTEST_SPEC,
    async run(args, io) {
      const report = await runSelfTests(kats);
      if (args.flag('json')) {
        printJson(io, report);
      } else {
        const width = Math.max(...report.results.map((r) => r.name.length)) + 2;
        for (const r of report.results) {
          io.stdout(`${r.ok ? 'pass' : 'FAIL'}  ${r.name.padEnd(width)}${r.ms.toFixed(2).padStart(9)} ms${r.detail ? `  ${r.detail}` : ''}\n`);
        }
        const failed = report.results.filter((r) => !r.ok).length;
        io.stdout(report.ok ? `All ${report.results.length} self-tests passed.\n` : `${failed} of ${report.results.length} self-tests FAILED: no ceremony can run.\n`);
      }
      if (!report.ok) io.stderr('keyrite: self-tests failed.\n');
      return report.ok ? EXIT.OK : EXIT.CHECK_FAILED;
    },
  };
}

export const selftestCommand = makeSelftestCommand();
