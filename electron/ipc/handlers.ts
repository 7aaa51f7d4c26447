/**
 * The IPC handlers: one async function per channel of core/ipc/contract.ts, as a plain
 * object. They never import electron (lint enforces it), so the same object serves the
 * Electron main process (electron/main.ts) and the tests (unit and Chromium end-to-end).
 *
 * Every handler checks its argument against the contract, never throws, and resolves to
 * `{ok:true,value}` or `{ok:false,code,message}`. Values are built field by field from
 * known types, so nothing unexpected (least of all a secret) rides along; unexpected
 * errors are logged in the main process and reach the renderer only as a sentence.
 */
import {
  checkArg,
  err,
  isChannel,
  ok,
  type AppInfo,
  type AppMode,
  type Channel,
  type ChannelArg,
  type ChannelResult,
  type EventName,
  type EventPayload,
  type IpcErrorCode,
  type IpcResult,
  type SelfTestReport,
  type SelfTestResult,
  type TokenSummary,
  type UsbState,
} from '../../core/ipc/contract.ts';
import type { CeremonySession } from './ceremony-session.ts';
import type { AuditSession } from './audit-session.ts';
import type { RecoverySession } from './recovery-session.ts';
import type { ShareCheckSession } from './share-check-session.ts';
import type { SigningSession } from './signing-session.ts';
import type { RotationSession } from './rotation-session.ts';
import { evaluateAirGap, type NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import { KeyriteError, isKeyriteError } from '../../core/errors.ts';
import { displayField, displayOutput, displayStrings } from '../../core/encoding/display.ts';

export interface HandlerDeps {
  appName: string;
  appVersion: string;
  platform: string;
  mode(): AppMode;
  /** core/selftest/run.ts runSelfTests(); its report is re-checked here. */
  runSelfTests(): Promise<unknown>;
  readNetworkInterfaces(): NetworkInterfaceInfo[];
  /** Absent until the token engine is wired in: tokens:list then answers UNAVAILABLE. */
  listTokens?: () => Promise<TokenSummary[]>;
  /** Absent where USB is not wired: usb:status then answers UNAVAILABLE. */
  usbStatus?: () => Promise<UsbState>;
  /** Absent where ceremonies are not wired: the ceremony channels then answer UNAVAILABLE. */
  ceremony?: CeremonySession;
  /** Absent where auditing is not wired: the audit channels then answer UNAVAILABLE. */
  audit?: AuditSession;
  /** Absent where recovery is not wired: the recovery channels then answer UNAVAILABLE. */
  recovery?: RecoverySession;
  /** Absent where the share check is not wired: the share channels then answer UNAVAILABLE. */
  shareCheck?: ShareCheckSession;
  /** Absent where signing is not wired: the signing channels then answer UNAVAILABLE. */
  signing?: SigningSession;
  /** Absent where key rotation is not wired: the rotation channels then answer UNAVAILABLE. */
  rotation?: RotationSession;
  /** The main process log for unexpected errors; never shown to the renderer. */
  logError?: (channel: Channel, error: unknown) => void;
}

export type Handler<C extends Channel> = (arg: unknown) => Promise<IpcResult<ChannelResult<C>>>;
export type IpcHandlers = { readonly [C in Channel]: Handler<C> };

export const INTERNAL_MESSAGE = 'Keyrite hit an unexpected internal error while handling this request. Nothing was changed.';

/** A failure with an IPC-level code that core's ErrorCode does not have. */
class IpcFailure extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function guarded<C extends Channel>(channel: C, deps: HandlerDeps, impl: (arg: ChannelArg<C>) => Promise<ChannelResult<C>>): Handler<C> {
  return async (arg: unknown) => {
    const problem = checkArg(channel, arg);
    if (problem !== null) return err('INVALID_INPUT', problem);
    try {
      return ok(displayStrings(await impl(arg as ChannelArg<C>)));
    } catch (e) {
      if (e instanceof IpcFailure) return err(e.code, displayOutput(e.message));
      if (isKeyriteError(e)) return err(e.code, displayOutput(e.message));
      try {
        deps.logError?.(channel, e);
      } catch {
        // a broken logger must not turn into a rejected promise
      }
      return err('INTERNAL', INTERNAL_MESSAGE);
    }
  };
}

/**
 * Every event to the window, escaped like the results: the renderer never receives a raw
 * control, bidi or zero-width character from a bundle, a script or a device name.
 */
export function displaySafeEmitter(emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void): <E extends EventName>(event: E, payload: EventPayload<E>) => void {
  return (event, payload) => emit(event, displayStrings(payload));
}

/** An unexpected handler error for the main process's log (its message may quote a file name). */
export function internalErrorLogLine(channel: string, e: unknown): string {
  return displayOutput(`keyrite: ${channel} failed: ${e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e)}`);
}

/** A guard's refusal as one log line: the URL or origin it names came from web content. */
export function refusalLogLine(what: string, detail: string): string {
  return `keyrite: refused ${what}: ${displayField(detail, 1000)}`;
}

const MAX_DETAIL = 500;

/**
 * Re-checks a self-test report field by field and copies only the contract's fields.
 * Fails closed: a malformed report, an empty one, or any failed result means not ok.
 */
export function toSelfTestReport(raw: unknown): SelfTestReport {
  const malformed = () => new KeyriteError('SELFTEST_FAILED', 'The self-test report was malformed, so no ceremony can start.');
  if (typeof raw !== 'object' || raw === null) throw malformed();
  const { ok: allOk, results } = raw as Record<string, unknown>;
  if (typeof allOk !== 'boolean' || !Array.isArray(results)) throw malformed();
  const copied: SelfTestResult[] = results.map((r: unknown) => {
    if (typeof r !== 'object' || r === null) throw malformed();
    const { name, ok: passed, ms, detail } = r as Record<string, unknown>;
    if (typeof name !== 'string' || typeof passed !== 'boolean' || typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw malformed();
    if (detail !== undefined && typeof detail !== 'string') throw malformed();
    const out: SelfTestResult = { name: name.slice(0, 200), ok: passed, ms };
    if (detail !== undefined) out.detail = detail.length > MAX_DETAIL ? detail.slice(0, MAX_DETAIL) + '…' : detail;
    return out;
  });
  return { ok: allOk && copied.length > 0 && copied.every((r) => r.ok), results: copied };
}

function toTokenSummary(t: TokenSummary): TokenSummary {
  return {
    id: String(t.id),
    label: String(t.label),
    manufacturer: String(t.manufacturer),
    model: String(t.model),
    serial: String(t.serial),
    rehearsalOnly: t.rehearsalOnly === true,
  };
}

function toUsbState(u: UsbState): UsbState {
  return { available: u.available === true, message: String(u.message), devices: u.devices.map(String) };
}

export function createHandlers(deps: HandlerDeps): IpcHandlers {
  const ceremony = (): CeremonySession => {
    if (!deps.ceremony) throw new IpcFailure('UNAVAILABLE', 'Ceremonies are not part of this build.');
    return deps.ceremony;
  };
  const audit = (): AuditSession => {
    if (!deps.audit) throw new IpcFailure('UNAVAILABLE', 'Auditing bundles is not part of this build.');
    return deps.audit;
  };
  const recovery = (): RecoverySession => {
    if (!deps.recovery) throw new IpcFailure('UNAVAILABLE', 'Escrow recovery is not part of this build.');
    return deps.recovery;
  };
  const shareCheck = (): ShareCheckSession => {
    if (!deps.shareCheck) throw new IpcFailure('UNAVAILABLE', 'Checking a share is not part of this build.');
    return deps.shareCheck;
  };
  const rotation = (): RotationSession => {
    if (!deps.rotation) throw new IpcFailure('UNAVAILABLE', 'Key rotations are not part of this build.');
    return deps.rotation;
  };
  const signing = (): SigningSession => {
    if (!deps.signing) throw new IpcFailure('UNAVAILABLE', 'Signing ceremonies are not part of this build.');
    return deps.signing;
  };
  return Object.freeze({
    'app:info': guarded('app:info', deps, async (): Promise<AppInfo> => ({
      name: deps.appName,
      version: deps.appVersion,
      mode: deps.mode() === 'live' ? 'live' : 'rehearsal',
      platform: deps.platform,
    })),
    'selftest:run': guarded('selftest:run', deps, async () => toSelfTestReport(await deps.runSelfTests())),
    'airgap:status': guarded('airgap:status', deps, async () => evaluateAirGap(deps.readNetworkInterfaces())),
    'tokens:list': guarded('tokens:list', deps, async () => {
      if (!deps.listTokens) throw new IpcFailure('UNAVAILABLE', 'Token support is not part of this build yet.');
      return (await deps.listTokens()).map(toTokenSummary);
    }),
    'usb:status': guarded('usb:status', deps, async () => {
      if (!deps.usbStatus) throw new IpcFailure('UNAVAILABLE', 'USB watching is not part of this build.');
      return toUsbState(await deps.usbStatus());
    }),
    'ceremony:scripts': guarded('ceremony:scripts', deps, async () => ceremony().scripts()),
    'ceremony:load': guarded('ceremony:load', deps, async (source) => ceremony().load(source)),
    'ceremony:checkIn': guarded('ceremony:checkIn', deps, async (form) => ceremony().checkIn(form)),
    'ceremony:start': guarded('ceremony:start', deps, async () => ceremony().start()),
    'ceremony:state': guarded('ceremony:state', deps, async () => ceremony().state()),
    'ceremony:pin': guarded('ceremony:pin', deps, async ({ prompt, pin }) => ceremony().answerPin(prompt, pin)),
    'ceremony:witness': guarded('ceremony:witness', deps, async ({ prompt, confirmed }) => ceremony().answerWitness(prompt, confirmed)),
    'ceremony:stop': guarded('ceremony:stop', deps, async () => ceremony().stop()),
    'ceremony:reset': guarded('ceremony:reset', deps, async () => ceremony().reset()),
    'ceremony:paperWords': guarded('ceremony:paperWords', deps, async ({ trusteeId }) => ceremony().paperWords(trusteeId)),
    'ceremony:paperCopied': guarded('ceremony:paperCopied', deps, async ({ trusteeId }) => ceremony().paperCopied(trusteeId)),
    'ceremony:export': guarded('ceremony:export', deps, async () => ceremony().exportBundle()),
    'ceremony:interrupted': guarded('ceremony:interrupted', deps, async () => ceremony().interrupted()),
    'ceremony:resume': guarded('ceremony:resume', deps, async ({ folder }) => ceremony().resume(folder)),
    'ceremony:diffScript': guarded('ceremony:diffScript', deps, async (source) => ceremony().diffScript(source)),
    'ceremony:printScript': guarded('ceremony:printScript', deps, async () => ceremony().printScript()),
    'audit:state': guarded('audit:state', deps, async () => audit().state()),
    'audit:open': guarded('audit:open', deps, async (options) => audit().open(options)),
    'audit:openArchive': guarded('audit:openArchive', deps, async (options) => audit().openArchive(options)),
    'audit:verify': guarded('audit:verify', deps, async (options) => audit().reverify(options)),
    'audit:runScript': guarded('audit:runScript', deps, async (source) => audit().runScript(source)),
    'audit:export': guarded('audit:export', deps, async () => audit().exportReport()),
    'audit:chainAdd': guarded('audit:chainAdd', deps, async () => audit().chainAdd()),
    'audit:chainRemove': guarded('audit:chainRemove', deps, async ({ index }) => audit().chainRemove(index)),
    'audit:chainVerify': guarded('audit:chainVerify', deps, async (options) => audit().chainVerify(options)),
    'recovery:scripts': guarded('recovery:scripts', deps, async () => recovery().scripts()),
    'recovery:state': guarded('recovery:state', deps, async () => recovery().state()),
    'recovery:openBundle': guarded('recovery:openBundle', deps, async () => recovery().openBundle()),
    'recovery:load': guarded('recovery:load', deps, async (source) => recovery().load(source)),
    'share:openBundle': guarded('share:openBundle', deps, async () => shareCheck().openBundle()),
    'share:check': guarded('share:check', deps, async (form) => shareCheck().check(form)),
    'recovery:readShareCard': guarded('recovery:readShareCard', deps, async (scan) => recovery().readShareCard(scan)),
    'recovery:checkIn': guarded('recovery:checkIn', deps, async (form) => recovery().checkIn(form)),
    'recovery:start': guarded('recovery:start', deps, async () => recovery().start()),
    'recovery:pin': guarded('recovery:pin', deps, async ({ prompt, pin }) => recovery().answerPin(prompt, pin)),
    'recovery:witness': guarded('recovery:witness', deps, async ({ prompt, confirmed }) => recovery().answerWitness(prompt, confirmed)),
    'recovery:stop': guarded('recovery:stop', deps, async () => recovery().stop()),
    'recovery:reset': guarded('recovery:reset', deps, async () => recovery().reset()),
    'signing:scripts': guarded('signing:scripts', deps, async () => signing().scripts()),
    'signing:state': guarded('signing:state', deps, async () => signing().state()),
    'signing:openBundle': guarded('signing:openBundle', deps, async () => signing().openBundle()),
    'signing:load': guarded('signing:load', deps, async (source) => signing().load(source)),
    'signing:openRequest': guarded('signing:openRequest', deps, async () => signing().openRequest()),
    'signing:checkIn': guarded('signing:checkIn', deps, async (form) => signing().checkIn(form)),
    'signing:start': guarded('signing:start', deps, async () => signing().start()),
    'signing:pin': guarded('signing:pin', deps, async ({ prompt, pin }) => signing().answerPin(prompt, pin)),
    'signing:witness': guarded('signing:witness', deps, async ({ prompt, confirmed }) => signing().answerWitness(prompt, confirmed)),
    'signing:confirmDigest': guarded('signing:confirmDigest', deps, async ({ prompt, words }) => signing().confirmDigest(prompt, words)),
    'signing:stop': guarded('signing:stop', deps, async () => signing().stop()),
    'signing:reset': guarded('signing:reset', deps, async () => signing().reset()),
    'signing:export': guarded('signing:export', deps, async () => signing().exportResult()),
    'signing:readShareCard': guarded('signing:readShareCard', deps, async (scan) => signing().readShareCard(scan)),
    'signing:interrupted': guarded('signing:interrupted', deps, async () => signing().interrupted()),
    'signing:resume': guarded('signing:resume', deps, async ({ folder }) => signing().resume(folder)),
    'rotation:scripts': guarded('rotation:scripts', deps, async () => rotation().scripts()),
    'rotation:state': guarded('rotation:state', deps, async () => rotation().state()),
    'rotation:openBundle': guarded('rotation:openBundle', deps, async () => rotation().openBundle()),
    'rotation:load': guarded('rotation:load', deps, async (source) => rotation().load(source)),
    'rotation:checkIn': guarded('rotation:checkIn', deps, async (form) => rotation().checkIn(form)),
    'rotation:start': guarded('rotation:start', deps, async () => rotation().start()),
    'rotation:pin': guarded('rotation:pin', deps, async ({ prompt, pin }) => rotation().answerPin(prompt, pin)),
    'rotation:witness': guarded('rotation:witness', deps, async ({ prompt, confirmed }) => rotation().answerWitness(prompt, confirmed)),
    'rotation:stop': guarded('rotation:stop', deps, async () => rotation().stop()),
    'rotation:reset': guarded('rotation:reset', deps, async () => rotation().reset()),
    'recovery:export': guarded('recovery:export', deps, async () => recovery().exportBundle()),
  });
}

/**
 * Routes one request: an unknown channel or more than one argument is refused before
 * any handler runs. Never rejects.
 */
export async function dispatch(handlers: IpcHandlers, channel: unknown, args: readonly unknown[]): Promise<IpcResult<unknown>> {
  if (!isChannel(channel)) return err('UNKNOWN_CHANNEL', 'Keyrite does not know this request.');
  if (!Array.isArray(args) || args.length > 1) return err('INVALID_INPUT', 'A request takes at most one argument.');
  try {
    return await handlers[channel](args[0]);
  } catch {
    return err('INTERNAL', INTERNAL_MESSAGE);
  }
}
