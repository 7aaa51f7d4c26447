/**
 * What the ceremony and recovery sessions share: one view object, published to the window
 * on every change (a copy, never the live object), refused changes while a run is going, the
 * PIN and witness prompts, the steps and log folded from the engine's progress events, and
 * the shipped scripts of one kind.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KeyriteError } from '../../core/errors.ts';
import { parseCeremonyScript, type CeremonyKind, type ParsedCeremonyScript } from '../../core/script/script.ts';
import type { ProgressEvent } from '../../core/ceremony/types.ts';
import type { CeremonyPrompt, ScriptSource, ShippedScript, StepView } from '../../core/ipc/contract.ts';
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

/**
 * The script a screen loads: a shipped one of `kind` by file name, or the file the main process
 * picker returns (undefined when the person cancelled); parsed, and refused unless of `kind`.
 * `runs` says what the screen runs, for the refusal ("root-keygen ceremonies").
 */
export async function loadScript(
  source: ScriptSource,
  o: { scriptsDir: string; pickScriptFile(): Promise<string | undefined> },
  kind: CeremonyKind,
  runs: string,
): Promise<{ file: string; parsed: ParsedCeremonyScript } | undefined> {
  let path: string;
  if ('shipped' in source) {
    if (!(await shippedScripts(o.scriptsDir, kind)).some((s) => s.file === source.shipped)) throw new KeyriteError('INVALID_INPUT', `There is no shipped ${kind} script named ${source.shipped}.`);
    path = join(o.scriptsDir, source.shipped);
  } else {
    const picked = await o.pickScriptFile();
    if (picked === undefined) return undefined;
    path = picked;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    throw new KeyriteError('IO_ERROR', `Keyrite could not read ${basename(path)}. Choose the script file again.`);
  }
  const parsed = parseCeremonyScript(bytes);
  if (parsed.script.kind !== kind) throw new KeyriteError('UNSUPPORTED', `This screen runs ${runs}; ${basename(path)} is a ${parsed.script.kind} script.`);
  return { file: basename(path), parsed };
}
