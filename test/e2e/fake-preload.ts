// Bundled by home-screen.test.ts into an init script: builds `window.keyrite` exactly as
// electron/preload.ts does (same builder, same contract), but backed by the Playwright
// binding `__keyriteInvoke`, which calls the real IPC handlers in the test process.
import { buildKeyriteApi } from '../../core/ipc/contract.ts';

type Binding = (channel: string, arg: unknown) => Promise<unknown>;

const api = buildKeyriteApi(
  (channel, arg) => (window as unknown as { __keyriteInvoke: Binding }).__keyriteInvoke(channel, arg),
  () => () => {},
);

Object.defineProperty(window, 'keyrite', { value: api, enumerable: true, configurable: false, writable: false });
