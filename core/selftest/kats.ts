/**
 * Known-answer tests run before any ceremony (FIPS 140-3 style conditional self-tests).
 * Each KAT drives Keyrite's own wrapper with a published input and compares the output to
 * the published answer (long outputs by their SHA-256), and checks that a corrupted input
 * is rejected. A KAT throws KeyriteError('SELFTEST_FAILED') naming what differed.
 * Sources: FIPS 180-2 examples, RFC 5869 A.1, RFC 8032 §7.1 test 1, RFC 7748 §6.1,
 * Wycheproof (ML-DSA-65 sign-from-seed tcId 1, ML-KEM-768 keygen tcId 1 + encaps tcId 14,
 * XChaCha20-Poly1305 tcId 1 = draft-arciszewski-xchacha A.3.1), X-Wing draft-08 App. C #1,
 * RFC 8785 §3.2.3, DSSE protocol PAE example.
 */
import { KeyriteError } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { fromHex, toHex } from '../encoding/hex.ts';
import { canonicalize } from '../encoding/jcs.ts';
import { pae } from '../encoding/dsse.ts';
import { sha256, sha512 } from '../crypto/hash.ts';
import { hkdf } from '../crypto/hkdf.ts';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../crypto/ed25519.ts';
import { mldsa65KeyFromSeed, mldsa65Sign, mldsa65Verify } from '../crypto/mldsa65.ts';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768KeyFromSeed } from '../crypto/mlkem768.ts';
import { x25519 } from '../crypto/x25519.ts';
import { xwingDecapsulate, xwingEncapsulate, xwingKeyFromSeed } from '../crypto/xwing.ts';
import { xchachaOpen, xchachaSeal } from '../crypto/aead.ts';
import { combineShares, type Share } from '../crypto/shamir.ts';

export interface KnownAnswerTest {
  name: string;
  run(): void | Promise<void>;
}

function expectHex(actual: Uint8Array, expectedHex: string, what: string): void {
  if (toHex(actual) !== expectedHex) throw new KeyriteError('SELFTEST_FAILED', `${what} differs from the known answer.`);
}

function expectHashHex(actual: Uint8Array, expectedSha256Hex: string, what: string): void {
  expectHex(sha256(actual), expectedSha256Hex, what);
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new KeyriteError('SELFTEST_FAILED', what);
}

async function expectRejected(action: () => unknown, what: string): Promise<void> {
  try {
    await action();
  } catch {
    return;
  }
  throw new KeyriteError('SELFTEST_FAILED', `${what} was accepted but must be rejected.`);
}

function flipped(bytes: Uint8Array, index = 0): Uint8Array {
  const out = bytes.slice();
  out[index] = out[index]! ^ 1;
  return out;
}

const ABC = utf8('abc');

export const KNOWN_ANSWER_TESTS: readonly KnownAnswerTest[] = [
  {
    name: 'SHA-256',
    run() {
      expectHex(sha256(ABC), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'SHA-256("abc")');
    },
  },
  {
    name: 'SHA-512',
    run() {
      expectHex(
        sha512(ABC),
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
        'SHA-512("abc")',
      );
    },
  },
  {
    name: 'HKDF-SHA-256',
    run() {
      const okm = hkdf('sha256', new Uint8Array(22).fill(0x0b), fromHex('000102030405060708090a0b0c'), fromHex('f0f1f2f3f4f5f6f7f8f9'), 42);
      expectHex(okm, '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865', 'HKDF-SHA-256 output (RFC 5869 A.1)');
    },
  },
  {
    name: 'Ed25519',
    run() {
      const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
      const publicKey = ed25519PublicKey(seed);
      expectHex(publicKey, 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'Ed25519 public key');
      const sig = ed25519Sign(seed, new Uint8Array(0));
      expectHex(
        sig,
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
        'Ed25519 signature',
      );
      expect(ed25519Verify(publicKey, new Uint8Array(0), sig), 'Ed25519 rejected a valid signature.');
      expect(!ed25519Verify(publicKey, new Uint8Array(0), flipped(sig)), 'Ed25519 accepted a corrupted signature.');
    },
  },
  {
    name: 'ML-DSA-65',
    run() {
      const { publicKey, secretKey } = mldsa65KeyFromSeed(new Uint8Array(32).fill(0x2a));
      expectHashHex(publicKey, 'b7acce2ddb11f8cc1aa46e2bafac6eacfa2b732ef192bd636ad8d3a56d649c66', 'ML-DSA-65 public key');
      const msg = utf8('Hello world');
      const context = new Uint8Array(0);
      const sig = mldsa65Sign(secretKey, msg, { context, random: 'deterministic' });
      expectHashHex(sig, '39fbbb0d97a52c79844213b325af823a7f16a174e00a5b3daeb3e6e6d1c89681', 'ML-DSA-65 signature');
      expect(mldsa65Verify(publicKey, msg, sig, { context }), 'ML-DSA-65 rejected a valid signature.');
      expect(!mldsa65Verify(publicKey, msg, flipped(sig, 100), { context }), 'ML-DSA-65 accepted a corrupted signature.');
      expect(!mldsa65Verify(publicKey, msg, sig), 'ML-DSA-65 accepted a signature under the wrong context.');
    },
  },
  {
    name: 'ML-KEM-768',
    run() {
      const seed = fromHex(
        '7c9935a0b07694aa0c6d10e4db6b1add2fd81a25ccb148032dcd739936737f2d8626ed79d451140800e03b59b956f8210e556067407d13dc90fa9e8b872bfb8f',
      );
      const { publicKey, secretKey } = mlkem768KeyFromSeed(seed);
      expectHashHex(publicKey, '86adbca81f4fee893e2fb58fb98aa2fe188f501fed268d7f4056f8c05c4e53c4', 'ML-KEM-768 encapsulation key');
      expectHashHex(secretKey, '8757e8aee5e441aee07a43af40467d32f80aee5c51aae4ebd2bdb844c038aac7', 'ML-KEM-768 decapsulation key');
      const m = fromHex('147c03f7a5bebba406c8fae1874d7f13c80efe79a3a9a874cc09fe76f6997615');
      const { cipherText, sharedSecret } = mlkem768Encapsulate(publicKey, m);
      expectHashHex(cipherText, '36829a2f35cbf4deb62c0a12a15c22dae9f8d2c252566fc24f88abe805cb575e', 'ML-KEM-768 ciphertext');
      expectHex(sharedSecret, 'e7184a0975ee3470878d2d159ec83129c8aec253d4ee17b4810311d198cd0368', 'ML-KEM-768 shared secret');
      expectHex(mlkem768Decapsulate(cipherText, secretKey), 'e7184a0975ee3470878d2d159ec83129c8aec253d4ee17b4810311d198cd0368', 'ML-KEM-768 decapsulated secret');
    },
  },
  {
    name: 'X25519',
    run() {
      const alice = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      const bobPublic = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      expectHex(x25519(alice, bobPublic), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742', 'X25519 shared secret (RFC 7748 §6.1)');
    },
  },
  {
    name: 'X-Wing',
    run() {
      const { publicKey, secretKey } = xwingKeyFromSeed(fromHex('7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26'));
      expectHashHex(publicKey, '2e816deebcd76c5c80d0cd2d174478871658e8e2ff42bc9d4a6e486372e856bb', 'X-Wing public key');
      const eseed = fromHex(
        '3cb1eea988004b93103cfb0aeefd2a686e01fa4a58e8a3639ca8a1e3f9ae57e235b8cc873c23dc62b8d260169afa2f75ab916a58d974918835d25e6a435085b2',
      );
      const { cipherText, sharedSecret } = xwingEncapsulate(publicKey, eseed);
      expectHashHex(cipherText, '17cd532d657e44c897ca6583e548a5424fc70bf54f99515a4d2bcf99e3469f33', 'X-Wing ciphertext');
      expectHex(sharedSecret, 'd2df0522128f09dd8e2c92b1e905c793d8f57a54c3da25861f10bf4ca613e384', 'X-Wing shared secret');
      expectHex(xwingDecapsulate(cipherText, secretKey), 'd2df0522128f09dd8e2c92b1e905c793d8f57a54c3da25861f10bf4ca613e384', 'X-Wing decapsulated secret');
    },
  },
  {
    name: 'XChaCha20-Poly1305',
    async run() {
      const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
      const nonce = fromHex('404142434445464748494a4b4c4d4e4f5051525354555657');
      const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
      const msg = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
      const sealed = xchachaSeal(key, nonce, msg, aad);
      expectHex(
        sealed,
        'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e' +
          'c0875924c1c7987947deafd8780acf49',
        'XChaCha20-Poly1305 ciphertext and tag',
      );
      expectHex(xchachaOpen(key, nonce, sealed, aad), toHex(msg), 'XChaCha20-Poly1305 decryption');
      await expectRejected(() => xchachaOpen(key, nonce, flipped(sealed, sealed.length - 1), aad), 'A forged XChaCha20-Poly1305 tag');
      await expectRejected(() => xchachaOpen(key, nonce, sealed, flipped(aad)), 'XChaCha20-Poly1305 with altered associated data');
    },
  },
  {
    name: 'Shamir',
    async run() {
      // Shares of the 16-byte secret 000102…0f (threshold 3), made once with shamir-secret-sharing.
      const shares: Share[] = [
        { x: 0x4a, y: fromHex('d4d6ceafcb723f4b3cf7045028da85b4') },
        { x: 0x0d, y: fromHex('af7df9b22c080a3bd9d08b29def27956') },
        { x: 0x24, y: fromHex('83ba9fbea1b78027f4d4d4115aa74649') },
        { x: 0xf8, y: fromHex('57d673e3f5da6364f6958a81512d9601') },
      ];
      const secret = '000102030405060708090a0b0c0d0e0f';
      expectHex(await combineShares(shares.slice(0, 3), 3, 16), secret, 'Shamir recombination of shares 1-3');
      expectHex(await combineShares(shares.slice(1, 4), 3, 16), secret, 'Shamir recombination of shares 2-4');
      await expectRejected(() => combineShares(shares.slice(0, 2), 3, 16), 'Recombining fewer shares than the threshold');
      await expectRejected(() => combineShares([{ x: 0, y: new Uint8Array(16) }, ...shares.slice(0, 2)], 3, 16), 'A forged share with index 0');
    },
  },
  {
    name: 'JCS (RFC 8785)',
    run() {
      const input = {
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '\ufb33': 'Hebrew Letter Dalet With Dagesh',
        '1': 'One',
        '\ud83d\ude00': 'Emoji: Grinning Face',
        '\u0080': 'Control',
        '\u00f6': 'Latin Small Letter O With Diaeresis',
      };
      const expected =
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
      expect(canonicalize(input) === expected, 'JCS key ordering (RFC 8785 §3.2.3) differs from the known answer.');
      expect(canonicalize({ b: [null, true, false, 4.5, 0.002, -0], a: '\u000f\n"\\' }) === '{"a":"\\u000f\\n\\"\\\\","b":[null,true,false,4.5,0.002,0]}', 'JCS value serialisation differs from the known answer.');
    },
  },
  {
    name: 'DSSE PAE',
    run() {
      expectHex(pae('http://example.com/HelloWorld', utf8('hello world')), toHex(utf8('DSSEv1 29 http://example.com/HelloWorld 11 hello world')), 'DSSE PAE');
    },
  },
];
