import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SLIP39_WORDLIST_SHA256, SLIP39_WORDS, slip39WordIndex } from '../../../core/escrow/slip39-words.ts';

test('the SLIP-39 list has 1024 unique words, from "academic" to "zero"', () => {
  assert.equal(SLIP39_WORDS.length, 1024);
  assert.equal(new Set(SLIP39_WORDS).size, 1024);
  assert.equal(SLIP39_WORDS[0], 'academic');
  assert.equal(SLIP39_WORDS[1023], 'zero');
});

test('the list is byte-identical to SLIP-0039 wordlist.txt (pinned SHA-256)', () => {
  const file = SLIP39_WORDS.join('\n') + '\n';
  assert.equal(createHash('sha256').update(file, 'utf8').digest('hex'), SLIP39_WORDLIST_SHA256);
});

test("the list has SLIP-0039's stated properties: sorted, 4 to 8 lowercase letters, unique 4-letter prefixes", () => {
  const sorted = [...SLIP39_WORDS].sort();
  assert.deepEqual(sorted, SLIP39_WORDS);
  for (const w of SLIP39_WORDS) assert.match(w, /^[a-z]{4,8}$/);
  assert.equal(new Set(SLIP39_WORDS.map((w) => w.slice(0, 4))).size, 1024);
});

test('word index lookup is exact', () => {
  SLIP39_WORDS.forEach((w, i) => assert.equal(slip39WordIndex(w), i));
  for (const w of ['', 'Academic', 'acad', 'academics', 'zebra', ' zero', 'constructor', '__proto__', 'toString']) assert.equal(slip39WordIndex(w), -1);
  assert.ok(Object.isFrozen(SLIP39_WORDS));
});
