/**
 * PIN entry for a token's holder: masked, the tries left from the token's state, and what to do
 * next; said once: after a wrong PIN the sentence saying so carries the count and the token's report. A software
 * token asks for its passphrase, and says so throughout. The PIN goes to the main process and
 * is dropped from this screen as soon as it is sent. The field takes the focus (typing is the
 * only thing to do), never a button; stopping the run takes a second step.
 */
import { useState, type FormEvent } from 'react';
import { useScrollIntoView } from './scroll.ts';
import type { PinPrompt } from '../../../core/ipc/contract.ts';
import { SecondStep } from '../SecondStep.tsx';
import type { Send, SessionNs } from './send.ts';

export function PinEntry({ prompt, send, ns = 'ceremony' }: { prompt: PinPrompt; send: Send; ns?: SessionNs }) {
  const api = window.keyrite!;
  const [pin, setPin] = useState('');
  const [empty, setEmpty] = useState(false);
  const ref = useScrollIntoView<HTMLFormElement>((el) => el.querySelector('input'));
  const what = prompt.software ? 'passphrase' : 'PIN';
  const run = ns === 'recovery' || ns === 'rotation' ? ns : 'ceremony';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pin.length === 0) return setEmpty(true);
    const typed = pin;
    setPin('');
    setEmpty(false);
    void send(() => api[ns].pin({ prompt: prompt.id, pin: typed }));
  };
  const tries = `${prompt.triesLeft} ${prompt.triesLeft === 1 ? 'try' : 'tries'} left`;
  return (
    <form ref={ref} className="prompt prompt-pin" onSubmit={submit} noValidate aria-labelledby="pin-title" data-testid="pin-entry" data-prompt={prompt.id} data-participant={prompt.participantId}>
      <h3 id="pin-title">
        {prompt.who}: type the {what} of token “{prompt.token}”
      </h3>
      {prompt.problem && (
        <p className="problem" role="alert" data-testid="pin-problem">
          {prompt.problem}
        </p>
      )}
      {!prompt.problem && (
        <p className="tries" data-testid="tries-left">
          {tries} · the token reports: {prompt.tokenReport}
        </p>
      )}
      <label className="field">
        <span>
          {prompt.software ? 'Passphrase' : 'PIN'} (only its holder types it; it is never shown)
        </span>
        <input type="password" value={pin} onChange={(e) => setPin(e.target.value)} autoComplete="off" spellCheck={false} aria-required="true" aria-invalid={empty} aria-describedby={empty ? 'pin-empty' : undefined} />
      </label>
      {empty && (
        <p className="problem" role="alert" id="pin-empty">
          Type the {what} first: nothing was sent to the token.
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          Log in to the token
        </button>
      </div>
      <div className="run-stop">
        <SecondStep label={`Stop the ${run}…`} question={`Stop the ${run} now? What is done so far stays in its journal.`} yes={`Yes, stop the ${run}`} no="Back" onYes={() => send(() => api[ns].stop())} testid="confirm-stop" />
      </div>
    </form>
  );
}
