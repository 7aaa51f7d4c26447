/**
 * The application menu. Electron's default menu has a Help menu whose items open
 * web pages with shell.openExternal; Keyrite replaces it with roles only: quit,
 * editing (copy/paste for fingerprints), zoom (for the projector), full screen, window.
 * No Help menu, no click handlers, no DevTools toggle (a developer run, unpackaged with
 * KEYRITE_DEVTOOLS=1, opens DevTools from electron/main.ts).
 */
import type { MenuItemConstructorOptions } from 'electron';

export function menuTemplate(platform: string): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
  };
  if (platform === 'darwin') {
    return [{ role: 'appMenu' }, { role: 'editMenu' }, view, { role: 'windowMenu' }];
  }
  return [{ label: 'File', submenu: [{ role: 'quit' }] }, { role: 'editMenu' }, view];
}
