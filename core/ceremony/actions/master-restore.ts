/**
 * Resuming after the escrow is complete. The master seed existed only in memory, so a crash
 * after distribute loses the ML-DSA-65 half of the master key — but the escrow holds it: the
 * trustees (all in the room) open their envelopes with their tokens, recoverFromShares
 * (core/escrow/recovery.ts) checks every share against the manifest before combining, and S
 * must re-derive exactly the recorded master public keys. The classical half stays on the
 * master token (checked by the pre-check). This is the escrow proving itself, recorded as
 * key.restore.
 */
import { KeyriteError } from '../../errors.ts';
import { deriveMasterKeys } from '../../crypto/derive.ts';
import { wipe } from '../../crypto/wipe.ts';
import { assertSeedMatchesMasterKey, recoverFromShares, type OfferedShare } from '../../escrow/recovery.ts';
import { openEnvelope } from '../../escrow/envelope.ts';
import type { CeremonyRun } from '../run.ts';
import { loadEnvelope, requireManifest } from './escrow-files.ts';
import { ENTRY } from '../../bundle/entries.ts';

/** Makes sure the master ML-DSA-65 secret key is in memory, restoring it from the escrow after a resume. */
export async function requireMasterSecret(run: CeremonyRun, step: string): Promise<void> {
  const m = run.master;
  if (!m) throw new KeyriteError('CEREMONY_ERROR', 'The master key does not exist in this run yet; the script must generate it first.');
  if (m.mldsaSecretKey) return;
  const manifest = await requireManifest(run);
  const imported = run.previous?.masterImport;
  if (!imported) throw new KeyriteError('CEREMONY_ERROR', 'The master key was escrowed in an earlier run, but its import into the master token is not recorded; it cannot be completed.');
  run.progress({ kind: 'info', stepId: step, message: 'Restoring the master key from the escrow: each trustee opens their envelope with their token.' });
  const offers: OfferedShare[] = [];
  try {
    for (const t of run.trusteeAnswers) {
      const envelope = await loadEnvelope(run, t.id);
      await run.withTrusteeKeys(t.id, step, async ({ xwingSecretKey }) => {
        const opened = openEnvelope(envelope, xwingSecretKey);
        offers.push({ trusteeId: t.id, envelope, share: opened.share, salt: opened.salt });
      });
    }
    const result = await recoverFromShares({ manifest, masterPublicKey: m.publicKey, offered: offers });
    try {
      assertSeedMatchesMasterKey(result.seed, m.publicKey);
      const keys = deriveMasterKeys(result.seed);
      wipe(keys.ed25519.seed);
      m.mldsaSecretKey = keys.mldsa65.secretKey;
      m.tokenRef = imported.ref;
    } finally {
      wipe(result.seed);
    }
    await run.record(ENTRY.keyRestore, run.admin.id, {
      step,
      method: 'escrow',
      fingerprint: m.fingerprint,
      trustees: result.used,
      rejected: result.rejected.map((r) => ({ trusteeId: r.trusteeId, kind: r.kind, reason: r.reason })),
      reason: 'the run was resumed after the escrow was complete; the master seed was recovered from the trustees\' envelopes and re-derives the recorded master keys',
    });
  } finally {
    for (const o of offers) wipe(o.share.y, o.salt);
  }
}
