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

export interface AuditView {
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
