/**
 * Finds PIN values in a ceremony file before any schema check runs, so a PIN typed in the
 * wrong place gets the one message that tells people what to do instead, and never reaches a
 * message, a log or the transcript (docs/CEREMONY-SCRIPTS.md, "PINs").
 *
 * A place holds a PIN value when:
 *  - a key named like a PIN (pin, pin-value, pin_code, passphrase, password, so-pin, user-pin,
 *    secret, pin-source; case, "-" and "_" ignored) holds a scalar or a list: `pin: 1234`,
 *    `pin: "1234"`, `passphrase: hunter2`, `pin-value: [1, 2]`;
 *  - a `pin` mapping holds anything but `env` / `prompt`: `pin: { value: 1234 }`;
 *  - any text contains an RFC 7512 `pin-value=` or `pin-source=` attribute.
 * Only positions are returned; values are never copied anywhere.
 */
import type { At, YNode } from './strict-yaml.ts';

export const ANSWERS_PIN_MESSAGE = 'PINs never go in an answers file; name an environment variable or use prompt.';
export const SCRIPT_PIN_MESSAGE = 'PINs never go in a ceremony script; each run names an environment variable or a prompt for every PIN in its answers file.';

const PIN_KEYS = new Set(['pin', 'pinvalue', 'pincode', 'pinsource', 'passphrase', 'password', 'passwd', 'sopin', 'userpin', 'secret']);
const PIN_ATTRIBUTE = /pin-(value|source)\s*=/i;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/** True when `key` names a PIN or passphrase. */
export function isPinKey(key: string): boolean {
  return PIN_KEYS.has(normalise(key));
}

/**
 * Positions of PIN values in the tree. `allowPinSourceMap` accepts `pin: {env: …}` and
 * `pin: {prompt: …}` (answers files); without it any PIN-named key is reported (scripts).
 */
export function findPinValues(root: YNode, allowPinSourceMap: boolean): At[] {
  const found: At[] = [];
  const stack: YNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'scalar') {
      if (typeof n.value === 'string' && PIN_ATTRIBUTE.test(n.value)) found.push(n.at);
      continue;
    }
    if (n.kind === 'seq') {
      stack.push(...n.items);
      continue;
    }
    for (const e of n.entries) {
      if (PIN_ATTRIBUTE.test(e.key)) {
        found.push(e.keyAt);
        continue;
      }
      if (isPinKey(e.key)) {
        const v = e.value;
        const holdsValue = v.kind === 'seq' || (v.kind === 'scalar' && v.value !== null);
        if (holdsValue || !allowPinSourceMap) {
          found.push(v.kind === 'scalar' && v.value === null ? e.keyAt : v.at);
          continue;
        }
        if (v.kind === 'map' && normalise(e.key) === 'pin') {
          for (const inner of v.entries) {
            if (inner.key === 'env' || inner.key === 'prompt') {
              stack.push(inner.value);
              continue;
            }
            const iv = inner.value;
            if (iv.kind === 'seq' || (iv.kind === 'scalar' && iv.value !== null)) found.push(iv.at);
            else stack.push(iv);
          }
          continue;
        }
      }
      stack.push(e.value);
    }
  }
  return found;
}
