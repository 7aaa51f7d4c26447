/**
 * entropy: gathers the sources the script names, in the script's order —
 *   hsm           64 bytes from the master token's own generator (C_GenerateRandom),
 *   os            64 bytes from the operating system's CSPRNG (core/crypto/random.ts),
 *   trustee-dice  each contributing trustee's die rolls (values 1–6, one byte each),
 * and records only their names and lengths (core/crypto/entropy.ts describeSources). The bytes
 * stay in memory until generate mixes them into the master seed, then they are wiped.
 */
import { KeyriteError } from '../../errors.ts';
import { describeSources, type EntropySource } from '../../crypto/entropy.ts';
import { wipe } from '../../crypto/wipe.ts';
import type { StepOf } from '../../script/script.ts';
import type { CeremonyRun } from '../run.ts';
import { ENTRY } from '../../bundle/entries.ts';

export const ENTROPY_BYTES = 64;

export async function entropy(run: CeremonyRun, step: StepOf<'entropy'>): Promise<void> {
  const sources: EntropySource[] = [];
  const recorded: Record<string, unknown>[] = [];
  try {
    for (const kind of step.params.sources) {
      if (kind === 'hsm') {
        const s = run.session('master');
        await run.ensureLoggedIn(s, run.admin.id, step.id);
        if (!s.desc.capabilities.random) throw new KeyriteError('MECHANISM_UNSUPPORTED', `The master token "${s.desc.label}" has no random number generator of its own (CKF_RNG), but the script asks for it.`);
        sources.push({ name: 'master-token-rng', bytes: await s.token.randomBytes(ENTROPY_BYTES) });
        recorded.push({ source: 'hsm', name: 'master-token-rng', token: s.desc.uri });
      } else if (kind === 'os') {
        sources.push({ name: 'os-csprng', bytes: run.env.random(ENTROPY_BYTES) });
        recorded.push({ source: 'os', name: 'os-csprng' });
      } else {
        let contributions = 0;
        for (const t of run.trusteeAnswers) {
          if (t.dice === undefined) continue;
          sources.push({ name: `dice:${t.id}`, bytes: Uint8Array.from(t.dice) });
          // The answers' copy is secret too; it is used once.
          wipe(t.dice);
          recorded.push({ source: 'trustee-dice', name: `dice:${t.id}`, participantId: t.id });
          contributions++;
        }
        if (contributions === 0) throw new KeyriteError('ANSWERS_INVALID', 'The script mixes trustee dice into the master seed, but no trustee gave "entropy: { dice: … }" in the answers file.');
      }
    }
    const described = describeSources(sources);
    await run.record(ENTRY.entropyGather, run.admin.id, {
      step: step.id,
      sources: described.map((d, i) => ({ ...recorded[i], length: d.length })),
      note: 'names and lengths only; the values are never recorded',
    });
  } catch (e) {
    for (const s of sources) wipe(s.bytes);
    throw e;
  }
  for (const s of run.entropy ?? []) wipe(s.bytes);
  run.entropy = sources;
}
