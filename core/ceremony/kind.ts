/**
 * What a ceremony kind gives the one engine (engine.ts): the shape its scripts must have, its
 * own pre-flight, what its ceremony.start records, its table of step handlers, how it resumes,
 * what it checks before closing the transcript, the facts its bundle is built from, and its
 * result. Everything else — the journal, resume, step records, deviations, witness
 * confirmations, failures, export — is the engine's, the same for every kind.
 * docs/ARCHITECTURE.md "How to add a ceremony kind".
 */
import { KeyriteError } from '../errors.ts';
import type { EntryBody, TranscriptEntry } from '../transcript/entry.ts';
import type { CeremonyAction, CeremonyKind, CeremonyStep, ParsedCeremonyScript, StepOf } from '../script/script.ts';
import type { BundleFacts } from './bundle-writer.ts';
import type { Answers } from './answers.ts';
import type { JournalState } from './journal.ts';
import type { CeremonyRun } from './run.ts';
import type { BundleArchive, BundleCheck, CeremonyEnvironment, FileRef } from './types.ts';

/** One step's work; `state` is the kind's own (RecoveryState for a recovery). */
export type StepHandler<S, A extends CeremonyAction = CeremonyAction> = (run: CeremonyRun, step: StepOf<A>, state: S) => Promise<void>;

/** The handler of every action a kind's scripts may use, but export (the engine's own). */
export type StepTable<S> = { readonly [A in CeremonyAction]?: StepHandler<S, A> };

/** What a kind's pre-flight sees; nothing is written and no token is opened yet. */
export interface Preflight {
  readonly parsed: ParsedCeremonyScript;
  readonly answers: Answers;
  readonly env: CeremonyEnvironment;
  /** The journal an earlier run left in the run folder, read, and its entries. */
  readonly previous?: JournalState;
  readonly entries: readonly TranscriptEntry[];
}

export interface Exported {
  readonly bundle: FileRef;
  readonly archive: BundleArchive;
  readonly checks: BundleCheck[];
}

export interface KindEngine<S, R> {
  readonly kind: CeremonyKind;
  /** How messages name a run of this kind: "ceremony", "recovery". */
  readonly noun: string;
  /** How messages name its master token: "the master token", "the new master token". */
  readonly masterToken: string;
  /**
   * Whose name step entries (step.start, step.end, step.failed) carry: the step's performer,
   * or always the administrator's (escrow-recovery transcripts, as written since their first
   * version; step.start then has no title either).
   */
  readonly stepEntries: 'performer' | 'administrator';
  /** Refuses (UNSUPPORTED) a script this engine cannot keep honest, before anything happens. */
  checkShape(parsed: ParsedCeremonyScript): void;
  /** The kind's own pre-flight; returns its state for the run. */
  prepare(p: Preflight): Promise<S>;
  /** ceremony.start members beyond those every kind records. */
  startBody(run: CeremonyRun, state: S): EntryBody;
  /** Said to the people in the room when a run resumes, after what was interrupted. */
  readonly resumeNote?: string;
  /** ceremony.resume's keyLife: where the key was in its life when the earlier run stopped. */
  keyLife(previous: JournalState): string;
  /** After ceremony.resume (and step.aborted): what the kind records, and the journal state the run goes on from. */
  resume?(run: CeremonyRun, state: S): Promise<JournalState | undefined>;
  readonly steps: StepTable<S>;
  /** Actions that record their own deviations on a repeat (check-in re-checks, checkpoints stand, …). */
  readonly repeatsItself: readonly CeremonyAction[];
  /** Why a step done in an earlier run is done again. */
  repeatReason(step: CeremonyStep): string;
  /** A reason to skip the step in this run (recorded as a deviation), or undefined. */
  skipReason?(run: CeremonyRun, step: CeremonyStep): string | undefined;
  /** Before each step runs (a root ceremony checks the master key label once, before the first step past the gates). */
  beforeStep?(run: CeremonyRun, step: CeremonyStep, state: S): Promise<void>;
  /** After a step's step.end is durable. */
  afterStep?(run: CeremonyRun, step: CeremonyStep, state: S): void;
  /**
   * The transcript was closed by an earlier run: make what is missing before export. Without
   * it, the steps run again with the transcript sealed (recording nothing).
   */
  finishClosed?(run: CeremonyRun, state: S): Promise<void>;
  /** The public facts the bundle is built from. */
  bundleFacts(run: CeremonyRun, state: S): Promise<BundleFacts>;
  /** After a failure was recorded (a root ceremony abandons a key not yet escrowed). */
  onFailure?(run: CeremonyRun, state: S): Promise<void>;
  result(run: CeremonyRun, state: S, exported: Exported): Promise<R>;
  /** Wipes the kind's secrets, whatever happened. */
  dispose?(state: S): void;
}

/**
 * The closing rule of the kinds that unlock the master key (escrow-recovery, signing, rotation):
 * exactly one co-sign step, right before export (it closes the transcript), signed by trustees
 * only. `script` names the script ("A signing script"), `transcript` what co-sign closes, `where`
 * the ceremony in the roles sentence.
 */
export function assertTrusteeCoSignBeforeExport(parsed: ParsedCeremonyScript, words: { script: string; transcript: string; where: string }): void {
  const steps = parsed.script.steps;
  const coSigns = steps.filter((x) => x.action === 'co-sign');
  if (coSigns.length !== 1 || steps[steps.length - 2] !== coSigns[0] || steps[steps.length - 1]?.action !== 'export') {
    throw new KeyriteError('UNSUPPORTED', `${words.script} has exactly one co-sign step, right before export: co-sign closes the ${words.transcript}.`);
  }
  const coSign = coSigns[0]!;
  if (coSign.action === 'co-sign' && coSign.params.roles.some((r) => r !== 'trustee')) throw new KeyriteError('UNSUPPORTED', `Only trustees hold signing keys in ${words.where}; co-sign params.roles must be [trustee].`);
}
