/**
 * PIN entry for a token's holder: masked, the tries left from the token's state, and after a
 * wrong PIN the sentence saying so and what to do next. The PIN goes to the main process and
 * is dropped from this screen as soon as it is sent.
 */
import { useState, type FormEvent } from 'react';
import { useScrollIntoView } from './scroll.ts';
import type { PinPrompt } from '../../../core/ipc/contract.ts';
import type { Send, SessionNs } from './send.ts';

export function PinEntry({ prompt, send, ns = 'ceremony' }: { prompt: PinPrompt; send: Send; ns?: SessionNs }) {
  const api = window.keyrite!;
  const [pin, setPin] = useState('');
  const ref = useScrollIntoView<HTMLFormElement>();
  const what = prompt.software ? 'passphrase' : 'PIN';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const typed = pin;
    setPin('');
    void send(() => api[ns].pin({ prompt: prompt.id, pin: typed }));
  };
  return (
    <form ref={ref} className="prompt prompt-pin" onSubmit={submit} aria-labelledby="pin-title" data-testid="pin-entry" data-prompt={prompt.id} data-participant={prompt.participantId}>
      <h3 id="pin-title">
        {prompt.who}: type the {what} of token “{prompt.token}”
      </h3>
      {prompt.problem && (
        <p className="problem" role="alert" data-testid="pin-problem">
          {prompt.problem}
        </p>
      )}
      <p className="tries" data-testid="tries-left">
        {prompt.triesLeft} {prompt.triesLeft === 1 ? 'try' : 'tries'} left · the token reports: {prompt.tokenReport}
      </p>
      <label className="field">
        <span>{prompt.software ? 'Passphrase' : 'PIN'} (only its holder types it; it is never shown)</span>
        <input type="password" value={pin} onChange={(e) => setPin(e.target.value)} autoFocus autoComplete="off" spellCheck={false} required />
      </label>
      <div className="actions">
        <button type="submit" className="primary">
          Log in to the token
        </button>
        <button type="button" className="secondary" onClick={() => void send(() => api[ns].stop())}>
          {ns === 'recovery' ? 'Stop the recovery' : 'Stop the ceremony'}
        </button>
      </div>
    </form>
  );
}
