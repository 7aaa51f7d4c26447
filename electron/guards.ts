/**
 * Every decision the main process makes about navigation, new windows, webviews,
 * permissions, devices and network requests. No electron import: the functions take
 * the few members of WebContents / Session they use, so unit tests drive them with fakes
 * and electron/main.ts only passes the real objects in.
 *
 * Policy: the app's own page (app://keyrite/…) is the only thing that may load;
 * everything else is refused, whatever asks for it.
 */
import { APP_HOST, APP_SCHEME, isAllowedAppUrl } from './app-origin.ts';

export { isAllowedAppUrl } from './app-origin.ts';

export type GuardEvent = 'navigation' | 'redirect' | 'frame-navigation' | 'window-open' | 'webview' | 'request' | 'permission' | 'device' | 'download';
/** Where refusals are reported (the main process log). Never given secrets. */
export type GuardReport = (what: GuardEvent, detail: string) => void;

// ---------------------------------------------------------------------------------------
// Pure decisions.

export function shouldAllowNavigation(url: string): boolean {
  return isAllowedAppUrl(url);
}

export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

export interface RequestDetails {
  url: string;
  resourceType?: string;
}

export interface RequestPolicy {
  /** DevTools front-end URLs (devtools://) are let through only in a developer run. */
  allowDevTools: boolean;
}

/**
 * webRequest.onBeforeRequest: `{cancel:false}` only for the app's own files;
 * `data:` only for images (the CSP's `img-src data:`, for generated QR codes);
 * `devtools:` only in a developer run. http, https, ws, wss, ftp, file, blob, chrome
 * and every other scheme or host is cancelled.
 */
export function decideRequest(details: RequestDetails, policy: RequestPolicy): { cancel: boolean } {
  const url = typeof details?.url === 'string' ? details.url : '';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { cancel: true };
  }
  if (u.protocol === `${APP_SCHEME}:`) return { cancel: !(u.hostname === APP_HOST && isAllowedAppUrl(url)) };
  if (u.protocol === 'data:') return { cancel: details.resourceType !== 'image' };
  if (u.protocol === 'devtools:') return { cancel: !policy.allowDevTools };
  return { cancel: true };
}

/** Permission requests (camera, notifications, clipboard, USB, …): always refused. */
export function denyPermissionRequest(_webContents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

/** Permission checks: always false. */
export function denyPermissionCheck(): boolean {
  return false;
}

/** Device permissions (WebUSB, WebHID, Web Serial): always false. Tokens are reached from main. */
export function denyDevicePermission(): boolean {
  return false;
}

// ---------------------------------------------------------------------------------------
// Wiring onto the real objects (structural types: real WebContents / Session fit them).

export interface PreventableEvent {
  preventDefault(): void;
  url?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Electron's overloaded event signatures */
export interface GuardableContents {
  on(event: string, listener: (...args: any[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface GuardableSession {
  setPermissionRequestHandler(handler: (webContents: any, permission: any, callback: (granted: boolean) => void, details: any) => void): void;
  setPermissionCheckHandler(handler: (...args: any[]) => boolean): void;
  setDevicePermissionHandler(handler: (details: any) => boolean): void;
  setSpellCheckerEnabled(enabled: boolean): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  webRequest: {
    onBeforeRequest(listener: (details: any, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function urlOf(event: PreventableEvent, legacyUrl: unknown): string {
  if (typeof event?.url === 'string') return event.url;
  return typeof legacyUrl === 'string' ? legacyUrl : '';
}

/**
 * Applied to every WebContents the app creates (app 'web-contents-created'):
 * navigations and redirects away from the app are stopped, window.open is denied,
 * <webview> is never attached.
 */
export function installContentsGuards(contents: GuardableContents, report: GuardReport): void {
  const stopUnlessApp = (kind: GuardEvent) => (event: PreventableEvent, legacyUrl?: unknown) => {
    const url = urlOf(event, legacyUrl);
    if (!shouldAllowNavigation(url)) {
      event.preventDefault();
      report(kind, url);
    }
  };
  contents.on('will-navigate', stopUnlessApp('navigation'));
  contents.on('will-frame-navigate', stopUnlessApp('frame-navigation'));
  contents.on('will-redirect', stopUnlessApp('redirect'));
  contents.on('will-attach-webview', (event: PreventableEvent) => {
    event.preventDefault();
    report('webview', 'a <webview> was refused');
  });
  contents.setWindowOpenHandler((details) => {
    report('window-open', typeof details?.url === 'string' ? details.url : '');
    return windowOpenDecision();
  });
}

/**
 * Applied to every session the app uses: all permissions and device pickers refused,
 * downloads cancelled, the spell-checker (which would fetch dictionaries) off, and every
 * request that is not the app's own cancelled.
 */
export function installSessionGuards(session: GuardableSession, policy: RequestPolicy, report: GuardReport): void {
  session.setPermissionRequestHandler((webContents, permission, callback) => {
    report('permission', String(permission));
    denyPermissionRequest(webContents, String(permission), callback);
  });
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.setDevicePermissionHandler(denyDevicePermission);
  session.setSpellCheckerEnabled(false);
  const cancelPicker = (kind: string) => (event: PreventableEvent, ...rest: unknown[]) => {
    event.preventDefault();
    report('device', kind);
    const callback = rest.find((r): r is (id?: string) => void => typeof r === 'function');
    // USB / HID: no argument cancels; serial / Bluetooth: the empty string cancels.
    if (!callback) return;
    if (kind === 'usb' || kind === 'hid') callback();
    else callback('');
  };
  session.on('select-usb-device', cancelPicker('usb'));
  session.on('select-hid-device', cancelPicker('hid'));
  session.on('select-serial-port', cancelPicker('serial'));
  session.on('will-download', (event: PreventableEvent) => {
    event.preventDefault();
    report('download', 'a download was refused');
  });
  session.webRequest.onBeforeRequest((details, callback) => {
    const decision = decideRequest(details as RequestDetails, policy);
    if (decision.cancel) report('request', String((details as RequestDetails)?.url ?? '').slice(0, 200));
    callback(decision);
  });
}

/** For each WebContents: Bluetooth pickers live on WebContents, not on the session. */
export function installBluetoothGuard(contents: GuardableContents, report: GuardReport): void {
  contents.on('select-bluetooth-device', (event: PreventableEvent, _devices: unknown, callback: (id: string) => void) => {
    event.preventDefault();
    report('device', 'bluetooth');
    if (typeof callback === 'function') callback('');
  });
}
