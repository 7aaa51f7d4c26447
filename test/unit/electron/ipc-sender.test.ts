// Only the main window's top frame on app://keyrite may call an IPC channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrustedSender, senderProblem, type SenderFrame } from '../../../electron/ipc-sender.ts';

const MAIN = 7;
const top: SenderFrame = { url: 'app://keyrite/index.html', origin: 'app://keyrite', parent: null, detached: false };

test('the main window top frame on the app origin is trusted', () => {
  assert.equal(senderProblem({ webContentsId: MAIN, frame: top }, MAIN), null);
  assert.equal(isTrustedSender({ webContentsId: MAIN, frame: { ...top, url: 'app://keyrite/index.html#/x' } }, MAIN), true);
  // A frame object without origin/detached (older Electron) is judged by its URL.
  assert.equal(isTrustedSender({ webContentsId: MAIN, frame: { url: 'app://keyrite/index.html', parent: null } }, MAIN), true);
});

const refused: Array<[string, Parameters<typeof senderProblem>[0], number | undefined]> = [
  ['another WebContents (wrong window)', { webContentsId: 8, frame: top }, MAIN],
  ['no main window yet', { webContentsId: MAIN, frame: top }, undefined],
  ['sender frame gone (null)', { webContentsId: MAIN, frame: null }, MAIN],
  ['sender frame missing (undefined)', { webContentsId: MAIN, frame: undefined }, MAIN],
  ['detached frame', { webContentsId: MAIN, frame: { ...top, detached: true } }, MAIN],
  ['subframe on the app origin', { webContentsId: MAIN, frame: { ...top, parent: top } }, MAIN],
  ['subframe elsewhere', { webContentsId: MAIN, frame: { url: 'https://example.com/', origin: 'https://example.com', parent: top } }, MAIN],
  ['top frame navigated to https', { webContentsId: MAIN, frame: { url: 'https://example.com/', origin: 'https://example.com', parent: null } }, MAIN],
  ['top frame on file://', { webContentsId: MAIN, frame: { url: 'file:///tmp/evil.html', origin: 'file://', parent: null } }, MAIN],
  ['top frame on another app host', { webContentsId: MAIN, frame: { url: 'app://other/index.html', origin: 'app://other', parent: null } }, MAIN],
  ['app URL but a different origin reported', { webContentsId: MAIN, frame: { ...top, origin: 'null' } }, MAIN],
  ['about:blank', { webContentsId: MAIN, frame: { url: 'about:blank', origin: 'app://keyrite', parent: null } }, MAIN],
];

for (const [name, sender, main] of refused) {
  test(`IPC sender refused: ${name}`, () => {
    const problem = senderProblem(sender, main);
    assert.equal(typeof problem, 'string');
    assert.equal(isTrustedSender(sender, main), false);
  });
}
