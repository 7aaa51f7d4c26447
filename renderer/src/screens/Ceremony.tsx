/**
 * Ceremony screen: choose a script, read its hash aloud, check the participants in, then run
 * the engine in the main process step by step — PIN entry for each token's holder, witness
 * confirmations, deviations — and end with the master fingerprint, each trustee's share
 * receipt (and paper-backup words) and the export of the bundle. The first step also lists
 * interrupted ceremonies (a journal without a bundle) to resume. The main process holds the
 * state; this screen shows the CeremonyView it publishes and sends the room's answers.
 */
import { useSessionView } from '../ceremony/use-session.ts';
import { ScriptChooser } from '../ceremony/ScriptChooser.tsx';
import { ScriptHash } from '../ceremony/ScriptHash.tsx';
import { CheckIn } from '../ceremony/CheckIn.tsx';
import { Participants } from '../ceremony/Participants.tsx';
import { StepList } from '../ceremony/StepList.tsx';
import { PinEntry } from '../ceremony/PinEntry.tsx';
import { WitnessConfirm } from '../ceremony/WitnessConfirm.tsx';
import { Outcome } from '../ceremony/Outcome.tsx';
import { ShareReceipts } from '../ceremony/ShareReceipts.tsx';
import { InterruptedList } from '../ceremony/InterruptedList.tsx';
import { RunHead } from '../ceremony/RunHead.tsx';

export default function Ceremony() {
  const api = window.keyrite!;
  const { view, problem, send } = useSessionView('ceremony');

  if (!view) return <p className="readiness readiness-pending">{problem ?? 'Opening the ceremony…'}</p>;
  const script = view.script;
  return (
    <section className="ceremony" aria-labelledby="ceremony-title" data-testid="ceremony" data-phase={view.phase}>
      <RunHead titleId="ceremony-title" fallback="Ceremony" live="Live ceremony" script={script} current={view.phase === 'running' ? view.current : null} />
      {view.current && view.phase === 'running' && <progress className="progress" max={view.current.total} value={view.current.index} aria-label="Ceremony progress" />}
      {problem && (
        <p className="problem" role="alert" data-testid="problem">
          {problem}
        </p>
      )}
      {view.phase === 'choose' && (
        <>
          <ScriptChooser send={send} ns="ceremony" title="Choose the ceremony script" />
          <InterruptedList send={send} />
        </>
      )}
      {view.resuming && (view.phase === 'check-in' || view.phase === 'ready' || view.phase === 'running') && (
        <p className="readout-note" data-testid="resuming">
          Resuming ceremony {view.resuming.ceremonyId} ({view.resuming.folder}): check in the same participants with the same tokens.
        </p>
      )}
      {view.phase === 'check-in' && script && (
        <>
          <ScriptHash script={script} />
          <CheckIn script={script} send={send} />
        </>
      )}
      {view.phase === 'ready' && script && (
        <>
          <ScriptHash script={script} />
          <Participants participants={view.participants} />
          <div className="actions">
            <button type="button" className="primary" autoFocus onClick={() => void send(() => api.ceremony.start())}>
              Start the ceremony
            </button>
            <button type="button" className="secondary" onClick={() => void send(() => api.ceremony.reset())}>
              Choose another script
            </button>
          </div>
        </>
      )}
      {view.prompt?.kind === 'pin' && <PinEntry key={view.prompt.id} prompt={view.prompt} send={send} />}
      {view.prompt?.kind === 'witness' && <WitnessConfirm key={view.prompt.id} prompt={view.prompt} send={send} />}
      {view.phase === 'failed' && view.error && (
        <div className="stopped" role="alert" data-testid="ceremony-error">
          <p>
            <strong>The ceremony stopped.</strong> {view.error}
          </p>
          <button type="button" onClick={() => void send(() => api.ceremony.reset())}>
            Start over
          </button>
        </div>
      )}
      {view.phase === 'done' && view.outcome && (
        <>
          <Outcome outcome={view.outcome} send={send} />
          <ShareReceipts receipts={view.outcome.receipts} send={send} />
        </>
      )}
      {(view.phase === 'running' || view.phase === 'done' || view.phase === 'failed') && <StepList steps={view.steps} log={view.log} />}
    </section>
  );
}
