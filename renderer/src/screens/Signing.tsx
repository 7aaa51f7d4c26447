/**
 * Signing screen: open the root ceremony's bundle (its master fingerprint stays in the main
 * process until the quorum has typed it from paper), choose the signing script, open the
 * request and read it as a table checked against the script's caps (a refused request stops
 * here: nothing is unlocked), check the quorum in, then run the signing
 * engine in the main process: every trustee present and the witness confirm the request's digest
 * one by one (typing its first two words), PIN entry and witness confirmations as on the recovery
 * screen, "k of t" share progress, and at the end the documents signed with their SHA-256 and
 * the export of the signed documents and the signing bundle. A signing run stopped or interrupted
 * is resumed from the list beside the script chooser, once its root bundle is open. The main process holds the state;
 * this screen shows the SigningView it publishes and sends the room's answers.
 */
import type { SigningOutcomeView, SigningPhase } from '../../../core/ipc/contract.ts';
import type { Send } from '../ceremony/send.ts';
import { useSessionView } from '../ceremony/use-session.ts';
import { ScriptHash } from '../ceremony/ScriptHash.tsx';
import { Participants } from '../ceremony/Participants.tsx';
import { StepList } from '../ceremony/StepList.tsx';
import { PinEntry } from '../ceremony/PinEntry.tsx';
import { WitnessConfirm } from '../ceremony/WitnessConfirm.tsx';
import { ScriptChooser } from '../ceremony/ScriptChooser.tsx';
import { InterruptedList } from '../ceremony/InterruptedList.tsx';
import { RunHead } from '../ceremony/RunHead.tsx';
import { Fingerprint } from '../audit/Fingerprint.tsx';
import { Shares } from './Recovery.tsx';
import { RequestTable } from '../signing/RequestTable.tsx';
import { DocumentsTable } from '../signing/DocumentsTable.tsx';
import { DigestConfirm } from '../signing/DigestConfirm.tsx';
import { QuorumCheckIn } from '../recovery/QuorumCheckIn.tsx';
import { ScreenOpening } from '../focus.tsx';

function Outcome({ outcome, send }: { outcome: SigningOutcomeView; send: Send }) {
  const api = window.keyrite!;
  return (
    <div className="panel readout outcome" data-testid="signing-outcome">
      <h3>Signed by the master key</h3>
      <p className="checks checks-good" data-testid="signed-summary">
        ✓ {outcome.documents.length} {outcome.documents.length === 1 ? 'document' : 'documents'} signed for “{outcome.request.title}”; every signature verified before it was written.
      </p>
      <DocumentsTable documents={outcome.documents} testid="signed-documents" envelopes={true} />
      <p>
        Master key of root ceremony {outcome.originalCeremonyId} · {outcome.anchored ? 'ANCHORED by the fingerprint typed' : 'NOT ANCHORED'} · shares combined: {outcome.used.join(', ')}.
      </p>
      <Fingerprint fp={outcome.fingerprint} testid="signing-master" />
      <p className="exported" data-testid="signed-folder">
        Signed documents: {outcome.signedFolder}
      </p>
      <p className="exported" data-testid="signing-bundle">
        Signing bundle: {outcome.bundleFolder}
      </p>
      <p className="readout-note">
        Checked from disk: {outcome.exportChecks.passed} of {outcome.exportChecks.total} checks passed. “keyrite verify” accepts the bundle and “keyrite check-signature” each document; the journal is in {outcome.runFolder}.
      </p>
      {outcome.exportedTo ? (
        <p className="exported" role="status" data-testid="signing-exported">
          Exported and checked: {outcome.exportedTo}
        </p>
      ) : (
        <button type="button" className="primary" onClick={() => void send(() => api.signing.export({ pick: true }))}>
          Export the signed documents and the bundle…
        </button>
      )}
      <button type="button" className="secondary" onClick={() => void send(() => api.signing.reset())}>
        Finish and start over
      </button>
    </div>
  );
}

const PHASE_TEXT: Record<SigningPhase, string> = {
  bundle: 'open the root ceremony’s bundle.',
  script: 'choose the signing script.',
  request: 'open the signing request and check it.',
  'check-in': 'the quorum types the master fingerprint from paper and checks in.',
  ready: 'the quorum is checked in; start when the room is ready.',
  running: 'the signing ceremony is running.',
  done: 'the documents are signed.',
  failed: 'the signing ceremony stopped.',
};

export default function Signing() {
  const api = window.keyrite!;
  const { view, problem, send } = useSessionView('signing');

  if (!view) return <ScreenOpening title="Signing ceremony" text="Opening the signing ceremony…" problem={problem} />;
  const { script, bundle, request, prompt } = view;
  const before = view.phase === 'bundle' || view.phase === 'script' || view.phase === 'request' || view.phase === 'check-in';
  const digestPrompt = prompt?.kind === 'witness' && prompt.stepId === view.digestStep && request ? prompt : null;
  return (
    <section className="ceremony signing" aria-labelledby="signing-title" data-testid="signing" data-phase={view.phase}>
      <RunHead
        titleId="signing-title"
        fallback="Signing ceremony"
        live="Live signing"
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
          <h3>Open the root ceremony’s bundle</h3>
          <p className="readout-note">The public bundle of the root-keygen ceremony whose master key signs (the folder holding bundle.json).</p>
          <button type="button" className="primary" onClick={() => void send(() => api.signing.openBundle({ pick: true }))}>
            Open the bundle folder…
          </button>
        </div>
      )}
      {bundle && before && (
        <div className="panel readout" data-testid="original-bundle" data-verdict={bundle.verdict}>
          <h3>{bundle.verdict === 'valid' ? 'The root bundle verified' : 'This bundle did not verify'}</h3>
          {bundle.verdict === 'valid' ? (
            <p className="readout-note">
              {bundle.checksPassed} of {bundle.checksTotal} checks passed · {bundle.quorum ? `${bundle.quorum.t} of ${bundle.quorum.n} shares unlock the key` : 'no escrow manifest'} · ceremony id {bundle.ceremonyId} · {bundle.folder}
            </p>
          ) : (
            <p className="problem" role="alert">
              {bundle.checksTotal - bundle.checksPassed} of {bundle.checksTotal} checks did not pass ({bundle.failed.join(', ')}). A signing ceremony needs the intact bundle of the root ceremony: open another copy.
            </p>
          )}
          {bundle.verdict === 'valid' && (
            <p className="readout-note" data-testid="anchor-note">
              Its master fingerprint is not shown here: at check-in the quorum types it from their paper record of the root ceremony, and Keyrite compares the two.
            </p>
          )}
        </div>
      )}
      {view.phase === 'script' && <ScriptChooser send={send} ns="signing" title="Choose the signing script" />}
      {view.phase === 'script' && <InterruptedList send={send} ns="signing" />}
      {view.resuming && (view.phase === 'request' || view.phase === 'check-in' || view.phase === 'ready' || view.phase === 'running') && (
        <p className="readout-note" data-testid="resuming">
          Resuming signing run {view.resuming.ceremonyId} ({view.resuming.folder}): open the same request, and check in the same quorum with the same tokens.
        </p>
      )}
      {(view.phase === 'request' || view.phase === 'check-in') && script && <ScriptHash script={script} />}
      {(view.phase === 'request' || view.phase === 'check-in' || view.phase === 'ready') && request && <RequestTable request={request} />}
      {(view.phase === 'request' || view.phase === 'check-in') && (
        <div className="panel" data-testid="request-open">
          <h3>{request ? 'Open another request' : 'Open the signing request'}</h3>
          <p className="readout-note">The request file the requester sent (keyrite/signing-request/v1), inside {bundle?.baseFolder}. It is checked against this script’s limits before anything is unlocked.</p>
          <div className="actions">
            <button type="button" className={request ? 'secondary' : 'primary'} onClick={() => void send(() => api.signing.openRequest({ pick: true }))}>
              Open the request file…
            </button>
            {view.phase === 'request' && (
              <button type="button" className="secondary" onClick={() => void send(() => api.signing.reset())}>
                Start over
              </button>
            )}
          </div>
        </div>
      )}
      {view.phase === 'check-in' && script && bundle && <QuorumCheckIn kind="signing" script={script} bundle={bundle} send={send} />}
      {view.phase === 'ready' && script && (
        <>
          <ScriptHash script={script} />
          <Participants participants={view.participants} />
          <div className="actions">
            <button type="button" className="primary" onClick={() => void send(() => api.signing.start())}>
              Start the signing ceremony
            </button>
            <button type="button" className="secondary" onClick={() => void send(() => api.signing.reset())}>
              Start over
            </button>
          </div>
        </>
      )}
      {prompt?.kind === 'pin' && <PinEntry key={prompt.id} prompt={prompt} send={send} ns="signing" />}
      {digestPrompt && request && <DigestConfirm key={digestPrompt.id} prompt={digestPrompt} request={request} confirmed={view.digestConfirmed} send={send} />}
      {prompt?.kind === 'witness' && !digestPrompt && <WitnessConfirm key={prompt.id} prompt={prompt} send={send} ns="signing" />}
      {view.phase === 'failed' && view.error && (
        <div className="stopped" role="alert" data-testid="signing-error">
          <p>
            <strong>The signing ceremony stopped.</strong> {view.error}
          </p>
          <button type="button" onClick={() => void send(() => api.signing.reset())}>
            Start over
          </button>
        </div>
      )}
      {view.phase === 'done' && view.outcome && <Outcome outcome={view.outcome} send={send} />}
      {(view.phase === 'running' || view.phase === 'done' || view.phase === 'failed') && (
        <>
          {view.digestConfirmed.length > 0 && (
            <p className="readout-note" data-testid="digest-confirmations">
              Request digest confirmed by: {view.digestConfirmed.join(', ')}
            </p>
          )}
          <Shares shares={view.shares} />
          <StepList steps={view.steps} log={view.log} />
        </>
      )}
    </section>
  );
}
