// Bundled by harness.ts into an init script: builds `window.keyrite` exactly as
// electron/preload.ts does (same builder, same contract), but backed by the Playwright
// binding `__keyriteInvoke`, which calls the real IPC handlers in the test process. Events
// from the handlers arrive through `__keyriteDeliver` (the harness' EventRelay), as
// ipcRenderer.on delivers them in the app.
import { buildKeyriteApi, type EventName } from '../../core/ipc/contract.ts';

type Binding = (channel: string, arg: unknown) => Promise<unknown>;

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

const api = buildKeyriteApi(
  (channel, arg) => (window as unknown as { __keyriteInvoke: Binding }).__keyriteInvoke(channel, arg),
  (event, listener) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
);

Object.defineProperty(window, '__keyriteDeliver', {
  value: (event: EventName, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  },
});
Object.defineProperty(window, 'keyrite', { value: api, enumerable: true, configurable: false, writable: false });
