/**
 * A trustee who brings the printed share card instead of the envelope file: a USB QR scanner
 * types each code on the card as one line into the box (it works like a keyboard, so the
 * air-gapped machine needs no camera). The main process (the recovery or the signing session)
 * joins the parts, checks them against this bundle and trustee, and saves the envelope next to
 * the bundle; the envelope field then points to it. The trustee compares the SHA-256 shown with the one printed on the card.
 */
import { useState } from 'react';
import type { ShareCardReadView } from '../../../core/ipc/contract.ts';
import { StatusLine, UNREACHABLE } from '../ui.tsx';

type Outcome = { state: 'idle' } | { state: 'reading' } | { state: 'read'; card: ShareCardReadView } | { state: 'refused'; message: string };

export function ShareCardScan({ ns, trusteeId, onRead }: { ns: 'recovery' | 'signing'; trusteeId: string; onRead: (envelope: string) => void }) {
  const api = window.keyrite!;
  const [scanned, setScanned] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ state: 'idle' });

  const read = async () => {
    setOutcome({ state: 'reading' });
    try {
      const r = await api[ns].readShareCard({ trusteeId, scanned });
      if (r.ok) {
        setOutcome({ state: 'read', card: r.value });
        onRead(r.value.envelope);
      } else setOutcome({ state: 'refused', message: r.message });
    } catch {
      setOutcome({ state: 'refused', message: UNREACHABLE });
    }
  };

  return (
    <div className="card-scan" data-testid={`card-scan-${trusteeId}`}>
      <label className="field">
        <span>QR codes scanned from {trusteeId}’s share card (the scanner types one line per code, in any order)</span>
        <textarea className="editor" value={scanned} onChange={(e) => setScanned(e.target.value)} rows={3} spellCheck={false} autoComplete="off" />
      </label>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void read()} disabled={outcome.state === 'reading' || scanned.trim().length === 0}>
          Read {trusteeId}’s card
        </button>
      </div>
      {outcome.state === 'read' && (
        <StatusLine tone="good" word="Card read">
          All {outcome.card.parts} {outcome.card.parts === 1 ? 'part' : 'parts'} read, {outcome.card.alreadySaved ? 'the same envelope as saved before' : 'envelope saved'} as {outcome.card.envelope}. Compare its SHA-256 with the card:{' '}
          <strong data-testid="card-sha256">
            {outcome.card.envelopeSha256}
          </strong>
        </StatusLine>
      )}
      {outcome.state === 'refused' && (
        <StatusLine tone="bad" word="Card not read">
          {outcome.message}
        </StatusLine>
      )}
    </div>
  );
}
