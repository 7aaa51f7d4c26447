/**
 * The one IPC contract between the renderer (`window.keyrite`) and the main process.
 * Every channel and every main→renderer event is listed here, and nowhere else.
 * Platform-free: imported by the renderer (types), the preload, the main process and tests.
 *
 * Rules (docs/APP-SHELL.md):
 *  - a channel is named `namespace:method`; the preload exposes it as
 *    `window.keyrite.namespace.method(arg)`;
 *  - exactly one JSON-safe argument (or none); bytes travel as hex or base64url strings;
 *  - every call resolves to a tagged union `{ok:true,value} | {ok:false,code,message}` and
 *    never rejects; `message` is a sentence for people, never a stack trace;
 *  - results never carry secrets (seeds, shares, private keys, PINs, passphrases) — the
 *    paper-backup words a trustee must copy are the one planned exception;
 *  - the main process re-checks every argument (`checkArg`) and the sender frame.
 */
import type { ErrorCode } from '../errors.ts';
import type { AirGapStatus } from '../airgap/status.ts';
import type { SelfTestReport } from '../selftest/run.ts';
import type { CeremonyView, CheckInForm, InterruptedCeremonyView, PaperWords, ScriptDiffView, ScriptSource, ShippedScript } from './ceremony-types.ts';
import type { AuditOptions, AuditScriptSource, AuditView } from './audit-types.ts';
import type { OriginalBundleView, RecoveryCheckInForm, RecoveryView, ShareCardReadView, ShareCardScan } from './recovery-types.ts';
import { checkCheckInForm, checkParticipantRef, checkPinAnswer, checkRunFolderRef, checkScriptSource, checkWitnessAnswer } from './ceremony-args.ts';
import { checkAuditOptions, checkAuditScriptSource, checkChainIndex } from './audit-args.ts';
import { checkPickOnly, checkRecoveryCheckInForm, checkRotationCheckInForm, checkShareCardScan, checkShareCheckForm } from './recovery-args.ts';
import type { RotationCheckInForm, RotationView } from './rotation-types.ts';
import type { ShareCheckForm, ShareCheckView } from './share-check-types.ts';
import type { DigestConfirmation, SigningCheckInForm, SigningView } from './signing-types.ts';
import { checkDigestConfirmation, checkSigningCheckInForm, checkSigningRunFolderRef } from './signing-args.ts';

export type { AirGapStatus, AirGapInterface } from '../airgap/status.ts';

/** Error codes a call can resolve with: core's codes plus the IPC layer's own. */
export type IpcErrorCode =
  | ErrorCode
  /** the handler hit an unexpected error (details only in the main process log) */
  | 'INTERNAL'
  /** the request did not come from the app's own top-level page */
  | 'FORBIDDEN'
  /** no such channel */
  | 'UNKNOWN_CHANNEL'
  /** the feature behind the channel is not available in this build or on this machine */
  | 'UNAVAILABLE';

export type IpcOk<T> = { readonly ok: true; readonly value: T };
export type IpcErr = { readonly ok: false; readonly code: IpcErrorCode; readonly message: string };
export type IpcResult<T> = IpcOk<T> | IpcErr;

export function ok<T>(value: T): IpcOk<T> {
  return { ok: true, value };
}

export function err(code: IpcErrorCode, message: string): IpcErr {
  return { ok: false, code, message };
}

// ---------------------------------------------------------------------------------------
// Value types carried by the channels (all JSON-safe).

export type AppMode = 'rehearsal' | 'live';

export interface AppInfo {
  name: string;
  version: string;
  /** `rehearsal` while only the embedded software token (or SoftHSM) can be used. */
  mode: AppMode;
  /** process.platform of the main process: linux, darwin, win32, … */
  platform: string;
}


export type { SelfTestReport, SelfTestResult } from '../selftest/run.ts';

export interface TokenSummary {
  /** Stable id for this session (e.g. a PKCS#11 URI), never a slot number. */
  id: string;
  label: string;
  manufacturer: string;
  model: string;
  serial: string;
  /** true for the embedded software token and SoftHSM: shown as "rehearsal only". */
  rehearsalOnly: boolean;
}

export interface TokensChanged {
  change: 'attached' | 'detached';
  /** One sentence naming what was plugged in or removed. */
  message: string;
}

/** USB as the main process sees it; a machine without a USB subsystem is a normal state. */
export interface UsbState {
  available: boolean;
  /** One sentence for the home screen. */
  message: string;
  /** "Yubico YubiKey … (1050:0407)" for each attached device. */
  devices: string[];
}

export type {
  CeremonyView,
  CeremonyPhase,
  CeremonyPrompt,
  CeremonyOutcome,
  CheckInForm,
  PaperWords,
  InterruptedCeremonyView,
  ParticipantView,
  PinPrompt,
  ReceiptView,
  ScriptSource,
  ScriptView,
  ShippedScript,
  ScriptDiffView,
  StepView,
  WitnessPrompt,
} from './ceremony-types.ts';
export type { AuditChainView, AuditCheckView, AuditFingerprint, ChainKeyState, ChainKeyView, ChainReportView, ChainStepView, AuditSigningView, AuditOptions, AuditReportView, AuditScriptSource, AuditScriptView, AuditView, VerifyMode } from './audit-types.ts';
export type { ShareCheckForm, ShareCheckView } from './share-check-types.ts';
export type { RotationCheckInForm, RotationCrossSignView, RotationKeyView, RotationOutcomeView, RotationPhase, RotationView } from './rotation-types.ts';
export type { DigestConfirmation, RequestArtifactView, RequestKeyView, SignedDocumentView, SigningCheckInForm, SigningOutcomeView, SigningPhase, SigningRequestView, SigningView } from './signing-types.ts';
export type { OriginalBundleView, RecoveryCheckInForm, RecoveryOutcomeView, RecoveryPhase, RecoveryView, ShareCardReadView, ShareCardScan, ShareEventView } from './recovery-types.ts';

// ---------------------------------------------------------------------------------------
// The channels (renderer → main, request/response) and events (main → renderer).

export interface IpcChannels {
  'app:info': { arg: undefined; result: AppInfo };
  'selftest:run': { arg: undefined; result: SelfTestReport };
  'airgap:status': { arg: undefined; result: AirGapStatus };
  'tokens:list': { arg: undefined; result: TokenSummary[] };
  'usb:status': { arg: undefined; result: UsbState };
  'ceremony:scripts': { arg: undefined; result: ShippedScript[] };
  'ceremony:load': { arg: ScriptSource; result: CeremonyView };
  'ceremony:checkIn': { arg: CheckInForm; result: CeremonyView };
  'ceremony:start': { arg: undefined; result: CeremonyView };
  'ceremony:state': { arg: undefined; result: CeremonyView };
  'ceremony:pin': { arg: { prompt: number; pin: string }; result: CeremonyView };
  'ceremony:witness': { arg: { prompt: number; confirmed: boolean }; result: CeremonyView };
  'ceremony:stop': { arg: undefined; result: CeremonyView };
  'ceremony:reset': { arg: undefined; result: CeremonyView };
  'ceremony:paperWords': { arg: { trusteeId: string }; result: PaperWords };
  'ceremony:paperCopied': { arg: { trusteeId: string }; result: CeremonyView };
  'ceremony:export': { arg: undefined; result: CeremonyView };
  'ceremony:interrupted': { arg: undefined; result: InterruptedCeremonyView[] };
  'ceremony:resume': { arg: { folder: string }; result: CeremonyView };
  'ceremony:diffScript': { arg: ScriptSource; result: ScriptDiffView | null };
  'ceremony:printScript': { arg: undefined; result: { file: string } | null };
  'audit:state': { arg: undefined; result: AuditView };
  'audit:open': { arg: AuditOptions; result: AuditView };
  'audit:openArchive': { arg: AuditOptions; result: AuditView };
  'audit:verify': { arg: AuditOptions; result: AuditView };
  'audit:runScript': { arg: AuditScriptSource; result: AuditView };
  'audit:export': { arg: undefined; result: AuditView };
  'audit:chainAdd': { arg: undefined; result: AuditView };
  'audit:chainRemove': { arg: { index: number }; result: AuditView };
  'audit:chainVerify': { arg: AuditOptions; result: AuditView };
  'recovery:scripts': { arg: undefined; result: ShippedScript[] };
  'recovery:state': { arg: undefined; result: RecoveryView };
  'recovery:openBundle': { arg: { pick: true }; result: RecoveryView };
  'recovery:load': { arg: ScriptSource; result: RecoveryView };
  'recovery:readShareCard': { arg: ShareCardScan; result: ShareCardReadView };
  'share:openBundle': { arg: { pick: true }; result: OriginalBundleView | null };
  'share:check': { arg: ShareCheckForm; result: ShareCheckView };
  'recovery:checkIn': { arg: RecoveryCheckInForm; result: RecoveryView };
  'recovery:start': { arg: undefined; result: RecoveryView };
  'recovery:pin': { arg: { prompt: number; pin: string }; result: RecoveryView };
  'recovery:witness': { arg: { prompt: number; confirmed: boolean }; result: RecoveryView };
  'recovery:stop': { arg: undefined; result: RecoveryView };
  'recovery:reset': { arg: undefined; result: RecoveryView };
  'signing:scripts': { arg: undefined; result: ShippedScript[] };
  'signing:state': { arg: undefined; result: SigningView };
  'signing:openBundle': { arg: { pick: true }; result: SigningView };
  'signing:load': { arg: ScriptSource; result: SigningView };
  'signing:openRequest': { arg: { pick: true }; result: SigningView };
  'signing:checkIn': { arg: SigningCheckInForm; result: SigningView };
  'signing:start': { arg: undefined; result: SigningView };
  'signing:pin': { arg: { prompt: number; pin: string }; result: SigningView };
  'signing:witness': { arg: { prompt: number; confirmed: boolean }; result: SigningView };
  'signing:confirmDigest': { arg: DigestConfirmation; result: SigningView };
  'signing:stop': { arg: undefined; result: SigningView };
  'signing:reset': { arg: undefined; result: SigningView };
  'signing:export': { arg: { pick: true }; result: SigningView };
  'signing:readShareCard': { arg: ShareCardScan; result: ShareCardReadView };
  'signing:interrupted': { arg: undefined; result: InterruptedCeremonyView[] };
  'signing:resume': { arg: { folder: string }; result: SigningView };
  'rotation:scripts': { arg: undefined; result: ShippedScript[] };
  'rotation:state': { arg: undefined; result: RotationView };
  'rotation:openBundle': { arg: { pick: true }; result: RotationView };
  'rotation:load': { arg: ScriptSource; result: RotationView };
  'rotation:checkIn': { arg: RotationCheckInForm; result: RotationView };
  'rotation:start': { arg: undefined; result: RotationView };
  'rotation:pin': { arg: { prompt: number; pin: string }; result: RotationView };
  'rotation:witness': { arg: { prompt: number; confirmed: boolean }; result: RotationView };
  'rotation:stop': { arg: undefined; result: RotationView };
  'rotation:reset': { arg: undefined; result: RotationView };
  'recovery:export': { arg: undefined; result: RecoveryView };
}

export interface IpcEvents {
  'tokens:changed': TokensChanged;
  'ceremony:changed': CeremonyView;
  'recovery:changed': RecoveryView;
  'signing:changed': SigningView;
  'rotation:changed': RotationView;
}

export type Channel = keyof IpcChannels;
export type ChannelArg<C extends Channel> = IpcChannels[C]['arg'];
export type ChannelResult<C extends Channel> = IpcChannels[C]['result'];
export type EventName = keyof IpcEvents;
export type EventPayload<E extends EventName> = IpcEvents[E];

/** Checks an argument's shape: null when acceptable, else a sentence saying what is wrong. */
export type ArgCheck = (arg: unknown) => string | null;

export const noArgument: ArgCheck = (arg) => (arg === undefined ? null : 'This request takes no argument.');

interface ChannelSpec {
  summary: string;
  checkArg: ArgCheck;
}

// A mapped type over `Channel`: the compiler rejects a missing or an extra channel.
const CHANNEL_SPECS: { readonly [C in Channel]: ChannelSpec } = {
  'app:info': { summary: 'Name, version, rehearsal or live mode, platform.', checkArg: noArgument },
  'selftest:run': { summary: 'Runs the known-answer self-tests and returns the report.', checkArg: noArgument },
  'airgap:status': { summary: 'Lists the network interfaces that are up besides loopback.', checkArg: noArgument },
  'tokens:list': { summary: 'Lists the PKCS#11 and rehearsal software tokens that can be used.', checkArg: noArgument },
  'usb:status': { summary: 'Says whether USB can be watched on this machine and what is attached.', checkArg: noArgument },
  'ceremony:scripts': { summary: 'Lists the shipped root-keygen ceremony scripts.', checkArg: noArgument },
  'ceremony:load': { summary: 'Loads a shipped script, or one chosen in the main process file picker.', checkArg: checkScriptSource },
  'ceremony:checkIn': { summary: 'Checks the participants in: names and token choices (the answers file, built in the app).', checkArg: checkCheckInForm },
  'ceremony:start': { summary: 'Starts the ceremony engine on the checked-in participants.', checkArg: noArgument },
  'ceremony:state': { summary: 'The current ceremony view (public data only).', checkArg: noArgument },
  'ceremony:pin': { summary: 'Answers the pending PIN request; the PIN stays in the main process.', checkArg: checkPinAnswer },
  'ceremony:witness': { summary: 'Answers the pending witness confirmation.', checkArg: checkWitnessAnswer },
  'ceremony:stop': { summary: 'Stops the running ceremony at its pending request.', checkArg: noArgument },
  'ceremony:reset': { summary: 'Leaves a finished or failed ceremony and starts over.', checkArg: noArgument },
  'ceremony:paperWords': { summary: "A trustee's paper-backup words: the one secret the renderer may show.", checkArg: checkParticipantRef },
  'ceremony:paperCopied': { summary: 'A trustee confirms they copied their paper-backup words.', checkArg: checkParticipantRef },
  'ceremony:export': { summary: 'Copies the bundle into a folder chosen in the main process and checks the copy.', checkArg: noArgument },
  'ceremony:interrupted': { summary: 'Lists earlier run folders whose journal has no bundle (stopped or interrupted ceremonies); reads them only.', checkArg: noArgument },
  'ceremony:resume': { summary: 'Chooses an interrupted ceremony to resume: its script is loaded and the same participants check in again.', checkArg: checkRunFolderRef },
  'ceremony:diffScript': { summary: 'Compares the loaded script with a shipped one or a picked file: every difference, allowed for a rehearsal or not (keyrite script diff).', checkArg: checkScriptSource },
  'ceremony:printScript': { summary: 'Writes the loaded script as the paper script witnesses follow (PDF, keyrite script print) to a new file chosen in the main process.', checkArg: noArgument },
  'audit:state': { summary: 'The current audit view: the bundle, the verifier report, the audit scripts run (public data only).', checkArg: noArgument },
  'audit:open': { summary: 'Opens a bundle folder chosen in the main process picker and verifies it with the options given.', checkArg: checkAuditOptions },
  'audit:openArchive': { summary: 'Opens a bundle archive (.keyrite.tar) chosen in the main process picker, reads it in memory and verifies it with the options given.', checkArg: checkAuditOptions },
  'audit:verify': { summary: 'Verifies the open bundle again with other options (trusted fingerprint, mode).', checkArg: checkAuditOptions },
  'audit:runScript': { summary: 'Runs an audit script (a file from the picker, or text from the editor) against the open bundle in the sandbox.', checkArg: checkAuditScriptSource },
  'audit:export': { summary: 'Writes the report as JSON to a new file chosen in the main process (never overwrites).', checkArg: noArgument },
  'audit:chainAdd': { summary: 'Adds a bundle folder chosen in the main process picker to the end of the chain being audited (root first, then each rotation).', checkArg: noArgument },
  'audit:chainRemove': { summary: 'Removes one bundle folder from the chain being audited.', checkArg: checkChainIndex },
  'audit:chainVerify': { summary: 'Verifies the chain from the root fingerprint typed (keyrite verify ROOT ROT… --trust ROOT): links, key states, the current key.', checkArg: checkAuditOptions },
  'recovery:scripts': { summary: 'Lists the shipped escrow-recovery scripts.', checkArg: noArgument },
  'recovery:state': { summary: 'The current recovery view (public data only).', checkArg: noArgument },
  'recovery:openBundle': { summary: "Opens the original ceremony's bundle folder (main process picker) and verifies it; its master fingerprint stays in the main process until the quorum has typed it.", checkArg: checkPickOnly },
  'recovery:load': { summary: 'Loads a shipped escrow-recovery script, or one chosen in the main process file picker.', checkArg: checkScriptSource },
  'share:openBundle': { summary: "Opens your ceremony's bundle folder (main process picker) for the share check; null when the picker was cancelled.", checkArg: checkPickOnly },
  'share:check': { summary: 'A trustee checks their own share alone: bundle, keyring, token (PIN), sealed seed, share and, if given, paper words. Writes nothing.', checkArg: checkShareCheckForm },
  'recovery:readShareCard': { summary: "Reads a trustee's share card from the text a QR scanner typed and saves its envelope next to the bundle (never over another file).", checkArg: checkShareCardScan },
  'recovery:checkIn': { summary: 'Checks the quorum in: the typed fingerprint, the trustees with their tokens, keyrings and envelopes, the new master token.', checkArg: checkRecoveryCheckInForm },
  'recovery:start': { summary: 'Starts the recovery engine on the checked-in quorum.', checkArg: noArgument },
  'recovery:pin': { summary: 'Answers the pending PIN request; the PIN stays in the main process.', checkArg: checkPinAnswer },
  'recovery:witness': { summary: 'Answers the pending witness confirmation.', checkArg: checkWitnessAnswer },
  'recovery:stop': { summary: 'Stops the running recovery at its pending request.', checkArg: noArgument },
  'recovery:reset': { summary: 'Leaves a finished or failed recovery and starts over.', checkArg: noArgument },
  'signing:scripts': { summary: 'Lists the shipped signing scripts.', checkArg: noArgument },
  'signing:state': { summary: 'The current signing view (public data only).', checkArg: noArgument },
  'signing:openBundle': { summary: "Opens the root ceremony's bundle folder (main process picker) and verifies it; its master fingerprint stays in the main process until the quorum has typed it.", checkArg: checkPickOnly },
  'signing:load': { summary: 'Loads a shipped signing script, or one chosen in the main process file picker.', checkArg: checkScriptSource },
  'signing:openRequest': { summary: "Opens a signing request (main process picker) and checks it against the script's caps; nothing is unlocked.", checkArg: checkPickOnly },
  'signing:checkIn': { summary: "Checks the quorum in: the typed fingerprint, the request's digest as its author gave it, the trustees with their tokens, keyrings and envelopes, the master token.", checkArg: checkSigningCheckInForm },
  'signing:start': { summary: 'Starts the signing engine on the checked-in quorum.', checkArg: noArgument },
  'signing:pin': { summary: 'Answers the pending PIN request; the PIN stays in the main process.', checkArg: checkPinAnswer },
  'signing:witness': { summary: 'Answers the pending witness confirmation (a digest confirmation can only be declined here).', checkArg: checkWitnessAnswer },
  'signing:confirmDigest': { summary: "Confirms the request's digest for the person the pending prompt names, with the first two words typed.", checkArg: checkDigestConfirmation },
  'signing:stop': { summary: 'Stops the running signing ceremony at its pending request.', checkArg: noArgument },
  'signing:reset': { summary: 'Leaves a finished or failed signing ceremony and starts over.', checkArg: noArgument },
  'signing:export': { summary: 'Copies the signed documents and the signing bundle into a new folder inside one chosen in the main process, and checks the copy.', checkArg: checkPickOnly },
  'signing:readShareCard': { summary: "Reads a trustee's share card at the signing check-in from the text a QR scanner typed and saves its envelope next to the root bundle (never over another file).", checkArg: checkShareCardScan },
  'signing:interrupted': { summary: 'Lists earlier signing run folders of the open root bundle whose journal has no bundle (stopped or interrupted signing runs); reads them only.', checkArg: noArgument },
  'signing:resume': { summary: 'Chooses an interrupted signing run of the open root bundle: its script is loaded; the same request is opened and the same quorum checks in again.', checkArg: checkSigningRunFolderRef },
  'rotation:scripts': { summary: 'Lists the shipped rotation scripts.', checkArg: noArgument },
  'rotation:state': { summary: 'The current rotation view (public data only).', checkArg: noArgument },
  'rotation:openBundle': { summary: 'Opens the current bundle folder (the root bundle or the last rotation bundle; main process picker) and verifies it; its master fingerprint stays in the main process until the quorum has typed it.', checkArg: checkPickOnly },
  'rotation:load': { summary: 'Loads a shipped rotation script, or one chosen in the main process file picker.', checkArg: checkScriptSource },
  'rotation:checkIn': { summary: 'Checks the rotation in: the typed current fingerprint, every trustee with token, keyring, envelope, new share folder and dice, the new master token.', checkArg: checkRotationCheckInForm },
  'rotation:start': { summary: 'Starts the rotation engine on the checked-in trustees.', checkArg: noArgument },
  'rotation:pin': { summary: 'Answers the pending PIN request; the PIN stays in the main process.', checkArg: checkPinAnswer },
  'rotation:witness': { summary: 'Answers the pending witness confirmation.', checkArg: checkWitnessAnswer },
  'rotation:stop': { summary: 'Stops the running rotation at its pending request.', checkArg: noArgument },
  'rotation:reset': { summary: 'Leaves a finished or failed rotation and starts over.', checkArg: noArgument },
  'recovery:export': { summary: 'Copies the recovery bundle into a folder chosen in the main process and checks the copy.', checkArg: noArgument },
};

const EVENT_SPECS: { readonly [E in EventName]: { summary: string } } = {
  'tokens:changed': { summary: 'A USB token was attached or detached; call tokens.list again.' },
  'ceremony:changed': { summary: 'The ceremony view changed (step progress, a PIN or witness request, the outcome).' },
  'recovery:changed': { summary: 'The recovery view changed (step progress, share progress, a PIN or witness request, the outcome).' },
  'rotation:changed': { summary: 'The rotation view changed (step progress, share progress, the key states at cross-sign, a PIN or witness request, the outcome).' },
  'signing:changed': { summary: 'The signing view changed (step progress, digest confirmations, share progress, a PIN or witness request, the outcome).' },
};

export const CHANNELS: readonly Channel[] = Object.freeze(Object.keys(CHANNEL_SPECS) as Channel[]);
export const EVENTS: readonly EventName[] = Object.freeze(Object.keys(EVENT_SPECS) as EventName[]);

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(CHANNEL_SPECS, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(EVENT_SPECS, name);
}

export function channelSummary(channel: Channel): string {
  return CHANNEL_SPECS[channel].summary;
}

/** null when `arg` is acceptable for `channel`, else a sentence. */
export function checkArg(channel: Channel, arg: unknown): string | null {
  return CHANNEL_SPECS[channel].checkArg(arg);
}

/** `'selftest:run'` → `['selftest', 'run']`, the path of the method on `window.keyrite`. */
export function apiPath(channel: Channel): [namespace: string, method: string] {
  const i = channel.indexOf(':');
  return [channel.slice(0, i), channel.slice(i + 1)];
}

// ---------------------------------------------------------------------------------------
// The shape of `window.keyrite`, derived from the channels above.

type NamespaceOf<C> = C extends `${infer N}:${string}` ? N : never;
type MethodOf<C> = C extends `${string}:${infer M}` ? M : never;

export type ApiMethod<C extends Channel> = [ChannelArg<C>] extends [undefined]
  ? () => Promise<IpcResult<ChannelResult<C>>>
  : (arg: ChannelArg<C>) => Promise<IpcResult<ChannelResult<C>>>;

export type KeyriteApi = {
  readonly [N in NamespaceOf<Channel>]: {
    readonly [C in Channel as NamespaceOf<C> extends N ? MethodOf<C> : never]: ApiMethod<C>;
  };
} & {
  /** Subscribes to a main→renderer event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Sends one request to the main process (ipcRenderer.invoke in the preload). */
export type Invoke = (channel: Channel, arg: unknown) => Promise<unknown>;
/** Listens to one main→renderer event; returns the unsubscribe function. */
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

export const UNREACHABLE_MESSAGE = 'Keyrite could not reach its main process. Close the app and start it again.';

function isIpcResult(r: unknown): r is IpcResult<unknown> {
  if (typeof r !== 'object' || r === null) return false;
  const o = r as Record<string, unknown>;
  if (o.ok === true) return 'value' in o;
  return o.ok === false && typeof o.code === 'string' && typeof o.message === 'string';
}

/**
 * Builds the `window.keyrite` object from the contract. The preload passes
 * ipcRenderer-backed `invoke`/`subscribe`; the Chromium end-to-end test passes ones
 * backed by the real handlers, so both expose exactly the same shape. Each method takes
 * at most one argument, checks it before sending, and always resolves to an IpcResult.
 */
export function buildKeyriteApi(invoke: Invoke, subscribe: Subscribe): KeyriteApi {
  const api: Record<string, Record<string, (arg?: unknown) => Promise<IpcResult<unknown>>>> = {};
  for (const channel of CHANNELS) {
    const [ns, method] = apiPath(channel);
    const target = (api[ns] ??= {});
    target[method] = async (arg?: unknown) => {
      const problem = checkArg(channel, arg);
      if (problem !== null) return err('INVALID_INPUT', problem);
      try {
        const r = await invoke(channel, arg);
        return isIpcResult(r) ? r : err('INTERNAL', UNREACHABLE_MESSAGE);
      } catch {
        return err('INTERNAL', UNREACHABLE_MESSAGE);
      }
    };
  }
  for (const ns of Object.keys(api)) Object.freeze(api[ns]);
  const on = (event: unknown, listener: unknown): (() => void) => {
    if (!isEventName(event)) throw new TypeError(`Unknown Keyrite event: ${String(event)}.`);
    if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
    return subscribe(event, (payload) => (listener as (p: unknown) => void)(payload));
  };
  return Object.freeze({ ...api, on }) as unknown as KeyriteApi;
}
