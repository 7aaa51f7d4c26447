/**
 * Small pieces shared by the screens: loading a call's result, and a status line that says
 * its state in words as well as colour (a projector washes colours out).
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { IpcResult } from '../../core/ipc/contract.ts';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

export const NO_BRIDGE = 'This screen only works inside the Keyrite app: its connection to the main process is missing.';
export const UNREACHABLE = 'Keyrite could not reach its main process. Close the app and start it again.';

/** Calls one API method on mount and again on every `refresh()`. */
export function useCall<T>(call: (() => Promise<IpcResult<T>>) | undefined): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>(call ? { state: 'loading' } : { state: 'error', message: NO_BRIDGE });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!call) return;
    let current = true;
    setValue({ state: 'loading' });
    call().then(
      (r) => {
        if (current) setValue(r.ok ? { state: 'ready', value: r.value } : { state: 'error', message: r.message });
      },
      () => {
        if (current) setValue({ state: 'error', message: UNREACHABLE });
      },
    );
    return () => {
      current = false;
    };
    // `call` comes from the frozen window.keyrite object and never changes.
  }, [generation]);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  return [value, refresh];
}

export type Tone = 'pending' | 'good' | 'bad' | 'warn';

const MARK: Record<Tone, string> = { pending: '…', good: '✓', bad: '✗', warn: '!' };
const WORD: Record<Tone, string> = { pending: 'Checking', good: 'Passed', bad: 'Failed', warn: 'Warning' };

export function StatusLine({ tone, word, children }: { tone: Tone; word?: string; children: ReactNode }) {
  return (
    <p className={`status status-${tone}`} role="status" aria-live="polite">
      <span className="badge" aria-hidden="true">
        {MARK[tone]}
      </span>
      <span className="badge-word">{word ?? WORD[tone]}</span>
      <span className="status-text">{children}</span>
    </p>
  );
}

/**
 * The labels of a form's required fields left empty, focusing the first: forms are noValidate
 * and say this in a sentence on screen (FormProblem), never in a browser bubble that a
 * projector, a magnifier or a screen reader may not show.
 */
export function emptyRequired(form: HTMLFormElement): string[] {
  const empty = [...form.elements].filter((el): el is HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement => (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) && el.required && el.value.trim() === '');
  empty[0]?.focus();
  return empty.map((el) => ((el.labels?.[0]?.querySelector('span') ?? el.labels?.[0])?.textContent ?? el.name).trim());
}

/** What stops a form from being sent, as sentences, in an alert. */
export function FormProblem({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="problem" role="alert" data-testid="form-problem">
      {problems.map((p) => (
        <p key={p}>{p}</p>
      ))}
    </div>
  );
}

/** "a, b and c". */
export function listWords(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
