import type { IpcResult } from '../../../core/ipc/contract.ts';

/** Sends one request; a view in the answer replaces the screen's, a refusal becomes the sentence on screen. Resolves to whether it was accepted. */
export type Send = (call: () => Promise<IpcResult<unknown>>) => Promise<boolean>;

/** The sessions whose PIN and witness requests the shared prompt components answer (ceremony:pin, recovery:pin, …). */
export type SessionNs = 'ceremony' | 'recovery' | 'signing' | 'rotation';
