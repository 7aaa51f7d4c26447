/**
 * Who may call an IPC channel: only the top-level frame of the main window, showing the
 * app's own page. Checked for every request before any handler runs (electron/main.ts).
 * No electron import: the frame is described structurally, so tests use plain objects.
 */
import { APP_ORIGIN, isAllowedAppUrl } from './app-origin.ts';

export interface SenderFrame {
  readonly url: string;
  readonly origin?: string;
  readonly parent: SenderFrame | null;
  readonly detached?: boolean;
}

export interface IpcSender {
  /** event.sender.id: the WebContents that sent the message. */
  webContentsId: number;
  /** event.senderFrame: null when the frame has navigated away or been destroyed. */
  frame: SenderFrame | null | undefined;
}

/** null when the sender is the main window's top frame on the app origin, else why not. */
export function senderProblem(sender: IpcSender, mainWebContentsId: number | undefined): string | null {
  if (mainWebContentsId === undefined) return 'there is no main window';
  if (sender.webContentsId !== mainWebContentsId) return 'the sender is not the main window';
  const frame = sender.frame;
  if (frame === null || frame === undefined) return 'the sending frame is gone';
  if (frame.detached === true) return 'the sending frame is detached';
  if (frame.parent !== null) return 'the sender is a subframe';
  if (!isAllowedAppUrl(frame.url)) return 'the sending page is not the app';
  if (frame.origin !== undefined && frame.origin !== APP_ORIGIN) return 'the sending origin is not the app';
  return null;
}

export function isTrustedSender(sender: IpcSender, mainWebContentsId: number | undefined): boolean {
  return senderProblem(sender, mainWebContentsId) === null;
}
