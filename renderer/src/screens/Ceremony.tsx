/**
 * Ceremony screen: choose a script, read its hash aloud, check the participants in, then run
 * the engine in the main process step by step — PIN entry for each token's holder, witness
 * confirmations, deviations — and end with the master fingerprint, each trustee's share
 * receipt (and paper-backup words) and the export of the bundle. The first step also lists
 * interrupted ceremonies (a journal without a bundle) to resume. The main process holds the
 * state; this screen shows the CeremonyView it publishes and sends the room's answers. The run
 * header stays at the top of the window; once done, the step list folds away.
 */
import type { CeremonyPhase } from '../../../core/ipc/contract.ts';
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
import { ScriptTools } from '../ceremony/ScriptTools.tsx';
import { ScreenOpening } from '../focus.tsx';

const PHASE_TEXT: Record<CeremonyPhase, string> = {
  choose: 'choose the ceremony script.',
  'check-in': 'read the script’s fingerprint aloud, then check everyone in.',
  ready: 'everyone is checked in; start when the room is ready.',
  running: 'the ceremony is running.',
  done: 'the ceremony is complete; read the master fingerprint aloud.',
  failed: 'the ceremony stopped.',
};

export default function Ceremony() {
  const api = window.keyrite!;
  const { view, problem, send } = useSessionView('ceremony');

  if (!view) return <ScreenOpening title="Ceremony" text="Opening the ceremony…" problem={problem} />;
  const script = view.script;
  return (
    <section className="ceremony" aria-labelledby="ceremony-title" data-testid="ceremony" data-phase={view.phase}>
      <RunHead
        titleId="ceremony-title"
        fallback="Ceremony"
        live="Live ceremony"
        script={script}
        phase={view.phase}
        phaseText={PHASE_TEXT[view.phase]}
        current={view.phase === 'running' ? view.current : null}
        steps={view.steps}
        prompt={view.prompt}
        participants={view.participants}
      />
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
          <ScriptTools script={script} />
        </>
      )}
      {view.phase === 'ready' && script && (
        <>
          <Participants participants={view.participants} />
          <div className="actions">
            <button type="button" className="primary" onClick={() => void send(() => api.ceremony.start())}>
              Start the ceremony
            </button>
            <button type="button" className="secondary" onClick={() => void send(() => api.ceremony.reset())}>
              Choose another script
            </button>
          </div>
          <ScriptHash script={script} />
          <ScriptTools script={script} />
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
      {(view.phase === 'running' || view.phase === 'done' || view.phase === 'failed') && <StepList steps={view.steps} log={view.log} folded={view.phase === 'done'} />}
    </section>
  );
}
