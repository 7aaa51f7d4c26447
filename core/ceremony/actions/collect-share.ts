/**
 * collect-share (escrow recovery): each trustee, one by one, opens their envelope (the file, or
 * the scan of their printed share card) with their token and PIN; checkOffer runs before the
 * share is accepted (the master key's signature, the header against the verified manifest, the
 * index, the commitment); progress "k of t" ("k, t needed" past t). A failing share is refused naming the trustee and
 * the reason; with fewer than t accepted shares the recovery stops before combining, naming
 * every refused share. Accepted shares stay in memory only (RecoveryState.offers).
 *
 * Then each trustee without a token (answers `paper-words`): the witness first attests them
 * (a witness.confirm naming the trustee, `paperShare`), then the words come from the environment
 * variable or hidden prompt the answers name and are checked before use (paper-share.ts: words
 * and checksum, ceremony words, share index); the share is accepted as `source: paper`, to be
 * combined only with token-checked shares (recovery.ts).
 */
import { KeyriteError } from '../../errors.ts';
import { fromUtf8 } from '../../bytes.ts';
import { wipe } from '../../crypto/wipe.ts';
import { parseEnvelope, type ShareEnvelope } from '../../escrow/envelope.ts';
import { openAndCheckOffer, ShareRejectedError, type ShareRejection } from '../../escrow/recovery.ts';
import { checkPaperWords } from '../../escrow/paper-share.ts';
import { supersededEnvelopeReason } from '../../escrow/epoch.ts';
import { readScannedShareCard } from '../../escrow/share-card-parts.ts';
import type { StepOf } from '../../script/script.ts';
import { ENTRY } from '../../bundle/entries.ts';
import type { CeremonyRun } from '../run.ts';
import type { FileRef } from '../types.ts';
import { confirmWitness, firstWitness } from './common.ts';
import type { RecoveryState } from './recovery-state.ts';

/** "2 of 3" up to the threshold; past it, "4, 3 needed" (more shares than needed let the subsets find a bad one). */
function sharesSoFar(accepted: number, needed: number): string {
  return accepted <= needed ? `${accepted} of ${needed}` : `${accepted}, ${needed} needed`;
}

export async function collectShares(run: CeremonyRun, step: StepOf<'collect-share'>, st: RecoveryState): Promise<void> {
  const manifest = st.manifest!;
  const t = manifest.t;
  const summary: string[] = [];
  const refuse = async (id: string, label: string, kind: ShareRejection['kind'], reason: string, source?: 'paper'): Promise<void> => {
    st.rejected.push({ trusteeId: id, label, kind, reason });
    await run.record(ENTRY.shareRejected, id, { step: step.id, trusteeId: id, ...(source ? { source } : {}), kind, reason });
    run.progress({ kind: 'warning', stepId: step.id, participantId: id, message: `Share of ${label} REFUSED: ${reason}. Still ${sharesSoFar(st.offers.length, t)}.`, share: { trusteeId: id, outcome: 'refused', reason, accepted: st.offers.length, needed: t } });
    summary.push(`${label}: share refused (${reason})`);
  };
  for (const ta of run.trusteeAnswers) {
    const label = run.whoIs(ta.id);
    const path = ta.envelope ?? ta.envelopeCard;
    if (path === undefined) throw new KeyriteError('ANSWERS_INVALID', `${label} needs "envelope" (or "envelope-card") in the answers file.`);
    const ref: FileRef = { root: 'answers', path };
    const found = await run.env.files.read(ref);
    if (found === undefined) throw new KeyriteError('IO_ERROR', `The share ${ta.envelope !== undefined ? 'envelope' : 'card scan'} of ${label} is missing: ${run.env.files.display(ref)}.`);
    const fail = (kind: ShareRejection['kind'], reason: string): Promise<void> => refuse(ta.id, label, kind, reason);
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
    const superseded = supersededEnvelopeReason(envelope.header, manifest, st.superseded ?? []);
    if (superseded !== undefined) {
      await fail('superseded-epoch', superseded);
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
    await run.record(ENTRY.shareAccepted, ta.id, { step: step.id, trusteeId: ta.id, x: offer.share.x, checks: ['signature', 'header', 'commitment', 'trustee'], progress: sharesSoFar(k, t) });
    run.progress({ kind: 'info', stepId: step.id, participantId: ta.id, message: `Share of ${label} accepted: ${sharesSoFar(k, t)}.`, share: { trusteeId: ta.id, outcome: 'accepted', accepted: k, needed: t } });
    summary.push(`${label}: share ${offer.share.x} accepted (${sharesSoFar(k, t)})`);
  }
  for (const p of run.paperTrustees) {
    const label = run.whoIs(p.id);
    const x = manifest.trustees.find((e) => e.id === p.id)?.x;
    await attestPaperShare(run, step, p.id, label, x);
    if (run.env.paperWords === undefined) throw new KeyriteError('UNSUPPORTED', `${label} offers paper words, which this face of Keyrite cannot take.`);
    const checked = checkPaperWords(manifest, p.id, await run.env.paperWords.get({ participantId: p.id, who: label, source: p.paperWords }));
    if (!checked.ok) {
      await refuse(p.id, label, checked.kind, checked.reason, 'paper');
      continue;
    }
    const offer = checked.offer;
    if (st.offers.some((o) => o.share.x === offer.share.x)) {
      wipe(offer.share.y);
      await refuse(p.id, label, 'paper-other-trustee', `a share with index ${offer.share.x} was already accepted from another trustee`, 'paper');
      continue;
    }
    st.offers.push(offer);
    const k = st.offers.length;
    await run.record(ENTRY.shareAccepted, p.id, { step: step.id, trusteeId: p.id, x: offer.share.x, source: 'paper', checks: ['checksum', 'ceremony', 'index'], progress: sharesSoFar(k, t) });
    run.progress({ kind: 'info', stepId: step.id, participantId: p.id, message: `Share of ${label} typed from paper words: checksum, ceremony and index check; accepted ${sharesSoFar(k, t)} (it is proven only when the escrow blob opens).`, share: { trusteeId: p.id, outcome: 'accepted', accepted: k, needed: t } });
    summary.push(`${label}: share ${offer.share.x} typed from paper words, checksum, ceremony and index checked (${sharesSoFar(k, t)}); no commitment on paper: proven when the escrow blob opens`);
  }
  if (st.offers.length < t) {
    const refused = st.rejected.map((r) => `the share of ${r.label} was refused: ${r.reason}`).join('; ');
    const signing = run.script.kind === 'signing';
    throw new ShareRejectedError(`${signing ? 'Unlocking the master key' : 'Recovery'} needs ${t} valid shares; only ${st.offers.length} ${st.offers.length === 1 ? 'was' : 'were'} accepted${refused ? ` (${refused})` : ''}. Nothing was combined or ${signing ? 'signed' : 'restored'}.`, st.rejected);
  }
  await confirmWitness(run, step, summary);
}


/**
 * The witness attests a trustee without a token before their words are typed: the one record of
 * their part, since they sign nothing. Recorded as a witness.confirm naming them (paperShare); a
 * refusal stops the unlock.
 */
async function attestPaperShare(run: CeremonyRun, step: StepOf<'collect-share'>, trusteeId: string, label: string, x: number | undefined): Promise<void> {
  const witness = firstWitness(run);
  if (!witness) throw new KeyriteError('ANSWERS_INVALID', `The share of ${label} comes from paper words, which a witness must attest, but the answers file names no witness.`);
  const summary = [
    `${label} has no token and offers share ${x ?? '?'} from their paper-backup words.`,
    'Check that this is the trustee in person, and that the words are typed where no one else can see them.',
    'They sign nothing: this confirmation is the record of their part.',
  ];
  const answer = await run.env.confirm({ stepId: step.id, title: `Attest the paper share of ${label}`, witness, summary });
  if (!answer.confirmed) {
    throw new KeyriteError('CEREMONY_ERROR', `The witness ${witness.name} (${witness.id}) did not attest the paper share of ${label}: ${answer.reason} Nothing was combined; run again to resume.`);
  }
  await run.record(ENTRY.witnessConfirm, witness.id, { step: step.id, witness: witness.id, name: witness.name, via: answer.via, summary, paperShare: trusteeId });
}
