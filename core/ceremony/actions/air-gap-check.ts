/**
 * air-gap-check: evaluates the machine's network interfaces (core/airgap/status.ts) and
 * records the result. A non-loopback interface that is up stops the ceremony when the
 * script says `air-gap: block`, and is recorded as a warning with `air-gap: warn`.
 */
import { KeyriteError } from '../../errors.ts';
import { evaluateAirGap } from '../../airgap/status.ts';
import type { StepOf } from '../../script/script.ts';
import type { CeremonyRun } from '../run.ts';
import { ENTRY } from '../../bundle/entries.ts';

export async function airGapCheck(run: CeremonyRun, step: StepOf<'air-gap-check'>): Promise<void> {
  const status = evaluateAirGap(await run.env.networkInterfaces());
  const policy = run.script.airGap;
  const outcome = status.isolated ? 'pass' : policy === 'block' ? 'block' : 'warn';
  await run.record(ENTRY.airgapCheck, run.admin.id, {
    step: step.id,
    policy,
    isolated: status.isolated,
    outcome,
    interfaces: status.interfaces.map((i) => ({ name: i.name, addresses: i.addresses, linkLocalOnly: i.linkLocalOnly })),
    summary: status.summary,
  });
  if (outcome === 'block') {
    throw new KeyriteError('CEREMONY_ERROR', `Air-gap check failed: ${status.summary} This script requires an air-gapped machine (air-gap: block), so the ceremony stopped before anything else happened.`);
  }
  if (outcome === 'warn') run.progress({ kind: 'warning', stepId: step.id, message: `${status.summary} The script only warns (air-gap: warn); the warning is recorded in the transcript.` });
}
