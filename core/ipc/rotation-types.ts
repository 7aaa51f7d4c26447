/**
 * The values the rotation channels of core/ipc/contract.ts carry (all JSON-safe, public data
 * only): a key rotation (core/ceremony/kinds/rotation.ts, on the one engine) run in the main
 * process. The current bundle (the root bundle or the last rotation bundle) is opened as a
 * recovery's original bundle: its master fingerprint stays in the main process until the quorum
 * has typed it; the key states it publishes are shown without fingerprints. PINs and dice go
 * renderer → main only; shares and both keys' secrets never leave the engine.
 */
import type { AuditFingerprint, ChainKeyState } from './audit-types.ts';
import type { CeremonyPrompt, ParticipantView, ScriptView, StepView } from './ceremony-types.ts';
import type { OriginalBundleView, ShareEventView } from './recovery-types.ts';

/** One master key as the current bundle's key states publish it (no fingerprint: it is typed at check-in). */
export interface RotationKeyView {
  /** The ceremony that made the key. */
  ceremonyId: string;
  /** The state at the time the bundle was opened (a deprecated key past its grace is retired). */
  state: ChainKeyState;
  since: string;
  until: string | null;
  revokedAt: string | null;
}

/** The check-in: the same data as a rotation answers file (docs/CEREMONY-SCRIPTS.md "Rotation"). */
export interface RotationCheckInForm {
  administrator: string;
  witnesses: string[];
  /** The CURRENT master fingerprint, typed by the quorum from its paper record: answers bundle.trust. */
  trust: string;
  /** The NEW master token: a token id from tokens:list, or the path of a rehearsal token file. */
  masterToken: string;
  /** Rehearsal only: the main process rolls each trustee's dice. */
  simulateDice: boolean;
  /** Every trustee of the current bundle; paths relative to the bundle's base folder; `output` is the new, empty folder for their new share. */
  trustees: { id: string; name: string; token: string; keyring: string; envelope: string; output: string; dice: string }[];
}

/** The cross-sign step: both fingerprints, to read aloud side by side before the witness confirms. */
export interface RotationCrossSignView {
  stepId: string;
  at: string;
  /** The old key: deprecated (verify-only) until this time. */
  until: string;
  previous: AuditFingerprint;
  next: AuditFingerprint;
}

export interface RotationOutcomeView {
  ceremonyId: string;
  /** The bundle whose key was rotated out. */
  originalCeremonyId: string;
  anchored: boolean;
  previous: AuditFingerprint & { until: string };
  next: AuditFingerprint & { keyLabel: string };
  rotatedAt: string;
  used: string[];
  /** Each trustee's new share files (relative to the bundle's base folder). */
  trustees: { id: string; name: string; files: string[] }[];
  /** The rotation bundle folder (`keyrite verify ROOT … THIS --trust ROOT` accepts it) and the run folder holding the journal. */
  bundleFolder: string;
  runFolder: string;
  exportChecks: { passed: number; total: number };
}

export type RotationPhase = 'bundle' | 'script' | 'check-in' | 'ready' | 'running' | 'done' | 'failed';

export interface RotationView {
  phase: RotationPhase;
  bundle: OriginalBundleView | null;
  /** The kind of the current bundle (root-keygen or rotation) and the key states it publishes, newest first. */
  chain: { kind: string; keys: RotationKeyView[] } | null;
  script: ScriptView | null;
  participants: ParticipantView[];
  steps: StepView[];
  log: { kind: 'info' | 'warning' | 'deviation'; message: string }[];
  prompt: CeremonyPrompt | null;
  /** Step i of n while running. */
  current: { index: number; total: number } | null;
  shares: { accepted: number; needed: number; events: ShareEventView[] };
  crossSign: RotationCrossSignView | null;
  outcome: RotationOutcomeView | null;
  error: string | null;
}
