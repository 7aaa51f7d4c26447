/**
 * The values the ceremony channels of core/ipc/contract.ts carry (all JSON-safe). Public data
 * only, with two documented exceptions that flow one way each: PINs and dice go renderer →
 * main inside requests (never back), and a trustee's paper-backup words go main → renderer
 * (PaperWords), the one secret the renderer may show.
 */

/** A root-keygen script shipped in ceremony-scripts/. */
export interface ShippedScript {
  /** The file name, e.g. "root-keygen-3of5-rehearsal.yaml": what ceremony:load takes. */
  file: string;
  name: string;
  mode: 'rehearsal' | 'live';
}

/** A shipped script by file name, or a file chosen in the main process picker. */
export type ScriptSource = { readonly shipped: string } | { readonly pick: true };

export interface ScriptStepView {
  id: string;
  action: string;
  actor: string;
  title: string;
  witness: boolean;
}

export interface ScriptView {
  /** The file name (no folder). */
  file: string;
  name: string;
  mode: 'rehearsal' | 'live';
  sha256: string;
  /** The SHA-256 as hex groups and as words, read aloud before anything starts. */
  hexGroups: string;
  words: string[];
  quorum: { n: number; t: number };
  roles: { administrator: number; trustee: number; witness: number };
  /** What kind of token the master and the trustees use. */
  tokens: 'software' | 'pkcs11';
  /** The master token the script asks for ("Keyrite Root"), when it names one. */
  masterMatch: string | null;
  paperBackup: boolean;
  /** The fewest dice rolls per trustee contribution, or null when the script takes no dice. */
  minDice: number | null;
  steps: ScriptStepView[];
}

/** The check-in: the same data as an answers file (docs/CEREMONY-SCRIPTS.md). */
export interface CheckInForm {
  administrator: string;
  witnesses: string[];
  /** Token ids from tokens:list. */
  masterToken: string;
  trustees: { name: string; token: string; dice: string }[];
  /** Rehearsal scripts only: the main process rolls fair dice for every trustee. */
  simulateDice: boolean;
}

export interface ParticipantView {
  id: string;
  name: string;
  role: 'administrator' | 'trustee' | 'witness';
  /** Label of the chosen token (administrator: the master token; trustees: their own). */
  token: string | null;
  /** Its serial, read back with the label at check-in; null for a token given as a file path or for a witness. */
  tokenSerial: string | null;
}

export type StepStatus = 'pending' | 'running' | 'done' | 'failed';

export interface StepView extends ScriptStepView {
  status: StepStatus;
  /** What happened during the step, and deviations ("Skipped: …"), in order. */
  notes: string[];
}

export interface PinPrompt {
  kind: 'pin';
  id: number;
  /** "Bob Trustee (trustee-1)" or "the master token". */
  who: string;
  participantId: string;
  token: string;
  /** A rehearsal software token asks for its passphrase. */
  software: boolean;
  triesLeft: number;
  /** The token's own PIN state in words ("PIN ok", "token reports few PIN tries left"). */
  tokenReport: string;
  /** After a wrong PIN: "Wrong PIN — 2 tries left. …"; null on the first request. */
  problem: string | null;
}

export interface WitnessPrompt {
  kind: 'witness';
  id: number;
  stepId: string;
  title: string;
  witness: string;
  summary: string[];
}

export type CeremonyPrompt = PinPrompt | WitnessPrompt;

export interface ReceiptView {
  trusteeId: string;
  name: string;
  /** The share's index. */
  x: number;
  /** "match" when the opened share matched its commitment. */
  commitmentCheck: string;
  envelopeSha256: string;
  paperBackup: boolean;
  paperCopied: boolean;
  /** Where the trustee's own files are (keyring, envelope, paper card). */
  folder: string;
  /** The trustee's printable share card (share-card.pdf in their folder), or null when the ceremony wrote none. */
  shareCard: string | null;
}

export interface CeremonyOutcome {
  ceremonyId: string;
  fingerprint: string;
  hexGroups: string;
  words: string[];
  keyLabel: string;
  tokenUri: string;
  checks: { name: string; ok: boolean; detail: string }[];
  receipts: ReceiptView[];
  transcriptEntries: number;
  /** The bundle's archive (docs/FORMATS.md "Bundle archive"): its SHA-256 to read aloud and publish beside it. */
  archive: { sha256: string; hexGroups: string; words: string[] };
  /** The exported bundle folder, once exported (its archive is next to it: the same name plus .keyrite.tar). */
  exportedTo: string | null;
}

export type CeremonyPhase = 'choose' | 'check-in' | 'ready' | 'running' | 'done' | 'failed';

export interface CeremonyView {
  phase: CeremonyPhase;
  script: ScriptView | null;
  participants: ParticipantView[];
  steps: StepView[];
  /** Progress lines for the room, newest last. */
  log: { kind: 'info' | 'warning' | 'deviation'; message: string }[];
  prompt: CeremonyPrompt | null;
  /** 1-based position of the running step. */
  current: { index: number; total: number } | null;
  outcome: CeremonyOutcome | null;
  /** Why the ceremony stopped, as a sentence. */
  error: string | null;
  /** Set when this run continues an interrupted ceremony (ceremony:resume): its run folder and id. */
  resuming: { folder: string; ceremonyId: string } | null;
}

/**
 * An earlier run folder under the work root whose journal has no bundle beside it: a
 * ceremony that was stopped, failed or interrupted, and can be resumed (ceremony:resume).
 */
export interface InterruptedCeremonyView {
  /** The run folder's name under the work root ("ceremony-XXXXXX"). */
  folder: string;
  /** The run folder, to show. */
  path: string;
  ceremonyId: string;
  scriptName: string;
  /** The shipped script whose SHA-256 the journal records; null when none matches (then it cannot be resumed here). */
  scriptFile: string | null;
  /** Runs so far (the first one and every resume). */
  runs: number;
  /** The last step the journal records: interrupted (started, never finished), failed, aborted or done. */
  lastStep: { id: string; status: 'interrupted' | 'failed' | 'aborted' | 'done' } | null;
  /** The participants recorded at the start: the check-in must name the same people again. */
  participants: { id: string; name: string; role: string }[];
}

/** ceremony:diffScript: the loaded script and another one compared (core/script/diff.ts), the rehearsal first. */
export interface ScriptDiffView {
  rehearsal: { file: string; name: string; mode: 'rehearsal' | 'live'; hexGroups: string };
  live: { file: string; name: string; mode: 'rehearsal' | 'live'; hexGroups: string };
  /** Every difference: where, both values (JSON or "(absent)"), whether a rehearsal may differ there, and why. */
  differences: { path: string; rehearsal: string; live: string; allowed: boolean; reason: string }[];
  /** True when every difference is allowed. */
  ok: boolean;
}

export interface PaperWords {
  trusteeId: string;
  words: string[];
}
