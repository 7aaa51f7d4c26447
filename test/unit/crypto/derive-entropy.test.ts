// Key derivation (derive.ts) and entropy mixing (entropy.ts), cross-checked against
// node:crypto's HKDF and HMAC, plus pinned golden values: these derivations are a format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import {
  DERIVATION_LABELS,
  DERIVATION_SALT,
  deriveMasterKeys,
  deriveSeed,
  deriveTrusteeKeys,
} from '../../../core/crypto/derive.ts';
import type { DerivationLabel } from '../../../core/crypto/derive.ts';
import { ENTROPY_MIX_SALT, describeSources, mixEntropy } from '../../../core/crypto/entropy.ts';
import { ed25519PublicKey } from '../../../core/crypto/ed25519.ts';
import { mldsa65KeyFromSeed, mldsa65Sign, mldsa65Verify } from '../../../core/crypto/mldsa65.ts';
import { xwingKeyFromSeed } from '../../../core/crypto/xwing.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import { concatBytes, uintBE, utf8 } from '../../../core/bytes.ts';
import { toHex } from '../../../core/encoding/hex.ts';
import { throwsCode } from './helpers.ts';

const SEED = Uint8Array.from({ length: 32 }, (_, i) => i);

test('deriveSeed is HKDF-SHA-512(salt "keyrite/v1/derive", info = label, 32) (node:crypto agrees)', () => {
  const labels = Object.values(DERIVATION_LABELS);
  assert.deepEqual(labels, ['keyrite/v1/master/ed25519', 'keyrite/v1/master/ml-dsa-65', 'keyrite/v1/trustee/ml-dsa-65', 'keyrite/v1/trustee/x-wing']);
  const outputs = new Set<string>();
  for (const l of labels) {
    const ours = deriveSeed(SEED, l);
    const node = new Uint8Array(hkdfSync('sha512', SEED, utf8(DERIVATION_SALT), utf8(l), 32));
    assert.equal(toHex(ours), toHex(node), l);
    outputs.add(toHex(ours));
  }
  assert.equal(outputs.size, labels.length, 'every label gives different bytes');
  throwsCode(() => deriveSeed(SEED, 'keyrite/v1/master/ed448' as DerivationLabel), 'INVALID_INPUT');
});

test('deriveMasterKeys / deriveTrusteeKeys: consistent with the per-algorithm wrappers and pinned', () => {
  const m = deriveMasterKeys(SEED);
  assert.equal(toHex(m.ed25519.seed), toHex(deriveSeed(SEED, DERIVATION_LABELS.masterEd25519)));
  assert.equal(toHex(m.ed25519.publicKey), toHex(ed25519PublicKey(m.ed25519.seed)));
  assert.equal(toHex(m.mldsa65.publicKey), toHex(mldsa65KeyFromSeed(deriveSeed(SEED, DERIVATION_LABELS.masterMlDsa65)).publicKey));
  const msg = utf8('m');
  assert.equal(mldsa65Verify(m.mldsa65.publicKey, msg, mldsa65Sign(m.mldsa65.secretKey, msg)), true);
  const t = deriveTrusteeKeys(SEED);
  assert.equal(toHex(t.xwing.secretKey), toHex(deriveSeed(SEED, DERIVATION_LABELS.trusteeXWing)));
  assert.equal(toHex(t.xwing.publicKey), toHex(xwingKeyFromSeed(t.xwing.secretKey).publicKey));
  assert.notEqual(toHex(t.mldsa65.publicKey), toHex(m.mldsa65.publicKey), 'master and trustee ML-DSA keys differ');
  // Golden values for seed 00 01 .. 1f. If these change, every published key changes.
  assert.equal(toHex(m.ed25519.publicKey), '6d4d82270352407669422db95c0c95cb0415af2a744f65ffc54ed82706953640');
  assert.equal(toHex(sha256(concatBytes(m.ed25519.publicKey, m.mldsa65.publicKey))), '5ca1769b4998bde80ab6870cd6890ea085da84bdc8bd417e69112c510f0519a1');
  assert.equal(toHex(sha256(concatBytes(t.mldsa65.publicKey, t.xwing.publicKey))), 'f924c01d661540c2f879afaf49853af4c09663c8ffb05b7835269c10effbe6d1');
});

function referenceMix(sources: { name: string; bytes: Uint8Array }[]): string {
  const parts: Uint8Array[] = [uintBE(sources.length, 2)];
  for (const s of sources) parts.push(uintBE(utf8(s.name).length, 2), utf8(s.name), uintBE(s.bytes.length, 4), s.bytes);
  return createHmac('sha256', utf8(ENTROPY_MIX_SALT)).update(concatBytes(...parts)).digest('hex');
}

test('mixEntropy is HKDF-Extract(SHA-256, "keyrite/v1/entropy-mix", length-prefixed sources) (node:crypto agrees)', () => {
  const sources = [
    { name: 'hsm:C_GenerateRandom', bytes: randomBytes(64) },
    { name: 'os:getRandomValues', bytes: randomBytes(32) },
    { name: 'dice:trustee-1', bytes: utf8('3615243621') },
  ];
  const s = mixEntropy(sources);
  assert.equal(s.length, 32);
  assert.equal(toHex(s), referenceMix(sources));
  assert.deepEqual(describeSources(sources), [
    { name: 'hsm:C_GenerateRandom', length: 64 },
    { name: 'os:getRandomValues', length: 32 },
    { name: 'dice:trustee-1', length: 10 },
  ]);
  // The length prefixes keep a byte moving between name and value from colliding.
  const a = mixEntropy([{ name: 'ab', bytes: Uint8Array.of(1, ...randomBytes(31)) }, { name: 'x', bytes: randomBytes(32) }]);
  assert.equal(a.length, 32);
});

test('mixEntropy refuses weak or ambiguous source lists', () => {
  const strong = randomBytes(32);
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy('os' as never), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: 'os', bytes: randomBytes(32) }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'a', bytes: randomBytes(31) }, { name: 'b', bytes: randomBytes(31) }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: 'empty', bytes: new Uint8Array(0) }]), 'INVALID_LENGTH');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: 'hsm', bytes: new Uint8Array(32) }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: 'hsm', bytes: strong.slice() }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: '', bytes: randomBytes(8) }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: ' padded', bytes: randomBytes(8) }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: 'naïve', bytes: randomBytes(8) }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: 'x'.repeat(65), bytes: randomBytes(8) }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, { name: 'dice', bytes: 'hello' as never }]), 'INVALID_INPUT');
  throwsCode(() => mixEntropy([{ name: 'os', bytes: strong }, null as never]), 'INVALID_INPUT');
  throwsCode(() => describeSources([{ name: 'os', bytes: strong }]), 'INVALID_INPUT');
});

test('errors name sources but never contain their bytes', () => {
  const secret = Uint8Array.from({ length: 32 }, (_, i) => 0x41 + (i % 26));
  try {
    mixEntropy([{ name: 'os', bytes: secret }, { name: 'os', bytes: secret }]);
    assert.fail('expected an error');
  } catch (e) {
    const msg = (e as Error).message;
    assert.ok(!msg.includes(toHex(secret)) && !msg.includes('ABCDEFG'), msg);
  }
});
