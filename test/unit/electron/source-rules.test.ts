// Source-level rules for the app shell that lint does not express: no shell.openExternal
// anywhere, no raw ipcRenderer handed to the page, no hardening flag switched off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const repo = new URL('../../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(repo, dir))) {
    const p = join(repo, dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(relative(repo, p)));
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name)) out.push(relative(repo, p));
  }
  return out;
}

const files = [...sources('electron'), ...sources('renderer'), ...sources('core'), ...sources('cli')].filter((f) => !f.includes('node_modules'));
const strip = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

test('the source files were found', () => {
  assert.ok(files.includes('electron/main.ts') && files.includes('electron/preload.ts') && files.includes('renderer/src/App.tsx'));
});

const everywhere = files;
const appShell = files.filter((f) => f.startsWith('electron/') || f.startsWith('renderer/'));

// [what, pattern, files]: the app-shell rules bind electron/ and renderer/; openExternal
// and friends are banned everywhere (the standalone verify.html has its own CSP rules).
const forbidden: Array<[string, RegExp, string[]]> = [
  ['shell.openExternal', /openExternal/, everywhere],
  ['shell.openPath / showItemInFolder', /\b(openPath|showItemInFolder)\s*\(/, everywhere],
  ['@electron/remote', /@electron\/remote|enableRemoteModule/, everywhere],
  ['nodeIntegration: true', /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/, everywhere],
  ['contextIsolation: false', /contextIsolation\s*:\s*false/, everywhere],
  ['sandbox: false', /sandbox\s*:\s*false/, everywhere],
  ['webSecurity: false', /webSecurity\s*:\s*false/, everywhere],
  ['allowRunningInsecureContent: true', /allowRunningInsecureContent\s*:\s*true/, everywhere],
  ['webviewTag: true', /webviewTag\s*:\s*true/, everywhere],
  ['bypassCSP', /bypassCSP\s*:\s*true/, everywhere],
  ['disable-web-security switch', /disable-web-security|ignore-certificate-errors/, everywhere],
  ['unsafe-inline / unsafe-eval', /unsafe-(inline|eval)/, appShell],
  ['dangerouslySetInnerHTML', /dangerouslySetInnerHTML/, appShell],
  ['eval / new Function', /\beval\s*\(|new Function\s*\(/, appShell],
];

for (const [name, pattern, scope] of forbidden) {
  test(`no ${name} in ${scope === appShell ? 'electron/ or renderer/' : 'electron/, renderer/, core/ or cli/'}`, () => {
    const hits = scope.filter((f) => pattern.test(strip(readFileSync(join(repo, f), 'utf8'))));
    assert.deepEqual(hits, []);
  });
}

test('the preload never hands ipcRenderer or the IPC event to the page', () => {
  const code = strip(readFileSync(join(repo, 'electron/preload.ts'), 'utf8'));
  const exposed = /exposeInMainWorld\(\s*'keyrite'\s*,\s*api\s*\)/;
  assert.match(code, exposed);
  assert.ok(!/exposeInMainWorld\([^)]*ipcRenderer/.test(code));
  assert.match(code, /\(_event: IpcRendererEvent, payload: unknown\) => listener\(payload\)/);
});

test('main enables the sandbox, the single-instance lock and replaces the default menu', () => {
  const code = strip(readFileSync(join(repo, 'electron/main.ts'), 'utf8'));
  assert.match(code, /app\.enableSandbox\(\)/);
  assert.match(code, /app\.requestSingleInstanceLock\(\)/);
  assert.match(code, /Menu\.setApplicationMenu\(/);
  assert.match(code, /web-contents-created/);
  assert.match(code, /installSessionGuards/);
  assert.match(code, /senderProblem\(/);
});
