/**
 * Pairwise-consistency tests (FIPS 140-3 IG 10.3.A style) run before a new key is used:
 * a signing key signs a domain-separated test message — the ASCII prefix
 * 'keyrite/v1/pairwise-consistency-test' followed by a fresh 32-byte nonce, which can
 * never parse as a DSSE PAE ('DSSEv1 ...') or a JSON transcript entry — and both halves
 * must verify; a KEM key encapsulates to its public key and must decapsulate to the same
 * secret. A failure raises SELFTEST_FAILED naming the key.
 */
import { KeyriteError, isKeyriteError } from '../errors.ts';
import { concatBytes, equalBytes, utf8 } from '../bytes.ts';
import { verifyHybrid } from './hybrid.ts';
import type { HybridSigner } from './hybrid.ts';
import { randomBytes } from './random.ts';
import { wipe } from './wipe.ts';
import { xwingDecapsulate, xwingEncapsulate } from './xwing.ts';

export const PAIRWISE_TEST_PREFIX = 'keyrite/v1/pairwise-consistency-test';
const NONCE_LENGTH = 32;

function assertKeyName(keyName: unknown): asserts keyName is string {
  if (typeof keyName !== 'string' || keyName.length === 0) {
    throw new KeyriteError('INVALID_INPUT', 'The pairwise consistency test needs the name of the key it checks.');
  }
}

function failed(keyName: string, what: string, cause?: unknown): KeyriteError {
  return new KeyriteError('SELFTEST_FAILED', `The pairwise consistency test failed for ${keyName}: ${what}. The key must not be used.`, cause === undefined ? undefined : { cause });
}

/** The test message: prefix || 32-byte nonce. */
export function pairwiseTestMessage(nonce: Uint8Array = randomBytes(NONCE_LENGTH)): Uint8Array {
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_LENGTH) {
    throw new KeyriteError('INVALID_LENGTH', `The pairwise test nonce must be ${NONCE_LENGTH} bytes.`);
  }
  return concatBytes(utf8(PAIRWISE_TEST_PREFIX), nonce);
}

/** Signs a fresh test message with `signer` and verifies both halves independently. */
export async function checkSigningKeyPair(keyName: string, signer: HybridSigner): Promise<void> {
  assertKeyName(keyName);
  if (signer === null || typeof signer !== 'object' || typeof signer.sign !== 'function') {
    throw new KeyriteError('INVALID_INPUT', 'The pairwise consistency test needs a hybrid signer.');
  }
  const msg = pairwiseTestMessage();
  let sig;
  try {
    sig = await signer.sign(msg);
  } catch (e) {
    if (isKeyriteError(e, 'INVALID_SIGNATURE')) throw failed(keyName, e.message, e);
    throw e;
  }
  const r = verifyHybrid(signer.publicKey, msg, sig, 'hybrid');
  if (r.classical !== 'pass') throw failed(keyName, `its ${signer.publicKey.classical.alg} signature does not verify`);
  if (r.pq !== 'pass') throw failed(keyName, 'its ML-DSA-65 signature does not verify');
}

/** Encapsulates to an X-Wing public key and checks the secret key decapsulates to the same secret. */
export function checkKemKeyPair(keyName: string, publicKey: Uint8Array, secretKey: Uint8Array): void {
  assertKeyName(keyName);
  const { cipherText, sharedSecret } = xwingEncapsulate(publicKey);
  let recovered: Uint8Array | undefined;
  try {
    recovered = xwingDecapsulate(cipherText, secretKey);
  } catch (e) {
    wipe(sharedSecret);
    if (isKeyriteError(e, 'DECRYPTION_FAILED')) throw failed(keyName, 'its X-Wing secret key cannot decapsulate', e);
    throw e;
  }
  const same = equalBytes(sharedSecret, recovered);
  wipe(sharedSecret, recovered);
  if (!same) throw failed(keyName, 'its X-Wing secret key does not match its public key');
}
