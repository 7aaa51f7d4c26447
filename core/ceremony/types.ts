/**
 * What the ceremony engine (engine.ts) needs from the platform, and what it reports back.
 * Everything here is platform-free: core/node/ceremony-environment.ts implements the
 * environment for the CLI (and later the app) on Node; tests inject their own pieces.
 *
 * Secrets never cross this interface outwards: progress events, confirmation requests and
 * results carry public data only (names, ids, fingerprints, token URIs). PINs come in
 * through `pins.get` and go straight to the token's login.
 */
import type { NetworkInterfaceInfo } from '../airgap/status.ts';
import type { KnownAnswerTest } from '../selftest/kats.ts';
import type { KeyriteToken, TokenDescription } from '../tokens/token.ts';
import type { TokenCreation } from './rehearsal-token.ts';
import type { TranscriptSink } from '../transcript/transcript.ts';
import type { PinSource, TokenChoice } from './answers.ts';

/**
 * Files are named relative to one of two roots, with "/" separators, never absolute and
 * never with "..":
 *  - `out`: the run folder given with --out (journal, intermediate public files, bundle);
 *  - `answers`: the folder of the answers file (trustees' output folders, token files).
 */
export type FileRoot = 'out' | 'answers';

export interface FileRef {
  readonly root: FileRoot;
  readonly path: string;
}

export interface CeremonyFiles {
  /** The file's bytes, or undefined when there is no such file. */
  read(ref: FileRef): Promise<Uint8Array | undefined>;
  /** What is at `ref`, if anything. */
  kind(ref: FileRef): Promise<'file' | 'dir' | 'other' | undefined>;
  /** Names in a folder (sorted); an empty list when the folder does not exist. */
  list(ref: FileRef): Promise<string[]>;
  /** Creates a folder and its parents (mode 0700 for new ones). */
  mkdir(ref: FileRef): Promise<void>;
  /**
   * Creates a NEW file (exclusive create: fails with OBJECT_EXISTS if anything is there),
   * writes all of `data`, fsyncs the file and its folder. `secret` files get mode 0600,
   * others 0644. Keyrite never overwrites a file.
   */
  create(ref: FileRef, data: Uint8Array, opts?: { secret?: boolean }): Promise<void>;
  /**
   * Renames a folder into place. Fails with OBJECT_EXISTS when `to` exists and is not an
   * empty folder, so a bundle is never overwritten. Fsyncs the parent folder.
   */
  renameDir(from: FileRef, to: FileRef): Promise<void>;
  /**
   * Removes the temporary files (".<name>.<12 hex>.tmp") a killed process left in the folder
   * `ref` — those of the file `name` only, when given; returns their paths relative to the
   * folder's root ("journal/.transcript.jsonl.0a1b2c3d4e5f.tmp").
   */
  sweepTemporaries(ref: FileRef, name?: string): Promise<string[]>;
  /** Removes a staging folder the engine created (names starting ".bundle-staging-" only). */
  removeStaging(ref: FileRef): Promise<void>;
  /** A path to show people (absolute on the platform). */
  display(ref: FileRef): string;
  /** Where `ref` lies inside the folder of `root`: its relative path ("" for that folder itself), or undefined when outside. */
  within(ref: FileRef, root: FileRoot): string | undefined;
}

/** Who held a run folder's lock when their process ended without releasing it. */
export interface StaleLock {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** The durable journal: `transcript.jsonl` in the run folder. */
export interface TranscriptStore {
  /**
   * Takes the run folder for this process until release (OBJECT_EXISTS while another process
   * holds it); a lock left by a process that no longer runs is taken over and reported.
   */
  lock(): Promise<{ readonly staleHolder?: StaleLock; release(): Promise<void> }>;
  /** The journal's bytes, or undefined when no run has started in this folder. */
  read(): Promise<Uint8Array | undefined>;
  /** Creates a new, empty journal (never over an existing one). */
  create(): Promise<TranscriptSink & { close(): Promise<void> }>;
  /** Opens the existing journal for appending (never truncates). */
  openExisting(): Promise<TranscriptSink & { close(): Promise<void> }>;
  /** Cuts a torn final line (recoverTranscript's validLength); returns the bytes removed. */
  repairTornTail(validLength: number): Promise<number>;
}

export interface TokenOpenRequest {
  /** Whose token: the master token, or a trustee's. */
  readonly target: 'master' | 'trustee';
  readonly participantId?: string;
  readonly choice: TokenChoice;
}

/** A rehearsal software token file the answers name, which the environment creates when it is not there and the rule allows it (core/ceremony/rehearsal-token.ts). */
export interface TokenCreateRequest {
  readonly target: 'master' | 'trustee';
  readonly participantId?: string;
  /** The answers' file path, relative to the answers folder. */
  readonly path: string;
  /** Whether a missing file may be created (with its label), or why not. */
  readonly creation: TokenCreation;
  /** Name to show ("Bob (trustee-1)", "the master token"). */
  readonly who: string;
  /** Where the new token's passphrase comes from: the same source its login will use. */
  readonly pin: PinSource;
}

export interface PinRequest {
  /** "master" or the trustee's participant id. */
  readonly participantId: string;
  /** Name to show ("Bob (trustee-1)", "the master token"). */
  readonly who: string;
  readonly source: PinSource;
  readonly token: TokenDescription;
}

export interface ConfirmRequest {
  readonly stepId: string;
  readonly title: string;
  readonly witness: { readonly id: string; readonly name: string };
  /** What the witness attests, as readable lines (fingerprints in hex groups and words). */
  readonly summary: readonly string[];
}

export type ConfirmAnswer = { readonly confirmed: true; readonly via: 'answers-file' | 'interactive' } | { readonly confirmed: false; readonly reason: string };

export type ProgressKind = 'step.start' | 'step.done' | 'step.skipped' | 'info' | 'warning' | 'ceremony.resume';

/** A progress event for the CLI or the GUI. Public data only. */
export interface ProgressEvent {
  readonly kind: ProgressKind;
  readonly stepId?: string;
  readonly action?: string;
  /** 1-based position of the step in the script, and the number of steps. */
  readonly index?: number;
  readonly total?: number;
  readonly title?: string;
  readonly participantId?: string;
  readonly message: string;
  /**
   * Share collection (escrow recovery, collect-share): the outcome of one trustee's share and
   * the "k of t" count after it, so a GUI need not read the message text.
   */
  readonly share?: ShareProgress;
  /** Rotation, cross-sign: the key states fixed (the old key deprecated until `until`, the new one active), so a GUI can show both fingerprints without reading the message text. */
  readonly keyStates?: { readonly at: string; readonly until: string; readonly previous: string; readonly next: string };
}

/** One share's outcome during collect-share. `accepted` counts the shares accepted so far; `needed` is t. */
export interface ShareProgress {
  readonly trusteeId: string;
  readonly outcome: 'accepted' | 'refused' | 'duplicate';
  /** Why the share was refused or dropped; absent when accepted. */
  readonly reason?: string;
  readonly accepted: number;
  readonly needed: number;
}

export interface CeremonyEnvironment {
  readonly tokens: {
    /** Finds and opens the chosen token (no login). TOKEN_NOT_FOUND when it is not there. */
    open(request: TokenOpenRequest): Promise<KeyriteToken>;
    /**
     * When the software token file is not there: creates it (exclusively, never over an existing
     * file) and returns it opened if `creation` allows, else refuses with TOKEN_NOT_FOUND naming
     * the file and the reason. Undefined when the file exists (open it as usual). Absent where
     * tokens are never created (the app).
     */
    createIfMissing?(request: TokenCreateRequest): Promise<KeyriteToken | undefined>;
  };
  readonly pins: {
    /** Checks, without reading a PIN, that the source can deliver one (env variable set, prompt possible). */
    check(source: PinSource, who: string): void;
    /** The PIN (or software-token passphrase). Used for one login, then dropped. */
    get(request: PinRequest): Promise<string>;
  };
  /**
   * The paper-backup words of a trustee whose token is lost (answers `paper-words`), from the
   * environment variable named or a hidden prompt. Secret like a PIN: used for one check, never
   * shown, logged or written. A face without it (the app, for now) refuses paper trustees.
   */
  readonly paperWords?: {
    check(source: PinSource, who: string): void;
    get(request: { readonly participantId: string; readonly who: string; readonly source: PinSource }): Promise<string>;
  };
  readonly files: CeremonyFiles;
  readonly transcript: TranscriptStore;
  /** Wall clock for transcript times (answers `clock` replaces it in rehearsals). */
  readonly clock: () => Date;
  /** Random bytes: the OS CSPRNG (core/crypto/random.ts) unless injected for a golden run. */
  readonly random: (n: number) => Uint8Array;
  readonly networkInterfaces: () => NetworkInterfaceInfo[] | Promise<NetworkInterfaceInfo[]>;
  /** A witness confirms a step (witness: true). */
  readonly confirm: (request: ConfirmRequest) => Promise<ConfirmAnswer>;
  readonly progress: (event: ProgressEvent) => void;
  /** The standalone verifier page the bundle carries as verifier/verify.html. */
  readonly verifierPage: () => Promise<Uint8Array>;
}

export interface CeremonyOptions {
  /**
   * 'hedged' (default): fresh randomness in every ML-DSA signature (FIPS 204 hedged).
   * 'deterministic': FIPS 204's deterministic variant, for the golden bundle fixture only.
   */
  readonly mldsaSigning?: 'hedged' | 'deterministic';
  /** Known-answer tests to run (default: all of core/selftest/kats.ts); tests inject a failing one. */
  readonly selfTests?: readonly KnownAnswerTest[];
  /** Keyrite version recorded in the transcript. */
  readonly keyriteVersion?: string;
}

export interface BundleCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface TrusteeSummary {
  readonly id: string;
  readonly name: string;
  readonly fingerprint: string;
  /** Files written to the trustee's own folder (answers root). */
  readonly files: readonly string[];
}

/** The bundle's archive next to its folder (docs/FORMATS.md "Bundle archive"), and its SHA-256 (hex). */
export interface BundleArchive {
  readonly ref: FileRef;
  readonly sha256: string;
}

export interface CeremonyResult {
  readonly ok: true;
  readonly ceremonyId: string;
  /** Number of this run of the ceremony (1 for the first, more after a resume). */
  readonly run: number;
  readonly resumed: boolean;
  readonly master: { readonly fingerprint: string; readonly hexGroups: string; readonly words: readonly string[]; readonly keyLabel: string; readonly tokenUri: string };
  readonly trustees: readonly TrusteeSummary[];
  /** The bundle folder (out root). */
  readonly bundle: FileRef;
  /** The same bundle as one file, verified from disk like the folder. */
  readonly archive: BundleArchive;
  readonly journal: FileRef;
  readonly checks: readonly BundleCheck[];
  readonly transcriptEntries: number;
}
