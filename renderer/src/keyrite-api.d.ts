// `window.keyrite`: the preload API (electron/preload.ts), typed from the one IPC contract.
// Optional: when the page is opened outside the app there is no preload.
import type { KeyriteApi } from '../../core/ipc/contract.ts';

declare global {
  interface Window {
    readonly keyrite?: KeyriteApi;
  }
}

export {};
