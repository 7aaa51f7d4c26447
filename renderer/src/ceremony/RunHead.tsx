/**
 * The head of a run screen (ceremony, recovery), sticky at the top of the window so a PIN or
 * witness prompt never scrolls it away: the script's name, REHEARSAL or LIVE, and while it runs
 * "Step i of n" with the step's title, the progress bar and who acts now. Its heading takes the
 * focus when the phase changes; each step reached is announced.
 */
import { useEffect } from 'react';
import type { CeremonyPrompt, ParticipantView, ScriptView, StepView } from '../../../core/ipc/contract.ts';
import { announce, useFocusHeading } from '../focus.tsx';

export interface RunHeadProps {
  titleId: string;
  fallback: string;
  live: string;
  script: ScriptView | null;
  phase: string;
  /** What the phase asks of the room, said when it begins ("Check everyone in"). */
  phaseText: string;
  current: { index: number; total: number } | null;
  steps: StepView[];
  prompt: CeremonyPrompt | null;
  participants: ParticipantView[];
}

const ROLE_WORD: Record<string, string> = { administrator: 'the administrator', trustee: 'the trustees', witness: 'the witness' };

/** Who must act now: the prompt's person, else the running step's actor by name. */
function actingNow(p: RunHeadProps, step: StepView | undefined): string {
  if (p.prompt?.kind === 'witness') return `Witness ${p.prompt.witness}`;
  if (p.prompt?.kind === 'pin') {
    if (p.prompt.participantId !== 'master') return p.prompt.who;
    const admin = p.participants.find((x) => x.role === 'administrator');
    return admin ? `${admin.name}, with the master token` : 'The holder of the master token';
  }
  if (!step) return '';
  const names = p.participants.filter((x) => x.role === step.actor).map((x) => x.name);
  const role = ROLE_WORD[step.actor] ?? step.actor;
  return names.length === 1 ? `${names[0]} (${role})` : role[0]!.toUpperCase() + role.slice(1);
}

export function RunHead(p: RunHeadProps) {
  const { script, current } = p;
  const heading = useFocusHeading<HTMLHeadingElement>(p.phase, `${script?.name ?? p.fallback}: ${p.phaseText}`);
  const step = current ? (p.steps.find((s) => s.status === 'running') ?? p.steps[current.index - 1]) : undefined;
  useEffect(() => {
    if (current && step) announce(`Step ${current.index} of ${current.total}: ${step.title}.`);
  }, [current?.index]);
  const who = current ? actingNow(p, step) : '';
  return (
    <div className="run-header" data-testid="run-header">
      <div className="ceremony-head">
        <h2 id={p.titleId} ref={heading} tabIndex={-1}>
          {script ? script.name : p.fallback}
        </h2>
        {script && (
          <span className={`mode-badge mode-${script.mode}`} data-testid="mode-badge">
            {script.mode === 'live' ? p.live : 'Rehearsal'}
          </span>
        )}
        {current && (
          <span className="progress-text" data-testid="step-counter">
            Step {current.index} of {current.total}
          </span>
        )}
      </div>
      {current && (
        <>
          <progress className="progress" max={current.total} value={current.index} aria-label={`Step ${current.index} of ${current.total}`} />
          <p className="run-now">
            {step && <span className="run-step">{step.title}</span>}
            {who && (
              <span className="acting-now" data-testid="acting-now">
                Now: <strong>{who}</strong>
              </span>
            )}
          </p>
        </>
      )}
    </div>
  );
}
