/**
 * The preload (sandboxed, context-isolated): exposes `window.keyrite`, built from the one
 * IPC contract — one method per channel and `on(event, listener)`, nothing else. The raw
 * ipcRenderer and the IPC event object never reach the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildKeyriteApi } from '../core/ipc/contract.ts';

const api = buildKeyriteApi(
  (channel, arg) => ipcRenderer.invoke(channel, arg),
  (event, listener) => {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, forward);
    return () => {
      ipcRenderer.removeListener(event, forward);
    };
  },
);

contextBridge.exposeInMainWorld('keyrite', api);
