/**
 * verify-receipts: each trustee, with THEIR token, opens their envelope: the token unseals
 * their seed, the X-Wing key is derived, the envelope's master signature and header are
 * checked against the public manifest, the share is checked against its commitment, and the
 * trustee signs a receipt with their hybrid identity (token classical + derived ML-DSA-65)
 * (core/escrow/receipt.ts, Vault's `rekey -verify` idea). The ceremony verifies every receipt.
 * With `escrow.paper-backup: true` the trustee's share is also written to their own folder
 * as 34 checksummed words (core/escrow/paper-words.ts) — the one plaintext copy of a share
 * Keyrite ever writes, for the trustee's paper card, mode 0600.
 */
import { KeyriteError } from '../../errors.ts';
import { utf8 } from '../../bytes.ts';
import { fingerprintWords, fingerprint as asFingerprint, formatFingerprintHex } from '../../encoding/fingerprint.ts';
import { wipe } from '../../crypto/wipe.ts';
import { openEnvelope } from '../../escrow/envelope.ts';
import { createReceipt, receiptToJson, verifyReceipt } from '../../escrow/receipt.ts';
import { shareToWords } from '../../escrow/paper-words.ts';
import { shareCardPdf } from '../../escrow/share-card-pdf.ts';
import type { StepOf } from '../../script/script.ts';
import type { CeremonyRun } from '../run.ts';
import { confirmWitness, createOrSame, deviation, trusteeFile } from './common.ts';
import { loadEnvelope, requireManifest } from './escrow-files.ts';
import { ENTRY } from '../../bundle/entries.ts';

function paperCard(run: CeremonyRun, trusteeId: string, x: number, words: string[]): string {
  const fp = asFingerprint(Uint8Array.from(run.master!.fingerprint.match(/../g)!.map((b) => parseInt(b, 16))));
  const lines = [
    'KEYRITE SHARE - PAPER BACKUP - SECRET',
    ...(run.script.mode === 'rehearsal' ? ['REHEARSAL ONLY: this share protects a rehearsal key; never use it for anything real.'] : []),
    '',
    `Trustee:            ${run.whoIs(trusteeId)}`,
    `Ceremony id:        ${run.ceremonyId}`,
    `Share index (x):    ${x}`,
    `Master fingerprint: ${formatFingerprintHex(fp)}`,
    `                    ${fingerprintWords(fp).join(' ')}`,
    '',
    'Copy these 34 words onto paper by hand, check them twice, then destroy this file.',
    'The last 3 words are a checksum: Keyrite detects up to 3 wrong words and never guesses corrections.',
    '',
    ...words.map((w, i) => `${String(i + 1).padStart(2, ' ')}. ${w}`),
    '',
  ];
  return lines.join('\n');
}

/** The trustee's printable share card (PDF: envelope as QR parts, paper words where enabled), next to their envelope. */
async function writeShareCard(run: CeremonyRun, trusteeId: string, masterFingerprint: string, words: readonly string[] | undefined): Promise<void> {
  const envelopeFile = await run.env.files.read(trusteeFile(run, trusteeId, 'envelope'));
  if (envelopeFile === undefined) throw new KeyriteError('IO_ERROR', `The share envelope of ${run.whoIs(trusteeId)} is missing from their folder.`);
  const pdf = await shareCardPdf({
    trusteeId,
    trusteeName: run.trustee(trusteeId).name,
    ceremonyId: run.ceremonyId,
    masterFingerprint,
    rehearsal: run.script.mode === 'rehearsal',
    envelopeFile,
    ...(words ? { paperWords: words } : {}),
  });
  await createOrSame(run, trusteeFile(run, trusteeId, 'card'), pdf, { secret: true });
  pdf.fill(0);
}

export async function verifyReceipts(run: CeremonyRun, step: StepOf<'verify-receipts'>): Promise<void> {
  const manifest = await requireManifest(run);
  const master = run.master;
  if (!master) throw new KeyriteError('CEREMONY_ERROR', 'The master key is unknown in this run.');
  const summary: string[] = [];
  for (const t of run.trusteeAnswers) {
    const earlier = run.previous?.receipts.get(t.id);
    if (earlier) {
      run.receipts.set(t.id, earlier);
      await deviation(run, step, 'skipped', `${run.whoIs(t.id)} opened their envelope and signed a receipt in an earlier run; that receipt stands`, t.id);
      continue;
    }
    const envelope = await loadEnvelope(run, t.id);
    const record = run.trusteeRecord(t.id);
    run.progress({ kind: 'info', stepId: step.id, participantId: t.id, message: `${run.whoIs(t.id)} opens their envelope with their token.` });
    const receipt = await run.withTrusteeKeys(t.id, step.id, async ({ signer, xwingSecretKey }) => {
      const r = await createReceipt({ envelope, manifest, masterPublicKey: master.publicKey, trusteeSigner: signer, trusteeXWingSecretKey: xwingSecretKey });
      const v = verifyReceipt({ receipt: r, envelope, manifest, trusteePublicKey: record.publicKey });
      if (!v.valid) throw new KeyriteError('VERIFY_FAILED', `The receipt of ${run.whoIs(t.id)} does not verify: ${v.problems.join('; ')}.`);
      let words: string[] | undefined;
      if (run.script.escrow?.paperBackup) {
        const opened = openEnvelope(envelope, xwingSecretKey);
        try {
          words = shareToWords(run.ceremonyId, opened.share);
        } finally {
          wipe(opened.share.y, opened.salt);
        }
        const text = utf8(paperCard(run, t.id, envelope.header.x, words));
        await createOrSame(run, trusteeFile(run, t.id, 'paper'), text, { secret: true });
        text.fill(0);
      }
      try {
        await writeShareCard(run, t.id, master.fingerprint, words);
      } finally {
        words?.fill('');
      }
      return r;
    });
    const json = receiptToJson(receipt);
    run.receipts.set(t.id, json);
    await run.record(ENTRY.shareReceipt, t.id, {
      step: step.id,
      trusteeId: t.id,
      x: envelope.header.x,
      envelopeSha256: receipt.body.envelopeSha256,
      commitmentCheck: receipt.body.commitmentCheck,
      blobCheck: receipt.body.blobCheck,
      paperBackup: run.script.escrow?.paperBackup === true,
      receipt: json,
    });
    summary.push(`${run.whoIs(t.id)}: share ${envelope.header.x} matches its commitment; receipt signed and verified`);
  }
  await confirmWitness(run, step, summary);
}
