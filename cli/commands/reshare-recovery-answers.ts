/**
 * The recovery answers a rehearsal reshare writes into its run folder (OUT/recovery-answers.yaml,
 * docs/CEREMONY-SCRIPTS.md "Reshare"): the first t holders of the NEW epoch, each with their token
 * (where the reshare's answers named it), their new keyring and envelope (in OUT/trustees/<id>),
 * the reshare bundle, and an empty rehearsal token in OUT/recovery that the recovery creates and
 * restores onto. The holders' tokens stay where they were, so every path is relative to the
 * nearest folder holding both the run folder and the reshare's answers folder (`base`).
 * Written once (never overwritten) and parsed back against the recovery script before it is kept.
 */
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { utf8 } from '../../core/bytes.ts';
import { KeyriteError } from '../../core/errors.ts';
import { parseAnswers, type Answers } from '../../core/ceremony/answers.ts';
import { encodeAnswers, type ParticipantEntry } from '../../core/ceremony/answers-writer.ts';
import { TRUSTEE_FILES } from '../../core/ceremony/journal.ts';
import type { ReshareOutcome } from '../../core/ceremony/kinds/reshare.ts';
import { ioError } from '../../core/node/durable-files.ts';
import { parseCeremonyScript } from '../../core/script/script.ts';
import { readShipped, RECOVERY_SCRIPT } from './demo.ts';

export const RESHARE_RECOVERY_ANSWERS = 'recovery-answers.yaml';
/** The environment variable the new rehearsal master token's passphrase comes from (the recovery creates that token with it). */
export const RESHARE_RECOVERY_PIN = 'KEYRITE_REHEARSAL_PIN_RESHARE_RECOVERY';

/** The folder both `a` and `b` lie in, nearest to them. */
function commonFolder(a: string, b: string): string {
  const pa = a.split(sep);
  const pb = b.split(sep);
  let n = 0;
  while (n < pa.length && n < pb.length && pa[n] === pb[n]) n++;
  return pa.slice(0, n).join(sep) || sep;
}

const posix = (p: string): string => p.split(sep).join('/');

/**
 * Writes OUT/recovery-answers.yaml for the new epoch; returns its path, or undefined when the
 * shipped recovery rehearsal script is for another quorum than the new epoch's (its answers would
 * not fit it). `answersDir` is the folder the reshare's answers were relative to.
 */
export async function writeReshareRecoveryAnswers(r: ReshareOutcome, answers: Answers, answersDir: string, outDir: string): Promise<string | undefined> {
  const recovery = parseCeremonyScript(await readShipped(RECOVERY_SCRIPT));
  const q = recovery.script.quorum;
  if (q?.n !== r.quorum.n || q.t !== r.quorum.t) return undefined;
  const baseDir = commonFolder(resolve(outDir), resolve(answersDir));
  const up = relative(resolve(outDir), baseDir);
  const at = (p: string): string => posix(relative(baseDir, p));
  const t = r.quorum.t;
  const holders: ParticipantEntry[] = r.trustees.slice(0, t).map((h) => {
    const a = answers.participants.find((p) => p.id === h.id && p.role === 'trustee');
    if (a?.role !== 'trustee' || a.token.kind !== 'software') throw new KeyriteError('ANSWERS_INVALID', `A rehearsal reshare's recovery answers name each holder's software token; the answers give none for ${h.id}.`);
    const pin = a.pin.kind === 'env' ? { env: a.pin.name } : { prompt: true as const };
    return { id: h.id, name: h.name, role: 'trustee', token: { software: at(resolve(answersDir, a.token.path)) }, pin, keyring: at(join(outDir, 'trustees', h.id, TRUSTEE_FILES.keyring)), envelope: at(join(outDir, 'trustees', h.id, TRUSTEE_FILES.envelope)) };
  });
  const others = answers.participants.filter((p) => p.role === 'administrator' || p.role === 'witness').map((p): ParticipantEntry => ({ id: p.id, name: p.name, role: p.role as 'administrator' | 'witness' }));
  const text = encodeAnswers({
    comment: [
      `REHEARSAL ONLY. Answers for recovering the master key from escrow epoch ${r.epoch} (the reshare ${r.ceremonyId}): ${holders.map((h) => h.id).join(', ')}`,
      `open their NEW envelopes with their tokens and the key is restored onto recovery/new-master.keyrite-token in this folder (created on first use, with the`,
      `passphrase in ${RESHARE_RECOVERY_PIN}). Every path below is relative to ${up === '' ? 'this folder' : `the folder "${posix(up)}" above this one (base)`}. Run it with`,
      `\`keyrite recover ceremony-scripts/${RECOVERY_SCRIPT} --bundle <this folder>/bundle --answers <this file> --out <new folder>\`.`,
    ],
    ...(up === '' ? {} : { base: posix(up) }),
    participants: [others.find((p) => p.role === 'administrator')!, ...holders, ...others.filter((p) => p.role === 'witness')],
    master: { token: { software: at(join(outDir, 'recovery', 'new-master.keyrite-token')) }, pin: { env: RESHARE_RECOVERY_PIN } },
    bundle: { path: at(join(outDir, 'bundle')), trust: r.master.fingerprint },
    confirm: recovery.script.steps.filter((s) => s.witness).map((s) => s.id),
  });
  // What is written must be what `keyrite recover` reads.
  parseAnswers(utf8(text), recovery);
  const path = join(outDir, RESHARE_RECOVERY_ANSWERS);
  try {
    await writeFile(path, text, { mode: 0o644, flag: 'wx' });
  } catch (e) {
    throw ioError('write', path, e);
  }
  return path;
}
