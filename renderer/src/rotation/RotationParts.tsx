/**
 * The Rotation screen's own pieces: the key states the current bundle publishes, at a glance (no
 * fingerprints: the trustees type the current one from paper at check-in), the two fingerprints
 * side by side at cross-sign (old, deprecated; new, active) to read aloud before the witness
 * confirms, and the outcome.
 */
import type { RotationCrossSignView, RotationKeyView, RotationOutcomeView, RotationView } from '../../../core/ipc/contract.ts';
import type { Send } from '../ceremony/send.ts';
import { Fingerprint } from '../audit/Fingerprint.tsx';
import { when } from '../audit/ChainDrawing.tsx';

const STATE_WORD = { active: 'ACTIVE', deprecated: 'DEPRECATED', retired: 'RETIRED', revoked: 'REVOKED' } as const;

function keyDates(k: RotationKeyView): string {
  if (k.state === 'active') return `signs; active since ${when(k.since)}`;
  if (k.state === 'deprecated') return `verify-only until ${when(k.until!)}`;
  if (k.state === 'revoked') return `revoked at ${when(k.revokedAt!)}`;
  return k.until ? `its grace period ended ${when(k.until)}` : `since ${when(k.since)}`;
}

export function KeyStatesGlance({ chain }: { chain: NonNullable<RotationView['chain']> }) {
  return (
    <div className="panel" data-testid="rotation-chain">
      <h3>The keys so far, as the current bundle publishes them</h3>
      <ol className="chain-drawing" aria-label="Master keys, newest first">
        {chain.keys.map((k, i) => (
          <li key={k.ceremonyId} className={`chain-link chain-state-${k.state}`} data-testid="rotation-key" data-state={k.state}>
            <p className="chain-kind">{i === 0 ? 'Current key (to be rotated out)' : `Older key ${i}`}</p>
            <p className="chain-state">
              <strong>{STATE_WORD[k.state]}</strong> {keyDates(k)}
            </p>
            <p className="chain-meta">Made by ceremony {k.ceremonyId}</p>
          </li>
        ))}
      </ol>
      <p className="readout-note">
        {chain.kind === 'rotation' ? 'The current bundle is a rotation bundle: its signed key states list every key of the chain.' : 'The current bundle is the root bundle: its key is the first of the chain.'} No fingerprint is shown here: at check-in the trustees type the current one from their paper record, and Keyrite compares the two. To check the whole chain from the root fingerprint, use the Audit screen.
      </p>
    </div>
  );
}

/** Inside the cross-sign witness prompt: what the room reads aloud before the witness confirms. */
export function CrossSign({ crossSign }: { crossSign: RotationCrossSignView }) {
  return (
    <div className="cross-sign" data-testid="cross-sign">
      <p className="readout-note">Read both fingerprints aloud; the key states take effect at {when(crossSign.at)}.</p>
      <div className="side-by-side">
        <div data-testid="cross-sign-old">
          <h4>OLD master key — deprecated, verify-only until {when(crossSign.until)}</h4>
          <Fingerprint fp={crossSign.previous} testid="old-fingerprint" />
        </div>
        <div data-testid="cross-sign-new">
          <h4>NEW master key — active</h4>
          <Fingerprint fp={crossSign.next} testid="new-fingerprint" />
        </div>
      </div>
    </div>
  );
}

export function RotationOutcome({ outcome, send }: { outcome: RotationOutcomeView; send: Send }) {
  const api = window.keyrite!;
  return (
    <div className="panel readout outcome" data-testid="rotation-outcome">
      <h3>The master key is rotated</h3>
      <p className="checks checks-good">
        ✓ Rotation {outcome.ceremonyId} at {when(outcome.rotatedAt)}, signed by the old key, the new key and every trustee; {outcome.exportChecks.passed} of {outcome.exportChecks.total} checks of the bundle passed from disk.
      </p>
      <div className="side-by-side">
        <div>
          <h4>NEW master key — active (key label {outcome.next.keyLabel})</h4>
          <Fingerprint fp={outcome.next} testid="outcome-new" />
        </div>
        <div>
          <h4>OLD master key — verify-only until {when(outcome.previous.until)}</h4>
          <Fingerprint fp={outcome.previous} testid="outcome-old" />
        </div>
      </div>
      <p>
        Built on ceremony {outcome.originalCeremonyId} · {outcome.anchored ? 'ANCHORED by the fingerprint typed' : 'NOT ANCHORED'} · old key unlocked by the shares of {outcome.used.join(', ')}.
      </p>
      <p className="exported" data-testid="rotation-bundle">
        Rotation bundle: {outcome.bundleFolder}
      </p>
      <p className="readout-note">Each trustee takes their new share from their new folder (paths relative to the folder holding the current bundle):</p>
      <ul className="readout-note" data-testid="rotation-new-shares">
        {outcome.trustees.map((t) => (
          <li key={t.id}>
            {t.name} ({t.id}): {t.files.join(', ')}
          </li>
        ))}
      </ul>
      <p className="readout-note">Publish the bundle beside the earlier ones; “keyrite verify ROOT … THIS --trust ROOT” follows the chain. The journal is in {outcome.runFolder}.</p>
      <button type="button" className="secondary" onClick={() => void send(() => api.rotation.reset())}>
        Finish and start over
      </button>
    </div>
  );
}
