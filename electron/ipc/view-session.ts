/**
 * What the ceremony and recovery sessions share: one view object, published to the window
 * on every change (a copy, never the live object), refused changes while a run is going, the
 * PIN and witness prompts, the steps and log folded from the engine's progress events, and
 * the shipped scripts of one kind.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyriteError } from '../../core/errors.ts';
import { parseCeremonyScript, type CeremonyKind } from '../../core/ceremony/script.ts';
import type { ProgressEvent } from '../../core/ceremony/types.ts';
import type { CeremonyPrompt, ShippedScript, StepView } from '../../core/ipc/contract.ts';
import { PromptBroker } from './prompt-broker.ts';

const MAX_LOG = 400;

/** The members of a session view that run progress and prompts change. */
export interface RunView {
  phase: string;
  steps: StepView[];
  log: { kind: 'info' | 'warning' | 'deviation'; message: string }[];
  prompt: CeremonyPrompt | null;
  current: { index: number; total: number } | null;
}

export abstract class ViewSession<V extends RunView> {
  protected view: V;
  protected readonly prompts = new PromptBroker((prompt) => this.update({ prompt } as Partial<V>));

  protected constructor(
    initial: V,
    private readonly publishView: (view: V) => void,
    private readonly busyMessage: string,
  ) {
    this.view = initial;
  }

  state(): V {
    return structuredClone(this.view);
  }

  protected update(change: Partial<V>): V {
    this.view = { ...this.view, ...change };
    const v = this.state();
    this.publishView(v);
    return v;
  }

  protected requireIdle(): void {
    if (this.view.phase === 'running') throw new KeyriteError('USAGE', this.busyMessage);
  }

  answerPin(prompt: number, pin: string): V {
    this.prompts.answerPin(prompt, pin);
    return this.state();
  }

  answerWitness(prompt: number, confirmed: boolean): V {
    this.prompts.answerWitness(prompt, confirmed);
    return this.state();
  }

  /** Steps, log and step counter after one progress event of the engine. */
  protected progressChange(e: ProgressEvent): Pick<RunView, 'steps' | 'log' | 'current'> {
    const steps: StepView[] = this.view.steps.map((s) => {
      if (s.id !== e.stepId) return s;
      if (e.kind === 'step.start') return { ...s, status: 'running', title: e.title ?? s.title };
      if (e.kind === 'step.done') return { ...s, status: 'done' };
      return { ...s, notes: [...s.notes, e.message] };
    });
    const kind = e.kind === 'warning' ? 'warning' : e.kind === 'step.skipped' ? 'deviation' : 'info';
    const log = e.kind === 'step.start' || e.kind === 'step.done' ? this.view.log : [...this.view.log, { kind, message: e.message } as const].slice(-MAX_LOG);
    const current = e.kind === 'step.start' && e.index !== undefined && e.total !== undefined ? { index: e.index, total: e.total } : this.view.current;
    return { steps, log, current };
  }
}

/** The shipped scripts (the .yaml files of `dir`) of one kind, sorted by file name. */
export async function shippedScripts(dir: string, kind: CeremonyKind): Promise<ShippedScript[]> {
  const out: ShippedScript[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort()) {
    const parsed = parseCeremonyScript(new Uint8Array(await readFile(join(dir, file))));
    if (parsed.script.kind === kind) out.push({ file, name: parsed.script.name, mode: parsed.script.mode });
  }
  return out;
}
