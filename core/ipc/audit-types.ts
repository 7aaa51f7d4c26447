/**
 * The values the audit channels of core/ipc/contract.ts carry (all JSON-safe, public data
 * only): the verifier's report on a bundle folder chosen in the main process, and the results
 * of audit scripts run against it (docs/VERIFIER.md, docs/AUDIT-SCRIPTS.md).
 */
import type { VerifyMode } from '../crypto/hybrid.ts';

export type { VerifyMode } from '../crypto/hybrid.ts';

/** How to verify: the master fingerprint read aloud (64 hex digits or 16 words; empty = none) and the signature mode. */
export interface AuditOptions {
  trust: string;
  mode: VerifyMode;
}

export interface AuditCheckView {
  name: string;
  status: 'pass' | 'fail' | 'skipped';
  /** One sentence: what was checked, or why it failed. */
  detail: string;
  /** The verifier's own check, or one from an audit script. */
  source: 'verifier' | 'script';
}

export interface AuditScriptView {
  /** The script's file name (`editor-script.js` for the one typed in the app). */
  file: string;
  /** Completed and every check passed. */
  ok: boolean;
  checks: number;
  ms: number;
  /** The sentence shown when the script did not complete ("did not complete (timeout): …"), else null. */
  problem: string | null;
  logs: string[];
}

export interface AuditFingerprint {
  hex: string;
  hexGroups: string;
  words: string[];
}

/** A signing bundle's request and documents, as its signed statement states them (shown under the verdict). */
export interface AuditSigningView {
  requestTitle: string;
  requestSha256: string;
  /** The root ceremony whose master key signed. */
  originalCeremonyId: string;
  documents: { name: string; sha256: string; payloadType: string }[];
}

export interface AuditReportView {
  verdict: 'valid' | 'invalid';
  mode: VerifyMode;
  anchor: { anchored: boolean; compared: 'full' | 'words-prefix' | null; matches: boolean | null };
  kind: string | null;
  ceremonyId: string | null;
  transcriptEntries: number | null;
  /** The script says rehearsal (practice keys); null until the script was read. */
  rehearsal: boolean | null;
  fingerprint: AuditFingerprint | null;
  /** For a signing bundle: its request and documents; null for other kinds. */
  signing: AuditSigningView | null;
  checks: AuditCheckView[];
}

/** The four key states of docs/FORMATS.md "Key states" (core/bundle/key-states.ts KEY_STATES). */
export type ChainKeyState = 'active' | 'deprecated' | 'retired' | 'revoked';

/** One master key of a valid chain, as its last rotation's key states state it. */
export interface ChainKeyView {
  fingerprint: AuditFingerprint;
  /** The ceremony that made the key (the root ceremony or a rotation). */
  ceremonyId: string;
  /** As published; `stateNow` is the state at the report's time (a deprecated key past its grace is retired). */
  state: ChainKeyState;
  stateNow: ChainKeyState;
  since: string;
  /** deprecated: the end of its grace period; else null. */
  until: string | null;
  /** revoked: nothing it signed at or after this time is trusted; else null. */
  revokedAt: string | null;
}

/** One bundle of the chain in the order given, as it states itself (verified only when the chain is valid). */
export interface ChainStepView {
  folder: string;
  kind: string | null;
  ceremonyId: string | null;
  fingerprint: AuditFingerprint | null;
  /** When its master key became active (its ceremony.end); null when it could not be read. */
  endedAt: string | null;
  /** Every check of its own passes (its anchor aside: a rotation is anchored by the chain), as the check chain-bundles requires. */
  verifiesAlone: boolean;
}

/** The chain verifier's report (core/verifier/chain.ts, what `keyrite verify ROOT ROT… --trust ROOT` prints). */
export interface ChainReportView {
  verdict: 'valid' | 'invalid';
  mode: VerifyMode;
  anchor: { anchored: boolean; compared: 'full' | 'words-prefix' | null; matches: boolean | null };
  /** The time each key's state now is judged at. */
  at: string;
  steps: ChainStepView[];
  /** The active master key at the end of a valid chain; null when the chain is refused. */
  current: { fingerprint: AuditFingerprint; ceremonyId: string } | null;
  /** Every master key with its state, newest first: only for a valid chain. */
  keys: ChainKeyView[] | null;
  checks: AuditCheckView[];
  /** The first failed check, name and sentence (the refusal: fork, rollback, gap, not linked…); null when valid. */
  refusal: { check: string; detail: string } | null;
}

/** The chain being audited: bundle folders in the order the auditor added them (root first), and its report once verified. */
export interface AuditChainView {
  folders: string[];
  report: ChainReportView | null;
}

export interface AuditView {
  /** A chain of bundles (root, then its rotations), apart from the single bundle below. */
  chain: AuditChainView;
  /** The bundle folder or archive being audited (as the main process read it), or null. */
  bundle: string | null;
  /** When the bundle came as an archive: its SHA-256, to compare with the one published beside it. */
  archive: AuditFingerprint | null;
  options: AuditOptions;
  report: AuditReportView | null;
  scripts: AuditScriptView[];
  /** The last exported report file, until the next verification. */
  exportedTo: string | null;
}

/** An audit script: a file from the main process picker, or text typed in the app's editor. */
export type AuditScriptSource = { readonly pick: true } | { readonly source: string };
