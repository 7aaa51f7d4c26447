/**
 * The main window's BrowserWindow options: every hardening flag set explicitly, even
 * where Electron's default already agrees, so a reader (and test/unit/electron) sees
 * them all in one place. Type-only electron import: nothing from Electron runs here.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_PARTITION } from './app-origin.ts';

export interface WindowOptionsInput {
  /** Absolute path of dist/electron/preload.cjs. */
  preloadPath: string;
  /** DevTools only in a developer run (not packaged, KEYRITE_DEVTOOLS=1). */
  devTools: boolean;
}

export const WINDOW_BACKGROUND = '#f7f6f2';

export function mainWindowOptions({ preloadPath, devTools }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Keyrite',
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    // Shown on 'ready-to-show', so the projector never shows a blank white frame.
    show: false,
    backgroundColor: WINDOW_BACKGROUND,
    autoHideMenuBar: false,
    webPreferences: {
      preload: preloadPath,
      partition: APP_PARTITION,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      experimentalFeatures: false,
      enableWebSQL: false,
      plugins: false,
      webgl: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      autoplayPolicy: 'document-user-activation-required',
      devTools,
    },
  };
}
