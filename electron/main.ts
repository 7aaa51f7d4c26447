/**
 * Electron main process: wires the pure modules to the real Electron objects and stays
 * thin. Every decision lives in a module that is unit-tested without Electron:
 *   app-origin.ts / app-protocol.ts  the app:// origin, its files and headers
 *   window-options.ts               the BrowserWindow options (hardening flags)
 *   guards.ts                       navigation, windows, webviews, permissions, requests
 *   ipc-sender.ts                   who may call an IPC channel
 *   ipc/handlers.ts                 the IPC handlers (core/ipc/contract.ts)
 *   menu.ts                         the application menu (no Help links)
 * See docs/APP-SHELL.md for the hardening list and where each item is tested.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, type Session, type WebContents } from 'electron';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_ENTRY_URL, APP_PARTITION, APP_SCHEME, APP_SCHEME_PRIVILEGES } from './app-origin.ts';
import { serveAppUrl } from './app-protocol.ts';
import { installBluetoothGuard, installContentsGuards, installSessionGuards, type GuardReport } from './guards.ts';
import { senderProblem } from './ipc-sender.ts';
import { createHandlers, dispatch, displaySafeEmitter, internalErrorLogLine, refusalLogLine } from './ipc/handlers.ts';
import { nodeHandlerDeps, startUsbWatch } from './ipc/node-deps.ts';
import { pkcs11ModulePath } from '../core/node/pkcs11/module.ts';
import { readVerifierPage } from '../core/node/verifier-page.ts';
import { softwareTokenDir } from '../core/node/software-token-file.ts';
import { menuTemplate } from './menu.ts';
import { mainWindowOptions } from './window-options.ts';
import { CHANNELS, err, type EventName, type EventPayload } from '../core/ipc/contract.ts';

// dist/electron/main.cjs → dist/renderer, dist/electron/preload.cjs
const RENDERER_ROOT = join(__dirname, '..', 'renderer');
const PRELOAD = join(__dirname, 'preload.cjs');
const SCRIPTS = join(__dirname, '..', '..', 'ceremony-scripts');
// The audit-script worker, built next to the CLI (this CJS bundle has no import.meta to find it).
const AUDIT_WORKER = pathToFileURL(join(__dirname, '..', 'cli', 'audit-worker.mjs'));
const VERIFIER_PAGE = pathToFileURL(join(__dirname, '..', 'verifier', 'verify.html'));
const verifierPage = (): Promise<Uint8Array> => readVerifierPage(VERIFIER_PAGE);
const DEVTOOLS = !app.isPackaged && process.env.KEYRITE_DEVTOOLS === '1';

const report: GuardReport = (what, detail) => {
  console.warn(refusalLogLine(what, detail));
};

// Before 'ready': the scheme's privileges, the OS-level sandbox for every renderer.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;

function guardSession(ses: Session): void {
  installSessionGuards(ses, { allowDevTools: DEVTOOLS }, report);
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const r = await serveAppUrl(request.method, request.url, RENDERER_ROOT, (p) => readFile(p));
    return new Response(r.body as BodyInit | null, { status: r.status, headers: r.headers });
  });
}

/** The main window's own file and folder pickers: the renderer never names a path it reads or writes. */
type PickKind = 'script' | 'folder' | 'bundle' | 'bundle-archive' | 'audit-script' | 'request' | 'export-folder';
const PICKERS: Record<PickKind, Electron.OpenDialogOptions> = {
  script: { title: 'Choose a ceremony script', properties: ['openFile'], filters: [{ name: 'Ceremony scripts', extensions: ['yaml'] }] },
  folder: { title: 'Choose the folder for the bundle', properties: ['openDirectory', 'createDirectory'] },
  bundle: { title: 'Choose the bundle folder (the one holding bundle.json)', properties: ['openDirectory'] },
  'bundle-archive': { title: 'Choose the bundle archive (bundle.keyrite.tar)', properties: ['openFile'], filters: [{ name: 'Keyrite bundle archives', extensions: ['tar'] }] },
  'audit-script': { title: 'Choose an audit script', properties: ['openFile'], filters: [{ name: 'Audit scripts', extensions: ['js'] }] },
  request: { title: 'Choose the signing request', properties: ['openFile'], filters: [{ name: 'Signing requests', extensions: ['json'] }] },
  'export-folder': { title: 'Choose the folder to export the signed documents and the signing bundle to', properties: ['openDirectory', 'createDirectory'] },
};

async function pick(kind: PickKind): Promise<string | undefined> {
  if (!mainWindow) return undefined;
  const r = await dialog.showOpenDialog(mainWindow, PICKERS[kind]);
  return r.canceled ? undefined : r.filePaths[0];
}

async function pickSave(defaultPath: string): Promise<string | undefined> {
  if (!mainWindow) return undefined;
  const r = await dialog.showSaveDialog(mainWindow, { title: 'Save the verification report', defaultPath, filters: [{ name: 'JSON', extensions: ['json'] }], properties: ['showOverwriteConfirmation'] });
  return r.canceled ? undefined : r.filePath;
}

function registerIpc(): void {
  const workRoot = join(app.getPath('userData'), 'ceremonies');
  mkdirSync(workRoot, { recursive: true, mode: 0o700 });
  const modulePath = pkcs11ModulePath(undefined, process.env);
  const softwareDir = softwareTokenDir(undefined, process.env);
  const handlers = createHandlers(
    nodeHandlerDeps({
      appVersion: app.getVersion(),
      platform: process.platform,
      logError: (channel, e) => console.error(internalErrorLogLine(channel, e)),
      emit,
      ...(modulePath ? { modulePath } : {}),
      ...(softwareDir ? { softwareDir } : {}),
      ceremony: { workRoot, scriptsDir: SCRIPTS, verifierPage, pickScriptFile: () => pick('script'), pickExportFolder: () => pick('folder'), pickPdfFile: (name) => pickSave(join(app.getPath('documents'), name)) },
      audit: { pickBundleFolder: () => pick('bundle'), pickBundleArchive: () => pick('bundle-archive'), pickScriptFile: () => pick('audit-script'), pickReportFile: (name) => pickSave(join(app.getPath('documents'), name)), runner: { workerUrl: AUDIT_WORKER } },
      recovery: { workRoot, scriptsDir: SCRIPTS, verifierPage, pickBundleFolder: () => pick('bundle'), pickScriptFile: () => pick('script'), pickExportFolder: () => pick('folder') },
      shareCheck: { pickBundleFolder: () => pick('bundle') },
      signing: { workRoot, scriptsDir: SCRIPTS, verifierPage, pickBundleFolder: () => pick('bundle'), pickScriptFile: () => pick('script'), pickRequestFile: () => pick('request'), pickExportFolder: () => pick('export-folder') },
      rotation: { workRoot, scriptsDir: SCRIPTS, verifierPage, pickBundleFolder: () => pick('bundle'), pickScriptFile: () => pick('script') },
    }),
  );
  void startUsbWatch(emit).catch((e: unknown) => console.error(internalErrorLogLine('USB watch', e)));
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      const problem = senderProblem({ webContentsId: event.sender.id, frame: event.senderFrame }, mainWindow?.webContents.id);
      if (problem !== null) {
        report('request', `IPC ${channel}: ${problem}`);
        return err('FORBIDDEN', 'This request did not come from the Keyrite window.');
      }
      return dispatch(handlers, channel, args);
    });
  }
}

/** Sends a contract event to the main window (e.g. 'tokens:changed' from the USB watcher), escaped for display. */
const emit = displaySafeEmitter(<E extends EventName>(event: E, payload: EventPayload<E>): void => {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(event, payload);
});

function createWindow(): void {
  mainWindow = new BrowserWindow(mainWindowOptions({ preloadPath: PRELOAD, devTools: DEVTOOLS }));
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void mainWindow.loadURL(APP_ENTRY_URL);
  // The menu has no DevTools toggle: a developer run (KEYRITE_DEVTOOLS=1, unpackaged) opens them here.
  if (DEVTOOLS) mainWindow.webContents.openDevTools({ mode: 'detach' });
}

if (!app.requestSingleInstanceLock()) {
  // Another Keyrite is running: two windows on one ceremony would be one too many.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('web-contents-created', (_event, contents: WebContents) => {
    installContentsGuards(contents, report);
    installBluetoothGuard(contents, report);
  });

  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(() => {
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform)));
    guardSession(session.defaultSession);
    guardSession(session.fromPartition(APP_PARTITION));
    registerIpc();
    createWindow();
  });
}
