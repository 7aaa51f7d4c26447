/**
 * The transcript followed the script (docs/VERIFIER.md "transcript-steps"). The engine walks
 * the script's steps in order in every run (ceremony.start, each ceremony.resume): each step is
 * started and ended, or recorded as skipped (step.deviation), and a step a run repeats is
 * recorded as repeated first. So, read run by run: every step entry names a step of the script
 * with its action; within a run, steps start in script order, each at most once, one open at a
 * time; and the last run covers every step of the script, the step ceremony.end closes (co-sign)
 * last. Export is the engine's own, after ceremony.end, and is not in the transcript.
 */
import { readString } from '../../encoding/json-fields.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { fail, type Check } from '../check-list.ts';
import type { VerifyContext } from '../context.ts';

interface RunSteps {
  /** Script index of the last step started or skipped in this run. */
  last: number;
  open?: number;
  covered: Set<number>;
}

export const transcriptSteps: Check<VerifyContext> = {
  name: 'transcript-steps',
  needs: ['transcript-structure', 'script-hash'],
  run(ctx) {
    const steps = ctx.script!.script.steps;
    const indexOf = new Map(steps.map((s, i) => [s.id, i]));
    let run: RunSteps = { last: -1, covered: new Set() };
    let runs = 0;
    for (const e of ctx.transcript!.entries) {
      if (e.type === ENTRY.ceremonyStart || e.type === ENTRY.ceremonyResume) {
        if (e.type === ENTRY.ceremonyStart && runs > 0) fail(`ceremony.start (seq ${e.seq}) starts the ceremony a second time.`);
        run = { last: -1, covered: new Set() };
        runs++;
        continue;
      }
      const isStepEntry = e.type === ENTRY.stepStart || e.type === ENTRY.stepEnd || e.type === ENTRY.stepFailed || e.type === ENTRY.stepAborted || e.type === ENTRY.stepDeviation || e.type === ENTRY.ceremonyEnd;
      if (!isStepEntry) continue;
      const id = readString(e.body, 'step', `${e.type} entry`);
      const i = indexOf.get(id);
      const where = `${e.type} (seq ${e.seq})`;
      if (i === undefined) fail(`${where} names the step ${JSON.stringify(id)}, which is not in the script.`);
      if (e.type !== ENTRY.ceremonyEnd && e.body.action !== steps[i]!.action) fail(`${where} gives the step ${id} the action ${JSON.stringify(e.body.action)}; the script's is ${steps[i]!.action}.`);
      switch (e.type) {
        case ENTRY.stepStart:
          if (run.open !== undefined) fail(`${where} starts ${id} while ${steps[run.open]!.id} is still open.`);
          if (i <= run.last) fail(`${where} starts ${id} after ${steps[run.last]!.id} in the same run; the script runs it before.`);
          run.last = i;
          run.open = i;
          break;
        case ENTRY.stepEnd:
          if (run.open !== i) fail(`${where} ends ${id}, which was not started in this run.`);
          run.open = undefined;
          run.covered.add(i);
          break;
        case ENTRY.stepFailed:
          if (run.open !== i) fail(`${where} records ${id} as failed, which was not started in this run.`);
          run.open = undefined;
          break;
        case ENTRY.stepDeviation:
          // Inside its own open step, a deviation says what the step did instead (kept a checkpoint, skipped one participant).
          if (run.open === i) break;
          if (run.open !== undefined) fail(`${where} records a deviation for ${id} while ${steps[run.open]!.id} is open.`);
          if (e.body.kind === 'skipped') {
            // Skipped as a whole, without being started: it takes its place in the script's order.
            if (i <= run.last) fail(`${where} skips ${id} after ${steps[run.last]!.id} in the same run; the script runs it before.`);
            run.last = i;
            run.covered.add(i);
          } else if (i <= run.last) {
            // "repeated" comes just before the step starts again.
            fail(`${where} records a deviation for ${id} after ${steps[run.last]!.id} in the same run; the script runs it before.`);
          }
          break;
        case ENTRY.ceremonyEnd:
          if (run.open !== i) fail(`ceremony.end closes the step ${id}, which is not the step open at the end.`);
          run.covered.add(i);
          break;
        default:
          // step.aborted names the step an earlier run left open: it must be a step of the script (checked above).
          break;
      }
    }
    const missing = steps.filter((s, i) => s.action !== 'export' && !run.covered.has(i)).map((s) => s.id);
    if (missing.length > 0) fail(`The last run does not record the step(s) ${missing.join(', ')} of the script as done or skipped.`);
    return `every step entry is a step of the script; each of the ${runs} run(s) took the steps in the script's order, and the last covered all ${steps.length - 1} steps before export`;
  },
};
