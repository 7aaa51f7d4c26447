/**
 * The plain-text files of a bundle (README.txt, keys/fingerprints.txt) are written from line
 * templates: fixed text with `{slot}` places for facts. The writer fills a template; a reader
 * matches the lines against it and gets the facts back, to compare with what it knows itself.
 * Every fact goes in as one line (oneLine), so no value can add or hide a line.
 */
import { KeyriteError } from '../errors.ts';

const SLOT = /\{([a-zA-Z][a-zA-Z0-9]*)\}/g;

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
function breaksLines(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
}

/** A fact as it appears in a text file: control characters and line separators become U+FFFD. */
export function oneLine(value: string): string {
  let out = '';
  for (const ch of value) out += breaksLines(ch.charCodeAt(0)) ? '\uFFFD' : ch;
  return out;
}

/** The slot names of a template, in order of appearance. */
export function templateSlots(template: readonly string[]): string[] {
  return template.flatMap((line) => [...line.matchAll(SLOT)].map((m) => m[1]!));
}

/** The template's lines with every `{slot}` replaced by its value (made one line). */
export function fillTemplate(template: readonly string[], values: Readonly<Record<string, string>>): string[] {
  return template.map((line) =>
    line.replace(SLOT, (_, name: string) => {
      const v = values[name];
      if (v === undefined) throw new KeyriteError('INVALID_INPUT', `The text template needs a value for {${name}}.`);
      return oneLine(v);
    }),
  );
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A template line as a regular expression: the fixed text exactly, each slot any text (greedy). */
function lineRegex(line: string): RegExp {
  return new RegExp(`^${line.split(SLOT).map((part, i) => (i % 2 === 0 ? escapeRegex(part) : '(.*)')).join('')}$`);
}

/**
 * Matches `lines[from …]` against the template line by line; returns the slot values, or
 * throws naming the first line (1-based) that differs from the template.
 */
export function matchTemplate(lines: readonly string[], from: number, template: readonly string[], what: string): Record<string, string> {
  const values: Record<string, string> = {};
  template.forEach((t, i) => {
    const line = lines[from + i];
    const m = line === undefined ? null : lineRegex(t).exec(line);
    // A control character is never written (oneLine), so one read here is an edit.
    if (m === null || m.slice(1).some((v) => v !== oneLine(v))) throw new KeyriteError('INVALID_INPUT', `Line ${from + i + 1} of ${what} is not the text Keyrite writes there.`);
    templateSlots([t]).forEach((name, k) => {
      const v = m[k + 1]!;
      if (values[name] !== undefined && values[name] !== v) throw new KeyriteError('INVALID_INPUT', `Line ${from + i + 1} of ${what} contradicts an earlier line.`);
      values[name] = v;
    });
  });
  return values;
}
