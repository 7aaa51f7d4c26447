import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { rs1024CreateChecksum, rs1024Polymod, rs1024VerifyChecksum } from '../../../core/escrow/rs1024.ts';
import { slip39WordIndex } from '../../../core/escrow/slip39-words.ts';
import { isKeyriteError } from '../../../core/errors.ts';

type Vector = [string[], string];
const vectors = JSON.parse(readFileSync(new URL('../../fixtures/slip39/vectors.json', import.meta.url), 'utf8')) as Vector[];
// Entries (1-based) whose mnemonic was given a wrong last word: "invalid checksum" in SLIP-0039's vectors.
const INVALID_CHECKSUM = new Set([2, 21]);

function values(mnemonic: string): number[] {
  const v = mnemonic.split(' ').map(slip39WordIndex);
  assert.ok(!v.includes(-1), `unknown word in ${mnemonic}`);
  return v;
}

test('SLIP-0039 vectors: every mnemonic passes RS1024 with "shamir" except the two invalid-checksum ones', () => {
  let checked = 0;
  vectors.forEach(([mnemonics], i) => {
    for (const m of mnemonics) {
      assert.equal(rs1024VerifyChecksum('shamir', values(m)), !INVALID_CHECKSUM.has(i + 1), `vector ${i + 1}`);
      checked++;
    }
  });
  assert.ok(checked >= 70);
});

test('SLIP-0039 vectors: create_checksum reproduces the last three words of every valid mnemonic', () => {
  vectors.forEach(([mnemonics], i) => {
    if (INVALID_CHECKSUM.has(i + 1)) return;
    for (const m of mnemonics) {
      const v = values(m);
      assert.deepEqual(rs1024CreateChecksum('shamir', v.slice(0, -3)), v.slice(-3), `vector ${i + 1}`);
    }
  });
});

test('the invalid-checksum vectors differ from a valid mnemonic only in their last word', () => {
  const good = values(vectors[0]![0][0]!);
  const bad = values(vectors[1]![0][0]!);
  assert.deepEqual(bad.slice(0, -1), good.slice(0, -1));
  assert.deepEqual(rs1024CreateChecksum('shamir', bad.slice(0, -3)), good.slice(-3));
});

test('a different customization string (Keyrite\'s) rejects every SLIP-39 mnemonic', () => {
  for (const [mnemonics] of vectors) for (const m of mnemonics) assert.equal(rs1024VerifyChecksum('keyrite-share-v1', values(m)), false);
});

test('polymod of the empty input is 1 and checksums are 10-bit values', () => {
  assert.equal(rs1024Polymod([]), 1);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1023 }), { maxLength: 60 }), (data) => {
      const c = rs1024CreateChecksum('shamir', data);
      assert.equal(c.length, 3);
      for (const w of c) assert.ok(Number.isInteger(w) && w >= 0 && w <= 1023);
      assert.ok(rs1024VerifyChecksum('shamir', [...data, ...c]));
    }),
  );
});

test('bad inputs are refused', () => {
  for (const [cs, data] of [
    ['', [1]],
    ['sham\u00efr', [1]],
    ['shamir', [1024]],
    ['shamir', [-1]],
    ['shamir', [1.5]],
    ['shamir', new Array(1020).fill(0)],
  ] as Array<[string, number[]]>) {
    assert.throws(() => rs1024CreateChecksum(cs, data), (e) => isKeyriteError(e, 'INVALID_INPUT'));
  }
  assert.equal(rs1024VerifyChecksum('shamir', [1, 2]), false);
});
