/**
 * Best-effort zeroisation of secret byte arrays. JavaScript gives no guarantee that no
 * copy survives elsewhere (engine, GC), so this only shortens the time secrets sit in memory.
 */
export function wipe(...arrays: (Uint8Array | undefined)[]): void {
  for (const a of arrays) if (a instanceof Uint8Array) a.fill(0);
}
