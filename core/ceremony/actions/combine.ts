/**
 * combine (escrow recovery): recoverFromShares (never fewer than t; K must open E; with more than
 * t shares a bad one is found by subsets and named), then S must re-derive exactly the published
 * Ed25519 and ML-DSA-65 keys. S is wiped at once; the derived master keys stay in memory
 * (Ed25519 until restore-to-token, ML-DSA-65 until the last signature).
 */
import { deriveMasterKeys } from '../../crypto/derive.ts';
import { wipe } from '../../crypto/wipe.ts';
import { assertSeedMatchesMasterKey, recoverFromShares } from '../../escrow/recovery.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { fingerprintHex, readableFingerprint } from '../../bundle/principals.ts';
import type { CeremonyRun } from '../run.ts';
import { confirmWitness } from './common.ts';
import type { RecoveryState } from './recovery-state.ts';

/** `keepSeed`: a reshare keeps S in run.seed for its new split (which wipes it). */
export async function combine(run: CeremonyRun, step: StepOf<'combine'>, st: RecoveryState, keepSeed = false): Promise<void> {
  const publicKey = st.masterPublicKey!;
  const result = await recoverFromShares({ manifest: st.manifest!, masterPublicKey: publicKey, offered: st.offers });
  let keys;
  try {
    assertSeedMatchesMasterKey(result.seed, publicKey);
    keys = deriveMasterKeys(result.seed);
  } finally {
    if (!keepSeed || keys === undefined) wipe(result.seed);
  }
  if (keepSeed) run.seed = result.seed;
  const fingerprint = fingerprintHex(publicKey);
  run.master = { publicKey, fingerprint, edSeed: keys.ed25519.seed, mldsaSecretKey: keys.mldsa65.secretKey };
  st.recoveredFingerprint = fingerprintHex({ classical: { alg: 'Ed25519', publicKey: keys.ed25519.publicKey }, pq: { alg: 'ML-DSA-65', publicKey: keys.mldsa65.publicKey } });
  st.used = result.used;
  st.paper = result.paper;
  st.rejected.push(...result.rejected);
  await run.record(ENTRY.keyRestore, run.admin.id, {
    step: step.id,
    method: 'escrow',
    fingerprint,
    trustees: result.used,
    ...(result.paper.length > 0 ? { paperShares: result.paper } : {}),
    rejected: result.rejected.map((r) => ({ trusteeId: r.trusteeId, kind: r.kind, reason: r.reason })),
    subsetsTried: result.subsetsTried,
    checks: { blobOpened: true, rederivesPublishedKeys: true },
  });
  run.progress({ kind: 'info', stepId: step.id, message: `Combined ${result.used.length} shares${result.paper.length > 0 ? ` (${result.paper.length} typed from paper words, now proven by the escrow blob)` : ''}; the escrow blob opened and the seed re-derives the published Ed25519 and ML-DSA-65 keys.` });
  await confirmWitness(run, step, [`Shares of ${result.used.map((id) => run.whoIs(id)).join(', ')} combined; the key re-derives master ${readableFingerprint(fingerprint).hexGroups}.`]);
}

