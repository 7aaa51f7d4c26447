/**
 * split: createEscrow (core/escrow/escrow.ts) splits a fresh escrow key K 3-of-5 (not S),
 * seals E = XChaCha20-Poly1305(K, S), commits to every share, recombines every one of the
 * C(n, t) subsets and checks every envelope before anything leaves memory. The master seed S
 * is wiped as soon as the escrow holds it. The public manifest is written to the journal
 * folder (it goes into the bundle); the envelopes wait in memory for distribute.
 */
import { KeyriteError } from '../../errors.ts';
import { utf8 } from '../../bytes.ts';
import { toHex } from '../../encoding/hex.ts';
import { wipe } from '../../crypto/wipe.ts';
import { createEscrow } from '../../escrow/escrow.ts';
import { encodeManifest } from '../../escrow/manifest.ts';
import type { StepOf } from '../../script/script.ts';
import type { CeremonyRun } from '../run.ts';
import { JOURNAL_ESCROW } from '../journal.ts';
import { createOrSame, sha256Hex } from './common.ts';
import { ENTRY } from '../../bundle/entries.ts';

export const ESCROW_EPOCH = 0;

export function split(run: CeremonyRun, step: StepOf<'split'>): Promise<void> {
  return splitEpoch(run, step, ESCROW_EPOCH, {});
}

/** The split at `epoch`: a reshare splits the same key's escrow anew, one epoch after the one it supersedes (`recordMore` says which). */
export async function splitEpoch(run: CeremonyRun, step: StepOf<'split'>, epoch: number, recordMore: Record<string, unknown>): Promise<void> {
  const S = run.seed;
  const m = run.master;
  if (!S || !m) throw new KeyriteError('CEREMONY_ERROR', 'There is no master seed in memory to escrow; the script must generate the key first.');
  const quorum = run.script.quorum!;
  const trustees = run.checkedInTrustees();
  if (trustees.length !== quorum.n) throw new KeyriteError('CEREMONY_ERROR', `The escrow needs all ${quorum.n} trustees checked in; ${trustees.length} are.`);
  let created;
  try {
    created = await createEscrow({
      S,
      masterSigner: run.masterSigner(),
      masterFingerprint: m.fingerprint,
      trustees: trustees.map((t) => ({ id: t.id, name: t.name, fingerprint: t.fingerprint, xwingPublicKey: t.xwingPublicKey })),
      n: quorum.n,
      t: quorum.t,
      ceremonyId: run.ceremonyId,
      epoch,
    });
  } finally {
    // The escrow holds S now (or the split failed and the key is abandoned): S is no longer needed.
    wipe(S);
    run.seed = undefined;
  }
  const bytes = utf8(encodeManifest(created.manifest) + '\n');
  const path = `${JOURNAL_ESCROW}/${m.fingerprint.slice(0, 16)}.manifest.json`;
  await createOrSame(run, { root: 'out', path }, bytes);
  run.manifest = created.manifest;
  run.manifestBytes = bytes;
  run.envelopes = new Map(created.envelopes.map((e) => [e.header.trusteeId, e]));
  await run.record(ENTRY.escrowSplit, run.admin.id, {
    step: step.id,
    n: quorum.n,
    t: quorum.t,
    epoch,
    ...recordMore,
    suites: created.manifest.suites,
    manifest: path,
    manifestSha256: sha256Hex(bytes),
    subsetsChecked: created.verification.subsetsChecked,
    envelopeSignaturesChecked: created.verification.envelopeSignaturesChecked,
    shares: created.manifest.trustees.map((t) => ({ trusteeId: t.id, x: t.x, commitment: toHex(t.commitment) })),
  });
  run.progress({ kind: 'info', stepId: step.id, message: `Escrow split ${quorum.t}-of-${quorum.n}: all ${created.verification.subsetsChecked} subsets recombine; ${created.verification.envelopeSignaturesChecked} envelopes verified.` });
}
