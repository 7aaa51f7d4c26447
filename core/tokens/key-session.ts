/**
 * Software-token keys already derived in one session (issue 18: "KDF once"): a process that
 * creates a rehearsal token and then opens it again (the demo), or opens one token twice,
 * runs scrypt once per token instead of once per opening. The token file's own parameters are
 * always the ones derived with: an entry is found only for the same algorithm, N, r, p and
 * salt, and only for the same passphrase, which is checked against HMAC-SHA256(key, passphrase)
 * (constant time). Only keys a token proved right (created, or opened its file) are kept, and
 * forget() wipes them all: the owner of the session calls it when the session ends.
 */
import { equalBytes } from '../bytes.ts';
import { hkdfExtract } from '../crypto/hkdf.ts';
import { wipe } from '../crypto/wipe.ts';

/** The KDF description a token file stores: what a key was derived with. */
export interface DerivedWith {
  readonly alg: string;
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
}

interface Remembered {
  readonly key: Uint8Array;
  /** HMAC-SHA256(key, passphrase): HKDF-Extract with the key as salt is exactly that HMAC. */
  readonly check: Uint8Array;
}

const idOf = (kdf: DerivedWith): string => JSON.stringify([kdf.alg, kdf.N, kdf.r, kdf.p, kdf.salt]);
const checkOf = (key: Uint8Array, passphrase: Uint8Array): Uint8Array => hkdfExtract('sha256', passphrase, key);

export class SoftwareTokenKeySession {
  private readonly keys = new Map<string, Remembered>();

  /** A copy of the key derived before from `passphrase` (NFC UTF-8) with exactly `kdf`, if any. */
  recall(kdf: DerivedWith, passphrase: Uint8Array): Uint8Array | undefined {
    const r = this.keys.get(idOf(kdf));
    if (r === undefined) return undefined;
    const check = checkOf(r.key, passphrase);
    const same = equalBytes(check, r.check);
    wipe(check);
    return same ? r.key.slice() : undefined;
  }

  /** Keeps a copy of a key the token has proved right for `passphrase` and `kdf`. */
  remember(kdf: DerivedWith, passphrase: Uint8Array, key: Uint8Array): void {
    const id = idOf(kdf);
    const old = this.keys.get(id);
    if (old) wipe(old.key, old.check);
    const copy = key.slice();
    this.keys.set(id, { key: copy, check: checkOf(copy, passphrase) });
  }

  /** Wipes every key kept. */
  forget(): void {
    for (const r of this.keys.values()) wipe(r.key, r.check);
    this.keys.clear();
  }
}
