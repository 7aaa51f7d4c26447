/**
 * Each trustee's share receipt (index x, commitment check) and, where the script makes paper
 * backups, their paper-backup words: shown to one trustee at a time, on request, and gone from
 * the screen once they confirm they copied them.
 */
import { useState } from 'react';
import type { PaperWords, ReceiptView } from '../../../core/ipc/contract.ts';
import type { Send } from './send.ts';

export function ShareReceipts({ receipts, send }: { receipts: ReceiptView[]; send: Send }) {
  const api = window.keyrite!;
  const [shown, setShown] = useState<PaperWords | null>(null);
  const show = async (trusteeId: string) => {
    const r = await api.ceremony.paperWords({ trusteeId });
    if (r.ok) setShown(r.value);
    else await send(async () => r);
  };
  const copied = async (trusteeId: string) => {
    if (await send(() => api.ceremony.paperCopied({ trusteeId }))) setShown(null);
  };
  return (
    <div className="panel" data-testid="receipts">
      <h3>Share receipts</h3>
      <ul className="receipts">
        {receipts.map((r) => (
          <li key={r.trusteeId} data-trustee={r.trusteeId}>
            <p className="receipt-line">
              <strong>{r.name}</strong> · share x = {r.x} ·{' '}
              {r.commitmentCheck === 'match' ? <span className="ok-word">matches its commitment</span> : <span className="bad-word">does NOT match its commitment</span>}
            </p>
            <p className="receipt-folder">Their folder: {r.folder}</p>
            {r.shareCard !== null && (
              <p className="receipt-folder" data-testid="share-card">
                Share card to print for {r.name}, on a printer attached to this machine only: {r.shareCard}
              </p>
            )}
            {r.paperBackup && r.paperCopied && <p className="ok-word">Paper backup copied.</p>}
            {r.paperBackup && !r.paperCopied && shown?.trusteeId !== r.trusteeId && (
              <button type="button" onClick={() => void show(r.trusteeId)}>
                Show {r.name}’s paper-backup words
              </button>
            )}
            {shown?.trusteeId === r.trusteeId && (
              <div className="paper" data-testid="paper-words">
                <p className="paper-warning">Secret: only {r.name} looks. Copy the {shown.words.length} words onto the paper card by hand, then check them twice.</p>
                <ol className="paper-words">
                  {shown.words.map((w, i) => (
                    <li key={i}>{w}</li>
                  ))}
                </ol>
                <button type="button" className="primary" autoFocus onClick={() => void copied(r.trusteeId)}>
                  I have copied them
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
