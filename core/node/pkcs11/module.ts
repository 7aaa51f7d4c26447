/**
 * Loading a PKCS#11 module with pkcs11js and listing its tokens.
 *
 * - The module path comes from the caller: an explicit option / `--module`, else
 *   KEYRITE_PKCS11_MODULE (pkcs11ModulePath()). Never from a URI or a script.
 * - A library is loaded and C_Initialize'd once per process and path (reference counted):
 *   a second C_Initialize would fail with CKR_CRYPTOKI_ALREADY_INITIALIZED. The last
 *   close() closes every session, calls C_Finalize and unloads the library.
 * - Every call into the library goes through one queue per module, so async pkcs11js
 *   calls (worker threads) never overlap other calls on the same module.
 * - Tokens are listed from slots with a token present and matched by RFC 7512 attributes
 *   (label, serial, manufacturer, model), never by slot number.
 * SoftHSM reads SOFTHSM2_CONF at C_Initialize: set it before the first open().
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type * as Pkcs11jsModule from 'pkcs11js';
import type { PKCS11 as Pkcs11Lib } from 'pkcs11js';
import { KeyriteError } from '../../errors.ts';
import { formatTokenUri, selectToken, unpad, type TokenMatch } from '../../tokens/pkcs11-uri.ts';
import type { TokenCapabilities, TokenDescription } from '../../tokens/token.ts';
import { CKF_OS_LOCKING_OK, CKF_TOKEN, CKM, CKR } from './constants.ts';
import { mapPkcs11Error, pkcs11ErrorCode } from './errors.ts';
import { Pkcs11Token, type TokenModule } from './token.ts';
import { PKCS11_MODULE_ENV } from '../environment-names.ts';

export { PKCS11_MODULE_ENV };

type Pkcs11js = typeof Pkcs11jsModule;

let pkcs11jsCache: Pkcs11js | undefined;
/**
 * Loads pkcs11js lazily, so that a missing native build only matters when PKCS#11 is used.
 * A dynamic import works both from ESM (CLI, tests) and from the CommonJS Electron main bundle.
 */
export async function loadPkcs11js(): Promise<Pkcs11js> {
  if (!pkcs11jsCache) {
    try {
      const mod = (await import('pkcs11js')) as Pkcs11js & { default?: Pkcs11js };
      pkcs11jsCache = typeof mod.PKCS11 === 'function' ? mod : mod.default!;
      if (typeof pkcs11jsCache?.PKCS11 !== 'function') throw new Error('unexpected module shape');
    } catch (e) {
      throw new KeyriteError('UNSUPPORTED', 'The PKCS#11 bridge (pkcs11js) is not available in this build of Keyrite.', { cause: e });
    }
  }
  return pkcs11jsCache;
}

/** The module path to use: explicit option first, then KEYRITE_PKCS11_MODULE; undefined when neither is set. */
export function pkcs11ModulePath(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const p = option ?? env[PKCS11_MODULE_ENV];
  return p && p.length > 0 ? p : undefined;
}

/** Serialises calls into one library. */
export class CallQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(op: () => T | Promise<T>): Promise<T> {
    const next = this.tail.then(op, op);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

interface Loaded {
  lib: Pkcs11Lib;
  refs: number;
  queue: CallQueue;
  path: string;
  /** False when the library was already initialised by other code in this process: then it is not finalised here either. */
  ownsInit: boolean;
}

const loaded = new Map<string, Loaded>();

function versionString(v: { major: number; minor: number }): string {
  return `${v.major}.${v.minor}`;
}

export function capabilitiesFrom(mechanisms: readonly number[], tokenFlags: number): TokenCapabilities {
  const has = (m: number) => mechanisms.includes(m);
  const ed25519 = has(CKM.EC_EDWARDS_KEY_PAIR_GEN) && has(CKM.EDDSA);
  const p256 = has(CKM.EC_KEY_PAIR_GEN) && (has(CKM.ECDSA) || has(CKM.ECDSA_SHA256));
  const aesGcm = has(CKM.AES_KEY_GEN) && has(CKM.AES_GCM);
  const ecdh = has(CKM.EC_KEY_PAIR_GEN) && has(CKM.ECDH1_DERIVE);
  return { ed25519, p256, aesGcm, ecdh, random: (tokenFlags & CKF_TOKEN.RNG) !== 0, seal: aesGcm ? 'aes-256-gcm' : ecdh ? 'ecdh-p256' : null };
}

export function pinStatusFrom(info: { flags: number; minPinLen: number; maxPinLen: number }): TokenDescription['pin'] {
  const f = info.flags;
  return {
    loginRequired: (f & CKF_TOKEN.LOGIN_REQUIRED) !== 0,
    userPinInitialized: (f & CKF_TOKEN.USER_PIN_INITIALIZED) !== 0,
    countLow: (f & CKF_TOKEN.USER_PIN_COUNT_LOW) !== 0,
    finalTry: (f & CKF_TOKEN.USER_PIN_FINAL_TRY) !== 0,
    locked: (f & CKF_TOKEN.USER_PIN_LOCKED) !== 0,
    toBeChanged: (f & CKF_TOKEN.USER_PIN_TO_BE_CHANGED) !== 0,
    protectedAuthPath: (f & CKF_TOKEN.PROTECTED_AUTHENTICATION_PATH) !== 0,
    minLength: info.minPinLen,
    maxLength: info.maxPinLen,
  };
}

export interface SlotToken {
  slot: Buffer;
  description: TokenDescription;
}

export class Pkcs11Module implements TokenModule {
  private closed = false;
  private readonly tokens = new Set<Pkcs11Token>();

  private constructor(
    private readonly entry: Loaded,
    readonly path: string,
  ) {}

  /** Loads (or shares) the library at `modulePath` and initialises it. */
  static async open(modulePath: string): Promise<Pkcs11Module> {
    if (typeof modulePath !== 'string' || modulePath.length === 0) throw new KeyriteError('USAGE', 'No PKCS#11 module path was given.');
    const abs = isAbsolute(modulePath) ? modulePath : resolve(modulePath);
    if (!existsSync(abs)) throw new KeyriteError('IO_ERROR', `No PKCS#11 module at ${abs}.`);
    let real: string;
    try {
      real = realpathSync(abs);
      if (!statSync(real).isFile()) throw new Error('not a file');
    } catch {
      throw new KeyriteError('IO_ERROR', `The PKCS#11 module path ${abs} is not a readable file.`);
    }
    let entry = loaded.get(real);
    if (!entry) {
      const pk = await loadPkcs11js();
      const lib = new pk.PKCS11();
      try {
        lib.load(real);
      } catch (e) {
        throw new KeyriteError('IO_ERROR', `Could not load the PKCS#11 module ${abs}: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown error'}.`, { cause: e });
      }
      let ownsInit = true;
      try {
        try {
          lib.C_Initialize({ flags: CKF_OS_LOCKING_OK });
        } catch (e) {
          const code = pkcs11ErrorCode(e);
          if (code === CKR.CRYPTOKI_ALREADY_INITIALIZED) {
            // Someone else in this process initialised it; we share it and leave finalising to them.
            ownsInit = false;
          } else if (code === CKR.ARGUMENTS_BAD || code === 0x0a /* CKR_CANT_LOCK */) {
            lib.C_Initialize();
          } else {
            throw e;
          }
        }
      } catch (e) {
        try {
          lib.close();
        } catch {
          // ignore: the module failed to initialise
        }
        throw mapPkcs11Error(e, { operation: `initialising the PKCS#11 module ${abs}` });
      }
      entry = { lib, refs: 0, queue: new CallQueue(), path: real, ownsInit };
      loaded.set(real, entry);
    }
    entry.refs++;
    return new Pkcs11Module(entry, abs);
  }

  /** @internal used by Pkcs11Token */
  get lib(): Pkcs11Lib {
    if (this.closed) throw new KeyriteError('TOKEN_ERROR', 'The PKCS#11 module was closed.');
    return this.entry.lib;
  }

  /** @internal every library call goes through here */
  call<T>(op: (lib: Pkcs11Lib) => T | Promise<T>): Promise<T> {
    return this.entry.queue.run(() => op(this.lib));
  }

  libraryInfo(): Promise<TokenDescription['library'] & { cryptokiVersion: string }> {
    return this.call((lib) => {
      const info = lib.C_GetInfo();
      return {
        manufacturer: unpad(info.manufacturerID),
        description: unpad(info.libraryDescription),
        version: versionString(info.libraryVersion),
        cryptokiVersion: versionString(info.cryptokiVersion),
      };
    });
  }

  /** @internal describes the token in `slot` (fresh flags). */
  async describeSlot(slot: Buffer): Promise<TokenDescription> {
    const library = await this.libraryInfo();
    return this.call((lib) => {
      let info;
      let mechanisms: number[];
      try {
        info = lib.C_GetTokenInfo(slot);
        mechanisms = lib.C_GetMechanismList(slot);
      } catch (e) {
        throw mapPkcs11Error(e, { operation: 'reading the token information' });
      }
      const identity = { label: unpad(info.label), manufacturer: unpad(info.manufacturerID), model: unpad(info.model), serial: unpad(info.serialNumber) };
      return {
        ...identity,
        source: 'pkcs11' as const,
        uri: formatTokenUri(identity),
        library: { manufacturer: library.manufacturer, description: library.description, version: library.version },
        location: this.path,
        initialized: (info.flags & CKF_TOKEN.TOKEN_INITIALIZED) !== 0,
        pin: pinStatusFrom(info),
        capabilities: capabilitiesFrom(mechanisms, info.flags),
        rehearsalOnly: false,
      };
    });
  }

  /** Slots that hold a token, with descriptions. */
  async listSlotTokens(): Promise<SlotToken[]> {
    const slots = await this.call((lib) => {
      try {
        return lib.C_GetSlotList(true);
      } catch (e) {
        throw mapPkcs11Error(e, { operation: 'listing the slots' });
      }
    });
    const out: SlotToken[] = [];
    for (const slot of slots) {
      try {
        out.push({ slot, description: await this.describeSlot(slot) });
      } catch (e) {
        // A token pulled out between C_GetSlotList and C_GetTokenInfo is simply not listed.
        if (e instanceof KeyriteError && e.code === 'TOKEN_REMOVED') continue;
        throw e;
      }
    }
    return out;
  }

  /** Descriptions of every token present (initialised or not). */
  async listTokens(): Promise<TokenDescription[]> {
    return (await this.listSlotTokens()).map((s) => s.description);
  }

  /** Opens a session on the one initialised token the selector names. */
  async openToken(selector: string | TokenMatch): Promise<Pkcs11Token> {
    const present = (await this.listSlotTokens()).filter((s) => s.description.initialized);
    const chosen = selectToken(
      present.map((s) => ({ ...s.description, slot: s.slot })),
      selector,
    );
    const token = await Pkcs11Token.open(this, chosen.slot, chosen);
    this.tokens.add(token);
    return token;
  }

  /** @internal */
  forgetToken(token: Pkcs11Token): void {
    this.tokens.delete(token);
  }

  /** Closes this module's tokens; the last user of a library finalises and unloads it. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of [...this.tokens]) await t.close().catch(() => undefined);
    this.closed = true;
    this.entry.refs--;
    if (this.entry.refs === 0) {
      loaded.delete(this.entry.path);
      await this.entry.queue.run(() => {
        try {
          if (this.entry.ownsInit) this.entry.lib.C_Finalize();
        } catch {
          // Finalising a module whose device vanished can fail; unloading still proceeds.
        }
        try {
          this.entry.lib.close();
        } catch {
          // ignore
        }
      });
    }
  }
}
