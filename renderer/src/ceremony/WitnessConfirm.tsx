/**
 * A witness confirms a step after checking what it says, or declines (which stops the run); the
 * room may also stop the run here. The summary comes first, so it is read before the buttons;
 * a line indented under another belongs to it (a trustee's fingerprint words under their hex),
 * and hex is set in a monospace font. A screen may show the step's facts in its own form instead
 * (`children`: the rotation's two fingerprints side by side); the summary is then one click away.
 * Nothing is focused but the prompt's heading: a stray
 * Enter confirms nothing. Declining and stopping end the run, so each takes a second step, and
 * they sit apart.
 */
import type { ReactNode } from 'react';
import type { WitnessPrompt } from '../../../core/ipc/contract.ts';
import { SecondStep } from '../SecondStep.tsx';
import type { Send, SessionNs } from './send.ts';
import { useScrollIntoView } from './scroll.ts';

interface SummaryItem {
  head: string;
  more: string[];
}

/** Lines indented under a line belong to it. */
function groupLines(lines: string[]): SummaryItem[] {
  const items: SummaryItem[] = [];
  for (const line of lines) {
    const last = items[items.length - 1];
    if (/^\s/.test(line) && last) last.more.push(line.trim());
    else items.push({ head: line, more: [] });
  }
  return items;
}

const HEX = /([0-9a-f]{4}(?: [0-9a-f]{4}){3,}|\b[0-9a-f]{16,}\b)/;

/** The line with each run of hex in a monospace <code>. */
function withHex(line: string): ReactNode[] {
  return line.split(HEX).map((part, i) =>
    i % 2 === 1 ? (
      <code className="hex" key={i}>
        {part}
      </code>
    ) : (
      part
    ),
  );
}

function Summary({ items }: { items: SummaryItem[] }) {
  return (
    <ul className="summary" data-testid="witness-summary">
      {items.map((item, i) => (
        <li key={i}>
          <span className="summary-head">{withHex(item.head)}</span>
          {item.more.map((m, j) => (
            <span className="summary-words" key={j}>
              {withHex(m)}
            </span>
          ))}
        </li>
      ))}
    </ul>
  );
}

export function WitnessConfirm({ prompt, send, ns = 'ceremony', children }: { prompt: WitnessPrompt; send: Send; ns?: SessionNs; children?: ReactNode }) {
  const api = window.keyrite!;
  const ref = useScrollIntoView<HTMLElement>((el) => el.querySelector('h3'));
  const answer = (confirmed: boolean) => send(() => api[ns].witness({ prompt: prompt.id, confirmed }));
  const run = ns === 'recovery' || ns === 'rotation' ? ns : 'ceremony';
  const items = groupLines(prompt.summary);
  return (
    <section ref={ref} className="prompt prompt-witness" aria-labelledby="witness-title" data-testid="witness-confirm" data-prompt={prompt.id} data-step={prompt.stepId}>
      <h3 id="witness-title" tabIndex={-1}>
        Witness {prompt.witness}: confirm “{prompt.title}”
      </h3>
      {children}
      {items.length > 0 && children === undefined && <Summary items={items} />}
      {items.length > 0 && children !== undefined && (
        <details className="summary-record">
          <summary>The step as the transcript records it</summary>
          <Summary items={items} />
        </details>
      )}
      <div className="witness-buttons">
        <div className="actions" data-testid="witness-answer">
          <button type="button" className="primary" onClick={() => void answer(true)}>
            I confirm this step
          </button>
          <SecondStep
            label="I do not confirm…"
            question={`Decline “${prompt.title}”? The ${run} stops here and the refusal is recorded.`}
            yes="Yes, I do not confirm"
            no="Back"
            onYes={() => answer(false)}
            testid="confirm-decline"
          />
        </div>
        <div className="run-stop" data-testid="run-stop">
          <SecondStep
            label={`Stop the ${run}…`}
            question={`Stop the ${run} now? What is done so far stays in its journal.`}
            yes={`Yes, stop the ${run}`}
            no="Back"
            onYes={() => send(() => api[ns].stop())}
            testid="confirm-stop"
          />
        </div>
      </div>
    </section>
  );
}
