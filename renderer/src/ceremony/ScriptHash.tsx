/** The script's SHA-256 as hex groups and as words: read aloud and compared with the printed copy before anything starts. */
import type { ScriptView } from '../../../core/ipc/contract.ts';

export function ScriptHash({ script }: { script: ScriptView }) {
  return (
    <div className="panel readout" data-testid="script-hash">
      <h3>Read the script’s fingerprint aloud</h3>
      <p className="readout-note">
        Everyone compares it with their printed copy of <strong>{script.file}</strong> ({script.quorum.t} of {script.quorum.n} trustees to recover, {script.steps.length} steps).
      </p>
      <p className="hex-groups" aria-label="SHA-256 in hex groups">
        {script.hexGroups}
      </p>
      <ol className="words">
        {script.words.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ol>
    </div>
  );
}
