/**
 * scrypt (RFC 7914) from node:crypto, for the software token in the Node adapter: the same
 * function as @noble/hashes' (test/unit/node/native-scrypt.test.ts checks RFC 7914's vectors
 * and equality with core/crypto/scrypt.ts), computed natively on libuv's thread pool, so the
 * main thread stays free and a derivation takes about a third of the time. The parameters are
 * the token file's, checked by the token before they get here.
 */
import { scrypt } from 'node:crypto';
import { KeyriteError } from '../errors.ts';
import { toPlainBytes } from '../bytes.ts';
import type { ScryptParams } from '../crypto/scrypt.ts';

/** OpenSSL refuses a derivation needing more than maxmem; scrypt needs about 128·r·(N + p) bytes. */
function maxmemFor(params: ScryptParams): number {
  return 128 * params.r * (params.N + params.p) + 1024 * 1024;
}

function refused(params: ScryptParams, err: unknown): KeyriteError {
  return new KeyriteError('INVALID_INPUT', `scrypt cannot run with N=${params.N}, r=${params.r}, p=${params.p}: ${err instanceof Error ? err.message : String(err)}.`);
}

export function nativeScrypt(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    try {
      scrypt(passphrase, salt, length, { N: params.N, r: params.r, p: params.p, maxmem: maxmemFor(params) }, (err, key) => {
        if (err) return reject(refused(params, err));
        const out = toPlainBytes(key);
        key.fill(0);
        resolve(out);
      });
    } catch (err) {
      // Parameters node:crypto refuses are thrown at once, not passed to the callback.
      reject(refused(params, err));
    }
  });
}
