/**
 * A PKCS#11 token behind the KeyriteToken interface (one read/write session per token).
 *
 * Templates (docs/TOKENS.md):
 *  - private keys: CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true, CKA_EXTRACTABLE false,
 *    CKA_SIGN true (signing) or CKA_DERIVE true (ECDH sealing), CKA_DECRYPT/UNWRAP false,
 *    CKA_LABEL "keyrite:<label>", CKA_ID (labels.ts scheme); public keys: CKA_TOKEN,
 *    CKA_PRIVATE false, CKA_VERIFY (signing), CKA_ENCRYPT/WRAP false, same label and id;
 *    AES seal keys: CKK_AES, 32 bytes, CKA_ENCRYPT/DECRYPT true, everything else false.
 *    After creation the private/secret key is read back and must report SENSITIVE and not
 *    EXTRACTABLE, else it is destroyed and the step fails.
 *  - Ed25519: CKM_EC_EDWARDS_KEY_PAIR_GEN / CKK_EC_EDWARDS with CKA_EC_PARAMS = the
 *    id-Ed25519 OID (1.3.101.112), falling back to the PrintableString "edwards25519" for
 *    tokens that want the curve name (SoftHSM 2.6 accepts both); signing with CKM_EDDSA.
 *  - ES256: CKM_EC_KEY_PAIR_GEN on P-256; CKM_ECDSA over SHA-256 computed in software, or
 *    CKM_ECDSA_SHA256 where the token has only that.
 * Every new key passes a pairwise-consistency test; every signature is verified in software.
 * A label already on the token (any object) is refused with OBJECT_EXISTS, as Boulder's
 * ceremony tool does. PINs go to C_Login only and never into messages.
 */
import { KeyriteError } from '../../errors.ts';
import { toPlainBytes } from '../../bytes.ts';
import { sha256 } from '../../crypto/hash.ts';
import { randomBytes } from '../../crypto/random.ts';
import { wipe } from '../../crypto/wipe.ts';
import { ed25519IsValidPublicKey, ed25519PublicKey } from '../../crypto/ed25519.ts';
import { p256IsValidPublicKey } from '../../crypto/p256.ts';
import {
  assertObjectLabel,
  newObjectId,
  objectExistsError,
  objectIdHex,
  objectIdKind,
  parseObjectIdHex,
  parseTokenObjectLabel,
  tokenObjectLabel,
} from '../../tokens/labels.ts';
import { assertPairwiseSignature, assertTokenSignature, pairwiseTestMessage } from '../../tokens/signatures.ts';
import { decodeSealedBox, ecdhOpen, ecdhSeal, sealAad, sealOpenFailed, assertSealInput, GCM_IV_LENGTH, TAG_LENGTH } from '../../tokens/seal.ts';
import type { KeyRef, KeyriteToken, SealScheme, SealedBox, SigningAlg, TokenDescription } from '../../tokens/token.ts';
import { CKA, CKD_NULL, CKF_RW_SESSION, CKF_SERIAL_SESSION, CKK, CKM, CKO, CKR, CKU_USER, EC_PARAMS, PKCS11JS_PARAMS, mechanismName } from './constants.ts';
import { mapPkcs11Error, pinLockedMessage, pkcs11ErrorCode } from './errors.ts';
import type { ECDH1, PKCS11 as Pkcs11Lib, Template } from 'pkcs11js';

type Handle = Buffer;

/** What a token needs of the module that opened it (Pkcs11Module): its serialised library calls, slot descriptions, and to be forgotten on close. */
export interface TokenModule {
  call<T>(op: (lib: Pkcs11Lib) => T | Promise<T>): Promise<T>;
  describeSlot(slot: Handle): Promise<TokenDescription>;
  forgetToken(token: Pkcs11Token): void;
}

interface KeyPart {
  handle: Handle;
  cls: number;
  keyType: number;
  label: string;
  id: Uint8Array;
}

function ecPointDer(point: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0x04, point.length]), Buffer.from(point)]);
}

/** CKA_EC_POINT is a DER OCTET STRING by the standard; some tokens return the raw point. */
export function decodeEcPoint(value: Uint8Array, alg: SigningAlg | 'P-256'): Uint8Array {
  const want = alg === 'Ed25519' ? 32 : 65;
  if (value.length === want + 2 && value[0] === 0x04 && value[1] === want) return toPlainBytes(value.subarray(2));
  if (value.length === want) return toPlainBytes(value);
  throw new KeyriteError('INVALID_KEY', `The token returned a ${alg} public key of an unexpected form (${value.length} bytes).`);
}

const RETRY_CURVE_NAME = new Set<number>([CKR.DOMAIN_PARAMS_INVALID, CKR.CURVE_NOT_SUPPORTED, CKR.ATTRIBUTE_VALUE_INVALID, CKR.TEMPLATE_INCONSISTENT]);

export class Pkcs11Token implements KeyriteToken {
  private session: Handle | undefined;
  private loggedIn = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pubCache = new Map<string, Uint8Array>();

  private constructor(
    private readonly module: TokenModule,
    private readonly slot: Handle,
    private desc: TokenDescription,
  ) {}

  /** @internal use Pkcs11Module.openToken */
  static async open(module: TokenModule, slot: Handle, desc: TokenDescription): Promise<Pkcs11Token> {
    const t = new Pkcs11Token(module, slot, desc);
    t.session = await module.call((lib) => {
      try {
        return lib.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
      } catch (e) {
        throw mapPkcs11Error(e, { token: desc.label, operation: 'opening a session' });
      }
    });
    return t;
  }

  get label(): string {
    return this.desc.label;
  }

  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private requireSession(): Handle {
    if (!this.session) throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" is closed; select it again.`);
    return this.session;
  }

  private requireLogin(): Handle {
    const s = this.requireSession();
    if (!this.loggedIn) throw new KeyriteError('TOKEN_ERROR', `Log in to token "${this.label}" first (enter its PIN).`);
    return s;
  }

  /** One library call with error mapping. A removed token drops the session. */
  private call<T>(operation: string, fn: (lib: Pkcs11Lib, session: Handle) => T | Promise<T>, mechanism?: number): Promise<T> {
    const session = this.requireSession();
    return this.module.call(async (lib) => {
      try {
        return await fn(lib, session);
      } catch (e) {
        const mapped = mapPkcs11Error(e, { token: this.label, operation, ...(mechanism !== undefined ? { mechanism: mechanismName(mechanism) } : {}) });
        if (mapped.code === 'TOKEN_REMOVED') {
          this.session = undefined;
          this.loggedIn = false;
        }
        throw mapped;
      }
    });
  }

  async describe(): Promise<TokenDescription> {
    this.desc = await this.module.describeSlot(this.slot);
    return this.desc;
  }

  isLoggedIn(): boolean {
    return this.loggedIn;
  }

  login(pin?: string): Promise<void> {
    return this.exclusive(async () => {
      const session = this.requireSession();
      const desc = await this.describe();
      if (pin === undefined) {
        if (!desc.pin.protectedAuthPath) throw new KeyriteError('INVALID_INPUT', `Enter the PIN of token "${this.label}".`);
      } else if (typeof pin !== 'string' || pin.length === 0) {
        throw new KeyriteError('INVALID_INPUT', `Enter the PIN of token "${this.label}".`);
      }
      if (desc.pin.locked) throw new KeyriteError('PIN_LOCKED', pinLockedMessage(this.label));
      await this.module.call(async (lib) => {
        try {
          lib.C_Login(session, CKU_USER, pin);
        } catch (e) {
          const code = pkcs11ErrorCode(e);
          if (code === CKR.USER_ALREADY_LOGGED_IN) return;
          let flags: number | undefined;
          try {
            flags = lib.C_GetTokenInfo(this.slot).flags;
          } catch {
            flags = undefined;
          }
          throw mapPkcs11Error(e, {
            token: this.label,
            operation: 'logging in',
            ...(flags !== undefined ? { tokenFlags: flags } : {}),
            pinLength: { min: desc.pin.minLength, max: desc.pin.maxLength },
          });
        }
      });
      this.loggedIn = true;
    });
  }

  logout(): Promise<void> {
    return this.exclusive(async () => {
      if (!this.loggedIn || !this.session) {
        this.loggedIn = false;
        return;
      }
      this.loggedIn = false;
      this.pubCache.clear();
      await this.call('logging out', (lib, s) => {
        try {
          lib.C_Logout(s);
        } catch (e) {
          if (pkcs11ErrorCode(e) !== CKR.USER_NOT_LOGGED_IN) throw e;
        }
      });
    });
  }

  async close(): Promise<void> {
    await this.logout().catch(() => undefined);
    await this.exclusive(async () => {
      const s = this.session;
      this.session = undefined;
      if (s) {
        await this.module
          .call((lib) => {
            lib.C_CloseSession(s);
          })
          .catch(() => undefined);
      }
      this.module.forgetToken(this);
    });
  }

  randomBytes(n: number): Promise<Uint8Array> {
    return this.exclusive(async () => {
      if (!Number.isSafeInteger(n) || n < 1 || n > 1024) throw new KeyriteError('INVALID_INPUT', 'Ask a token for 1 to 1024 random bytes at a time.');
      if (!this.desc.capabilities.random) throw new KeyriteError('MECHANISM_UNSUPPORTED', `Token "${this.label}" has no random number generator (CKF_RNG is not set).`);
      const out = await this.call('reading random bytes', (lib, s) => toPlainBytes(lib.C_GenerateRandom(s, Buffer.alloc(n))));
      if (n >= 16 && out.every((b) => b === 0)) throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" returned only zero bytes as random data; its generator is broken.`);
      return out;
    });
  }

  // ---- object search ----

  private findHandles(lib: Pkcs11Lib, session: Handle, template: Template): Handle[] {
    lib.C_FindObjectsInit(session, template);
    try {
      const out: Handle[] = [];
      for (;;) {
        const batch = lib.C_FindObjects(session, 64);
        if (batch.length === 0) break;
        out.push(...batch);
      }
      return out;
    } finally {
      lib.C_FindObjectsFinal(session);
    }
  }

  private readParts(lib: Pkcs11Lib, session: Handle, template: Template): KeyPart[] {
    const parts: KeyPart[] = [];
    for (const cls of [CKO.PRIVATE_KEY, CKO.PUBLIC_KEY, CKO.SECRET_KEY]) {
      for (const handle of this.findHandles(lib, session, [...template, { type: CKA.CLASS, value: cls }])) {
        const attrs = lib.C_GetAttributeValue(session, handle, [{ type: CKA.KEY_TYPE }, { type: CKA.LABEL }, { type: CKA.ID }]);
        const get = (t: number) => attrs.find((a) => a.type === t)?.value ?? Buffer.alloc(0);
        const kt = get(CKA.KEY_TYPE);
        parts.push({
          handle,
          cls,
          keyType: kt.length >= 4 ? kt.readUIntLE(0, Math.min(kt.length, 6)) : -1,
          label: get(CKA.LABEL).toString('utf8'),
          id: toPlainBytes(get(CKA.ID)),
        });
      }
    }
    return parts;
  }

  /** Groups parts into Keyrite keys; anything not fully Keyrite's is left out. */
  private toRefs(parts: readonly KeyPart[]): KeyRef[] {
    const byId = new Map<string, KeyPart[]>();
    for (const p of parts) {
      if (objectIdKind(p.id) === undefined || parseTokenObjectLabel(p.label) === undefined) continue;
      const k = objectIdHex(p.id);
      byId.set(k, [...(byId.get(k) ?? []), p]);
    }
    const refs: KeyRef[] = [];
    for (const [id, group] of byId) {
      const label = parseTokenObjectLabel(group[0]!.label)!;
      if (group.some((p) => p.label !== group[0]!.label)) continue;
      const kind = objectIdKind(group[0]!.id)!;
      const priv = group.find((p) => p.cls === CKO.PRIVATE_KEY);
      const secret = group.find((p) => p.cls === CKO.SECRET_KEY);
      let alg: KeyRef['alg'] | undefined;
      if (kind === 'signing-key' && priv) alg = priv.keyType === CKK.EC_EDWARDS ? 'Ed25519' : priv.keyType === CKK.EC ? 'ES256' : undefined;
      if (kind === 'seal-key') alg = secret?.keyType === CKK.AES ? 'aes-256-gcm' : priv?.keyType === CKK.EC ? 'ecdh-p256' : undefined;
      if (alg) refs.push({ kind, label, id, alg });
    }
    return refs.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  }

  listObjects(): Promise<KeyRef[]> {
    return this.exclusive(async () => {
      this.requireLogin();
      const parts = await this.call('listing objects', (lib, s) => this.readParts(lib, s, [{ type: CKA.TOKEN, value: true }]));
      return this.toRefs(parts);
    });
  }

  findObject(label: string): Promise<KeyRef | undefined> {
    return this.exclusive(async () => {
      this.requireLogin();
      const full = tokenObjectLabel(label);
      const parts = await this.call('looking up an object', (lib, s) => this.readParts(lib, s, [{ type: CKA.LABEL, value: full }]));
      return this.toRefs(parts)[0];
    });
  }

  private async assertLabelFree(label: string): Promise<string> {
    const full = tokenObjectLabel(label);
    const n = await this.call('checking the label is free', (lib, s) => this.findHandles(lib, s, [{ type: CKA.LABEL, value: full }]).length);
    if (n > 0) throw objectExistsError(label, this.label);
    return full;
  }

  /** The parts of a Keyrite key, checked against the ref. */
  private async partsOf(ref: KeyRef, operation: string): Promise<KeyPart[]> {
    if (ref === null || typeof ref !== 'object' || typeof ref.id !== 'string') throw new KeyriteError('INVALID_INPUT', 'That is not a Keyrite key reference.');
    assertObjectLabel(ref.label);
    const id = parseObjectIdHex(ref.id);
    const parts = await this.call(operation, (lib, s) => this.readParts(lib, s, [{ type: CKA.ID, value: Buffer.from(id) }]));
    const full = tokenObjectLabel(ref.label);
    const refs = this.toRefs(parts);
    const mine = refs.find((r) => r.id === ref.id);
    if (!mine || mine.label !== ref.label || mine.kind !== ref.kind || mine.alg !== ref.alg || parts.some((p) => p.label !== full)) {
      throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" holds no Keyrite key "${ref.label}" with that id and type.`);
    }
    return parts;
  }

  private async privateHandle(ref: KeyRef, operation: string): Promise<Handle> {
    const p = (await this.partsOf(ref, operation)).find((x) => x.cls === CKO.PRIVATE_KEY || x.cls === CKO.SECRET_KEY);
    if (!p) throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" has no private part for key "${ref.label}".`);
    return p.handle;
  }

  private async publicPoint(ref: KeyRef, operation: string): Promise<Uint8Array> {
    const cached = this.pubCache.get(ref.id);
    if (cached) return cached.slice();
    const pub = (await this.partsOf(ref, operation)).find((x) => x.cls === CKO.PUBLIC_KEY);
    if (!pub) throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" has no public key object for key "${ref.label}".`);
    const raw = await this.call(operation, (lib, s) => toPlainBytes(lib.C_GetAttributeValue(s, pub.handle, [{ type: CKA.EC_POINT }])[0]!.value));
    const point = decodeEcPoint(raw, ref.alg === 'Ed25519' ? 'Ed25519' : 'P-256');
    const valid = ref.alg === 'Ed25519' ? ed25519IsValidPublicKey(point) : p256IsValidPublicKey(point);
    if (!valid) throw new KeyriteError('INVALID_KEY', `Token "${this.label}" returned an invalid public key for "${ref.label}".`);
    this.pubCache.set(ref.id, point);
    return point.slice();
  }

  private async destroyHandles(handles: readonly Handle[]): Promise<void> {
    for (const h of handles) {
      await this.call('removing a half-made key', (lib, s) => lib.C_DestroyObject(s, h)).catch(() => undefined);
    }
  }

  /** Private/secret keys must come back sensitive and not extractable. */
  private async assertProtected(handle: Handle, what: string): Promise<void> {
    const attrs = await this.call(`checking ${what}`, (lib, s) => lib.C_GetAttributeValue(s, handle, [{ type: CKA.SENSITIVE }, { type: CKA.EXTRACTABLE }]));
    const flag = (t: number) => (attrs.find((a) => a.type === t)?.value?.[0] ?? 0) !== 0;
    if (!flag(CKA.SENSITIVE) || flag(CKA.EXTRACTABLE)) {
      throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" did not keep ${what} sensitive and non-extractable as requested; the key was removed.`);
    }
  }

  // ---- signing keys ----

  private signMechanism(alg: SigningAlg): number {
    const caps = this.desc.capabilities;
    if (alg === 'Ed25519') {
      if (!caps.ed25519) {
        throw new KeyriteError('MECHANISM_UNSUPPORTED', `Token "${this.label}" cannot make or use Ed25519 keys: it lacks ${mechanismName(CKM.EC_EDWARDS_KEY_PAIR_GEN)} or ${mechanismName(CKM.EDDSA)}. Use ES256 (ECDSA P-256) for this token.`);
      }
      return CKM.EDDSA;
    }
    if (!caps.p256) throw new KeyriteError('MECHANISM_UNSUPPORTED', `Token "${this.label}" cannot make or use ECDSA P-256 keys: it lacks ${mechanismName(CKM.EC_KEY_PAIR_GEN)} or ${mechanismName(CKM.ECDSA)}.`);
    return this.mechanisms.includes(CKM.ECDSA) ? CKM.ECDSA : CKM.ECDSA_SHA256;
  }

  private mechanisms: number[] = [];

  private async loadMechanisms(): Promise<void> {
    this.mechanisms = await this.call('reading the mechanism list', (lib) => lib.C_GetMechanismList(this.slot));
  }

  private async signRaw(handle: Handle, alg: SigningAlg, msg: Uint8Array, keyLabel: string): Promise<Uint8Array> {
    const mech = this.signMechanism(alg);
    const input = mech === CKM.ECDSA ? Buffer.from(sha256(msg)) : Buffer.from(msg);
    return this.call(
      `signing with key "${keyLabel}"`,
      async (lib, s) => {
        lib.C_SignInit(s, { mechanism: mech }, handle);
        return toPlainBytes(await lib.C_SignAsync(s, input, Buffer.alloc(128)));
      },
      mech,
    );
  }

  private async generatePair(alg: SigningAlg | 'ECDH', full: string, id: Uint8Array, ecParams: Uint8Array): Promise<{ priv: Handle; pub: Handle }> {
    const ed = alg === 'Ed25519';
    const keyType = ed ? CKK.EC_EDWARDS : CKK.EC;
    const mech = ed ? CKM.EC_EDWARDS_KEY_PAIR_GEN : CKM.EC_KEY_PAIR_GEN;
    const signing = alg !== 'ECDH';
    const pubT: Template = [
      { type: CKA.CLASS, value: CKO.PUBLIC_KEY },
      { type: CKA.KEY_TYPE, value: keyType },
      { type: CKA.TOKEN, value: true },
      { type: CKA.PRIVATE, value: false },
      { type: CKA.VERIFY, value: signing },
      { type: CKA.ENCRYPT, value: false },
      { type: CKA.WRAP, value: false },
      { type: CKA.EC_PARAMS, value: Buffer.from(ecParams) },
      { type: CKA.LABEL, value: full },
      { type: CKA.ID, value: Buffer.from(id) },
    ];
    const privT: Template = [
      { type: CKA.CLASS, value: CKO.PRIVATE_KEY },
      { type: CKA.KEY_TYPE, value: keyType },
      { type: CKA.TOKEN, value: true },
      { type: CKA.PRIVATE, value: true },
      { type: CKA.SENSITIVE, value: true },
      { type: CKA.EXTRACTABLE, value: false },
      { type: CKA.SIGN, value: signing },
      { type: CKA.DERIVE, value: !signing },
      { type: CKA.DECRYPT, value: false },
      { type: CKA.UNWRAP, value: false },
      { type: CKA.LABEL, value: full },
      { type: CKA.ID, value: Buffer.from(id) },
    ];
    const pair = await this.call(
      `generating ${alg === 'ECDH' ? 'an ECDH sealing key' : `an ${alg} key`}`,
      (lib, s) => lib.C_GenerateKeyPairAsync(s, { mechanism: mech }, pubT, privT),
      mech,
    );
    return { priv: pair.privateKey, pub: pair.publicKey };
  }

  /** Tries the OID form of the Ed25519 curve, then the curve-name form. */
  private async withEd25519Params<T>(fn: (params: Uint8Array) => Promise<T>): Promise<T> {
    try {
      return await fn(EC_PARAMS.ED25519_OID);
    } catch (e) {
      const code = pkcs11ErrorCode((e as { cause?: unknown }).cause);
      if (code !== undefined && RETRY_CURVE_NAME.has(code)) return fn(EC_PARAMS.ED25519_NAME);
      throw e;
    }
  }

  private async pairwiseTest(priv: Handle, pub: Uint8Array, alg: SigningAlg, keyLabel: string): Promise<void> {
    const msg = pairwiseTestMessage();
    const sig = await this.signRaw(priv, alg, msg, keyLabel);
    assertPairwiseSignature(alg, pub, msg, sig, this.label, keyLabel);
  }

  generateSigningKey(label: string, alg: SigningAlg): Promise<KeyRef> {
    return this.exclusive(async () => {
      this.requireLogin();
      if (alg !== 'Ed25519' && alg !== 'ES256') throw new KeyriteError('INVALID_INPUT', `Unknown signing algorithm ${JSON.stringify(String(alg))}; use Ed25519 or ES256.`);
      assertObjectLabel(label);
      await this.loadMechanisms();
      this.signMechanism(alg);
      const full = await this.assertLabelFree(label);
      const id = newObjectId('signing-key', randomBytes(15));
      const pair = alg === 'Ed25519' ? await this.withEd25519Params((p) => this.generatePair('Ed25519', full, id, p)) : await this.generatePair('ES256', full, id, EC_PARAMS.P256);
      const ref: KeyRef = { kind: 'signing-key', label, id: objectIdHex(id), alg };
      try {
        await this.assertProtected(pair.priv, `the private key "${label}"`);
        const pub = await this.publicPoint(ref, 'reading the new public key');
        await this.pairwiseTest(pair.priv, pub, alg, label);
      } catch (e) {
        this.pubCache.delete(ref.id);
        await this.destroyHandles([pair.priv, pair.pub]);
        throw e;
      }
      return ref;
    });
  }

  importEd25519PrivateKey(label: string, seed: Uint8Array): Promise<KeyRef> {
    return this.exclusive(async () => {
      this.requireLogin();
      if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new KeyriteError('INVALID_KEY', 'An Ed25519 private key (seed) must be 32 bytes.');
      assertObjectLabel(label);
      await this.loadMechanisms();
      this.signMechanism('Ed25519');
      const full = await this.assertLabelFree(label);
      const id = newObjectId('signing-key', randomBytes(15));
      const pub = ed25519PublicKey(seed);
      const value = Buffer.from(seed);
      const created: Handle[] = [];
      const ref: KeyRef = { kind: 'signing-key', label, id: objectIdHex(id), alg: 'Ed25519' };
      try {
        await this.withEd25519Params(async (params) => {
          try {
            const priv = await this.call(
              `importing the Ed25519 key "${label}"`,
              (lib, s) =>
                lib.C_CreateObject(s, [
                  { type: CKA.CLASS, value: CKO.PRIVATE_KEY },
                  { type: CKA.KEY_TYPE, value: CKK.EC_EDWARDS },
                  { type: CKA.TOKEN, value: true },
                  { type: CKA.PRIVATE, value: true },
                  { type: CKA.SENSITIVE, value: true },
                  { type: CKA.EXTRACTABLE, value: false },
                  { type: CKA.SIGN, value: true },
                  { type: CKA.DERIVE, value: false },
                  { type: CKA.DECRYPT, value: false },
                  { type: CKA.UNWRAP, value: false },
                  { type: CKA.LABEL, value: full },
                  { type: CKA.ID, value: Buffer.from(id) },
                  { type: CKA.EC_PARAMS, value: Buffer.from(params) },
                  { type: CKA.VALUE, value: value },
                ]),
              CKM.EDDSA,
            );
            created.push(priv);
            const pubHandle = await this.call(`storing the public key of "${label}"`, (lib, s) =>
              lib.C_CreateObject(s, [
                { type: CKA.CLASS, value: CKO.PUBLIC_KEY },
                { type: CKA.KEY_TYPE, value: CKK.EC_EDWARDS },
                { type: CKA.TOKEN, value: true },
                { type: CKA.PRIVATE, value: false },
                { type: CKA.VERIFY, value: true },
                { type: CKA.ENCRYPT, value: false },
                { type: CKA.WRAP, value: false },
                { type: CKA.LABEL, value: full },
                { type: CKA.ID, value: Buffer.from(id) },
                { type: CKA.EC_PARAMS, value: Buffer.from(params) },
                { type: CKA.EC_POINT, value: ecPointDer(pub) },
              ]),
            );
            created.push(pubHandle);
          } catch (e) {
            await this.destroyHandles(created.splice(0));
            throw e;
          }
        });
        const priv = created[0]!;
        await this.assertProtected(priv, `the private key "${label}"`);
        const stored = await this.publicPoint(ref, 'reading the imported public key');
        if (!stored.every((b, i) => b === pub[i])) throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" stored a different public key than the one imported for "${label}".`);
        await this.pairwiseTest(priv, pub, 'Ed25519', label);
      } catch (e) {
        this.pubCache.delete(ref.id);
        await this.destroyHandles(created);
        throw e;
      } finally {
        value.fill(0);
      }
      return ref;
    });
  }

  getPublicKey(ref: KeyRef): Promise<Uint8Array> {
    return this.exclusive(async () => {
      this.requireLogin();
      if (ref?.kind !== 'signing-key') throw new KeyriteError('INVALID_INPUT', 'Only signing keys have a public key to export.');
      return this.publicPoint(ref, `reading the public key of "${ref.label}"`);
    });
  }

  sign(ref: KeyRef, msg: Uint8Array): Promise<Uint8Array> {
    return this.exclusive(async () => {
      this.requireLogin();
      if (!(msg instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The message to sign must be a byte array.');
      if (ref?.kind !== 'signing-key') throw new KeyriteError('INVALID_INPUT', `"${String(ref?.label)}" is not a signing key.`);
      if (this.mechanisms.length === 0) await this.loadMechanisms();
      const alg = ref.alg as SigningAlg;
      const pub = await this.publicPoint(ref, `reading the public key of "${ref.label}"`);
      const priv = await this.privateHandle(ref, `finding key "${ref.label}"`);
      const sig = await this.signRaw(priv, alg, msg, ref.label);
      assertTokenSignature(alg, pub, msg, sig, this.label, ref.label);
      return sig;
    });
  }

  // ---- sealing ----

  createSealKey(label: string, scheme?: SealScheme): Promise<KeyRef> {
    return this.exclusive(async () => {
      this.requireLogin();
      assertObjectLabel(label);
      const caps = (await this.describe()).capabilities;
      const chosen = scheme ?? caps.seal;
      if (chosen === null) throw new KeyriteError('MECHANISM_UNSUPPORTED', `Token "${this.label}" can seal nothing: it has neither ${mechanismName(CKM.AES_GCM)} nor ${mechanismName(CKM.ECDH1_DERIVE)}.`);
      if (chosen === 'xchacha20poly1305') throw new KeyriteError('MECHANISM_UNSUPPORTED', 'XChaCha20-Poly1305 sealing keys exist only on the software token.');
      if (chosen === 'aes-256-gcm' && !caps.aesGcm) throw new KeyriteError('MECHANISM_UNSUPPORTED', `Token "${this.label}" does not support ${mechanismName(CKM.AES_GCM)} with ${mechanismName(CKM.AES_KEY_GEN)}.`);
      if (chosen === 'ecdh-p256' && !caps.ecdh) throw new KeyriteError('MECHANISM_UNSUPPORTED', `Token "${this.label}" does not support ${mechanismName(CKM.ECDH1_DERIVE)} on P-256.`);
      const full = await this.assertLabelFree(label);
      const id = newObjectId('seal-key', randomBytes(15));
      const ref: KeyRef = { kind: 'seal-key', label, id: objectIdHex(id), alg: chosen };
      const created: Handle[] = [];
      try {
        if (chosen === 'aes-256-gcm') {
          const key = await this.call(
            `generating the AES sealing key "${label}"`,
            (lib, s) =>
              lib.C_GenerateKeyAsync(s, { mechanism: CKM.AES_KEY_GEN }, [
                { type: CKA.CLASS, value: CKO.SECRET_KEY },
                { type: CKA.KEY_TYPE, value: CKK.AES },
                { type: CKA.VALUE_LEN, value: 32 },
                { type: CKA.TOKEN, value: true },
                { type: CKA.PRIVATE, value: true },
                { type: CKA.SENSITIVE, value: true },
                { type: CKA.EXTRACTABLE, value: false },
                { type: CKA.ENCRYPT, value: true },
                { type: CKA.DECRYPT, value: true },
                { type: CKA.WRAP, value: false },
                { type: CKA.UNWRAP, value: false },
                { type: CKA.SIGN, value: false },
                { type: CKA.VERIFY, value: false },
                { type: CKA.DERIVE, value: false },
                { type: CKA.LABEL, value: full },
                { type: CKA.ID, value: Buffer.from(id) },
              ]),
            CKM.AES_KEY_GEN,
          );
          created.push(key);
          await this.assertProtected(key, `the sealing key "${label}"`);
        } else {
          const pair = await this.generatePair('ECDH', full, id, EC_PARAMS.P256);
          created.push(pair.priv, pair.pub);
          await this.assertProtected(pair.priv, `the sealing key "${label}"`);
        }
        // Consistency test: seal and open a random value.
        const probe = randomBytes(32);
        const aad = new TextEncoder().encode('keyrite/seal-key-test/v1');
        const box = await this.sealWith(ref, probe, aad);
        const back = await this.unsealWith(ref, box, aad);
        const same = back.length === probe.length && back.every((b, i) => b === probe[i]);
        wipe(probe, back);
        if (!same) throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" failed the sealing self-test with key "${label}"; the key was removed.`);
      } catch (e) {
        this.pubCache.delete(ref.id);
        await this.destroyHandles(created);
        throw e;
      }
      return ref;
    });
  }

  private gcmMechanism(iv: Uint8Array, aad: Uint8Array) {
    return { mechanism: CKM.AES_GCM, parameter: { type: PKCS11JS_PARAMS.AES_GCM_v240, iv: Buffer.from(iv), ivBits: iv.length * 8, aad: Buffer.from(aad), tagBits: TAG_LENGTH * 8 } };
  }

  private async sealWith(ref: KeyRef, plaintext: Uint8Array, aad: Uint8Array): Promise<SealedBox> {
    assertSealInput(plaintext, aad);
    if (ref.alg === 'ecdh-p256') {
      const pub = await this.sealPublicPoint(ref);
      return ecdhSeal(pub, ref.id, plaintext, aad);
    }
    if (ref.alg !== 'aes-256-gcm') throw new KeyriteError('INVALID_INPUT', `Key "${ref.label}" is not a sealing key of this token.`);
    const key = await this.privateHandle(ref, `finding the sealing key "${ref.label}"`);
    const iv = randomBytes(GCM_IV_LENGTH);
    const input = Buffer.from(plaintext);
    try {
      const ct = await this.call(
        `sealing with key "${ref.label}"`,
        (lib, s) => {
          lib.C_EncryptInit(s, this.gcmMechanism(iv, sealAad('aes-256-gcm', ref.id, aad)), key);
          return toPlainBytes(lib.C_Encrypt(s, input, Buffer.alloc(plaintext.length + TAG_LENGTH + 16)));
        },
        CKM.AES_GCM,
      );
      if (ct.length !== plaintext.length + TAG_LENGTH) throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" returned AES-GCM output of an unexpected length.`);
      const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
      return { v: 1, scheme: 'aes-256-gcm', keyId: ref.id, nonce: b64(iv), ct: b64(ct) };
    } finally {
      input.fill(0);
    }
  }

  private async sealPublicPoint(ref: KeyRef): Promise<Uint8Array> {
    return this.publicPoint({ ...ref }, `reading the public part of sealing key "${ref.label}"`);
  }

  private async unsealWith(ref: KeyRef, box: SealedBox, aad: Uint8Array): Promise<Uint8Array> {
    const decoded = decodeSealedBox(ref, box);
    if (!(aad instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The associated data must be a byte array.');
    const key = await this.privateHandle(ref, `finding the sealing key "${ref.label}"`);
    if (decoded.scheme === 'ecdh-p256') {
      const pub = await this.sealPublicPoint(ref);
      const shared = await this.call(
        `opening sealed data with key "${ref.label}"`,
        (lib, s) => {
          const derived = lib.C_DeriveKey(s, { mechanism: CKM.ECDH1_DERIVE, parameter: { type: PKCS11JS_PARAMS.EC_DH, kdf: CKD_NULL, publicData: Buffer.from(decoded.epk!) } as ECDH1 }, key, [
            { type: CKA.CLASS, value: CKO.SECRET_KEY },
            { type: CKA.KEY_TYPE, value: CKK.GENERIC_SECRET },
            { type: CKA.TOKEN, value: false },
            { type: CKA.SENSITIVE, value: false },
            { type: CKA.EXTRACTABLE, value: true },
            { type: CKA.VALUE_LEN, value: 32 },
          ]);
          try {
            const v = lib.C_GetAttributeValue(s, derived, [{ type: CKA.VALUE }])[0]!.value;
            const out = toPlainBytes(v);
            v.fill(0);
            return out;
          } finally {
            lib.C_DestroyObject(s, derived);
          }
        },
        CKM.ECDH1_DERIVE,
      );
      if (shared.length !== 32) {
        wipe(shared);
        throw new KeyriteError('TOKEN_ERROR', `Token "${this.label}" returned an ECDH result of an unexpected length.`);
      }
      return ecdhOpen(shared, pub, ref.id, decoded, aad);
    }
    const input = Buffer.from(decoded.ct);
    const out = Buffer.alloc(decoded.ct.length);
    try {
      const pt = await this.module.call((lib) => {
        const s = this.requireSession();
        try {
          lib.C_DecryptInit(s, this.gcmMechanism(decoded.nonce, sealAad('aes-256-gcm', ref.id, aad)), key);
          return toPlainBytes(lib.C_Decrypt(s, input, out));
        } catch (e) {
          const mapped = mapPkcs11Error(e, { token: this.label, operation: `opening sealed data with key "${ref.label}"`, mechanism: mechanismName(CKM.AES_GCM) });
          if (mapped.code === 'TOKEN_REMOVED' || mapped.code === 'MECHANISM_UNSUPPORTED' || pkcs11ErrorCode(e) === CKR.USER_NOT_LOGGED_IN) throw mapped;
          // Tokens report a failed tag check differently (SoftHSM: CKR_GENERAL_ERROR).
          throw sealOpenFailed();
        }
      });
      return pt;
    } finally {
      out.fill(0);
    }
  }

  seal(ref: KeyRef, plaintext: Uint8Array, aad: Uint8Array): Promise<SealedBox> {
    return this.exclusive(async () => {
      this.requireLogin();
      if (ref?.kind !== 'seal-key') throw new KeyriteError('INVALID_INPUT', `"${String(ref?.label)}" is not a sealing key.`);
      await this.partsOf(ref, `finding the sealing key "${ref.label}"`);
      return this.sealWith(ref, plaintext, aad);
    });
  }

  unseal(ref: KeyRef, box: SealedBox, aad: Uint8Array): Promise<Uint8Array> {
    return this.exclusive(async () => {
      this.requireLogin();
      if (ref?.kind !== 'seal-key') throw new KeyriteError('INVALID_INPUT', `"${String(ref?.label)}" is not a sealing key.`);
      return this.unsealWith(ref, box, aad);
    });
  }

  destroyObject(ref: KeyRef): Promise<void> {
    return this.exclusive(async () => {
      this.requireLogin();
      if (ref === null || typeof ref !== 'object' || typeof ref.id !== 'string') throw new KeyriteError('INVALID_INPUT', 'That is not a Keyrite key reference.');
      let id: Uint8Array;
      try {
        id = parseObjectIdHex(ref.id);
        assertObjectLabel(ref.label);
      } catch {
        throw new KeyriteError('TOKEN_ERROR', `Keyrite refuses to destroy "${String(ref.label)}" on token "${this.label}": it is not an object Keyrite created.`);
      }
      // Every object carrying this id, of any class, must be Keyrite's and carry this label.
      const handles = await this.call('finding the object to destroy', (lib, s) => this.findHandles(lib, s, [{ type: CKA.ID, value: Buffer.from(id) }]));
      const parts = await this.partsOf(ref, 'finding the object to destroy');
      if (handles.length !== parts.length) {
        throw new KeyriteError('TOKEN_ERROR', `Keyrite refuses to destroy "${ref.label}" on token "${this.label}": other objects share its id.`);
      }
      for (const p of parts) await this.call(`destroying "${ref.label}"`, (lib, s) => lib.C_DestroyObject(s, p.handle));
      this.pubCache.delete(ref.id);
    });
  }
}
