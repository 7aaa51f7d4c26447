/** The end of the ceremony: the master fingerprint to read aloud, the bundle's checks, its export, and finishing (a second step that says what would be lost). */
import type { CeremonyOutcome } from '../../../core/ipc/contract.ts';
import { SecondStep } from '../SecondStep.tsx';
import type { Send } from './send.ts';

/** What finishing now would drop: the export not made, paper words not copied. */
function unfinished(outcome: CeremonyOutcome): string[] {
  const out: string[] = [];
  if (!outcome.exportedTo) out.push('The bundle has not been exported: export it first, or it stays only in the app’s run folder.');
  const notCopied = outcome.receipts.filter((r) => r.paperBackup && !r.paperCopied).length;
  if (notCopied > 0) out.push(`${notCopied} ${notCopied === 1 ? 'trustee has' : 'trustees have'} not copied their paper-backup words: the app cannot show them again.`);
  return out;
}

export function Outcome({ outcome, send }: { outcome: CeremonyOutcome; send: Send }) {
  const api = window.keyrite!;
  const passed = outcome.checks.filter((c) => c.ok).length;
  const open = unfinished(outcome);
  return (
    <div className="panel readout outcome" data-testid="outcome">
      <h3>Master key fingerprint — read it aloud</h3>
      <p className="hex-groups" data-testid="fingerprint-hex">
        {outcome.hexGroups}
      </p>
      <ol className="words" data-testid="fingerprint-words">
        {outcome.words.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ol>
      <p>
        Key “{outcome.keyLabel}” · ceremony {outcome.ceremonyId} · {outcome.transcriptEntries} transcript entries.
      </p>
      <p className={passed === outcome.checks.length ? 'checks checks-good' : 'checks checks-bad'}>
        The bundle was re-read from disk: {passed} of {outcome.checks.length} checks passed.
      </p>
      <p data-testid="archive-sha256">
        The same bundle as one file (bundle.keyrite.tar), checked the same way. Its SHA-256, to publish beside it: <code>{outcome.archive.hexGroups}</code> — {outcome.archive.words.join(' ')}
      </p>
      {outcome.exportedTo ? (
        <p className="exported" role="status" data-testid="exported">
          Bundle exported and checked again at {outcome.exportedTo}, with its archive {outcome.exportedTo}.keyrite.tar
        </p>
      ) : (
        <div className="actions">
          <button type="button" className="primary" onClick={() => void send(() => api.ceremony.export())}>
            Export the bundle to a folder…
          </button>
        </div>
      )}
      <div className="finish">
        <SecondStep
          label="Finish and start over…"
          question="Finish this ceremony and start over? Its result leaves this screen for good."
          details={
            open.length > 0 ? (
              <ul className="unfinished">
                {open.map((l) => (
                  <li key={l}>{l}</li>
                ))}
              </ul>
            ) : (
              <p className="readout-note">The bundle is exported and every paper backup is copied.</p>
            )
          }
          yes="Yes, finish and start over"
          no="Keep the result"
          onYes={() => send(() => api.ceremony.reset())}
          testid="confirm-finish"
        />
      </div>
    </div>
  );
}
