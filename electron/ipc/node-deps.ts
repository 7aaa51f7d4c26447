/**
 * The real dependencies of the IPC handlers on a Node main process: the self-tests from
 * core/selftest and the network interfaces from core/node. Shared by electron/main.ts
 * and the Chromium end-to-end test, so both run exactly the same code.
 */
import type { AppMode } from '../../core/ipc/contract.ts';
import { readNetworkInterfaces } from '../../core/node/network-interfaces.ts';
import { runSelfTests } from '../../core/selftest/run.ts';
import type { HandlerDeps } from './handlers.ts';

export interface NodeDepsOptions {
  appVersion: string;
  platform: string;
  logError?: HandlerDeps['logError'];
}

export function nodeHandlerDeps(options: NodeDepsOptions): HandlerDeps {
  return {
    appName: 'Keyrite',
    appVersion: options.appVersion,
    platform: options.platform,
    // Until the token engine can tell a real token from the embedded software token,
    // the app says "rehearsal": it never claims "live" by default.
    mode: (): AppMode => 'rehearsal',
    runSelfTests: () => runSelfTests(),
    readNetworkInterfaces,
    ...(options.logError ? { logError: options.logError } : {}),
  };
}
