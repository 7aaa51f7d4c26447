/**
 * Finds paper-backup words written into an answers file, before any schema check runs, so they
 * get the one sentence that says what to do instead and are never repeated (like PINs, pins.ts).
 * A place holds paper words when:
 *  - a key named like them (paper-words, paper, words, mnemonic, share-words; case, "-" and "_"
 *    ignored) holds text or a list: `paper-words: "academic acid …"`, `words: [academic, …]`;
 *  - a `paper-words` mapping holds a member other than `env` / `prompt` with a value
 *    (`{ value: … }`, `{ file: words.txt }`: the words never come from a file either);
 *  - any text holds a run of PAPER_WORDS_RUN or more words of the SLIP-39 list, wherever it is.
 * Only positions are returned.
 */
import type { At, YNode } from '../script/strict-yaml.ts';
import { slip39WordIndex } from '../escrow/slip39-words.ts';

export const ANSWERS_PAPER_WORDS_MESSAGE = 'Paper-backup words never go in an answers file, nor a path to a file holding them; use paper-words: { env: VARIABLE_NAME } or { prompt: true }.';

/** This many list words in a row in one text are taken for paper words (a share has 34; names and paths have no such runs). */
export const PAPER_WORDS_RUN = 8;

const WORD_KEYS = new Set(['paperwords', 'paper', 'words', 'mnemonic', 'sharewords', 'paperbackup']);

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

function holdsWordRun(text: string): boolean {
  let run = 0;
  for (const w of text.toLowerCase().split(/[\s,;]+/)) {
    run = w !== '' && slip39WordIndex(w) >= 0 ? run + 1 : 0;
    if (run >= PAPER_WORDS_RUN) return true;
  }
  return false;
}

export function findPaperWordValues(root: YNode): At[] {
  const found: At[] = [];
  const stack: YNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'scalar') {
      if (typeof n.value === 'string' && holdsWordRun(n.value)) found.push(n.at);
      continue;
    }
    if (n.kind === 'seq') {
      if (n.items.length >= PAPER_WORDS_RUN && n.items.every((i) => i.kind === 'scalar' && typeof i.value === 'string' && slip39WordIndex(i.value.toLowerCase()) >= 0)) {
        found.push(n.at);
        continue;
      }
      stack.push(...n.items);
      continue;
    }
    for (const e of n.entries) {
      const key = normalise(e.key);
      const v = e.value;
      if (WORD_KEYS.has(key) && (v.kind === 'seq' || (v.kind === 'scalar' && v.value !== null))) {
        found.push(v.at);
        continue;
      }
      if (key === 'paperwords' && v.kind === 'map') {
        for (const inner of v.entries) {
          if (inner.key === 'env' || inner.key === 'prompt') stack.push(inner.value);
          else if (inner.value.kind !== 'scalar' || inner.value.value !== null) found.push(inner.value.at);
        }
        continue;
      }
      stack.push(v);
    }
  }
  return found;
}
