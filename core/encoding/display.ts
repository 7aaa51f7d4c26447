/**
 * Text that is safe to show. Whatever an attacker can write — a file name, a step id, a
 * trustee's name in a forged transcript — must not move the cursor, clear a terminal, reorder
 * a line (bidi overrides) or hide characters (zero-width) in a terminal, a log, the app or
 * verify.html. Every such character is shown as a visible escape instead.
 *
 * Unsafe: controls (Cc: C0, DEL, C1, so ESC and CSI), format characters (Cf: bidi overrides and
 * isolates, zero-width space / joiners, BOM, tag characters), line and paragraph separators
 * (Zl, Zp) and lone surrogates (Cs).
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
/** The same, except the line feed and tab that a multi-line output is made of. */
const UNSAFE_EXCEPT_LINES = /[^\P{Cc}\n\t]|[\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** The longest field `displayField` returns by default (before the ellipsis). */
export const MAX_DISPLAY_FIELD = 300;

function visibleEscape(c: string): string {
  return `\\u{${c.codePointAt(0)!.toString(16)}}`;
}

function capped(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // never cut a surrogate pair in half
  return `${text.slice(0, end)}…`;
}

/** One attacker-controlled value inside a message: every unsafe character, line breaks included, escaped; then capped. */
export function displayField(text: string, maxChars: number = MAX_DISPLAY_FIELD): string {
  return capped(text.replace(UNSAFE, visibleEscape), maxChars);
}

/** A whole multi-line output (a report, a message): unsafe characters escaped, line feeds and tabs kept. */
export function displayOutput(text: string): string {
  return text.replace(UNSAFE_EXCEPT_LINES, visibleEscape);
}

/**
 * JSON text for a terminal: JSON.stringify leaves DEL, C1, bidi, zero-width and U+2028 raw;
 * each becomes a \uXXXX escape, which JSON reads back as the same string.
 */
export function displayJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_EXCEPT_LINES, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}

/** Every string (and key) of a JSON-like value through `displayOutput`; other values as they are. For data bound for a screen. */
export function displayStrings<T>(value: T): T {
  if (typeof value === 'string') return displayOutput(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => displayStrings(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[displayOutput(k)] = displayStrings(v);
    return out as T;
  }
  return value;
}
