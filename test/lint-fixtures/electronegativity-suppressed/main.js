// Fixture for test/unit/electron/electronegativity.test.ts: the same bad window, with the
// finding silenced by an inline electronegativity comment. The gate refuses inline
// suppressions (exceptions live in the allow-list of build/electronegativity.mjs).
import { app, BrowserWindow } from 'electron';

app.whenReady().then(() => {
  const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, sandbox: true, contextIsolation: true } }); /* eng-disable NODE_INTEGRATION_JS_CHECK */
  win.loadFile('index.html');
});
