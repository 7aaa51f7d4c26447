/**
 * Well-formed UTF-16 (Unicode §3.9, D91): every high surrogate U+D800..U+DBFF is followed by
 * a low surrogate U+DC00..U+DFFF and every low surrogate follows a high one. JavaScript
 * strings can hold "lone" surrogates; TextEncoder silently turns them into U+FFFD, so a
 * string that is not well formed would be signed or hashed as different bytes than it
 * shows. RFC 8785 §3.2.2.2 and I-JSON (RFC 7493 §2.1) forbid them; Keyrite rejects them.
 */

/** Index of the first lone surrogate in `s`, or -1 when `s` is well-formed UTF-16. */
export function findLoneSurrogate(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

export function isWellFormedUtf16(s: string): boolean {
  return findLoneSurrogate(s) === -1;
}
