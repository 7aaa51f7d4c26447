// Fixture for test/unit/electron/electronegativity.test.ts: the window Keyrite must never
// open. build/electronegativity.mjs has to fail on it (never run, never bundled).
import { app, BrowserWindow } from 'electron';

app.whenReady().then(() => {
  const win = new BrowserWindow({
    width: 800,
    height: 600,
    webPreferences: {
      nodeIntegration: true,
      contextIsolation: false,
    },
  });
  win.loadURL('https://example.com/');
});
