/**
 * collect-share (escrow recovery): each trustee, one by one, opens their envelope (the file, or
 * the scan of their printed share card) with their token and PIN; checkOffer runs before the
 * share is accepted (the master key's signature, the header against the verified manifest, the
 * index, the commitment); progress "k of t". A failing share is refused naming the trustee and
 * the reason; with fewer than t accepted shares the recovery stops before combining, naming
 * every refused share. Accepted shares stay in memory only (RecoveryState.offers).
 */
import { KeyriteError } from '../../errors.ts';
import { fromUtf8 } from '../../bytes.ts';
import { wipe } from '../../crypto/wipe.ts';
import { parseEnvelope, type ShareEnvelope } from '../../escrow/envelope.ts';
import { openAndCheckOffer, ShareRejectedError, type ShareRejection } from '../../escrow/recovery.ts';
import { readScannedShareCard } from '../../escrow/share-card-parts.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import type { CeremonyRun } from '../run.ts';
import type { FileRef } from '../types.ts';
import { confirmWitness } from './common.ts';
import type { RecoveryState } from './recovery-state.ts';

export async function collectShares(run: CeremonyRun, step: StepOf<'collect-share'>, st: RecoveryState): Promise<void> {
  const manifest = st.manifest!;
  const t = manifest.t;
  const summary: string[] = [];
  for (const ta of run.trusteeAnswers) {
    const label = run.whoIs(ta.id);
    const path = ta.envelope ?? ta.envelopeCard;
    if (path === undefined) throw new KeyriteError('ANSWERS_INVALID', `${label} needs "envelope" (or "envelope-card") in the answers file.`);
    const ref: FileRef = { root: 'answers', path };
    const found = await run.env.files.read(ref);
    if (found === undefined) throw new KeyriteError('IO_ERROR', `The share ${ta.envelope !== undefined ? 'envelope' : 'card scan'} of ${label} is missing: ${run.env.files.display(ref)}.`);
    const fail = async (kind: ShareRejection['kind'], reason: string): Promise<void> => {
      st.rejected.push({ trusteeId: ta.id, label, kind, reason });
      await run.record(ENTRY.shareRejected, ta.id, { step: step.id, trusteeId: ta.id, kind, reason });
      run.progress({ kind: 'warning', stepId: step.id, participantId: ta.id, message: `Share of ${label} REFUSED: ${reason}. Still ${st.offers.length} of ${t}.`, share: { trusteeId: ta.id, outcome: 'refused', reason, accepted: st.offers.length, needed: t } });
      summary.push(`${label}: share refused (${reason})`);
    };
    let bytes = found;
    if (ta.envelopeCard !== undefined) {
      // The scanned card gives back the envelope file byte for byte; from here on it is an envelope like any other.
      try {
        bytes = readScannedShareCard(fromUtf8(found), { ceremonyId: manifest.ceremonyId, masterFingerprint: manifest.masterFingerprint, trusteeId: ta.id }).envelopeFile;
      } catch (e) {
        const why = e instanceof KeyriteError ? e.message.replace(/\.$/, '') : 'It is unreadable';
        await fail('malformed', `the share card scan cannot be used: ${why.charAt(0).toLowerCase()}${why.slice(1)}`);
        continue;
      }
    }
    let envelope: ShareEnvelope;
    try {
      envelope = parseEnvelope(fromUtf8(bytes).replace(/\n$/, ''));
    } catch (e) {
      await fail('malformed', `the share envelope is damaged (${e instanceof KeyriteError ? e.message : 'unreadable'})`);
      continue;
    }
    const opened = await run.withTrusteeKeys(ta.id, step.id, async ({ xwingSecretKey }) => openAndCheckOffer(manifest, st.masterPublicKey!, ta.id, envelope, xwingSecretKey));
    if (!opened.ok) {
      await fail(opened.kind, opened.reason);
      continue;
    }
    const offer = opened.offer;
    if (st.offers.some((o) => o.share.x === offer!.share.x)) {
      wipe(offer.share.y, offer.salt);
      run.progress({ kind: 'warning', stepId: step.id, participantId: ta.id, message: `${label}: a share with index ${offer.share.x} was already accepted; this duplicate is dropped.`, share: { trusteeId: ta.id, outcome: 'duplicate', reason: 'a share with the same index was already accepted', accepted: st.offers.length, needed: t } });
      continue;
    }
    st.offers.push(offer);
    const k = st.offers.length;
    await run.record(ENTRY.shareAccepted, ta.id, { step: step.id, trusteeId: ta.id, x: offer.share.x, checks: ['signature', 'header', 'commitment', 'trustee'], progress: `${k} of ${t}` });
    run.progress({ kind: 'info', stepId: step.id, participantId: ta.id, message: `Share of ${label} accepted: ${k} of ${t}.`, share: { trusteeId: ta.id, outcome: 'accepted', accepted: k, needed: t } });
    summary.push(`${label}: share ${offer.share.x} accepted (${k} of ${t})`);
  }
  if (st.offers.length < t) {
    const refused = st.rejected.map((r) => `the share of ${r.label} was refused: ${r.reason}`).join('; ');
    const signing = run.script.kind === 'signing';
    throw new ShareRejectedError(`${signing ? 'Unlocking the master key' : 'Recovery'} needs ${t} valid shares; only ${st.offers.length} ${st.offers.length === 1 ? 'was' : 'were'} accepted${refused ? ` (${refused})` : ''}. Nothing was combined or ${signing ? 'signed' : 'restored'}.`, st.rejected);
  }
  await confirmWitness(run, step, summary);
}

