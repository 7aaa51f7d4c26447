/**
 * distribute: each trustee's share envelope (sealed to their X-Wing key, signed by the master
 * key) is written to THAT trustee's own folder — never into the bundle — and its hash is
 * recorded. Once every envelope is durable the escrow is complete: a crash after this point
 * can be resumed by recovering the master seed from the envelopes (docs/CEREMONY-SCRIPTS.md).
 */
import { KeyriteError } from '../../errors.ts';
import { utf8 } from '../../bytes.ts';
import { toHex } from '../../encoding/hex.ts';
import { encodeEnvelope, envelopeHash } from '../../escrow/envelope.ts';
import type { StepOf } from '../../script/script.ts';
import type { CeremonyRun } from '../run.ts';
import { createOrSame, trusteeFile } from './common.ts';
import { ENTRY } from '../../bundle/entries.ts';

export async function distribute(run: CeremonyRun, step: StepOf<'distribute'>): Promise<void> {
  if (run.envelopes.size === 0) throw new KeyriteError('CEREMONY_ERROR', 'There are no envelopes to distribute; the script must split the escrow first.');
  for (const t of run.trusteeAnswers) {
    const env = run.envelopes.get(t.id);
    if (!env) throw new KeyriteError('CEREMONY_ERROR', `There is no envelope for ${run.whoIs(t.id)}.`);
    const ref = trusteeFile(run, t.id, 'envelope');
    await createOrSame(run, ref, utf8(encodeEnvelope(env) + '\n'), { secret: true });
    const sha = toHex(envelopeHash(env));
    run.distributed.set(t.id, sha);
    await run.record(ENTRY.escrowDistribute, run.admin.id, { step: step.id, trusteeId: t.id, x: env.header.x, envelopeSha256: sha, path: ref.path });
    run.progress({ kind: 'info', stepId: step.id, participantId: t.id, message: `Envelope for ${run.whoIs(t.id)} written to their folder ${ref.path}.` });
  }
}
