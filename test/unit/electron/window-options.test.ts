// The main window's options carry every hardening flag (docs/APP-SHELL.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mainWindowOptions } from '../../../electron/window-options.ts';
import { menuTemplate } from '../../../electron/menu.ts';
import { APP_PARTITION } from '../../../electron/app-origin.ts';
import type { MenuItemConstructorOptions } from 'electron';

const opts = mainWindowOptions({ preloadPath: '/app/dist/electron/preload.cjs', devTools: false });
const wp = opts.webPreferences ?? {};

const required: Array<[string, unknown]> = [
  ['contextIsolation', true],
  ['sandbox', true],
  ['nodeIntegration', false],
  ['nodeIntegrationInWorker', false],
  ['nodeIntegrationInSubFrames', false],
  ['webSecurity', true],
  ['allowRunningInsecureContent', false],
  ['webviewTag', false],
  ['spellcheck', false],
  ['experimentalFeatures', false],
  ['enableWebSQL', false],
  ['plugins', false],
  ['webgl', false],
  ['navigateOnDragDrop', false],
  ['devTools', false],
];

for (const [flag, value] of required) {
  test(`window option webPreferences.${flag} is ${String(value)}`, () => {
    assert.equal((wp as Record<string, unknown>)[flag], value);
  });
}

test('window uses the preload it is given and the in-memory app partition', () => {
  assert.equal(wp.preload, '/app/dist/electron/preload.cjs');
  assert.equal(wp.partition, APP_PARTITION);
  assert.ok(!APP_PARTITION.startsWith('persist:'), 'the partition must not persist to disk');
});

test('window sets no blink feature switches and is shown only when ready', () => {
  assert.equal(wp.enableBlinkFeatures, undefined);
  assert.equal(opts.show, false);
});

test('devTools follows the developer flag', () => {
  assert.equal(mainWindowOptions({ preloadPath: '/p', devTools: true }).webPreferences?.devTools, true);
});

function walk(items: MenuItemConstructorOptions[], out: MenuItemConstructorOptions[] = []): MenuItemConstructorOptions[] {
  for (const i of items) {
    out.push(i);
    if (Array.isArray(i.submenu)) walk(i.submenu, out);
  }
  return out;
}

for (const platform of ['linux', 'win32', 'darwin']) {
  test(`menu on ${platform}: roles only, no Help (external links), no DevTools toggle`, () => {
    const all = walk(menuTemplate(platform));
    assert.ok(all.length > 0);
    for (const item of all) {
      assert.equal(item.click, undefined, 'no click handlers');
      assert.notEqual(item.role, 'help');
      assert.notEqual(item.role, 'toggleDevTools');
      assert.notEqual(item.role, 'viewMenu'); // its default includes toggleDevTools
      assert.notEqual(item.label?.toLowerCase(), 'help');
    }
  });
}
