/** Choosing the script of a session: one of the shipped scripts of its kind, or a file from the main process picker. */
import type { ShippedScript } from '../../../core/ipc/contract.ts';
import { StatusLine, useCall } from '../ui.tsx';
import type { Send, SessionNs } from './send.ts';

export function ScriptChooser({ send, ns, title }: { send: Send; ns: SessionNs; title: string }) {
  const api = window.keyrite![ns];
  const [scripts] = useCall<ShippedScript[]>(api.scripts);
  return (
    <div className="panel" data-testid="script-chooser">
      <h3>{title}</h3>
      {scripts.state === 'loading' && <StatusLine tone="pending">Reading the shipped scripts…</StatusLine>}
      {scripts.state === 'error' && (
        <StatusLine tone="bad" word="Error">
          {scripts.message}
        </StatusLine>
      )}
      {scripts.state === 'ready' && (
        <ul className="choices">
          {scripts.value.map((s) => (
            <li key={s.file}>
              <button type="button" className="choice" onClick={() => void send(() => api.load({ shipped: s.file }))}>
                <span className="choice-name">{s.name}</span>
                <span className="choice-detail">
                  {s.mode === 'live' ? 'Live' : 'Rehearsal'} · {s.file}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="secondary" onClick={() => void send(() => api.load({ pick: true }))}>
        Open another script file…
      </button>
    </div>
  );
}
