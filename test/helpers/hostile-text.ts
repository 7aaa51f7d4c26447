/**
 * Strings an attacker would write into a file name, an id or a name: terminal escape
 * sequences, C1 controls, bidi overrides and isolates, zero-width characters, line
 * separators and lone surrogates, mixed with ordinary text. And the assertion that an output
 * shows none of them raw.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

/** One raw character or sequence a spoof is made of. */
export const SPOOF_PIECES = [
  '\u001b[2J\u001b[H', // clear the screen, cursor home
  '\u001b]0;title\u0007', // OSC: set the window title
  '\u009b31m', // C1 CSI
  '\r', '\b', '\u0000', '\u007f', '\u0085',
  '\u202e', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u200f', '\u061c', // bidi
  '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u{e0041}', // invisible
  '\u2028', '\u2029', '\ud800', '\udfff',
] as const;

/** Text with spoof pieces among ordinary characters. */
export const hostileText: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...SPOOF_PIECES), fc.string({ maxLength: 6 }), fc.constantFrom('ok', 'VALID', 'pass  ', '\n', '\t', 'é', '日本', '😀')), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(''))
  .filter((s) => UNSAFE_OUTSIDE_LINES.test(s));

/** What must never reach a screen raw: every control except line feed and tab, format characters, separators, lone surrogates. */
const UNSAFE_OUTSIDE_LINES = /[^\P{Cc}\n\t]|[\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

export function assertDisplaySafe(output: string, where: string): void {
  const m = UNSAFE_OUTSIDE_LINES.exec(output);
  assert.equal(m, null, `${where} shows a raw U+${m?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} at ${m?.index}: ${JSON.stringify(output.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`);
}
