import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PAPER_WORD_COUNT, shareToWords, wordsToShare } from '../../../core/escrow/paper-words.ts';
import { rs1024CreateChecksum } from '../../../core/escrow/rs1024.ts';
import { SLIP39_WORDS, slip39WordIndex } from '../../../core/escrow/slip39-words.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { toHex } from '../../../core/encoding/hex.ts';

const CEREMONY = '00112233445566778899aabbccddeeff';
const share = { x: 7, y: Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255) };
const words = shareToWords(CEREMONY, share);

const arbCeremony = fc.uint8Array({ minLength: 16, maxLength: 16 });
const arbShare = fc.record({ x: fc.integer({ min: 1, max: 255 }), y: fc.uint8Array({ minLength: 32, maxLength: 32 }) });

test('34 words: 4 ceremony words, the index, 26 share words, 3 checksum words', () => {
  assert.equal(PAPER_WORD_COUNT, 34);
  assert.equal(words.length, 34);
  // 0x0011223344 → 10-bit groups 0000000000 0100010010 0010001100 1101000100
  assert.deepEqual(words.slice(0, 4).map(slip39WordIndex), [0x000, 0x112, 0x08c, 0x344]);
  assert.equal(slip39WordIndex(words[4]!), 7);
  const decoded = wordsToShare(words, { ceremonyId: CEREMONY });
  assert.equal(decoded.ceremonyIdPrefix, '0011223344');
  assert.equal(decoded.share.x, 7);
  assert.deepEqual(decoded.share.y, share.y);
});

test('words ↔ share round-trip (property), as a list or as typed text in any case', () => {
  fc.assert(
    fc.property(arbCeremony, arbShare, (id, s) => {
      const w = shareToWords(id, s);
      assert.equal(w.length, 34);
      const back = wordsToShare(w, { ceremonyId: id });
      assert.equal(back.share.x, s.x);
      assert.deepEqual(back.share.y, s.y);
      assert.equal(back.ceremonyIdPrefix, toHex(id.subarray(0, 5)));
      const typed = wordsToShare(`  ${w.join('  \n').toUpperCase()}\t`);
      assert.deepEqual(typed.share.y, s.y);
    }),
    { numRuns: 200 },
  );
});

test('every single-word substitution is detected (all 34 × 1023 of them)', () => {
  const values = words.map(slip39WordIndex);
  let checked = 0;
  for (let pos = 0; pos < values.length; pos++) {
    for (let v = 0; v < 1024; v++) {
      if (v === values[pos]) continue;
      const w = [...words];
      w[pos] = SLIP39_WORDS[v]!;
      assert.throws(() => wordsToShare(w), (e) => isKeyriteError(e, 'INVALID_ENCODING') && /checksum/.test((e as Error).message));
      checked++;
    }
  }
  assert.equal(checked, 34 * 1023);
});

function substitutionProperty(count: number) {
  return fc.property(
    arbCeremony,
    arbShare,
    fc.uniqueArray(fc.nat(PAPER_WORD_COUNT - 1), { minLength: count, maxLength: count }),
    fc.array(fc.integer({ min: 1, max: 1023 }), { minLength: count, maxLength: count }),
    (id, s, positions, deltas) => {
      const w = shareToWords(id, s);
      positions.forEach((p, i) => {
        w[p] = SLIP39_WORDS[(slip39WordIndex(w[p]!) + deltas[i]!) % 1024]!;
      });
      assert.throws(() => wordsToShare(w), (e) => isKeyriteError(e, 'INVALID_ENCODING'));
    },
  );
}

test('every 2-word substitution in a sample is detected', () => {
  fc.assert(substitutionProperty(2), { numRuns: 2000 });
});

test('every 3-word substitution in a sample is detected', () => {
  fc.assert(substitutionProperty(3), { numRuns: 2000 });
});

test('an unknown word is named by its position, never quoted, and nothing is corrected', () => {
  const w = [...words];
  w[2] = 'acadmic';
  w[20] = 'hello';
  assert.throws(
    () => wordsToShare(w),
    (e) => isKeyriteError(e, 'INVALID_ENCODING') && /Words 3 and 21 are not in the word list/.test((e as Error).message) && !/acadmic|hello/.test((e as Error).message) && /does not guess/.test((e as Error).message),
  );
  // A 4-letter prefix is still not accepted: only whole words.
  const p = [...words];
  p[0] = p[0]!.slice(0, 4) === p[0] ? `${p[0]}x` : p[0]!.slice(0, 4);
  assert.throws(() => wordsToShare(p), (e) => isKeyriteError(e, 'INVALID_ENCODING') && /Word 1 is not/.test((e as Error).message));
});

test('wrong word count: a missing or repeated word', () => {
  assert.throws(() => wordsToShare(words.slice(1)), (e) => isKeyriteError(e, 'INVALID_LENGTH') && /exactly 34 words; 33/.test((e as Error).message));
  assert.throws(() => wordsToShare([...words, words[33]!]), (e) => isKeyriteError(e, 'INVALID_LENGTH') && /35/.test((e as Error).message));
  assert.throws(() => wordsToShare(''), (e) => isKeyriteError(e, 'INVALID_LENGTH'));
  // Swapping two words is caught by the checksum.
  const swapped = [...words];
  [swapped[10], swapped[11]] = [swapped[11]!, swapped[10]!];
  assert.throws(() => wordsToShare(swapped), (e) => isKeyriteError(e, 'INVALID_ENCODING'));
});

test('words from another ceremony are refused when the ceremony id is known', () => {
  assert.throws(
    () => wordsToShare(words, { ceremonyId: 'ffeeddccbbaa99887766554433221100' }),
    (e) => isKeyriteError(e, 'SHARE_REJECTED') && /another ceremony/.test((e as Error).message) && /0011223344/.test((e as Error).message),
  );
  // Only the first 5 bytes are on the card.
  assert.equal(wordsToShare(words, { ceremonyId: '0011223344ffffffffffffffffffffff' }).share.x, 7);
});

test('a valid checksum over data that is not a Keyrite share (index 0, index > 255, padding bits) is refused', () => {
  const values = words.map(slip39WordIndex).slice(0, 31);
  const withChecksum = (data: number[]) => [...data, ...rs1024CreateChecksum('keyrite-share-v1', data)].map((v) => SLIP39_WORDS[v]!);
  for (const [pos, v] of [
    [4, 0],
    [4, 256],
    [5, values[5]! | 0x200],
  ] as Array<[number, number]>) {
    const data = [...values];
    data[pos] = v;
    assert.throws(() => wordsToShare(withChecksum(data)), (e) => isKeyriteError(e, 'INVALID_ENCODING') && /do not encode a Keyrite share/.test((e as Error).message));
  }
});

test('a SLIP-39 mnemonic is not a Keyrite paper share', () => {
  const slip39 = 'duckling enlarge academic academic agency result length solution fridge kidney coal piece deal husband erode duke ajar critical decision keyboard';
  assert.throws(() => wordsToShare(slip39), (e) => isKeyriteError(e, 'INVALID_LENGTH'));
});

test('bad inputs to the encoder are refused', () => {
  for (const [id, s] of [
    ['0011', share],
    [CEREMONY.toUpperCase(), share],
    [CEREMONY, { x: 0, y: share.y }],
    [CEREMONY, { x: 256, y: share.y }],
    [CEREMONY, { x: 1, y: new Uint8Array(31) }],
  ] as Array<[string, { x: number; y: Uint8Array }]>) {
    assert.throws(() => shareToWords(id, s), (e) => isKeyriteError(e));
  }
  assert.throws(() => wordsToShare(42 as unknown as string), (e) => isKeyriteError(e, 'INVALID_INPUT'));
});
