/** The head of a run screen (ceremony, recovery): the script's name, rehearsal or live, and "Step i of n" while it runs. */
import type { ScriptView } from '../../../core/ipc/contract.ts';

export function RunHead({ titleId, fallback, live, script, current }: { titleId: string; fallback: string; live: string; script: ScriptView | null; current: { index: number; total: number } | null }) {
  return (
    <div className="ceremony-head">
      <h2 id={titleId}>{script ? script.name : fallback}</h2>
      {script && (
        <span className={`mode-badge mode-${script.mode}`} data-testid="mode-badge">
          {script.mode === 'live' ? live : 'Rehearsal'}
        </span>
      )}
      {current && (
        <span className="progress-text">
          Step {current.index} of {current.total}
        </span>
      )}
    </div>
  );
}
