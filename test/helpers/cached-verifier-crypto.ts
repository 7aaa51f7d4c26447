/**
 * The crypto the tests that judge the verifier's logic on many changed copies of one bundle
 * (the property tests, the tamper tests) run on: `keyrite verify`'s own (native SHA-256 and
 * Ed25519) with noble's ML-DSA-65 behind a cache of its verdicts. A change touches one file, so
 * most of a run's 60-odd ML-DSA-65 verifications repeat the unchanged bundle's; they cost
 * about half of these tests' CPU time. ML-DSA-65 verification is a pure function of (public key,
 * message, signature), so a cache keyed by those exact bytes returns noble's verdict; what is
 * new (a mutated signature, message or key) is verified by noble. The tests judge the
 * verifier's logic; ML-DSA-65 itself is judged by its vectors (test/unit/crypto).
 */
import { NOBLE_MLDSA65, type MlDsa65Backend } from '../../core/crypto/hybrid.ts';
import { NATIVE_VERIFIER_CRYPTO } from '../../core/node/native-verifier-crypto.ts';
import type { VerifierCrypto } from '../../core/verifier/verify.ts';

function exactKey(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): string {
  const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  return `${publicKey.length}:${sig.length}:${latin1(publicKey)}${latin1(sig)}${latin1(msg)}`;
}

export function cachedMlDsa65(inner: MlDsa65Backend = NOBLE_MLDSA65): MlDsa65Backend & { readonly hits: () => number } {
  const verdicts = new Map<string, boolean>();
  let hits = 0;
  return {
    verify(publicKey, msg, sig) {
      const key = exactKey(publicKey, msg, sig);
      const known = verdicts.get(key);
      if (known !== undefined) {
        hits++;
        return known;
      }
      const verdict = inner.verify(publicKey, msg, sig);
      verdicts.set(key, verdict);
      return verdict;
    },
    hits: () => hits,
  };
}

export const CACHED_VERIFIER_CRYPTO: VerifierCrypto = Object.freeze({
  ...NATIVE_VERIFIER_CRYPTO,
  name: 'node:crypto, ML-DSA-65 verdicts cached',
  mldsa65: cachedMlDsa65(),
});
