/**
 * Reshare rehearsals on copies of the run's shared demo (cheapest scrypt): the PINs of every token
 * a reshare opens (the master's, the trustees', the demo's trustee-6), and one run of
 * `keyrite ceremony run reshare-rehearsal.yaml` with the answers given.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess, type CliRun } from '../../helpers/cli.ts';

export const REHEARSAL_RESHARE = join(repoRoot, 'ceremony-scripts/reshare-rehearsal.yaml');

/** Every PIN of a demo copy a reshare needs: the master token's, trustees 1 to 5's and trustee-6's. */
export function resharePins(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ['master', 'recovery', ...[1, 2, 3, 4, 5].map((i) => `trustees/trustee-${i}`), 'reshare/trustee-6']) {
    for (const line of readFileSync(join(d, f, 'REHEARSAL-ONLY-passphrase.env'), 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
      if (m) out[m[1]!] = m[2]!;
    }
  }
  return out;
}

export function reshare(d: string, answers: string, out: string, env: Record<string, string>, script = REHEARSAL_RESHARE): Promise<CliRun> {
  return runInProcess(['ceremony', 'run', script, '--answers', join(d, answers), '--out', join(d, out), '--json'], undefined, env);
}
