/**
 * Interrupted ceremonies: earlier run folders whose journal has no bundle (stopped, failed or
 * interrupted). Resuming one loads its script; the same participants check in again (PINs are
 * asked again) and the engine continues the journal in that folder.
 */
import type { InterruptedCeremonyView } from '../../../core/ipc/contract.ts';
import { StatusLine, useCall } from '../ui.tsx';
import type { Send } from './send.ts';

const STATUS: Record<NonNullable<InterruptedCeremonyView['lastStep']>['status'], string> = {
  interrupted: 'interrupted during',
  failed: 'stopped at',
  aborted: 'aborted at',
  done: 'last completed',
};

export function InterruptedList({ send }: { send: Send }) {
  const api = window.keyrite!;
  const [list] = useCall<InterruptedCeremonyView[]>(api.ceremony.interrupted);
  if (list.state === 'loading' || (list.state === 'ready' && list.value.length === 0)) return null;
  return (
    <div className="panel" data-testid="interrupted">
      <h3>Interrupted ceremonies: resume</h3>
      {list.state === 'error' && (
        <StatusLine tone="bad" word="Error">
          {list.message}
        </StatusLine>
      )}
      {list.state === 'ready' && (
        <>
          <p className="readout-note">Resuming continues the ceremony’s journal in its run folder. The same participants check in again, with the same tokens; every PIN is asked again.</p>
          <ul className="choices">
            {list.value.map((c) => (
              <li key={c.folder} data-folder={c.folder} data-ceremony={c.ceremonyId}>
                <button type="button" className="choice" disabled={c.scriptFile === null} onClick={() => void send(() => api.ceremony.resume({ folder: c.folder }))}>
                  <span className="choice-name">
                    Resume {c.scriptName} · ceremony {c.ceremonyId}
                  </span>
                  <span className="choice-detail">
                    {c.lastStep ? `${STATUS[c.lastStep.status]} step “${c.lastStep.id}”` : 'no step started'} · {c.runs} {c.runs === 1 ? 'run' : 'runs'} · {c.participants.map((p) => p.name).join(', ')} · {c.path}
                    {c.scriptFile === null ? ' · its script is not shipped: resume it with keyrite ceremony run' : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
