/**
 * The values the signing channels of core/ipc/contract.ts carry (all JSON-safe, public data
 * only): a signing ceremony (core/ceremony/kinds/signing.ts, on the one engine) run in the main
 * process. The root bundle and the quorum's check-in are a recovery's (recovery-types.ts); the
 * request is shown as read and checked against the script's caps before anything is unlocked.
 * PINs go renderer → main only (signing:pin); shares, S and K never leave the engine.
 */
import type { AuditFingerprint } from './audit-types.ts';
import type { CeremonyPrompt, ParticipantView, ScriptView, StepView } from './ceremony-types.ts';
import type { OriginalBundleView, RecoveryCheckInForm, ShareEventView } from './recovery-types.ts';

/** One operational key of the request, as its table row shows it. */
export interface RequestKeyView {
  kid: string;
  /** Ed25519, ES256, ML-DSA-65, ML-KEM-768 or X-Wing. */
  alg: string;
  /** sig or enc. */
  use: string;
  /** The free label ("release-signing"). */
  label: string;
  nbf: string;
  exp: string;
  /** Whole days from nbf to exp (rounded up). */
  days: number;
}

export interface RequestArtifactView {
  name: string;
  size: number;
  sha256: string;
}

/** The signing request file as read in the main process and checked against the script's caps at the time it was opened. */
export interface SigningRequestView {
  /** The file, relative to the folder holding the root bundle (answers request.path). */
  path: string;
  bytes: number;
  /** Its SHA-256 as hex, hex groups and words: what everyone present compares. */
  digest: AuditFingerprint;
  /** The script's caps (check-request params). */
  limits: { maxValidityDays: number; maxKeys: number; maxArtifacts: number };
  /** When the check ran (RFC 3339 UTC); the engine checks again when it runs. */
  checkedAt: string;
  verdict: 'accepted' | 'refused';
  /** The refusal sentence (REQUEST_REFUSED) when refused, else null. */
  refusal: string | null;
  /** Null when the file could not be read as a request at all. */
  title: string | null;
  keys: RequestKeyView[];
  artifacts: RequestArtifactView[];
}

/**
 * The check-in: a recovery's (the typed master fingerprint, the trustees present with their
 * tokens, keyrings and envelopes; masterToken is the token that HOLDS the master key), plus the
 * request's SHA-256 as its author gave it out of band (answers request.sha256; required by a live
 * script, optional in rehearsal where the digest of the file shown is used).
 */
export interface SigningCheckInForm extends RecoveryCheckInForm {
  requestDigest: string;
}

/** signing:confirmDigest: the person named in the pending digest prompt types the first two words of the request's digest. */
export interface DigestConfirmation {
  prompt: number;
  words: string;
}

export interface SignedDocumentView {
  name: string;
  payloadType: string;
  sha256: string;
  /** The document and its envelope in the run folder's signed/. */
  path: string;
  envelope: string;
}

export interface SigningOutcomeView {
  ceremonyId: string;
  originalCeremonyId: string;
  anchored: boolean;
  /** The master key that signed (the root bundle's). */
  fingerprint: AuditFingerprint;
  request: { title: string; sha256: string; keys: number; artifacts: number };
  used: string[];
  documents: SignedDocumentView[];
  /** The signing bundle folder (`keyrite verify` accepts it), the run folder and its signed/ folder. */
  bundleFolder: string;
  runFolder: string;
  signedFolder: string;
  exportChecks: { passed: number; total: number };
  /** The folder signing:export wrote (signed/ and bundle/ inside), checked after copying; null until exported. */
  exportedTo: string | null;
}

export type SigningPhase = 'bundle' | 'script' | 'request' | 'check-in' | 'ready' | 'running' | 'done' | 'failed';

export interface SigningView {
  phase: SigningPhase;
  bundle: OriginalBundleView | null;
  script: ScriptView | null;
  request: SigningRequestView | null;
  /** The step whose witness prompts are the digest confirmations (the script's check-request step). */
  digestStep: string | null;
  participants: ParticipantView[];
  steps: StepView[];
  log: { kind: 'info' | 'warning' | 'deviation'; message: string }[];
  prompt: CeremonyPrompt | null;
  current: { index: number; total: number } | null;
  /** Who confirmed the request's digest so far ("Bob Trustee (trustee-1)"), in order. */
  digestConfirmed: string[];
  shares: { accepted: number; needed: number; events: ShareEventView[] };
  outcome: SigningOutcomeView | null;
  error: string | null;
  /** Set when this run continues an interrupted signing run of this root bundle (signing:resume): its run folder and id. */
  resuming: { folder: string; ceremonyId: string } | null;
}
