/**
 * Recovery screen: open the original ceremony's bundle (its checks, quorum and trustees),
 * choose the escrow-recovery script, check the quorum in (the typed fingerprint, trustees with
 * their tokens, keyrings and envelopes, the new master token), then run the recovery engine in
 * the main process: PIN entry and witness confirmations as on the ceremony screen, "k of t"
 * share progress with every refused share named, and at the end the restored token, the
 * recovered fingerprint and the recovery bundle folder. The main process holds the state;
 * this screen shows the RecoveryView it publishes and sends the room's answers. The original
 * master fingerprint never reaches this screen (the main process keeps it and compares): the
 * quorum types it from their paper record, and a fingerprint on screen above the field would let
 * them copy it instead.
 */
import type { RecoveryOutcomeView, RecoveryPhase, RecoveryView } from '../../../core/ipc/contract.ts';
import { SecondStep } from '../SecondStep.tsx';
import type { Send } from '../ceremony/send.ts';
import { useSessionView } from '../ceremony/use-session.ts';
import { ScriptHash } from '../ceremony/ScriptHash.tsx';
import { Participants } from '../ceremony/Participants.tsx';
import { StepList } from '../ceremony/StepList.tsx';
import { PinEntry } from '../ceremony/PinEntry.tsx';
import { WitnessConfirm } from '../ceremony/WitnessConfirm.tsx';
import { Fingerprint } from '../audit/Fingerprint.tsx';
import { QuorumCheckIn } from '../recovery/QuorumCheckIn.tsx';
import { ScriptChooser } from '../ceremony/ScriptChooser.tsx';
import { RunHead } from '../ceremony/RunHead.tsx';
import { ScreenOpening } from '../focus.tsx';

export function Shares({ shares }: { shares: RecoveryView['shares'] }) {
  if (shares.needed === 0) return null;
  return (
    <div className="panel shares" data-testid="shares" data-accepted={shares.accepted} data-needed={shares.needed}>
      <h3>
        Shares: <span className="shares-count">{shares.accepted} of {shares.needed}</span> accepted
      </h3>
      <progress className="progress" max={shares.needed} value={Math.min(shares.accepted, shares.needed)} aria-label="Shares accepted" />
      {/* The log region is there before the first event, so that event is announced too; the list inside keeps its list role. */}
      <div role="log" aria-label="Shares accepted and refused">
        {shares.events.length > 0 && (
          <ul className="share-events">
            {shares.events.map((e, i) => (
              <li key={i} className={`share-event share-${e.outcome}`} data-trustee={e.trusteeId} data-outcome={e.outcome}>
                <span className="check-mark" aria-hidden="true">
                  {e.outcome === 'accepted' ? '✓' : '✗'}
                </span>
                <span>
                  <strong>{e.who}</strong>: {e.outcome === 'accepted' ? 'share accepted' : e.outcome === 'refused' ? `share REFUSED — ${e.reason}` : `share dropped — ${e.reason}`}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function Outcome({ outcome, send }: { outcome: RecoveryOutcomeView; send: Send }) {
  const api = window.keyrite!;
  return (
    <div className="panel readout outcome" data-testid="recovery-outcome">
      <h3>Master key recovered — read the fingerprint aloud</h3>
      <p className={outcome.matchesOriginal ? 'checks checks-good' : 'checks checks-bad'} data-testid="matches-original">
        {outcome.matchesOriginal ? '✓ It equals the original master fingerprint.' : '✗ It does NOT equal the original master fingerprint: do not use this key.'}
      </p>
      <Fingerprint fp={outcome.fingerprint} testid="recovered" />
      <p data-testid="restored">
        Restored onto token “{outcome.restored.tokenLabel}” (serial {outcome.restored.serial}) as “{outcome.restored.keyLabel}”, non-extractable; its test signature verifies.
      </p>
      <p>
        Shares combined: {outcome.used.join(', ')} · original ceremony {outcome.originalCeremonyId} · {outcome.anchored ? 'ANCHORED by the fingerprint typed' : 'NOT ANCHORED'}.
      </p>
      <p className="exported" data-testid="recovery-bundle">
        Recovery bundle: {outcome.bundleFolder}
      </p>
      <p className="readout-note">
        Checked from disk: {outcome.exportChecks.passed} of {outcome.exportChecks.total} checks passed. “keyrite verify” accepts this folder; the journal and co-signed checkpoints are in {outcome.runFolder}.
      </p>
      {outcome.exportedTo ? (
        <p className="exported" role="status" data-testid="exported">
          Recovery bundle exported and checked again at {outcome.exportedTo}
        </p>
      ) : (
        <div className="actions">
          <button type="button" className="primary" onClick={() => void send(() => api.recovery.export())}>
            Export the recovery bundle to a folder…
          </button>
        </div>
      )}
      <div className="finish">
        <SecondStep
          label="Finish and start over…"
          question="Finish this recovery and start over? Its result leaves this screen; the recovery bundle stays in its folder above."
          details={outcome.exportedTo ? undefined : <p className="readout-note">The recovery bundle has not been exported: export it first, or it stays only in the app’s run folder.</p>}
          yes="Yes, finish and start over"
          no="Keep the result"
          onYes={() => send(() => api.recovery.reset())}
          testid="confirm-finish"
        />
      </div>
    </div>
  );
}

const PHASE_TEXT: Record<RecoveryPhase, string> = {
  bundle: 'open the original ceremony’s bundle.',
  script: 'choose the escrow-recovery script.',
  'check-in': 'the quorum types the master fingerprint from paper and checks in.',
  ready: 'the quorum is checked in; start when the room is ready.',
  running: 'the recovery is running.',
  done: 'the master key is recovered; read its fingerprint aloud.',
  failed: 'the recovery stopped.',
};

export default function Recovery() {
  const api = window.keyrite!;
  const { view, problem, send } = useSessionView('recovery');

  if (!view) return <ScreenOpening title="Escrow recovery" text="Opening the recovery…" problem={problem} />;
  const { script, bundle } = view;
  const showBundle = bundle && (view.phase === 'bundle' || view.phase === 'script' || view.phase === 'check-in');
  return (
    <section className="ceremony recovery" aria-labelledby="recovery-title" data-testid="recovery" data-phase={view.phase}>
      <RunHead
        titleId="recovery-title"
        fallback="Escrow recovery"
        live="Live recovery"
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
          <h3>Open the original ceremony’s bundle</h3>
          <p className="readout-note">The public bundle of the root-keygen ceremony whose shares the trustees hold (the folder holding bundle.json).</p>
          <button type="button" className="primary" onClick={() => void send(() => api.recovery.openBundle({ pick: true }))}>
            Open the bundle folder…
          </button>
        </div>
      )}
      {showBundle && (
        <div className="panel readout" data-testid="original-bundle" data-verdict={bundle.verdict}>
          <h3>{bundle.verdict === 'valid' ? 'The original bundle verified' : 'This bundle did not verify'}</h3>
          {bundle.verdict === 'valid' ? (
            <p className="readout-note">
              {bundle.checksPassed} of {bundle.checksTotal} checks passed · {bundle.quorum ? `${bundle.quorum.t} of ${bundle.quorum.n} shares recover the key` : 'no escrow manifest'} · ceremony id {bundle.ceremonyId} · {bundle.folder}
            </p>
          ) : (
            <p className="problem" role="alert">
              {bundle.checksTotal - bundle.checksPassed} of {bundle.checksTotal} checks did not pass ({bundle.failed.join(', ')}). A recovery needs the intact bundle of the original ceremony: open another copy.
            </p>
          )}
          {bundle.verdict === 'valid' && (
            <p className="readout-note" data-testid="anchor-note">
              Its master fingerprint is not shown here: at check-in the quorum types it from their paper record of the ceremony, and Keyrite compares the two. Once the key is recovered, its fingerprint is shown to read aloud.
            </p>
          )}
        </div>
      )}
      {view.phase === 'script' && <ScriptChooser send={send} ns="recovery" title="Choose the escrow-recovery script" />}
      {view.phase === 'check-in' && script && bundle && (
        <>
          <ScriptHash script={script} />
          <QuorumCheckIn kind="recovery" script={script} bundle={bundle} send={send} />
        </>
      )}
      {view.phase === 'ready' && script && (
        <>
          <Participants participants={view.participants} />
          <div className="actions">
            <button type="button" className="primary" onClick={() => void send(() => api.recovery.start())}>
              Start the recovery
            </button>
            <button type="button" className="secondary" onClick={() => void send(() => api.recovery.reset())}>
              Start over
            </button>
          </div>
          <ScriptHash script={script} />
        </>
      )}
      {view.prompt?.kind === 'pin' && <PinEntry key={view.prompt.id} prompt={view.prompt} send={send} ns="recovery" />}
      {view.prompt?.kind === 'witness' && <WitnessConfirm key={view.prompt.id} prompt={view.prompt} send={send} ns="recovery" />}
      {view.phase === 'failed' && view.error && (
        <div className="stopped" role="alert" data-testid="recovery-error">
          <p>
            <strong>The recovery stopped.</strong> {view.error}
          </p>
          <button type="button" onClick={() => void send(() => api.recovery.reset())}>
            Start over
          </button>
        </div>
      )}
      {view.phase === 'done' && view.outcome && <Outcome outcome={view.outcome} send={send} />}
      {(view.phase === 'running' || view.phase === 'done' || view.phase === 'failed') && (
        <>
          <Shares shares={view.shares} />
          <StepList steps={view.steps} log={view.log} />
        </>
      )}
    </section>
  );
}
