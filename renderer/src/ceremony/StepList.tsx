/** Every step of the script with its actor, what happens, its state and its notes (deviations included), then the log. Once the run is done (`folded`) the steps fold into a disclosure; warnings and deviations stay in view. */
import type { ReactNode } from 'react';
import type { CeremonyView } from '../../../core/ipc/contract.ts';

const STATE = { pending: 'Waiting', running: 'Now', done: 'Done', failed: 'Failed' } as const;
const MARK = { pending: '·', running: '▶', done: '✓', failed: '✗' } as const;

export function StepList({ steps, log, folded = false }: { steps: CeremonyView['steps']; log: CeremonyView['log']; folded?: boolean }) {
  const warnings = log.filter((l) => l.kind !== 'info');
  const done = steps.filter((s) => s.status === 'done').length;
  const fold = (list: ReactNode) =>
    folded ? (
      <details>
        <summary>
          Show all {steps.length} steps ({done} done)
        </summary>
        {list}
      </details>
    ) : (
      list
    );
  return (
    <div className="panel" data-testid="steps">
      <h3>Steps</h3>
      {fold(
      <ol className="steps">
        {steps.map((s) => (
          <li key={s.id} className={`step step-${s.status}`} data-step={s.id} data-status={s.status} aria-current={s.status === 'running' ? 'step' : undefined}>
            <span className="step-mark" aria-hidden="true">
              {MARK[s.status]}
            </span>
            <span className="step-title">{s.title}</span>
            <span className="step-state">{STATE[s.status]}</span>
            <span className="step-actor">
              {s.actor}
              {s.witness ? ' · witnessed' : ''}
            </span>
            {s.notes.length > 0 && (
              <ul className="step-notes">
                {s.notes.map((n, i) => (
                  <li key={i} className={n.startsWith('Skipped') || n.startsWith('Repeated') ? 'deviation' : undefined}>
                    {n}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>,
      )}
      {warnings.length > 0 && (
        <>
          <h4>Warnings and deviations</h4>
          <ul className="log" data-testid="deviations">
            {warnings.map((l, i) => (
              <li key={i} className={`log-${l.kind}`}>
                {l.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
