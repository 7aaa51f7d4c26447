import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { p256 } from '@noble/curves/nist.js';
import {
  fingerprint,
  fingerprintMatches,
  fingerprintWords,
  formatFingerprintHex,
  parseFingerprint,
  principalFingerprint,
} from '../../../core/encoding/fingerprint.ts';
import { publicKeyToJwk } from '../../../core/encoding/jwk.ts';
import { fromHex, toHex } from '../../../core/encoding/hex.ts';
import { onlyKeyriteErrors, throwsKeyrite } from './_helpers.ts';

const HEX = '3f2a9c01d1c225e426c633dd94d1a7e8c3f408aa9b342488ea5b81c564988c73';
const fp = fingerprint(fromHex(HEX));

test('fingerprint: value type copies and checks 32 bytes', () => {
  const src = fromHex(HEX);
  const f = fingerprint(src);
  src[0] = 0;
  assert.equal(f[0], 0x3f);
  throwsKeyrite(() => fingerprint(new Uint8Array(31)), 'INVALID_LENGTH', /32 bytes, got 31/);
  throwsKeyrite(() => fingerprint(HEX as unknown as Uint8Array), 'INVALID_INPUT');
  throwsKeyrite(() => formatFingerprintHex(new Uint8Array(16) as never), 'INVALID_INPUT');
  throwsKeyrite(() => fingerprintWords(new Uint8Array(33) as never), 'INVALID_INPUT');
});

test('fingerprint: hex form in groups of 4', () => {
  assert.equal(formatFingerprintHex(fp), '3f2a 9c01 d1c2 25e4 26c6 33dd 94d1 a7e8 c3f4 08aa 9b34 2488 ea5b 81c5 6498 8c73');
});

test('fingerprint: word form covers the first 16 bytes', () => {
  const w = fingerprintWords(fp);
  assert.equal(w.length, 16);
  assert.deepEqual(w.slice(0, 4), ['cowbell', 'chambermaid', 'python', 'adviser']);
  assert.deepEqual(w.slice(4), 'stairway repellent bombast tradition bookshelf responsive chisel tambourine Pluto scavenger repay typewriter'.split(' '));
  assert.deepEqual(fingerprintWords(fingerprint(new Uint8Array(32))).slice(0, 2), ['aardvark', 'adroitness']);
  assert.deepEqual(fingerprintWords(fingerprint(new Uint8Array(32).fill(0xff))).slice(0, 2), ['Zulu', 'Yucatan']);
});

test('fingerprint: parse hex in any common layout', () => {
  for (const text of [HEX, HEX.toUpperCase(), formatFingerprintHex(fp), HEX.match(/../g)!.join(':'), `  ${formatFingerprintHex(fp).replace(/ /g, '\n')}\n`]) {
    const parsed = parseFingerprint(text);
    assert.equal(parsed.kind, 'full');
    assert.ok(fingerprintMatches(fp, parsed));
  }
  throwsKeyrite(() => parseFingerprint(HEX.slice(2)), 'INVALID_LENGTH', /62/);
  throwsKeyrite(() => parseFingerprint(HEX + '00'), 'INVALID_LENGTH', /66/);
  throwsKeyrite(() => parseFingerprint(HEX.slice(0, 63) + 'g'), 'INVALID_ENCODING');
  throwsKeyrite(() => parseFingerprint(''), 'INVALID_ENCODING', /empty/);
  throwsKeyrite(() => parseFingerprint('   '), 'INVALID_ENCODING', /empty/);
  throwsKeyrite(() => parseFingerprint(7 as unknown as string), 'INVALID_INPUT');
  throwsKeyrite(() => parseFingerprint('a'.repeat(2000)), 'INVALID_ENCODING', /too long/);
  assert.ok(!fingerprintMatches(fingerprint(new Uint8Array(32)), parseFingerprint(HEX)));
});

test('fingerprint: parse the word form (case-insensitive), matched as a 16-byte prefix', () => {
  const spoken = fingerprintWords(fp).join(' ');
  for (const text of [spoken, spoken.toUpperCase(), spoken.toLowerCase(), spoken.replace(/ /g, '\n  ')]) {
    const parsed = parseFingerprint(text);
    assert.equal(parsed.kind, 'words-prefix');
    if (parsed.kind === 'words-prefix') assert.equal(toHex(parsed.prefix), HEX.slice(0, 32));
    assert.ok(fingerprintMatches(fp, parsed));
  }
  // Same first 16 bytes, different last 16: the word form matches, the hex form does not.
  const sibling = fingerprint(Uint8Array.of(...fp.subarray(0, 16), ...new Uint8Array(16)));
  assert.ok(fingerprintMatches(sibling, parseFingerprint(spoken)));
  assert.ok(!fingerprintMatches(sibling, parseFingerprint(HEX)));
  // "Yucatán" is accepted for 0xFF at odd positions.
  const ff = fingerprint(new Uint8Array(32).fill(0xff));
  assert.ok(fingerprintMatches(ff, parseFingerprint(fingerprintWords(ff).join(' ').replace(/Yucatan/g, 'Yucatán'))));
});

test('fingerprint: word form errors', () => {
  const w = fingerprintWords(fp);
  throwsKeyrite(() => parseFingerprint(w.slice(0, 15).join(' ')), 'INVALID_LENGTH', /16 words, this one has 15/);
  throwsKeyrite(() => parseFingerprint([...w, 'aardvark'].join(' ')), 'INVALID_LENGTH', /17/);
  // A dropped word shifts every later word to the wrong list.
  throwsKeyrite(() => parseFingerprint([...w.slice(0, 3), ...w.slice(4), 'adroitness'].join(' ')), 'INVALID_ENCODING', /Word 4 .*missing, repeated or swapped/);
  // Two swapped neighbours.
  throwsKeyrite(() => parseFingerprint([w[1], w[0], ...w.slice(2)].join(' ')), 'INVALID_ENCODING', /Word 1/);
  throwsKeyrite(() => parseFingerprint(['aardvark', 'notaword', ...w.slice(2)].join(' ')), 'INVALID_ENCODING', /word 2 is not in the PGP word list/);
  throwsKeyrite(() => parseFingerprint(w.join(', ')), 'INVALID_ENCODING');
});

test('fingerprint (property): formats parse back; random text raises only KeyriteError', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => {
    const f = fingerprint(b);
    const full = parseFingerprint(formatFingerprintHex(f));
    assert.ok(full.kind === 'full' && toHex(full.bytes) === toHex(b));
    const words = parseFingerprint(fingerprintWords(f).join(' '));
    assert.ok(words.kind === 'words-prefix' && toHex(words.prefix) === toHex(b.subarray(0, 16)));
  }));
  fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => onlyKeyriteErrors(() => parseFingerprint(s))));
});

test('principal fingerprint: SHA-256 of the JCS of both thumbprints and the version', () => {
  const ed = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
  const pq = publicKeyToJwk('ML-DSA-65', ml_dsa65.keygen(new Uint8Array(32)).publicKey);
  const input = '{"classical":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","pq":"Suiu29qbfuaBaR4Ats-c6XQBePB_OpAxAwcTR_0KXVM","v":"keyrite/principal/v1"}';
  const expected = createHash('sha256').update(input, 'utf8').digest('hex');
  const f = principalFingerprint(ed, pq);
  assert.equal(toHex(f), expected);
  // Pinned so that any change to the construction is noticed (docs/FORMATS.md example).
  assert.equal(formatFingerprintHex(f), 'c855 27af 6a8c 015f 60eb 9fae 8ce2 d434 3435 ddcb da39 b79f 2adf 2a01 64a7 5d3b');
  assert.equal(fingerprintWords(f).join(' '), 'spaniel equipment brackish pharmacy Geiger megaton absurd forever facial underfoot quota performance offload tomorrow steamship confidence');
  // Optional members (kid, use) do not change the identity.
  assert.equal(toHex(principalFingerprint({ ...ed, use: 'sig' }, { ...pq, kid: 'Suiu29qbfuaBaR4Ats-c6XQBePB_OpAxAwcTR_0KXVM' })), expected);
  // P-256 is a valid classical key.
  const ec = publicKeyToJwk('P-256', p256.getPublicKey(new Uint8Array(32).fill(9), false));
  assert.equal(principalFingerprint(ec, pq).length, 32);
  throwsKeyrite(() => principalFingerprint(pq, pq), 'INVALID_KEY', /classical key.*Ed25519 or P-256/);
  throwsKeyrite(() => principalFingerprint(ed, ed), 'INVALID_KEY', /post-quantum key.*ML-DSA-65/);
  throwsKeyrite(() => principalFingerprint(ed, { ...pq, priv: 'AAAA' }), 'INVALID_KEY', /private/);
  throwsKeyrite(() => principalFingerprint(ed, { ...pq, kid: 'wrong' }), 'INVALID_KEY', /kid/);
  throwsKeyrite(() => principalFingerprint(null, pq), 'INVALID_KEY');
});
