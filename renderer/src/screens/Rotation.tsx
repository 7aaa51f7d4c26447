/**
 * Rotation screen: open the current bundle (the root bundle, or the last rotation bundle; its
 * master fingerprint stays in the main process until the trustees have typed it from paper), see
 * the keys so far and their states at a glance, choose the rotation script, check every trustee
 * in (token, keyring, envelope of the current key, a new empty folder for the new share, dice),
 * then run the rotation engine in the main process as the Ceremony screen runs a root ceremony:
 * PIN entry and witness confirmations, "k of t" share progress for the unlock of the old key,
 * and at cross-sign the NEW fingerprint beside the OLD one (hex groups and words) to read aloud
 * before the witness confirms. The main process holds the state; this screen shows the
 * RotationView it publishes and sends the room's answers.
 */
import type { RotationPhase } from '../../../core/ipc/contract.ts';
import { useSessionView } from '../ceremony/use-session.ts';
import { ScriptHash } from '../ceremony/ScriptHash.tsx';
import { Participants } from '../ceremony/Participants.tsx';
import { StepList } from '../ceremony/StepList.tsx';
import { PinEntry } from '../ceremony/PinEntry.tsx';
import { WitnessConfirm } from '../ceremony/WitnessConfirm.tsx';
import { ScriptChooser } from '../ceremony/ScriptChooser.tsx';
import { RunHead } from '../ceremony/RunHead.tsx';
import { Shares } from './Recovery.tsx';
import { QuorumCheckIn } from '../recovery/QuorumCheckIn.tsx';
import { ScreenOpening } from '../focus.tsx';
import { CrossSign, KeyStatesGlance, RotationOutcome } from '../rotation/RotationParts.tsx';

const PHASE_TEXT: Record<RotationPhase, string> = {
  bundle: 'open the current bundle (the root bundle, or the last rotation bundle).',
  script: 'choose the rotation script.',
  'check-in': 'the trustees type the current master fingerprint from paper and check in.',
  ready: 'every trustee is checked in; start when the room is ready.',
  running: 'the rotation is running.',
  done: 'the master key is rotated.',
  failed: 'the rotation stopped.',
};

export default function Rotation() {
  const api = window.keyrite!;
  const { view, problem, send } = useSessionView('rotation');

  if (!view) return <ScreenOpening title="Key rotation" text="Opening the key rotation…" problem={problem} />;
  const { script, bundle, prompt, crossSign } = view;
  const before = view.phase === 'bundle' || view.phase === 'script' || view.phase === 'check-in';
  // The two fingerprints side by side inside the cross-sign step's witness prompt.
  const crossSignPrompt = prompt?.kind === 'witness' && crossSign !== null && prompt.stepId === crossSign.stepId;
  return (
    <section className="ceremony rotation" aria-labelledby="rotation-title" data-testid="rotation" data-phase={view.phase}>
      <RunHead
        titleId="rotation-title"
        fallback="Key rotation"
        live="Live rotation"
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
      {view.phase === 'bundle' && (
        <div className="panel" data-testid="bundle-open">
          <h3>Open the current bundle</h3>
          <p className="readout-note">The public bundle whose master key is rotated out: the root bundle, or the bundle of the last rotation (the folder holding bundle.json).</p>
          <button type="button" className="primary" onClick={() => void send(() => api.rotation.openBundle({ pick: true }))}>
            Open the bundle folder…
          </button>
        </div>
      )}
      {bundle && before && (
        <div className="panel readout" data-testid="original-bundle" data-verdict={bundle.verdict}>
          <h3>{bundle.verdict === 'valid' ? 'The current bundle verified' : 'This bundle did not verify'}</h3>
          {bundle.verdict === 'valid' ? (
            <p className="readout-note">
              {bundle.checksPassed} of {bundle.checksTotal} checks passed · {bundle.quorum ? `${bundle.quorum.t} of ${bundle.quorum.n} shares unlock the key` : 'no escrow manifest'} · ceremony id {bundle.ceremonyId} · {bundle.folder}
            </p>
          ) : (
            <p className="problem" role="alert">
              {bundle.checksTotal - bundle.checksPassed} of {bundle.checksTotal} checks did not pass ({bundle.failed.join(', ')}). A rotation needs the intact current bundle: open another copy.
            </p>
          )}
        </div>
      )}
      {view.chain && before && <KeyStatesGlance chain={view.chain} />}
      {view.phase === 'script' && <ScriptChooser send={send} ns="rotation" title="Choose the rotation script" />}
      {view.phase === 'check-in' && script && <ScriptHash script={script} />}
      {view.phase === 'check-in' && script && bundle && <QuorumCheckIn kind="rotation" script={script} bundle={bundle} send={send} />}
      {view.phase === 'ready' && script && (
        <>
          <ScriptHash script={script} />
          <Participants participants={view.participants} />
          <div className="actions">
            <button type="button" className="primary" onClick={() => void send(() => api.rotation.start())}>
              Start the rotation
            </button>
            <button type="button" className="secondary" onClick={() => void send(() => api.rotation.reset())}>
              Start over
            </button>
          </div>
        </>
      )}
      {prompt?.kind === 'pin' && <PinEntry key={prompt.id} prompt={prompt} send={send} ns="rotation" />}
      {prompt?.kind === 'witness' && (
        <WitnessConfirm key={prompt.id} prompt={prompt} send={send} ns="rotation">
          {crossSignPrompt ? <CrossSign crossSign={crossSign} /> : undefined}
        </WitnessConfirm>
      )}
      {view.phase === 'failed' && view.error && (
        <div className="stopped" role="alert" data-testid="rotation-error">
          <p>
            <strong>The rotation stopped.</strong> {view.error}
          </p>
          <button type="button" onClick={() => void send(() => api.rotation.reset())}>
            Start over
          </button>
        </div>
      )}
      {view.phase === 'done' && view.outcome && <RotationOutcome outcome={view.outcome} send={send} />}
      {(view.phase === 'running' || view.phase === 'done' || view.phase === 'failed') && (
        <>
          <Shares shares={view.shares} />
          <StepList steps={view.steps} log={view.log} />
        </>
      )}
    </section>
  );
}
