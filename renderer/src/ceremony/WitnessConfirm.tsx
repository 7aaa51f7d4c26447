/** A witness confirms a step after checking what it says, or declines (which stops the ceremony); the room may also stop the run here. */
import type { WitnessPrompt } from '../../../core/ipc/contract.ts';
import type { Send, SessionNs } from './send.ts';
import { useScrollIntoView } from './scroll.ts';

export function WitnessConfirm({ prompt, send, ns = 'ceremony' }: { prompt: WitnessPrompt; send: Send; ns?: SessionNs }) {
  const api = window.keyrite!;
  const ref = useScrollIntoView<HTMLElement>();
  const answer = (confirmed: boolean) => void send(() => api[ns].witness({ prompt: prompt.id, confirmed }));
  return (
    <section ref={ref} className="prompt prompt-witness" aria-labelledby="witness-title" data-testid="witness-confirm" data-prompt={prompt.id} data-step={prompt.stepId}>
      <h3 id="witness-title">
        Witness {prompt.witness}: confirm “{prompt.title}”
      </h3>
      {prompt.summary.length > 0 && (
        <ul className="summary">
          {prompt.summary.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" className="primary" autoFocus onClick={() => answer(true)}>
          I confirm this step
        </button>
        <button type="button" className="secondary" onClick={() => answer(false)}>
          I do not confirm
        </button>
        <button type="button" className="secondary" onClick={() => void send(() => api[ns].stop())}>
          {ns === 'recovery' ? 'Stop the recovery' : 'Stop the ceremony'}
        </button>
      </div>
    </section>
  );
}
