// The software token's file format and its honest limits, on an in-memory store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyriteError, isKeyriteError } from '../../../core/errors.ts';
import { fromUtf8, utf8 } from '../../../core/bytes.ts';
import { DEFAULT_SCRYPT_PARAMS, SoftwareToken, assertScryptParams, type SoftwareTokenStore } from '../../../core/tokens/software-token.ts';
import { parseTokenUri, tokenMatches } from '../../../core/tokens/pkcs11-uri.ts';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

class MemoryStore implements SoftwareTokenStore {
  location = 'memory:token';
  data: Uint8Array | undefined;
  writes = 0;
  async read(): Promise<Uint8Array> {
    if (!this.data) throw new KeyriteError('IO_ERROR', 'nothing stored');
    return this.data.slice();
  }
  async create(data: Uint8Array): Promise<void> {
    if (this.data) throw new KeyriteError('OBJECT_EXISTS', 'exists');
    this.data = data.slice();
    this.writes++;
  }
  async replace(data: Uint8Array): Promise<void> {
    this.data = data.slice();
    this.writes++;
  }
  json(): Record<string, unknown> {
    return JSON.parse(fromUtf8(this.data!)) as Record<string, unknown>;
  }
  edit(fn: (doc: Record<string, unknown>) => void): void {
    const doc = this.json();
    fn(doc);
    this.data = utf8(JSON.stringify(doc));
  }
}

async function fresh(passphrase = 'pass-phrase-1'): Promise<{ store: MemoryStore; token: SoftwareToken }> {
  const store = new MemoryStore();
  const token = await SoftwareToken.create(store, { label: 'Rehearsal', passphrase, scrypt: FAST, now: () => new Date('2025-01-02T03:04:05Z') });
  return { store, token };
}

test('the file holds a clear header with the scrypt parameters and salt, and nothing secret', async () => {
  const { store, token } = await fresh();
  assert.equal(token.isLoggedIn(), true, 'create leaves the token logged in');
  await token.generateSigningKey('k', 'Ed25519');
  const doc = store.json();
  assert.equal(doc.format, 'keyrite-software-token');
  assert.equal(doc.v, 1);
  assert.equal(doc.label, 'Rehearsal');
  assert.match(doc.serial as string, /^[0-9a-f]{16}$/);
  assert.equal(doc.created, '2025-01-02T03:04:05.000Z');
  assert.deepEqual(Object.keys(doc.kdf as object), ['alg', 'N', 'r', 'p', 'salt']);
  assert.equal((doc.kdf as { N: number }).N, FAST.N);
  assert.equal(doc.aead, 'xchacha20poly1305');
  assert.equal(doc.wrongAttempts, 0);
  const text = fromUtf8(store.data!);
  assert.ok(!text.includes('pass-phrase-1'));
  assert.ok(!text.includes('"k"'), 'object labels are inside the ciphertext');
  const d = await token.describe();
  assert.equal(d.model, 'Keyrite software token');
  assert.equal(d.rehearsalOnly, true);
  assert.equal(d.source, 'software');
  assert.ok(tokenMatches(parseTokenUri(d.uri), d));
});

test('default scrypt parameters are N=2^15, r=8, p=1 and stay within the accepted range', () => {
  assert.deepEqual({ ...DEFAULT_SCRYPT_PARAMS }, { N: 32768, r: 8, p: 1 });
  assertScryptParams(DEFAULT_SCRYPT_PARAMS);
  for (const bad of [{ N: 1000, r: 8, p: 1 }, { N: 2 ** 9, r: 8, p: 1 }, { N: 2 ** 23, r: 8, p: 1 }, { N: 2 ** 20, r: 16, p: 1 }, { N: 2 ** 15, r: 0, p: 1 }, { N: 2 ** 15, r: 8, p: 17 }]) {
    assert.throws(() => assertScryptParams(bad), (e) => isKeyriteError(e, 'INVALID_INPUT'), JSON.stringify(bad));
  }
});

test('a token made with the default parameters opens with them (one real-cost derivation each way)', async () => {
  const store = new MemoryStore();
  const t = await SoftwareToken.create(store, { label: 'Default cost', passphrase: 'pass-phrase-2' });
  await t.close();
  assert.equal((store.json().kdf as { N: number }).N, 2 ** 15);
  const again = await SoftwareToken.open(store);
  await again.login('pass-phrase-2');
  assert.equal(again.isLoggedIn(), true);
});

test('wrong passphrases are counted in the file and reported; a good login resets the count', async () => {
  const { store, token } = await fresh();
  await token.close();
  const t = await SoftwareToken.open(store);
  for (let i = 1; i <= 3; i++) {
    await assert.rejects(t.login(`nope-${i}`), (e) => {
      assert.ok(isKeyriteError(e, 'PIN_INCORRECT'));
      assert.match(e.message, new RegExp(`${i} wrong attempts? since the last correct one`));
      assert.match(e.message, /cannot lock itself/);
      assert.ok(!e.message.includes(`nope-${i}`));
      return true;
    });
    assert.equal(store.json().wrongAttempts, i);
  }
  assert.equal((await t.describe()).pin.wrongAttempts, 3);
  assert.equal((await t.describe()).pin.locked, false, 'a file cannot lock');
  await t.login('pass-phrase-1');
  assert.equal(store.json().wrongAttempts, 0);
});

test('a changed header (label, serial or KDF parameters) makes the file unopenable', async () => {
  for (const edit of [
    (d: Record<string, unknown>) => (d.label = 'Other'),
    (d: Record<string, unknown>) => (d.serial = '0000000000000000'),
    (d: Record<string, unknown>) => (d.created = '2030-01-01T00:00:00.000Z'),
    (d: Record<string, unknown>) => ((d.kdf as { N: number }).N = 2 ** 11),
  ]) {
    const { store, token } = await fresh();
    await token.close();
    store.edit(edit);
    const t = await SoftwareToken.open(store);
    await assert.rejects(t.login('pass-phrase-1'), (e) => isKeyriteError(e, 'PIN_INCORRECT') && /or its file was altered/.test(e.message));
  }
});

test('garbage files are refused with INVALID_INPUT, not a crash', async () => {
  const bad: Array<(d: Record<string, unknown>) => void> = [
    (d) => (d.format = 'other'),
    (d) => (d.v = 2),
    (d) => (d.kdf = { alg: 'pbkdf2' }),
    (d) => ((d.kdf as { N: number }).N = 3),
    (d) => (d.nonce = 'AAAA'),
    (d) => (d.ciphertext = '!!'),
    (d) => (d.wrongAttempts = -1),
    (d) => (d.label = ''),
  ];
  for (const edit of bad) {
    const { store } = await fresh();
    store.edit(edit);
    await assert.rejects(SoftwareToken.open(store), (e) => isKeyriteError(e, 'INVALID_INPUT') && /not a valid Keyrite software token/.test(e.message));
  }
  for (const raw of ['', 'null', '[]', '{"format":"keyrite-software-token"}', '\u00ff\u00fe', '{"a":1,"a":2}']) {
    const store = new MemoryStore();
    store.data = utf8(raw);
    await assert.rejects(SoftwareToken.open(store), (e) => isKeyriteError(e, 'INVALID_INPUT'));
  }
});

test('create never overwrites an existing token', async () => {
  const { store } = await fresh();
  const before = store.data!.slice();
  await assert.rejects(SoftwareToken.create(store, { label: 'Again', passphrase: 'another-1', scrypt: FAST }), (e) => isKeyriteError(e, 'OBJECT_EXISTS'));
  assert.deepEqual(store.data, before);
});

test('labels and passphrases are checked', async () => {
  const store = new MemoryStore();
  await assert.rejects(SoftwareToken.create(store, { label: '', passphrase: 'long enough', scrypt: FAST }), (e) => isKeyriteError(e, 'INVALID_INPUT'));
  await assert.rejects(SoftwareToken.create(store, { label: 'x'.repeat(33), passphrase: 'long enough', scrypt: FAST }), (e) => isKeyriteError(e, 'INVALID_INPUT'));
  await assert.rejects(SoftwareToken.create(store, { label: 'ok', passphrase: 'abc', scrypt: FAST }), (e) => isKeyriteError(e, 'INVALID_INPUT') && /4 to 256/.test(e.message));
  assert.equal(store.data, undefined);
});

test('every mutation rewrites the file with a fresh nonce; a failed write leaves the token unchanged', async () => {
  const { store, token } = await fresh();
  const nonces = new Set([store.json().nonce]);
  await token.generateSigningKey('a', 'ES256');
  nonces.add(store.json().nonce);
  await token.createSealKey('s');
  nonces.add(store.json().nonce);
  assert.equal(nonces.size, 3);
  const failing = store.replace.bind(store);
  store.replace = async () => {
    throw new KeyriteError('IO_ERROR', 'disk full');
  };
  await assert.rejects(token.generateSigningKey('b', 'Ed25519'), (e) => isKeyriteError(e, 'IO_ERROR'));
  assert.equal(await token.findObject('b'), undefined);
  store.replace = failing;
  const a = await token.findObject('a');
  assert.ok(a);
  await token.close();
  const reopened = await SoftwareToken.open(store);
  await reopened.login('pass-phrase-1');
  assert.deepEqual((await reopened.listObjects()).map((r) => r.label), ['a', 's']);
});
