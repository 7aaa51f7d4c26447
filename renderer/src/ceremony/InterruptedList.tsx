/**
 * Interrupted ceremonies: earlier run folders whose journal has no bundle (stopped, failed or
 * interrupted) — root-keygen ceremonies on the ceremony screen, signing runs of the open root
 * bundle on the signing screen. Resuming one loads its script; the same participants check in
 * again (PINs are asked again) and the engine continues the journal in that folder.
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

const WORDS = {
  ceremony: { title: 'Interrupted ceremonies: resume', what: 'ceremony', note: 'Resuming continues the ceremony’s journal in its run folder. The same participants check in again, with the same tokens; every PIN is asked again.' },
  signing: { title: 'Interrupted signing runs of this bundle: resume', what: 'signing run', note: 'Resuming continues the signing run’s journal in its run folder: the same request is opened again, and the same quorum checks in with the same tokens; every PIN is asked again. A document already signed is kept only if its envelope is the master key’s signature of exactly that document.' },
} as const;

export function InterruptedList({ send, ns = 'ceremony' }: { send: Send; ns?: 'ceremony' | 'signing' }) {
  const api = window.keyrite!;
  const [list] = useCall<InterruptedCeremonyView[]>(api[ns].interrupted);
  const words = WORDS[ns];
  if (list.state === 'loading' || (list.state === 'ready' && list.value.length === 0)) return null;
  return (
    <div className="panel" data-testid="interrupted">
      <h3>{words.title}</h3>
      {list.state === 'error' && (
        <StatusLine tone="bad" word="Error">
          {list.message}
        </StatusLine>
      )}
      {list.state === 'ready' && (
        <>
          <p className="readout-note">{words.note}</p>
          <ul className="choices">
            {list.value.map((c) => (
              <li key={c.folder} data-folder={c.folder} data-ceremony={c.ceremonyId}>
                <button type="button" className="choice" disabled={c.scriptFile === null} onClick={() => void send(() => api[ns].resume({ folder: c.folder }))}>
                  <span className="choice-name">
                    Resume {c.scriptName} · {words.what} {c.ceremonyId}
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
