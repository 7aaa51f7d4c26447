/**
 * The real dependencies of the IPC handlers on a Node main process: the self-tests from
 * core/selftest, the network interfaces, tokens and USB from core/node, and the ceremony
 * session. Shared by electron/main.ts and the Chromium end-to-end test, so both run exactly
 * the same code.
 */
import { basename } from 'node:path';
import type { AppMode, EventName, EventPayload, TokenSummary, UsbState } from '../../core/ipc/contract.ts';
import type { NetworkInterfaceInfo } from '../../core/airgap/status.ts';
import { KeyriteError } from '../../core/errors.ts';
import type { TokenDescription } from '../../core/tokens/token.ts';
import { readNetworkInterfaces } from '../../core/node/network-interfaces.ts';
import { discoverPkcs11, discoverSoftware } from '../../core/node/token-discovery.ts';
import { UsbWatch, describeUsbDevice, loadUsbEventSource, usbReport } from '../../core/node/usb-watch.ts';
import { runSelfTests } from '../../core/selftest/run.ts';
import { CeremonySession } from './ceremony-session.ts';
import { AuditSession, type AuditSessionOptions } from './audit-session.ts';
import { RecoverySession } from './recovery-session.ts';
import { ShareCheckSession } from './share-check-session.ts';
import { SigningSession } from './signing-session.ts';
import { RotationSession } from './rotation-session.ts';
import type { HandlerDeps } from './handlers.ts';

export interface NodeDepsOptions {
  appVersion: string;
  platform: string;
  logError?: HandlerDeps['logError'];
  /** Sends a contract event to the window. */
  emit?: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  /** PKCS#11 module (KEYRITE_PKCS11_MODULE in the app). */
  modulePath?: string;
  /** Folder of rehearsal software tokens (KEYRITE_SOFTWARE_TOKENS in the app). */
  softwareDir?: string;
  /** Ceremonies are wired when both folders are given. */
  ceremony?: {
    workRoot: string;
    scriptsDir: string;
    pickScriptFile(): Promise<string | undefined>;
    pickExportFolder(): Promise<string | undefined>;
    pickPdfFile?(name: string): Promise<string | undefined>;
    networkInterfaces?: () => NetworkInterfaceInfo[];
    verifierPage?: () => Promise<Uint8Array>;
  };
  /** The audit screen is wired when its pickers are given. */
  audit?: AuditSessionOptions;
  /** The share check is wired when its bundle picker is given. */
  shareCheck?: { pickBundleFolder(): Promise<string | undefined> };
  /** Escrow recovery is wired when both folders and the pickers are given. */
  recovery?: {
    workRoot: string;
    scriptsDir: string;
    pickBundleFolder(): Promise<string | undefined>;
    pickScriptFile(): Promise<string | undefined>;
    pickExportFolder(): Promise<string | undefined>;
    networkInterfaces?: () => NetworkInterfaceInfo[];
    verifierPage?: () => Promise<Uint8Array>;
  };
  /** Signing ceremonies are wired when both folders and the pickers are given. */
  signing?: {
    workRoot: string;
    scriptsDir: string;
    pickBundleFolder(): Promise<string | undefined>;
    pickScriptFile(): Promise<string | undefined>;
    pickRequestFile(): Promise<string | undefined>;
    pickExportFolder(): Promise<string | undefined>;
    networkInterfaces?: () => NetworkInterfaceInfo[];
    verifierPage?: () => Promise<Uint8Array>;
  };
  /** Key rotations are wired when both folders and the pickers are given. */
  rotation?: {
    workRoot: string;
    scriptsDir: string;
    pickBundleFolder(): Promise<string | undefined>;
    pickScriptFile(): Promise<string | undefined>;
    networkInterfaces?: () => NetworkInterfaceInfo[];
    verifierPage?: () => Promise<Uint8Array>;
  };
}

/** A token for the window: the id names the token for the session (URI, or software:<file>). */
function summary(t: TokenDescription): TokenSummary {
  return {
    id: t.source === 'software' ? `software:${basename(t.location)}` : t.uri,
    label: t.label,
    manufacturer: t.manufacturer,
    model: t.model,
    serial: t.serial,
    rehearsalOnly: t.rehearsalOnly,
  };
}

export async function listTokens(modulePath: string | undefined, softwareDir: string | undefined): Promise<TokenSummary[]> {
  const [pkcs11, software] = await Promise.all([discoverPkcs11(modulePath), discoverSoftware(softwareDir)]);
  const problem = pkcs11.error ?? software.error;
  if (problem && pkcs11.tokens.length + software.tokens.length === 0) throw new KeyriteError('TOKEN_ERROR', problem.message);
  return [...pkcs11.tokens, ...software.tokens].map(summary);
}

export async function usbState(): Promise<UsbState> {
  const r = await usbReport();
  if (!r.status.available) return { available: false, message: `USB is not watched on this machine: ${r.status.reason}. Tokens are still found through PKCS#11 and the software token folder.`, devices: [] };
  return { available: true, message: r.devices.length === 0 ? 'USB is watched; nothing is plugged in.' : `USB is watched; ${r.devices.length} device${r.devices.length === 1 ? '' : 's'} plugged in.`, devices: r.devices.map((d) => d.name) };
}

/** Watches USB attach / detach and sends tokens:changed; a machine without USB simply has no events. */
export async function startUsbWatch(emit: NonNullable<NodeDepsOptions['emit']>): Promise<UsbWatch | undefined> {
  const { source } = await loadUsbEventSource();
  if (!source) return undefined;
  const watch = new UsbWatch(source);
  watch.on((e) => emit('tokens:changed', { change: e.type === 'attach' ? 'attached' : 'detached', message: e.message || describeUsbDevice(e.device) }));
  await watch.start();
  return watch;
}

export function nodeHandlerDeps(options: NodeDepsOptions): HandlerDeps {
  const list = () => listTokens(options.modulePath, options.softwareDir);
  const c = options.ceremony;
  const r = options.recovery;
  const sg = options.signing;
  const rt = options.rotation;
  return {
    appName: 'Keyrite',
    appVersion: options.appVersion,
    platform: options.platform,
    // The app says "rehearsal" unless a live script runs: it never claims "live" by default.
    mode: (): AppMode => 'rehearsal',
    runSelfTests: () => runSelfTests(),
    readNetworkInterfaces,
    listTokens: list,
    usbStatus: usbState,
    ...(c
      ? {
          ceremony: new CeremonySession({
            workRoot: c.workRoot,
            scriptsDir: c.scriptsDir,
            ...(options.softwareDir ? { softwareDir: options.softwareDir } : {}),
            ...(options.modulePath ? { modulePath: options.modulePath } : {}),
            listTokens: list,
            pickScriptFile: c.pickScriptFile,
            pickExportFolder: c.pickExportFolder,
            ...(c.pickPdfFile ? { pickPdfFile: c.pickPdfFile } : {}),
            publish: (view) => options.emit?.('ceremony:changed', view),
            ...(c.networkInterfaces ? { networkInterfaces: c.networkInterfaces } : {}),
            ...(c.verifierPage ? { verifierPage: c.verifierPage } : {}),
            ...(options.logError ? { logError: (e: unknown) => options.logError!('ceremony:start', e) } : {}),
          }),
        }
      : {}),
    ...(options.audit ? { audit: new AuditSession(options.audit) } : {}),
    ...(options.shareCheck
      ? {
          shareCheck: new ShareCheckSession({
            ...(options.softwareDir ? { softwareDir: options.softwareDir } : {}),
            ...(options.modulePath ? { modulePath: options.modulePath } : {}),
            pickBundleFolder: options.shareCheck.pickBundleFolder,
          }),
        }
      : {}),
    ...(r
      ? {
          recovery: new RecoverySession({
            workRoot: r.workRoot,
            scriptsDir: r.scriptsDir,
            ...(options.softwareDir ? { softwareDir: options.softwareDir } : {}),
            ...(options.modulePath ? { modulePath: options.modulePath } : {}),
            listTokens: list,
            pickBundleFolder: r.pickBundleFolder,
            pickScriptFile: r.pickScriptFile,
            pickExportFolder: r.pickExportFolder,
            publish: (view) => options.emit?.('recovery:changed', view),
            ...(r.networkInterfaces ? { networkInterfaces: r.networkInterfaces } : {}),
            ...(r.verifierPage ? { verifierPage: r.verifierPage } : {}),
            ...(options.logError ? { logError: (e: unknown) => options.logError!('recovery:start', e) } : {}),
          }),
        }
      : {}),
    ...(sg
      ? {
          signing: new SigningSession({
            workRoot: sg.workRoot,
            scriptsDir: sg.scriptsDir,
            ...(options.softwareDir ? { softwareDir: options.softwareDir } : {}),
            ...(options.modulePath ? { modulePath: options.modulePath } : {}),
            listTokens: list,
            pickBundleFolder: sg.pickBundleFolder,
            pickScriptFile: sg.pickScriptFile,
            pickRequestFile: sg.pickRequestFile,
            pickExportFolder: sg.pickExportFolder,
            publish: (view) => options.emit?.('signing:changed', view),
            ...(sg.networkInterfaces ? { networkInterfaces: sg.networkInterfaces } : {}),
            ...(sg.verifierPage ? { verifierPage: sg.verifierPage } : {}),
            ...(options.logError ? { logError: (e: unknown) => options.logError!('signing:start', e) } : {}),
          }),
        }
      : {}),
    ...(rt
      ? {
          rotation: new RotationSession({
            workRoot: rt.workRoot,
            scriptsDir: rt.scriptsDir,
            ...(options.softwareDir ? { softwareDir: options.softwareDir } : {}),
            ...(options.modulePath ? { modulePath: options.modulePath } : {}),
            listTokens: list,
            pickBundleFolder: rt.pickBundleFolder,
            pickScriptFile: rt.pickScriptFile,
            publish: (view) => options.emit?.('rotation:changed', view),
            ...(rt.networkInterfaces ? { networkInterfaces: rt.networkInterfaces } : {}),
            ...(rt.verifierPage ? { verifierPage: rt.verifierPage } : {}),
            ...(options.logError ? { logError: (e: unknown) => options.logError!('rotation:start', e) } : {}),
          }),
        }
      : {}),
    ...(options.logError ? { logError: options.logError } : {}),
  };
}
