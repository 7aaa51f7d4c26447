/**
 * The embedded software token: a passphrase-protected file that behaves like a PKCS#11
 * token for rehearsals (DESIGN.md: the default when nothing is attached, labelled
 * "rehearsal only" everywhere). Same KeyriteToken interface and rules as a real token.
 *
 * File (UTF-8 JSON, `*.keyrite-token`, written through an injected SoftwareTokenStore):
 *   { "format": "keyrite-software-token", "v": 1, "label", "serial", "created",
 *     "kdf": { "alg": "scrypt", "N", "r", "p", "salt" }, "aead": "xchacha20poly1305",
 *     "nonce", "ciphertext", "wrongAttempts" }
 * The key is scrypt(NFC passphrase, salt, N, r, p, 32); the ciphertext is
 * XChaCha20-Poly1305 over the binary object list with the JCS (RFC 8785) bytes of the
 * header {format, v, label, serial, created, kdf, aead} as associated data, so the label,
 * serial and KDF parameters cannot be changed without the passphrase. scrypt parameters
 * and salt live in the file, so they can be raised later (re-encrypt on the next write).
 * "wrongAttempts" is outside the associated data on purpose: it is updated after a wrong
 * passphrase, when no key is available. It is a report for the user, not a lockout: whoever
 * copies the file can guess offline without limit. That is why this token is rehearsal only.
 *
 * Object list (binary, wiped after parsing): "KRSO" 0x01, count (u16 BE), then per object
 * kind (u8: 1 signing, 2 seal), alg (u8: 1 Ed25519, 2 ES256, 3 XChaCha20-Poly1305),
 * CKA_ID-equivalent id (20 bytes, labels.ts scheme), label length (u8) + UTF-8 label,
 * secret length (u16) + secret, public length (u16) + public key.
 */
import { KeyriteError } from '../errors.ts';
import { concatBytes, equalBytes, fromUtf8, utf8 } from '../bytes.ts';
import { fromBase64url, toBase64url } from '../encoding/base64url.ts';
import { toHex } from '../encoding/hex.ts';
import { canonicalBytes } from '../encoding/jcs.ts';
import { parseJsonUtf8 } from '../encoding/json.ts';
import { expectObject, readBytes, readInt, readLiteral, readPattern, readString, type JsonObject } from '../encoding/json-fields.ts';
import { randomBytes } from '../crypto/random.ts';
import { wipe } from '../crypto/wipe.ts';
import { xchachaOpen, xchachaSeal } from '../crypto/aead.ts';
import { ed25519PublicKey, ed25519Sign } from '../crypto/ed25519.ts';
import { p256PublicKey, p256RandomSecretKey, p256Sign } from '../crypto/p256.ts';
import { scryptKey, type ScryptParams } from '../crypto/scrypt.ts';
import type { SoftwareTokenKeySession } from './key-session.ts';
import { formatTokenUri } from './pkcs11-uri.ts';
import { assertObjectLabel, newObjectId, objectExistsError, objectIdHex, parseObjectIdHex } from './labels.ts';
import { assertPairwiseSignature, assertTokenSignature, pairwiseTestMessage } from './signatures.ts';
import { decodeSealedBox, openXChaCha, xchachaSealBox } from './seal.ts';
import type { KeyRef, KeyriteToken, SealScheme, SealedBox, SigningAlg, TokenDescription } from './token.ts';

/** Where the token file lives; core/node/software-token-file.ts implements it on disk. */
export interface SoftwareTokenStore {
  /** For display (the file path). */
  readonly location: string;
  read(): Promise<Uint8Array>;
  /** Writes a new file; must fail with OBJECT_EXISTS when one is already there. */
  create(data: Uint8Array): Promise<void>;
  /** Replaces the file atomically. */
  replace(data: Uint8Array): Promise<void>;
  /** The scrypt implementation (default: @noble/hashes, core/crypto/scrypt.ts). The Node adapter passes node:crypto's: the same RFC 7914 function, off the main thread. */
  readonly scrypt?: ScryptFunction;
  /** Keys already derived in this session (key-session.ts): opening the token again with the same passphrase derives nothing. */
  readonly session?: SoftwareTokenKeySession;
}

/** RFC 7914 scrypt of the NFC UTF-8 passphrase, with the token file's salt and parameters. */
export type ScryptFunction = (passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, length: number) => Promise<Uint8Array>;

/**
 * N = 2^15, r = 8, p = 1 (32 MiB), the parameters golang.org/x/crypto/scrypt recommends for
 * interactive logins. Measured with @noble/hashes on the reference machine (AMD EPYC, 2 cores,
 * Node 20, idle): 2^14 0.11 s, 2^15 0.17 s, 2^16 0.30 s, 2^17 0.69 s per derivation. A token
 * costs one derivation to create and one to open, so six tokens take about 2 s (2^16 would
 * take about 4 s, too slow on older air-gapped laptops). The parameters and salt are stored
 * in each file, so they can be raised later without breaking old files.
 */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });
const MIN_LOG_N = 10;
const MAX_LOG_N = 22;
const MAX_SCRYPT_MEMORY = 1024 ** 3; // 128·N·r bytes

export const SOFTWARE_TOKEN_FORMAT = 'keyrite-software-token';
export const SOFTWARE_TOKEN_MODEL = 'Keyrite software token';
export const SOFTWARE_TOKEN_MANUFACTURER = 'Keyrite';
export const MIN_PASSPHRASE_LENGTH = 4;
export const MAX_PASSPHRASE_LENGTH = 256;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_OBJECTS = 1000;
const TOKEN_LABEL_RE = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}$/;
const PAYLOAD_MAGIC = Uint8Array.of(0x4b, 0x52, 0x53, 0x4f, 0x01); // "KRSO" v1

type StoredAlg = SigningAlg | 'xchacha20poly1305';
const ALG_CODE: Record<StoredAlg, number> = { Ed25519: 1, ES256: 2, xchacha20poly1305: 3 };
const SECRET_LEN: Record<StoredAlg, number> = { Ed25519: 32, ES256: 32, xchacha20poly1305: 32 };
const PUBLIC_LEN: Record<StoredAlg, number> = { Ed25519: 32, ES256: 65, xchacha20poly1305: 0 };

interface Entry {
  kind: 'signing-key' | 'seal-key';
  alg: StoredAlg;
  id: Uint8Array;
  label: string;
  secret: Uint8Array;
  pub: Uint8Array;
}

interface Header {
  format: typeof SOFTWARE_TOKEN_FORMAT;
  v: 1;
  label: string;
  serial: string;
  created: string;
  kdf: { alg: 'scrypt'; N: number; r: number; p: number; salt: string };
  aead: 'xchacha20poly1305';
}

interface FileContents {
  header: Header;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  wrongAttempts: number;
}

function corrupt(location: string, why: string): KeyriteError {
  return new KeyriteError('INVALID_INPUT', `The software token file ${location} is not a valid Keyrite software token (${why}).`);
}

export function assertScryptParams(p: ScryptParams, what = 'scrypt parameters'): void {
  const ok =
    Number.isSafeInteger(p.N) &&
    Number.isSafeInteger(p.r) &&
    Number.isSafeInteger(p.p) &&
    p.N >= 2 ** MIN_LOG_N &&
    p.N <= 2 ** MAX_LOG_N &&
    (p.N & (p.N - 1)) === 0 &&
    p.r >= 1 &&
    p.r <= 32 &&
    p.p >= 1 &&
    p.p <= 16 &&
    128 * p.N * p.r <= MAX_SCRYPT_MEMORY;
  if (!ok) {
    throw new KeyriteError('INVALID_INPUT', `The ${what} are out of range: N must be a power of two from 2^${MIN_LOG_N} to 2^${MAX_LOG_N}, r from 1 to 32, p from 1 to 16, memory (128·N·r) at most 1 GiB.`);
  }
}

function assertTokenLabel(label: unknown): asserts label is string {
  if (typeof label !== 'string' || !TOKEN_LABEL_RE.test(label)) {
    throw new KeyriteError('INVALID_INPUT', 'A software token label must be 1 to 32 characters of letters, digits, spaces, ".", "_" or "-", starting with a letter or digit.');
  }
}

function assertPassphrase(passphrase: unknown, creating: boolean): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new KeyriteError('INVALID_INPUT', 'Enter the passphrase of the software token.');
  }
  if (creating && (passphrase.length < MIN_PASSPHRASE_LENGTH || passphrase.length > MAX_PASSPHRASE_LENGTH)) {
    throw new KeyriteError('INVALID_INPUT', `A software token passphrase must be ${MIN_PASSPHRASE_LENGTH} to ${MAX_PASSPHRASE_LENGTH} characters long.`);
  }
}

function headerAad(h: Header): Uint8Array {
  return canonicalBytes({ format: h.format, v: h.v, label: h.label, serial: h.serial, created: h.created, kdf: h.kdf, aead: h.aead });
}

function serializeFile(f: FileContents): Uint8Array {
  const doc = {
    ...f.header,
    nonce: toBase64url(f.nonce),
    ciphertext: toBase64url(f.ciphertext),
    wrongAttempts: f.wrongAttempts,
  };
  return utf8(JSON.stringify(doc, null, 2) + '\n');
}

function parseFile(bytes: Uint8Array, location: string): FileContents {
  if (bytes.length > MAX_FILE_BYTES) throw corrupt(location, 'too large');
  let doc: unknown;
  try {
    doc = parseJsonUtf8(bytes, location);
  } catch {
    throw corrupt(location, 'not valid JSON');
  }
  let d: JsonObject;
  let k: { N: number; r: number; p: number; salt: string };
  let wrongAttempts: number;
  let nonce: Uint8Array;
  let ciphertext: Uint8Array;
  try {
    d = expectObject(doc, 'file');
    if (d.format !== SOFTWARE_TOKEN_FORMAT) throw corrupt(location, 'unknown format');
    if (d.v !== 1) throw corrupt(location, `unsupported version ${JSON.stringify(d.v)}`);
    readPattern(d, 'label', 'file', TOKEN_LABEL_RE, 'a token label');
    readPattern(d, 'serial', 'file', /^[0-9a-f]{16}$/, '16 lowercase hex digits');
    readPattern(d, 'created', 'file', /^.{1,40}$/, 'a time');
    readLiteral(d, 'aead', 'file', ['xchacha20poly1305']);
    const kdf = expectObject(d.kdf, 'key derivation parameters');
    readLiteral(kdf, 'alg', 'key derivation parameters', ['scrypt']);
    k = { N: readInt(kdf, 'N', 'scrypt parameters', 1, Number.MAX_SAFE_INTEGER), r: readInt(kdf, 'r', 'scrypt parameters', 1, Number.MAX_SAFE_INTEGER), p: readInt(kdf, 'p', 'scrypt parameters', 1, Number.MAX_SAFE_INTEGER), salt: readString(kdf, 'salt', 'scrypt parameters') };
    fromBase64url(k.salt, 'salt');
    assertScryptParams({ N: k.N, r: k.r, p: k.p });
    wrongAttempts = readInt(d, 'wrongAttempts', 'file', 0, Number.MAX_SAFE_INTEGER);
    nonce = readBytes(d, 'nonce', 'file', 24);
    ciphertext = readBytes(d, 'ciphertext', 'file', { min: 16, max: MAX_FILE_BYTES });
  } catch (e) {
    if (e instanceof KeyriteError && !e.message.startsWith('The software token file ')) throw corrupt(location, e.message.replace(/^The file /, '').replace(/\.$/, ''));
    throw e;
  }
  const header: Header = {
    format: SOFTWARE_TOKEN_FORMAT,
    v: 1,
    label: d.label as string,
    serial: d.serial as string,
    created: d.created as string,
    kdf: { alg: 'scrypt', N: k.N, r: k.r, p: k.p, salt: k.salt },
    aead: 'xchacha20poly1305',
  };
  return { header, nonce, ciphertext, wrongAttempts };
}

function encodeEntries(entries: readonly Entry[]): Uint8Array {
  const parts: Uint8Array[] = [PAYLOAD_MAGIC, Uint8Array.of(entries.length >> 8, entries.length & 255)];
  for (const e of entries) {
    const label = utf8(e.label);
    parts.push(
      Uint8Array.of(e.kind === 'signing-key' ? 1 : 2, ALG_CODE[e.alg]),
      e.id,
      Uint8Array.of(label.length),
      label,
      Uint8Array.of(e.secret.length >> 8, e.secret.length & 255),
      e.secret,
      Uint8Array.of(e.pub.length >> 8, e.pub.length & 255),
      e.pub,
    );
  }
  return concatBytes(...parts);
}

function decodeEntries(b: Uint8Array, location: string): Entry[] {
  let off = 0;
  const take = (n: number): Uint8Array => {
    if (off + n > b.length) throw corrupt(location, 'truncated object list');
    const out = b.slice(off, off + n);
    off += n;
    return out;
  };
  const u8 = () => take(1)[0]!;
  const u16 = () => {
    const t = take(2);
    return (t[0]! << 8) | t[1]!;
  };
  if (!equalBytes(take(PAYLOAD_MAGIC.length), PAYLOAD_MAGIC)) throw corrupt(location, 'unknown object list format');
  const count = u16();
  if (count > MAX_OBJECTS) throw corrupt(location, 'too many objects');
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const kindCode = u8();
    const algCode = u8();
    const alg = (Object.keys(ALG_CODE) as StoredAlg[]).find((a) => ALG_CODE[a] === algCode);
    const kind = kindCode === 1 ? 'signing-key' : kindCode === 2 ? 'seal-key' : undefined;
    if (!alg || !kind || (kind === 'seal-key') !== (alg === 'xchacha20poly1305')) throw corrupt(location, 'unknown object type');
    const id = take(20);
    const label = fromUtf8(take(u8()));
    const secret = take(u16());
    const pub = take(u16());
    if (secret.length !== SECRET_LEN[alg] || pub.length !== PUBLIC_LEN[alg]) throw corrupt(location, 'object of the wrong size');
    entries.push({ kind, alg, id, label, secret, pub });
  }
  if (off !== b.length) throw corrupt(location, 'trailing bytes after the object list');
  return entries;
}

function passphraseBytes(passphrase: string): Uint8Array {
  return utf8(passphrase.normalize('NFC'));
}

/** The file key: from the session when this passphrase already opened this file, else scrypt with the file's parameters. */
async function deriveKey(pw: Uint8Array, kdf: Header['kdf'], store: SoftwareTokenStore): Promise<Uint8Array> {
  return store.session?.recall(kdf, pw) ?? (store.scrypt ?? scryptKey)(pw, fromBase64url(kdf.salt, 'salt'), kdf, 32);
}

export interface CreateSoftwareTokenOptions {
  label: string;
  passphrase: string;
  /** Defaults to DEFAULT_SCRYPT_PARAMS; tests pass cheaper ones. */
  scrypt?: ScryptParams;
  /** ISO time to record; defaults to now. */
  now?: () => Date;
}

export class SoftwareToken implements KeyriteToken {
  private file: FileContents;
  private key: Uint8Array | undefined;
  private entries: Entry[] | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: SoftwareTokenStore,
    file: FileContents,
  ) {
    this.file = file;
  }

  /** Creates a new token file (never overwriting one) and leaves the token logged in. */
  static async create(store: SoftwareTokenStore, opts: CreateSoftwareTokenOptions): Promise<SoftwareToken> {
    assertTokenLabel(opts.label);
    assertPassphrase(opts.passphrase, true);
    const params = opts.scrypt ?? DEFAULT_SCRYPT_PARAMS;
    assertScryptParams(params);
    const header: Header = {
      format: SOFTWARE_TOKEN_FORMAT,
      v: 1,
      label: opts.label,
      serial: toHex(randomBytes(8)),
      created: (opts.now ?? (() => new Date()))().toISOString(),
      kdf: { alg: 'scrypt', N: params.N, r: params.r, p: params.p, salt: toBase64url(randomBytes(16)) },
      aead: 'xchacha20poly1305',
    };
    const pw = passphraseBytes(opts.passphrase);
    try {
      const key = await deriveKey(pw, header.kdf, store);
      const token = new SoftwareToken(store, { header, nonce: new Uint8Array(24), ciphertext: new Uint8Array(16), wrongAttempts: 0 });
      token.key = key;
      token.entries = [];
      const sealed = token.encryptEntries();
      token.file = { header, ...sealed, wrongAttempts: 0 };
      await store.create(serializeFile(token.file));
      store.session?.remember(header.kdf, pw, key);
      return token;
    } finally {
      wipe(pw);
    }
  }

  /** Opens an existing token file (reads the clear header only; login decrypts). */
  static async open(store: SoftwareTokenStore): Promise<SoftwareToken> {
    return new SoftwareToken(store, parseFile(await store.read(), store.location));
  }

  get label(): string {
    return this.file.header.label;
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async describe(): Promise<TokenDescription> {
    const h = this.file.header;
    const identity = { label: h.label, manufacturer: SOFTWARE_TOKEN_MANUFACTURER, model: SOFTWARE_TOKEN_MODEL, serial: h.serial };
    return {
      ...identity,
      source: 'software',
      uri: formatTokenUri(identity),
      library: { manufacturer: 'Keyrite', description: 'Keyrite embedded software token', version: '1.0' },
      location: this.store.location,
      initialized: true,
      pin: {
        loginRequired: true,
        userPinInitialized: true,
        countLow: false,
        finalTry: false,
        locked: false,
        toBeChanged: false,
        protectedAuthPath: false,
        minLength: MIN_PASSPHRASE_LENGTH,
        maxLength: MAX_PASSPHRASE_LENGTH,
        wrongAttempts: this.file.wrongAttempts,
      },
      capabilities: { ed25519: true, p256: true, aesGcm: false, ecdh: false, random: true, seal: 'xchacha20poly1305' },
      rehearsalOnly: true,
    };
  }

  isLoggedIn(): boolean {
    return this.key !== undefined;
  }

  login(passphrase?: string): Promise<void> {
    return this.serialize(async () => {
      assertPassphrase(passphrase, false);
      if (this.key) return;
      // Re-read: another window may have changed objects or the attempt counter.
      this.file = parseFile(await this.store.read(), this.store.location);
      const pw = passphraseBytes(passphrase);
      let key: Uint8Array;
      let payload: Uint8Array | undefined;
      try {
        key = await deriveKey(pw, this.file.header.kdf, this.store);
        try {
          payload = xchachaOpen(key, this.file.nonce, this.file.ciphertext, headerAad(this.file.header));
        } catch {
          wipe(key);
        }
        if (payload !== undefined) this.store.session?.remember(this.file.header.kdf, pw, key);
      } finally {
        wipe(pw);
      }
      if (payload === undefined) {
        this.file = { ...this.file, wrongAttempts: this.file.wrongAttempts + 1 };
        await this.store.replace(serializeFile(this.file));
        const n = this.file.wrongAttempts;
        throw new KeyriteError(
          'PIN_INCORRECT',
          `Wrong passphrase for software token "${this.label}" (rehearsal only), or its file was altered. ${n} wrong attempt${n === 1 ? '' : 's'} since the last correct one. A software token cannot lock itself: anyone with a copy of the file can keep guessing, which is why it is for rehearsals only.`,
        );
      }
      try {
        this.entries = decodeEntries(payload, this.store.location);
      } finally {
        wipe(payload);
      }
      this.key = key;
      if (this.file.wrongAttempts !== 0) {
        this.file = { ...this.file, wrongAttempts: 0 };
        await this.store.replace(serializeFile(this.file));
      }
    });
  }

  logout(): Promise<void> {
    return this.serialize(async () => {
      this.forget();
    });
  }

  private forget(): void {
    wipe(this.key);
    for (const e of this.entries ?? []) wipe(e.secret);
    this.key = undefined;
    this.entries = undefined;
  }

  close(): Promise<void> {
    return this.logout();
  }

  private loggedIn(): { key: Uint8Array; entries: Entry[] } {
    if (!this.key || !this.entries) throw new KeyriteError('TOKEN_ERROR', `Log in to software token "${this.label}" first (enter its passphrase).`);
    return { key: this.key, entries: this.entries };
  }

  private encryptEntries(): { nonce: Uint8Array; ciphertext: Uint8Array } {
    const { key, entries } = this.loggedIn();
    const payload = encodeEntries(entries);
    try {
      const nonce = randomBytes(24);
      return { nonce, ciphertext: xchachaSeal(key, nonce, payload, headerAad(this.file.header)) };
    } finally {
      wipe(payload);
    }
  }

  /** Adds an entry and writes the file; on a write failure the entry is dropped again. */
  private async persistWith(entry: Entry): Promise<void> {
    const { entries } = this.loggedIn();
    entries.push(entry);
    try {
      const sealed = this.encryptEntries();
      const next = { ...this.file, ...sealed };
      await this.store.replace(serializeFile(next));
      this.file = next;
    } catch (e) {
      entries.pop();
      wipe(entry.secret);
      throw e;
    }
  }

  private assertFreeLabel(label: string): void {
    assertObjectLabel(label);
    if (this.loggedIn().entries.some((e) => e.label === label)) throw objectExistsError(label, this.label);
  }

  private ref(e: Entry): KeyRef {
    return { kind: e.kind, label: e.label, id: objectIdHex(e.id), alg: e.alg };
  }

  private find(ref: KeyRef, kind: Entry['kind']): Entry {
    const id = parseObjectIdHex(typeof ref?.id === 'string' ? ref.id : '');
    const e = this.loggedIn().entries.find((x) => equalBytes(x.id, id));
    if (!e || e.label !== ref.label || e.kind !== kind) {
      throw new KeyriteError('TOKEN_ERROR', `Software token "${this.label}" holds no Keyrite ${kind === 'signing-key' ? 'signing' : 'sealing'} key "${String(ref?.label)}" with that id.`);
    }
    return e;
  }

  randomBytes(n: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(n) || n < 1 || n > 1024) return Promise.reject(new KeyriteError('INVALID_INPUT', 'Ask a token for 1 to 1024 random bytes at a time.'));
    return Promise.resolve(randomBytes(n));
  }

  private signWith(e: Entry, msg: Uint8Array): Uint8Array {
    const alg = e.alg as SigningAlg;
    const sig = alg === 'Ed25519' ? ed25519Sign(e.secret, msg) : p256Sign(e.secret, msg);
    assertTokenSignature(alg, e.pub, msg, sig, this.label, e.label);
    return sig;
  }

  private async addSigningKey(label: string, alg: SigningAlg, secret: Uint8Array): Promise<KeyRef> {
    let pub: Uint8Array;
    try {
      pub = alg === 'Ed25519' ? ed25519PublicKey(secret) : p256PublicKey(secret);
    } catch (e) {
      wipe(secret);
      throw e;
    }
    const entry: Entry = { kind: 'signing-key', alg, id: newObjectId('signing-key', randomBytes(15)), label, secret, pub };
    try {
      const msg = pairwiseTestMessage();
      const sig = alg === 'Ed25519' ? ed25519Sign(secret, msg) : p256Sign(secret, msg);
      assertPairwiseSignature(alg, pub, msg, sig, this.label, label);
    } catch (e) {
      wipe(secret);
      throw e;
    }
    await this.persistWith(entry);
    return this.ref(entry);
  }

  generateSigningKey(label: string, alg: SigningAlg): Promise<KeyRef> {
    return this.serialize(async () => {
      if (alg !== 'Ed25519' && alg !== 'ES256') throw new KeyriteError('INVALID_INPUT', `Unknown signing algorithm ${JSON.stringify(String(alg))}; use Ed25519 or ES256.`);
      this.assertFreeLabel(label);
      const secret = alg === 'Ed25519' ? randomBytes(32) : p256RandomSecretKey();
      return this.addSigningKey(label, alg, secret);
    });
  }

  importEd25519PrivateKey(label: string, seed: Uint8Array): Promise<KeyRef> {
    return this.serialize(async () => {
      if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new KeyriteError('INVALID_KEY', 'An Ed25519 private key (seed) must be 32 bytes.');
      this.assertFreeLabel(label);
      return this.addSigningKey(label, 'Ed25519', seed.slice());
    });
  }

  getPublicKey(ref: KeyRef): Promise<Uint8Array> {
    return this.serialize(async () => this.find(ref, 'signing-key').pub.slice());
  }

  sign(ref: KeyRef, msg: Uint8Array): Promise<Uint8Array> {
    return this.serialize(async () => {
      if (!(msg instanceof Uint8Array)) throw new KeyriteError('INVALID_INPUT', 'The message to sign must be a byte array.');
      return this.signWith(this.find(ref, 'signing-key'), msg);
    });
  }

  listObjects(): Promise<KeyRef[]> {
    return this.serialize(async () =>
      this.loggedIn()
        .entries.map((e) => this.ref(e))
        .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)),
    );
  }

  findObject(label: string): Promise<KeyRef | undefined> {
    return this.serialize(async () => {
      assertObjectLabel(label);
      const e = this.loggedIn().entries.find((x) => x.label === label);
      return e ? this.ref(e) : undefined;
    });
  }

  createSealKey(label: string, scheme?: SealScheme): Promise<KeyRef> {
    return this.serialize(async () => {
      if (scheme !== undefined && scheme !== 'xchacha20poly1305') {
        throw new KeyriteError('MECHANISM_UNSUPPORTED', `The software token seals with XChaCha20-Poly1305 only, not ${scheme}.`);
      }
      this.assertFreeLabel(label);
      const entry: Entry = { kind: 'seal-key', alg: 'xchacha20poly1305', id: newObjectId('seal-key', randomBytes(15)), label, secret: randomBytes(32), pub: new Uint8Array(0) };
      await this.persistWith(entry);
      return this.ref(entry);
    });
  }

  seal(ref: KeyRef, plaintext: Uint8Array, aad: Uint8Array): Promise<SealedBox> {
    return this.serialize(async () => {
      const e = this.find(ref, 'seal-key');
      return xchachaSealBox(e.secret, objectIdHex(e.id), 'xchacha20poly1305', plaintext, aad);
    });
  }

  unseal(ref: KeyRef, box: SealedBox, aad: Uint8Array): Promise<Uint8Array> {
    return this.serialize(async () => {
      const e = this.find(ref, 'seal-key');
      const decoded = decodeSealedBox(ref, box);
      return openXChaCha(e.secret, objectIdHex(e.id), 'xchacha20poly1305', decoded, aad);
    });
  }

  destroyObject(ref: KeyRef): Promise<void> {
    return this.serialize(async () => {
      const { entries } = this.loggedIn();
      const target = this.find(ref, ref?.kind === 'seal-key' ? 'seal-key' : 'signing-key');
      const index = entries.indexOf(target);
      entries.splice(index, 1);
      try {
        const sealed = this.encryptEntries();
        const next = { ...this.file, ...sealed };
        await this.store.replace(serializeFile(next));
        this.file = next;
      } catch (e) {
        entries.splice(index, 0, target);
        throw e;
      }
      wipe(target.secret);
    });
  }
}
