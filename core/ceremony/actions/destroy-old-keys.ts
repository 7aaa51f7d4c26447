/**
 * destroy-old-keys (reshare; docs/FORMATS.md "Reshare"): the superseded epoch must stop opening
 * the key. Each old holder who unlocked with their token destroys, on that token, the sealing key
 * of their OLD identity (without it their old trustee seed, hence the X-Wing key their old envelope
 * is sealed to, can never be opened again) and its signing key (C_DestroyObject; the software
 * token removes the object from its file); the token is asked again and the object must be gone.
 * Each destruction is recorded (key.destroy) before the next. Then the witness sees the old paper
 * backups and share cards of the holders present destroyed, and confirms; escrow.superseded
 * records the old epoch, every old holder and whether they attested destruction — those who
 * could not (no token here: lost, or absent) are named plainly, in the transcript and the bundle.
 */
import { KeyriteError } from '../../errors.ts';
import type { KeyRef } from '../../tokens/token.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import { epochRecord } from '../../escrow/epoch.ts';
import { tokenRecordOf, type CeremonyRun } from '../run.ts';
import { confirmWitness } from './common.ts';
import type { OldHolderStatus, ReshareState } from './reshare-state.ts';

async function destroyOne(run: CeremonyRun, step: StepOf<'destroy-old-keys'>, trusteeId: string, fingerprint: string, ref: KeyRef, kind: 'seal-key' | 'signing-key'): Promise<void> {
  const s = run.session(trusteeId);
  await run.ensureLoggedIn(s, trusteeId, step.id);
  const found = await s.token.findObject(ref.label);
  if (found !== undefined) {
    if (found.id !== ref.id) throw new KeyriteError('VERIFY_FAILED', `The token of ${run.whoIs(trusteeId)} holds another object under the label of their old ${kind === 'seal-key' ? 'sealing' : 'signing'} key; nothing was destroyed.`);
    await s.token.destroyObject(found);
  }
  if ((await s.token.findObject(ref.label)) !== undefined) throw new KeyriteError('TOKEN_ERROR', `The token of ${run.whoIs(trusteeId)} still holds their old ${kind === 'seal-key' ? 'sealing' : 'signing'} key after it was destroyed; the reshare stops here.`);
  await run.record(ENTRY.keyDestroy, trusteeId, { step: step.id, trusteeId, fingerprint, kind, token: tokenRecordOf(s.desc), ref: { ...ref }, gone: true, ...(found === undefined ? { note: 'not on the token any more when asked' } : {}) });
  run.progress({ kind: 'info', stepId: step.id, participantId: trusteeId, message: `${run.whoIs(trusteeId)}: old ${kind === 'seal-key' ? 'sealing' : 'signing'} key destroyed on their token (checked gone).` });
}

export async function destroyOldKeys(run: CeremonyRun, step: StepOf<'destroy-old-keys'>, st: ReshareState): Promise<void> {
  const manifest = st.manifest;
  if (!manifest || st.oldManifestSha256 === undefined) throw new KeyriteError('CEREMONY_ERROR', 'The superseded escrow is unknown in this run; the script must verify the current bundle first.');
  const missing = run.trusteeAnswers.filter((t) => !run.receipts.has(t.id));
  if (missing.length > 0) throw new KeyriteError('CEREMONY_ERROR', `The old keys are destroyed only once every new holder has confirmed their new share; missing: ${missing.map((t) => run.whoIs(t.id)).join(', ')}.`);
  for (const [id, old] of st.oldIdentities) {
    await destroyOne(run, step, id, old.record.fingerprint, old.keyring.sealKey, 'seal-key');
    await destroyOne(run, step, id, old.record.fingerprint, old.keyring.signingKey.ref, 'signing-key');
  }
  const paperPresent = new Set(run.answers.participants.filter((p) => p.role === 'paper-trustee').map((p) => p.id));
  const holders: OldHolderStatus[] = manifest.trustees.map((t) => {
    const withToken = st.oldIdentities.has(t.id);
    const present = withToken || paperPresent.has(t.id);
    const reason = withToken ? undefined : present ? 'no token here (offered the paper words): the old sealing key on their token could not be destroyed' : 'did not take part in the reshare: neither their old token nor their paper backup was destroyed here';
    return { trusteeId: t.id, fingerprint: t.fingerprint, token: withToken ? 'destroyed' : 'not-attested', paper: present ? 'destroyed' : 'not-attested', ...(reason ? { reason } : {}) };
  });
  const notAttested = holders.filter((h) => h.token !== 'destroyed' || h.paper !== 'destroyed');
  const summary = [
    `Epoch ${manifest.epoch} of this key's escrow is superseded by epoch ${manifest.epoch + 1}.`,
    ...holders.filter((h) => h.token === 'destroyed').map((h) => `${run.whoIs(h.trusteeId)}: old sealing and signing keys destroyed on their token (checked gone).`),
    'Witness: confirm that you saw the old paper backup and share card of each of these destroyed in front of you:',
    ...holders.filter((h) => h.paper === 'destroyed').map((h) => `  ${run.whoIs(h.trusteeId)}`),
    ...(notAttested.length > 0 ? ['COULD NOT ATTEST DESTRUCTION (their old share may still exist):', ...notAttested.map((h) => `  ${run.whoIs(h.trusteeId)}: ${h.reason ?? 'paper backup not destroyed here'}`)] : ['Every holder of the old epoch attested destruction.']),
  ];
  await confirmWitness(run, step, summary);
  st.holders = holders;
  await run.record(ENTRY.escrowSuperseded, run.admin.id, {
    step: step.id,
    ceremonyId: manifest.ceremonyId,
    epoch: manifest.epoch,
    manifestSha256: st.oldManifestSha256,
    by: { ceremonyId: run.ceremonyId, epoch: manifest.epoch + 1 },
    holders: holders.map((h) => ({ ...h })),
    notAttested: notAttested.map((h) => h.trusteeId),
    earlier: (st.superseded ?? []).map(epochRecord),
  });
}
