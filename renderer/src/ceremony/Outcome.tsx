/** The end of the ceremony: the master fingerprint to read aloud, the bundle's checks and its export. */
import type { CeremonyOutcome } from '../../../core/ipc/contract.ts';
import type { Send } from './send.ts';

export function Outcome({ outcome, send }: { outcome: CeremonyOutcome; send: Send }) {
  const api = window.keyrite!;
  const passed = outcome.checks.filter((c) => c.ok).length;
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
        <button type="button" className="primary" onClick={() => void send(() => api.ceremony.export())}>
          Export the bundle to a folder…
        </button>
      )}
      <button type="button" className="secondary" onClick={() => void send(() => api.ceremony.reset())}>
        Finish and start over
      </button>
    </div>
  );
}
