/** Argument checks of the audit channels (core/ipc/contract.ts): exact keys, types and bounds, each failure a sentence. */

type Check = (arg: unknown) => string | null;

/** core/crypto/hybrid.ts VERIFY_MODES, repeated so the preload bundles no crypto code. */
const MODES: readonly string[] = ['hybrid', 'classical-only', 'pq-only'];

/** The editor's limit; the sandbox applies its own, smaller or not, when the script runs. */
export const MAX_EDITOR_SCRIPT = 256 * 1024;

export const checkAuditOptions: Check = (arg) => {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return 'This request takes the trusted fingerprint and the mode.';
  const o = arg as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 2 || !Object.hasOwn(o, 'trust') || !Object.hasOwn(o, 'mode')) return 'This request takes exactly these fields: trust, mode.';
  if (typeof o.trust !== 'string' || o.trust.length > 400) return 'The trusted fingerprint must be 64 hex digits or 16 words (or left empty).';
  if (typeof o.mode !== 'string' || !MODES.includes(o.mode)) return 'The mode must be hybrid, classical-only or pq-only.';
  return null;
};

export const checkAuditScriptSource: Check = (arg) => {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return 'Choose a script file or type a script.';
  const o = arg as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'pick') return o.pick === true ? null : 'Choose a script file or type a script.';
  if (keys.length === 1 && keys[0] === 'source') {
    if (typeof o.source !== 'string' || o.source.trim().length === 0) return 'Type the audit script first.';
    return o.source.length > MAX_EDITOR_SCRIPT ? `The script is longer than the editor takes (${MAX_EDITOR_SCRIPT} characters); run it from a file.` : null;
  }
  return 'Choose a script file or type a script.';
};

/** audit:chainRemove: the position of a folder in the chain list. */
export const checkChainIndex: Check = (arg) => {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return 'Say which bundle of the chain to remove.';
  const o = arg as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1 || keys[0] !== 'index') return 'This request takes exactly this field: index.';
  return typeof o.index === 'number' && Number.isInteger(o.index) && o.index >= 0 && o.index < 1000 ? null : 'The position of the bundle to remove must be a whole number from 0.';
};
