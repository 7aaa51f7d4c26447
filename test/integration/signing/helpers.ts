/**
 * Fixtures for the signing integration tests: a `keyrite demo` output (made once per test file,
 * cheapest scrypt) copied per test, its signing rehearsal run with `keyrite ceremony run`, and
 * the PINs of every demo token (master included).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess, type CliRun } from '../../helpers/cli.ts';
import { readTranscript } from '../../../core/transcript/transcript.ts';
import type { TranscriptEntry } from '../../../core/transcript/entry.ts';
import { DemoCopies } from '../recovery/helpers.ts';

export const REHEARSAL_SIGNING = join(repoRoot, 'ceremony-scripts/signing-rehearsal.yaml');

/** Every PIN variable of a demo output (its REHEARSAL-ONLY-passphrase.env files), the master token's included. */
export function demoPins(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ['master', 'recovery', ...[1, 2, 3, 4, 5].map((i) => `trustees/trustee-${i}`)]) {
    for (const line of readFileSync(join(d, f, 'REHEARSAL-ONLY-passphrase.env'), 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
      if (m) out[m[1]!] = m[2]!;
    }
  }
  return out;
}

export async function signingCopies(prefix: string): Promise<DemoCopies & { allPins: Record<string, string> }> {
  const copies = await DemoCopies.make(prefix);
  return Object.assign(copies, { allPins: demoPins(copies.demo) });
}

/** `keyrite ceremony run signing-rehearsal.yaml --answers D/signing-answers.yaml --out D/OUT --json`. */
export function sign(d: string, out: string, pins: Record<string, string>, script = REHEARSAL_SIGNING): Promise<CliRun> {
  return runInProcess(['ceremony', 'run', script, '--answers', join(d, 'signing-answers.yaml'), '--out', join(d, out), '--json'], undefined, pins);
}

export function signingEntries(out: string): TranscriptEntry[] {
  return [...readTranscript(readFileSync(join(out, 'journal', 'transcript.jsonl'))).entries];
}
