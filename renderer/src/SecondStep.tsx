/**
 * An irreversible action behind a deliberate second step: the first button (its label ends in
 * "…") only opens a question that says what will be lost; the action runs from the second
 * button. Neither button takes the focus by itself: the question does (tabIndex -1), so a screen
 * reader reads it and a stray Enter presses nothing.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface SecondStepProps {
  /** The first button, ending in "…". */
  label: string;
  /** The question, one sentence. */
  question: string;
  /** What is lost or still to do, read before the buttons. */
  details?: ReactNode;
  yes: string;
  no: string;
  onYes: () => void | Promise<unknown>;
  testid: string;
  className?: string;
}

export function SecondStep({ label, question, details, yes, no, onYes, testid, className = 'secondary' }: SecondStepProps) {
  const [open, setOpen] = useState(false);
  const questionRef = useRef<HTMLParagraphElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) questionRef.current?.focus();
    // Back to the button the person pressed when they keep things as they are.
    else if (wasOpen.current) triggerRef.current?.focus();
    wasOpen.current = open;
  }, [open]);
  if (!open)
    return (
      <button ref={triggerRef} type="button" className={className} onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  return (
    <div className="second-step" role="group" aria-labelledby={questionId} data-testid={testid}>
      <p id={questionId} ref={questionRef} tabIndex={-1} className="second-step-question">
        {question}
      </p>
      {details}
      <div className="actions">
        <button type="button" className="danger" onClick={() => void onYes()}>
          {yes}
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          {no}
        </button>
      </div>
    </div>
  );
}
