/**
 * The values the recovery channels of core/ipc/contract.ts carry (all JSON-safe, public data
 * only): an escrow recovery (core/ceremony/kinds/escrow-recovery.ts, on the one engine) run in the main process. As on
 * the ceremony screen, PINs go renderer → main only (recovery:pin) and never appear in a view;
 * shares, K and S never leave the engine.
 */
import type { AuditFingerprint } from './audit-types.ts';
import type { CeremonyPrompt, ParticipantView, ScriptView, StepView } from './ceremony-types.ts';

/**
 * The original ceremony's public bundle, as the main process read and verified it (not yet
 * anchored). Its master fingerprint is not here: the quorum (or the trustee) types it from
 * their paper record, and a fingerprint the window already holds could be shown or copied
 * instead. The main process keeps it and compares.
 */
export interface OriginalBundleView {
  /** The bundle folder. */
  folder: string;
  /** The folder holding the bundle: the check-in's file paths are relative to it, as in an answers file next to the bundle. */
  baseFolder: string;
  ceremonyId: string | null;
  verdict: 'valid' | 'invalid';
  checksPassed: number;
  checksTotal: number;
  /** Names of the checks that did not pass. */
  failed: string[];
  /** From the escrow manifest: how many shares exist and how many recover the key. */
  quorum: { n: number; t: number } | null;
  /** The original trustees, from the escrow manifest. */
  trustees: { id: string; name: string }[];
}

/** The check-in: the same data as a recovery answers file (docs/CEREMONY-SCRIPTS.md "Escrow recovery"). */
export interface RecoveryCheckInForm {
  administrator: string;
  witnesses: string[];
  /** The master fingerprint the quorum typed after reading it aloud (64 hex digits or 16 words): answers bundle.trust. */
  trust: string;
  /** The NEW master token: a token id from tokens:list, or the path of a rehearsal token file (…/x.keyrite-token). */
  masterToken: string;
  /** The trustees present; `id` is their id in the original ceremony (trustee-N). Paths are relative to the bundle's base folder. */
  trustees: { id: string; name: string; token: string; keyring: string; envelope: string }[];
}

/** recovery:readShareCard: what a QR scanner typed for one trustee's share card, one part per line. */
export interface ShareCardScan {
  trusteeId: string;
  scanned: string;
}

/** A share card read back: its envelope saved next to the bundle, for the check-in's envelope field. */
export interface ShareCardReadView {
  trusteeId: string;
  /** The saved envelope file, relative to the bundle's base folder (scanned-share-cards/<id>.share-envelope.json). */
  envelope: string;
  /** How many QR parts the card has (all were read). */
  parts: number;
  /** SHA-256 of the envelope file, grouped as the card prints it: the trustee compares the two. */
  envelopeSha256: string;
  /** True when the same card had been read before and its file was already there (kept, not rewritten). */
  alreadySaved: boolean;
}

export interface ShareEventView {
  trusteeId: string;
  /** "Carol Trustee (trustee-2)". */
  who: string;
  outcome: 'accepted' | 'refused' | 'duplicate';
  /** Why a share was refused (a sentence from the engine); null when accepted. */
  reason: string | null;
}

export interface RecoveryOutcomeView {
  recoveryId: string;
  originalCeremonyId: string;
  anchored: boolean;
  /** The fingerprint re-derived from the recovered key. */
  fingerprint: AuditFingerprint;
  /** Whether it equals the original bundle's master fingerprint. */
  matchesOriginal: boolean;
  used: string[];
  restored: { keyLabel: string; tokenLabel: string; serial: string };
  /** The recovery bundle folder (`keyrite verify` accepts it) and the run folder holding the journal. */
  bundleFolder: string;
  runFolder: string;
  exportChecks: { passed: number; total: number };
  /** The copy written by recovery:export (checked again after copying), once exported. */
  exportedTo: string | null;
}

export type RecoveryPhase = 'bundle' | 'script' | 'check-in' | 'ready' | 'running' | 'done' | 'failed';

export interface RecoveryView {
  phase: RecoveryPhase;
  bundle: OriginalBundleView | null;
  script: ScriptView | null;
  participants: ParticipantView[];
  steps: StepView[];
  log: { kind: 'info' | 'warning' | 'deviation'; message: string }[];
  prompt: CeremonyPrompt | null;
  current: { index: number; total: number } | null;
  /** "k of t": shares accepted so far, the number needed, and each share's outcome in order. */
  shares: { accepted: number; needed: number; events: ShareEventView[] };
  outcome: RecoveryOutcomeView | null;
  /** Why the recovery stopped, as a sentence. */
  error: string | null;
}
