/**
 * Each trustee's share receipt (index x, commitment check) and, where the script makes paper
 * backups, their paper-backup words, the one secret this screen shows. The main window may be
 * on a projector, so the words are fetched only after the room is private: the projector
 * blanked or switched to a private view and only that trustee at the screen (PrivateView).
 * They stay until the trustee confirms, in a second step, that they copied them; then they
 * are gone for good. "Hide them for now" takes them off the screen without that.
 */
import { useEffect, useRef, useState } from 'react';
import type { PaperWords, ReceiptView } from '../../../core/ipc/contract.ts';
import { announce } from '../focus.tsx';
import { SecondStep } from '../SecondStep.tsx';
import { useScrollIntoView } from './scroll.ts';
import type { Send } from './send.ts';

/** Asks for the private view before any secret appears; `onReady` runs once it is confirmed. */
function PrivateView({ name, onReady, onCancel }: { name: string; onReady: () => void; onCancel: () => void }) {
  const [confirmed, setConfirmed] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const show = () => (confirmed ? onReady() : setProblem(`Tick the box once the projector is blanked or private and only ${name} is at the screen.`));
  return (
    <div className="private-view" data-testid="private-view">
      <h4 ref={heading} tabIndex={-1}>
        Before {name}’s words appear
      </h4>
      <ol className="private-steps">
        <li>Blank the projector, or switch the display to a private view (mirroring off): the room must not see the words.</li>
        <li>Everyone but {name} steps back from this screen.</li>
      </ol>
      <label className="check">
        <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
        <span>The projector is blanked or switched to a private view, and only {name} is at the screen</span>
      </label>
      {problem && !confirmed && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={show}>
          Show the words now
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Not now
        </button>
      </div>
    </div>
  );
}

/** The words, all in view at once below the run header (in rows of four, as the printed share card has them); the warning takes the focus. */
function Words({ name, words, onCopied, onHide }: { name: string; words: string[]; onCopied: () => Promise<void>; onHide: () => void }) {
  const ref = useScrollIntoView<HTMLDivElement>((el) => el.querySelector<HTMLElement>('.paper-warning'));
  return (
    <div className="paper" data-testid="paper-words" ref={ref}>
      <p className="paper-warning" tabIndex={-1}>
        Secret: only {name} looks. Copy the {words.length} words onto the paper card by hand, then check them twice.
      </p>
      <ol className="paper-words">
        {words.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ol>
      <div className="actions">
        <SecondStep
          label="I have copied them…"
          question={`Hide ${name}’s words for good? The app cannot show them again: check all ${words.length} words on the card twice first.`}
          yes="Yes, hide them for good"
          no="Not yet"
          onYes={onCopied}
          testid="confirm-copied"
          className="primary"
        />
        <button type="button" className="secondary" onClick={onHide}>
          Hide them for now
        </button>
      </div>
    </div>
  );
}

export function ShareReceipts({ receipts, send }: { receipts: ReceiptView[]; send: Send }) {
  const api = window.keyrite!;
  const [asking, setAsking] = useState<string | null>(null);
  const [shown, setShown] = useState<PaperWords | null>(null);
  const show = async (trusteeId: string) => {
    setAsking(null);
    const r = await api.ceremony.paperWords({ trusteeId });
    if (r.ok) setShown(r.value);
    else await send(async () => r);
  };
  const copied = async (r: ReceiptView) => {
    if (await send(() => api.ceremony.paperCopied({ trusteeId: r.trusteeId }))) {
      setShown(null);
      announce(`${r.name}’s paper backup is recorded as copied; the words are gone from the screen.`);
    }
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
            {r.shareCard !== null ? (
              <p className="receipt-folder" data-testid="share-card">
                Share card to print for {r.name}, on a printer attached to this machine only: {r.shareCard}
              </p>
            ) : (
              <p className="receipt-folder">Their folder: {r.folder}</p>
            )}
            {r.paperBackup && r.paperCopied && <p className="ok-word">Paper backup copied.</p>}
            {r.paperBackup && !r.paperCopied && shown?.trusteeId !== r.trusteeId && asking !== r.trusteeId && (
              <button type="button" onClick={() => (setShown(null), setAsking(r.trusteeId))}>
                Show {r.name}’s paper-backup words
              </button>
            )}
            {asking === r.trusteeId && <PrivateView name={r.name} onReady={() => void show(r.trusteeId)} onCancel={() => setAsking(null)} />}
            {shown?.trusteeId === r.trusteeId && <Words key={r.trusteeId} name={r.name} words={shown.words} onCopied={() => copied(r)} onHide={() => setShown(null)} />}
          </li>
        ))}
      </ul>
    </div>
  );
}
