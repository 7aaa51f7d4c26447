// Bad input to every public crypto function: wrong types raise INVALID_INPUT, keys of the
// wrong length INVALID_KEY, other fixed-length values INVALID_LENGTH; a signature of the
// wrong length is just an invalid signature (verify returns false).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeyriteError } from '../../../core/errors.ts';
import type { ErrorCode } from '../../../core/errors.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import { sha256, sha512 } from '../../../core/crypto/hash.ts';
import { hkdf, hkdfExpand, hkdfExtract } from '../../../core/crypto/hkdf.ts';
import type { HkdfHash } from '../../../core/crypto/hkdf.ts';
import { DERIVATION_LABELS, deriveMasterKeys, deriveSeed, deriveTrusteeKeys } from '../../../core/crypto/derive.ts';
import type { DerivationLabel } from '../../../core/crypto/derive.ts';
import { describeSources, mixEntropy } from '../../../core/crypto/entropy.ts';
import { assertEd25519PublicKey, ed25519IsValidPublicKey, ed25519PublicKey, ed25519Sign, ed25519Verify } from '../../../core/crypto/ed25519.ts';
import { assertP256PublicKey, p256IsValidPublicKey, p256PublicKey, p256Sign, p256Verify } from '../../../core/crypto/p256.ts';
import {
  mldsa65KeyFromSeed,
  mldsa65PublicKeyFromSecret,
  mldsa65Sign,
  mldsa65SignExternalMu,
  mldsa65Verify,
  mldsa65VerifyExternalMu,
} from '../../../core/crypto/mldsa65.ts';
import type { MlDsa65SignOptions } from '../../../core/crypto/mldsa65.ts';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768KeyFromSeed } from '../../../core/crypto/mlkem768.ts';
import { x25519, x25519PublicKey } from '../../../core/crypto/x25519.ts';
import { xwingDecapsulate, xwingEncapsulate, xwingKeyFromSeed } from '../../../core/crypto/xwing.ts';
import { chachaOpen, chachaSeal, xchachaOpen, xchachaSeal } from '../../../core/crypto/aead.ts';
import { decodeSealed, encodeSealed, openSealed, sealToRecipient } from '../../../core/crypto/seal.ts';
import type { Sealed } from '../../../core/crypto/seal.ts';
import { makeHybridSigner, softwareHybridSigner, verifyHybrid } from '../../../core/crypto/hybrid.ts';
import type { ClassicalPartSigner, HybridPublicKey, HybridSignature, HybridSigner, VerifyMode } from '../../../core/crypto/hybrid.ts';
import { checkKemKeyPair, checkSigningKeyPair, pairwiseTestMessage } from '../../../core/crypto/pairwise.ts';
import { utf8 } from '../../../core/bytes.ts';
import { rejectsCode, throwsCode } from './helpers.ts';

// Fixtures built once (ML-DSA key generation is the slow part).
const edSeed = randomBytes(32);
const edPk = ed25519PublicKey(edSeed);
const p256Secret = randomBytes(32);
const p256Pk = p256PublicKey(p256Secret);
const dsa = mldsa65KeyFromSeed(randomBytes(32));
const kem = mlkem768KeyFromSeed(randomBytes(64));
const kemCt = mlkem768Encapsulate(kem.publicKey).cipherText;
const xw = xwingKeyFromSeed(randomBytes(32));
const xwCt = xwingEncapsulate(xw.publicKey).cipherText;
const x25519Secret = randomBytes(32);
const x25519Peer = x25519PublicKey(randomBytes(32));
const msg = utf8('message');
const edSig = ed25519Sign(edSeed, msg);
const p256Sig = p256Sign(p256Secret, msg);
const dsaSig = mldsa65Sign(dsa.secretKey, msg);
const mu = randomBytes(64);
const aeadKey = randomBytes(32);
const xNonce = randomBytes(24);
const cNonce = randomBytes(12);
const xSealed = xchachaSeal(aeadKey, xNonce, msg, msg);
const cSealed = chachaSeal(aeadKey, cNonce, msg, msg);
const sealed = sealToRecipient(xw.publicKey, msg, msg);
const signer = softwareHybridSigner(edSeed, dsa.secretKey, dsa.publicKey);
const hybridPub: HybridPublicKey = signer.publicKey;
const hybridSig: HybridSignature = { classical: edSig, pq: mldsa65Sign(dsa.secretKey, msg) };

/** One argument of a function under test; `null` for arguments that are not bytes. */
interface ByteArg {
  /** Exact length, if fixed. */
  len?: number;
  /** What a wrong length gives: an error code, or 'false' (verify returns false). */
  lenResult?: ErrorCode | 'false';
  /** May be undefined. */
  optional?: boolean;
}

interface Spec {
  name: string;
  valid: () => unknown[];
  call: (...args: never[]) => unknown;
  args: (ByteArg | null)[];
}

const KEY = (len: number): ByteArg => ({ len, lenResult: 'INVALID_KEY' });
const LEN = (len: number): ByteArg => ({ len, lenResult: 'INVALID_LENGTH' });
const SIG = (len: number): ByteArg => ({ len, lenResult: 'false' });
const ANY: ByteArg = {};

const SPECS: Spec[] = [
  { name: 'sha256', call: sha256, valid: () => [msg], args: [ANY] },
  { name: 'sha512', call: sha512, valid: () => [msg], args: [ANY] },
  { name: 'hkdfExtract', call: hkdfExtract, valid: () => ['sha256', msg, msg], args: [null, ANY, { optional: true }] },
  { name: 'hkdfExpand', call: hkdfExpand, valid: () => ['sha512', randomBytes(64), msg, 32], args: [null, ANY, ANY, null] },
  { name: 'hkdf', call: hkdf, valid: () => ['sha256', msg, msg, msg, 32], args: [null, ANY, { optional: true }, ANY, null] },
  { name: 'deriveSeed', call: deriveSeed, valid: () => [randomBytes(32), DERIVATION_LABELS.masterEd25519], args: [LEN(32), null] },
  { name: 'deriveMasterKeys', call: deriveMasterKeys, valid: () => [randomBytes(32)], args: [LEN(32)] },
  { name: 'deriveTrusteeKeys', call: deriveTrusteeKeys, valid: () => [randomBytes(32)], args: [LEN(32)] },
  { name: 'ed25519PublicKey', call: ed25519PublicKey, valid: () => [edSeed], args: [LEN(32)] },
  { name: 'ed25519Sign', call: ed25519Sign, valid: () => [edSeed, msg], args: [LEN(32), ANY] },
  { name: 'ed25519Verify', call: ed25519Verify, valid: () => [edPk, msg, edSig], args: [KEY(32), ANY, SIG(64)] },
  { name: 'ed25519IsValidPublicKey', call: ed25519IsValidPublicKey, valid: () => [edPk], args: [SIG(32)] },
  { name: 'assertEd25519PublicKey', call: assertEd25519PublicKey, valid: () => [edPk], args: [KEY(32)] },
  { name: 'p256PublicKey', call: p256PublicKey, valid: () => [p256Secret], args: [KEY(32)] },
  { name: 'p256Sign', call: p256Sign, valid: () => [p256Secret, msg], args: [KEY(32), ANY] },
  { name: 'p256Verify', call: p256Verify, valid: () => [p256Pk, msg, p256Sig], args: [KEY(65), ANY, SIG(64)] },
  { name: 'p256IsValidPublicKey', call: p256IsValidPublicKey, valid: () => [p256Pk], args: [SIG(65)] },
  { name: 'assertP256PublicKey', call: assertP256PublicKey, valid: () => [p256Pk], args: [KEY(65)] },
  { name: 'mldsa65KeyFromSeed', call: mldsa65KeyFromSeed, valid: () => [randomBytes(32)], args: [LEN(32)] },
  { name: 'mldsa65PublicKeyFromSecret', call: mldsa65PublicKeyFromSecret, valid: () => [dsa.secretKey], args: [KEY(4032)] },
  { name: 'mldsa65Sign', call: mldsa65Sign, valid: () => [dsa.secretKey, msg], args: [KEY(4032), ANY] },
  { name: 'mldsa65Verify', call: mldsa65Verify, valid: () => [dsa.publicKey, msg, dsaSig], args: [KEY(1952), ANY, SIG(3309)] },
  { name: 'mldsa65SignExternalMu', call: mldsa65SignExternalMu, valid: () => [dsa.secretKey, mu], args: [KEY(4032), LEN(64)] },
  { name: 'mldsa65VerifyExternalMu', call: mldsa65VerifyExternalMu, valid: () => [dsa.publicKey, mu, dsaSig], args: [KEY(1952), LEN(64), SIG(3309)] },
  { name: 'mlkem768KeyFromSeed', call: mlkem768KeyFromSeed, valid: () => [randomBytes(64)], args: [LEN(64)] },
  { name: 'mlkem768Encapsulate', call: mlkem768Encapsulate, valid: () => [kem.publicKey, randomBytes(32)], args: [KEY(1184), { ...LEN(32), optional: true }] },
  { name: 'mlkem768Decapsulate', call: mlkem768Decapsulate, valid: () => [kemCt, kem.secretKey], args: [LEN(1088), KEY(2400)] },
  { name: 'x25519PublicKey', call: x25519PublicKey, valid: () => [x25519Secret], args: [KEY(32)] },
  { name: 'x25519', call: x25519, valid: () => [x25519Secret, x25519Peer], args: [KEY(32), KEY(32)] },
  { name: 'xwingKeyFromSeed', call: xwingKeyFromSeed, valid: () => [randomBytes(32)], args: [LEN(32)] },
  { name: 'xwingEncapsulate', call: xwingEncapsulate, valid: () => [xw.publicKey, randomBytes(64)], args: [KEY(1216), { ...LEN(64), optional: true }] },
  { name: 'xwingDecapsulate', call: xwingDecapsulate, valid: () => [xwCt, xw.secretKey], args: [LEN(1120), KEY(32)] },
  { name: 'xchachaSeal', call: xchachaSeal, valid: () => [aeadKey, xNonce, msg, msg], args: [KEY(32), LEN(24), ANY, ANY] },
  { name: 'xchachaOpen', call: xchachaOpen, valid: () => [aeadKey, xNonce, xSealed, msg], args: [KEY(32), LEN(24), ANY, ANY] },
  { name: 'chachaSeal', call: chachaSeal, valid: () => [aeadKey, cNonce, msg, msg], args: [KEY(32), LEN(12), ANY, ANY] },
  { name: 'chachaOpen', call: chachaOpen, valid: () => [aeadKey, cNonce, cSealed, msg], args: [KEY(32), LEN(12), ANY, ANY] },
  { name: 'sealToRecipient', call: sealToRecipient, valid: () => [xw.publicKey, msg, msg], args: [KEY(1216), ANY, ANY] },
  { name: 'openSealed', call: openSealed, valid: () => [sealed, xw.secretKey, msg], args: [null, KEY(32), ANY] },
  { name: 'decodeSealed', call: decodeSealed, valid: () => [encodeSealed(sealed)], args: [ANY] },
  { name: 'softwareHybridSigner', call: softwareHybridSigner, valid: () => [edSeed, dsa.secretKey, dsa.publicKey], args: [LEN(32), KEY(4032), KEY(1952)] },
  { name: 'verifyHybrid', call: verifyHybrid, valid: () => [hybridPub, msg, hybridSig], args: [null, ANY, null] },
  { name: 'checkKemKeyPair', call: checkKemKeyPair, valid: () => ['trustee', xw.publicKey, xw.secretKey], args: [null, KEY(1216), KEY(32)] },
];

const NOT_BYTES: [string, unknown][] = [
  ['a string', 'deadbeef'],
  ['null', null],
  ['a number', 42],
  ['an array of numbers', [1, 2, 3]],
  ['a plain object', { length: 32 }],
  ['a Uint16Array', new Uint16Array(32)],
  ['an ArrayBuffer', new ArrayBuffer(32)],
];

function expectCode(spec: Spec, args: unknown[], code: ErrorCode, what: string): void {
  assert.throws(
    () => (spec.call as (...a: unknown[]) => unknown)(...args),
    (e: unknown) => isKeyriteError(e, code) && typeof (e as Error).message === 'string' && (e as Error).message.length > 10,
    `${spec.name}: ${what} should raise ${code}`,
  );
}

let checked = 0;
for (const spec of SPECS) {
  test(`bad input: ${spec.name}`, () => {
    assert.doesNotThrow(() => (spec.call as (...a: unknown[]) => unknown)(...spec.valid()), `${spec.name}: the valid baseline must work`);
    spec.args.forEach((arg, i) => {
      if (arg === null) return;
      for (const [what, value] of NOT_BYTES) {
        const args = spec.valid();
        args[i] = value;
        expectCode(spec, args, 'INVALID_INPUT', `argument ${i + 1} as ${what}`);
        checked++;
      }
      if (!arg.optional) {
        const args = spec.valid();
        args[i] = undefined;
        expectCode(spec, args, 'INVALID_INPUT', `argument ${i + 1} missing`);
        checked++;
      }
      if (arg.len !== undefined && arg.lenResult !== undefined) {
        for (const len of [0, arg.len - 1, arg.len + 1]) {
          const args = spec.valid();
          args[i] = new Uint8Array(len).fill(1);
          if (arg.lenResult === 'false') {
            assert.equal((spec.call as (...a: unknown[]) => unknown)(...args), false, `${spec.name}: argument ${i + 1} of ${len} bytes gives false`);
          } else {
            expectCode(spec, args, arg.lenResult, `argument ${i + 1} of ${len} bytes`);
          }
          checked++;
        }
      }
    });
  });
}

test('bad input: non-byte parameters', () => {
  throwsCode(() => randomBytes(-1), 'INVALID_INPUT');
  throwsCode(() => randomBytes(1.5), 'INVALID_INPUT');
  throwsCode(() => randomBytes('32' as never), 'INVALID_INPUT');
  throwsCode(() => randomBytes(Number.NaN), 'INVALID_INPUT');
  throwsCode(() => randomBytes(2 ** 40), 'INVALID_INPUT');
  for (const hash of ['sha1', 'SHA256', '', null, 256]) {
    throwsCode(() => hkdf(hash as HkdfHash, msg, undefined, msg, 32), 'INVALID_INPUT');
    throwsCode(() => hkdfExtract(hash as HkdfHash, msg), 'INVALID_INPUT');
    throwsCode(() => hkdfExpand(hash as HkdfHash, randomBytes(64), msg, 32), 'INVALID_INPUT');
  }
  for (const length of [0, -1, 1.5, 8161, Number.NaN, '32', null]) {
    throwsCode(() => hkdf('sha256', msg, undefined, msg, length as number), 'INVALID_LENGTH');
    throwsCode(() => hkdfExpand('sha256', randomBytes(32), msg, length as number), 'INVALID_LENGTH');
  }
  throwsCode(() => hkdf('sha512', msg, undefined, msg, 255 * 64 + 1), 'INVALID_LENGTH');
  throwsCode(() => hkdfExpand('sha512', randomBytes(63), msg, 32), 'INVALID_LENGTH');
  throwsCode(() => deriveSeed(randomBytes(32), 'keyrite/v1/other' as DerivationLabel), 'INVALID_INPUT');
  throwsCode(() => deriveSeed(randomBytes(32), 7 as unknown as DerivationLabel), 'INVALID_INPUT');
  throwsCode(() => mixEntropy(null as never), 'INVALID_INPUT');
  throwsCode(() => describeSources({} as never), 'INVALID_INPUT');
  throwsCode(() => p256PublicKey(p256Secret, 'compressed' as never), 'INVALID_INPUT');
  throwsCode(() => p256PublicKey(p256Secret, { compressed: 'yes' } as never), 'INVALID_INPUT');
  throwsCode(() => p256PublicKey(p256Secret, { compress: true } as never), 'INVALID_INPUT');
  throwsCode(() => p256Verify(Uint8Array.of(5, ...p256Pk.subarray(1)), msg, p256Sig), 'INVALID_KEY');
  throwsCode(() => p256Verify(p256Pk.subarray(0, 33), msg, p256Sig), 'INVALID_KEY');
  throwsCode(() => pairwiseTestMessage('x' as never), 'INVALID_LENGTH');
});

test('bad input: ML-DSA options', () => {
  const bad: [unknown, ErrorCode][] = [
    [null, 'INVALID_INPUT'],
    ['deterministic', 'INVALID_INPUT'],
    [{ context: 'keyrite/v1' }, 'INVALID_INPUT'],
    [{ context: new Uint8Array(256) }, 'INVALID_LENGTH'],
    [{ random: new Uint8Array(31) }, 'INVALID_LENGTH'],
    [{ random: 'random' }, 'INVALID_INPUT'],
    [{ random: 5 }, 'INVALID_INPUT'],
    [{ ctx: new Uint8Array(0) }, 'INVALID_INPUT'],
    [{ context: undefined, extraEntropy: false }, 'INVALID_INPUT'],
  ];
  for (const [opts, code] of bad) {
    throwsCode(() => mldsa65Sign(dsa.secretKey, msg, opts as MlDsa65SignOptions), code, `sign opts ${JSON.stringify(opts)}`);
  }
  throwsCode(() => mldsa65Verify(dsa.publicKey, msg, dsaSig, { context: new Uint8Array(256) }), 'INVALID_LENGTH');
  throwsCode(() => mldsa65Verify(dsa.publicKey, msg, dsaSig, { context: [1] as never }), 'INVALID_INPUT');
  throwsCode(() => mldsa65Verify(dsa.publicKey, msg, dsaSig, 'x' as never), 'INVALID_INPUT');
  throwsCode(() => mldsa65Verify(dsa.publicKey, msg, dsaSig, { ctx: new Uint8Array(0) } as never), 'INVALID_INPUT');
  throwsCode(() => mldsa65SignExternalMu(dsa.secretKey, mu, { context: new Uint8Array(0) } as never), 'INVALID_INPUT');
  throwsCode(() => mldsa65SignExternalMu(dsa.secretKey, mu, { random: new Uint8Array(33) }), 'INVALID_LENGTH');
  // A 255-byte context is the longest allowed.
  const ctx = new Uint8Array(255).fill(7);
  assert.equal(mldsa65Verify(dsa.publicKey, msg, mldsa65Sign(dsa.secretKey, msg, { context: ctx }), { context: ctx }), true);
});

test('bad input: AEAD open of a too-short ciphertext and seal options', () => {
  throwsCode(() => xchachaOpen(aeadKey, xNonce, new Uint8Array(15), msg), 'DECRYPTION_FAILED');
  throwsCode(() => chachaOpen(aeadKey, cNonce, new Uint8Array(0), msg), 'DECRYPTION_FAILED');
  throwsCode(() => sealToRecipient(xw.publicKey, msg, msg, { random: new Uint8Array(64) }), 'INVALID_LENGTH');
  throwsCode(() => sealToRecipient(xw.publicKey, msg, msg, 'random' as never), 'INVALID_INPUT');
  throwsCode(() => sealToRecipient(xw.publicKey, msg, msg, { nonce: new Uint8Array(24) } as never), 'INVALID_INPUT');
  throwsCode(() => openSealed(null as never, xw.secretKey, msg), 'INVALID_INPUT');
  throwsCode(() => openSealed({} as Sealed, xw.secretKey, msg), 'INVALID_INPUT');
  throwsCode(() => openSealed({ ...sealed, nonce: new Uint8Array(12) }, xw.secretKey, msg), 'INVALID_LENGTH');
  throwsCode(() => openSealed({ ...sealed, kemCiphertext: 'x' as never }, xw.secretKey, msg), 'INVALID_INPUT');
  throwsCode(() => openSealed({ ...sealed, ciphertext: new Uint8Array(3) }, xw.secretKey, msg), 'INVALID_LENGTH');
});

test('bad input: hybrid keys, signatures, modes and signers', async () => {
  throwsCode(() => verifyHybrid(hybridPub, msg, hybridSig, 'both' as VerifyMode), 'INVALID_INPUT');
  throwsCode(() => verifyHybrid(null as never, msg, hybridSig), 'INVALID_INPUT');
  throwsCode(() => verifyHybrid(hybridPub, msg, null as never), 'INVALID_INPUT');
  throwsCode(() => verifyHybrid({ pq: hybridPub.pq } as HybridPublicKey, msg, hybridSig), 'INVALID_KEY');
  throwsCode(() => verifyHybrid({ classical: hybridPub.classical } as HybridPublicKey, msg, hybridSig), 'INVALID_KEY');
  throwsCode(() => verifyHybrid({ ...hybridPub, classical: { alg: 'RS256' as never, publicKey: edPk } }, msg, hybridSig), 'UNSUPPORTED');
  throwsCode(() => verifyHybrid({ ...hybridPub, pq: { alg: 'ML-DSA-87' as never, publicKey: dsa.publicKey } }, msg, hybridSig), 'UNSUPPORTED');
  throwsCode(() => verifyHybrid({ ...hybridPub, classical: { alg: 'Ed25519', publicKey: new Uint8Array(31) } }, msg, hybridSig), 'INVALID_KEY');
  throwsCode(() => verifyHybrid({ ...hybridPub, classical: { alg: 'ES256', publicKey: edPk } }, msg, hybridSig), 'INVALID_KEY');
  throwsCode(() => verifyHybrid({ ...hybridPub, pq: { alg: 'ML-DSA-65', publicKey: new Uint8Array(1951) } }, msg, hybridSig), 'INVALID_KEY');
  throwsCode(() => verifyHybrid(hybridPub, msg, { classical: 'sig' as never, pq: hybridSig.pq }), 'INVALID_INPUT');
  throwsCode(() => verifyHybrid(hybridPub, msg, { classical: hybridSig.classical, pq: null as never }), 'INVALID_INPUT');
  throwsCode(() => verifyHybrid(hybridPub, 'msg' as never, hybridSig), 'INVALID_INPUT');
  // Only the checked half is validated, so partial material can be studied.
  assert.equal(verifyHybrid({ classical: hybridPub.classical } as HybridPublicKey, msg, { classical: hybridSig.classical } as HybridSignature, 'classical-only').valid, true);
  assert.equal(verifyHybrid({ pq: hybridPub.pq } as HybridPublicKey, msg, { pq: hybridSig.pq } as HybridSignature, 'pq-only').valid, true);

  const classical: ClassicalPartSigner = { alg: 'Ed25519', publicKey: edPk, sign: async (m) => ed25519Sign(edSeed, m) };
  const pq = { publicKey: dsa.publicKey, sign: (m: Uint8Array) => mldsa65Sign(dsa.secretKey, m) };
  throwsCode(() => makeHybridSigner({ ...classical, alg: 'EdDSA' as never }, pq), 'UNSUPPORTED');
  throwsCode(() => makeHybridSigner({ ...classical, publicKey: new Uint8Array(33) }, pq), 'INVALID_KEY');
  throwsCode(() => makeHybridSigner({ ...classical, alg: 'ES256' }, pq), 'INVALID_KEY');
  throwsCode(() => makeHybridSigner({ ...classical, sign: 'sign' as never }, pq), 'INVALID_INPUT');
  throwsCode(() => makeHybridSigner(classical, { ...pq, publicKey: edPk }), 'INVALID_KEY');
  throwsCode(() => makeHybridSigner(classical, null as never), 'INVALID_INPUT');
  const s = makeHybridSigner(classical, pq);
  await rejectsCode(() => s.sign('msg' as never), 'INVALID_INPUT');
  await rejectsCode(() => checkSigningKeyPair('', signer), 'INVALID_INPUT');
  await rejectsCode(() => checkSigningKeyPair('the master key', null as unknown as HybridSigner), 'INVALID_INPUT');
  throwsCode(() => checkKemKeyPair(5 as never, xw.publicKey, xw.secretKey), 'INVALID_INPUT');
  // The signer's public key is a frozen copy: changing the caller's array changes nothing.
  const pkCopy = edPk.slice();
  const s2 = makeHybridSigner({ ...classical, publicKey: pkCopy }, pq);
  pkCopy.fill(0);
  assert.equal(verifyHybrid(s2.publicKey, msg, await s2.sign(msg)).valid, true);
});

test('bad input: every table row ran', (t) => {
  assert.ok(checked > 300, `only ${checked} bad-input checks ran`);
  t.diagnostic(`${checked} table-driven bad-input checks over ${SPECS.length} functions`);
});
