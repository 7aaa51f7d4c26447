// KDF once per session: a token created or opened with a session is not derived again when it
// is opened again with the same passphrase; a wrong passphrase, another file or other
// parameters are derived (and refused) as without a session; the file keeps its parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyriteError, isKeyriteError } from '../../../core/errors.ts';
import { fromUtf8 } from '../../../core/bytes.ts';
import { scryptKey, type ScryptParams } from '../../../core/crypto/scrypt.ts';
import { SoftwareToken, type SoftwareTokenStore } from '../../../core/tokens/software-token.ts';
import { SoftwareTokenKeySession } from '../../../core/tokens/key-session.ts';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

/** An in-memory token file whose scrypt is the core's, counted. */
function store(session?: SoftwareTokenKeySession, shared?: { data?: Uint8Array }) {
  const file = shared ?? {};
  const counts = { derivations: 0 };
  const s: SoftwareTokenStore = {
    location: 'memory:token',
    read: async () => {
      if (!file.data) throw new KeyriteError('IO_ERROR', 'nothing stored');
      return file.data.slice();
    },
    create: async (d) => {
      if (file.data) throw new KeyriteError('OBJECT_EXISTS', 'exists');
      file.data = d.slice();
    },
    replace: async (d) => {
      file.data = d.slice();
    },
    scrypt: (pw: Uint8Array, salt: Uint8Array, params: ScryptParams, length: number) => {
      counts.derivations++;
      return scryptKey(pw, salt, params, length);
    },
    ...(session ? { session } : {}),
  };
  return { store: s, file, counts };
}

async function createThenOpen(session: SoftwareTokenKeySession | undefined, loginWith: string) {
  const first = store(session);
  const created = await SoftwareToken.create(first.store, { label: 'Rehearsal', passphrase: 'pass-phrase-1', scrypt: FAST });
  await created.generateSigningKey('k', 'Ed25519');
  await created.close();
  const again = store(session, first.file);
  const token = await SoftwareToken.open(again.store);
  let error: unknown;
  await token.login(loginWith).catch((e: unknown) => (error = e));
  return { created: first.counts.derivations, opened: again.counts.derivations, token, file: first.file, error };
}

test('without a session, creating and opening a token derive twice', async () => {
  const r = await createThenOpen(undefined, 'pass-phrase-1');
  assert.deepEqual([r.created, r.opened], [1, 1]);
});

test('with a session, opening the token just created derives nothing and sees its objects', async () => {
  const session = new SoftwareTokenKeySession();
  const r = await createThenOpen(session, 'pass-phrase-1');
  assert.deepEqual([r.created, r.opened], [1, 0]);
  assert.equal(r.token.isLoggedIn(), true);
  assert.equal((await r.token.listObjects()).length, 1);
  const kdf = (JSON.parse(fromUtf8(r.file.data!)) as { kdf: ScryptParams }).kdf;
  assert.deepEqual([kdf.N, kdf.r, kdf.p], [FAST.N, FAST.r, FAST.p], 'the file keeps the parameters it was made with');
});

test('with a session, a wrong passphrase is derived, refused and counted as before', async () => {
  const session = new SoftwareTokenKeySession();
  const r = await createThenOpen(session, 'pass-phrase-2');
  assert.equal(r.opened, 1, 'the wrong passphrase went through scrypt');
  assert.ok(isKeyriteError(r.error) && r.error.code === 'PIN_INCORRECT');
  assert.equal(r.token.isLoggedIn(), false);
  assert.equal((JSON.parse(fromUtf8(r.file.data!)) as { wrongAttempts: number }).wrongAttempts, 1);
  // The right one afterwards still needs no derivation.
  const again = store(session, r.file);
  const t = await SoftwareToken.open(again.store);
  await t.login('pass-phrase-1');
  assert.equal(again.counts.derivations, 0);
});

test('a key is found only for the same salt and parameters, and forget() empties the session', async () => {
  const session = new SoftwareTokenKeySession();
  const pw = new TextEncoder().encode('pass-phrase-1');
  const kdf = { alg: 'scrypt', ...FAST, salt: 'AAAAAAAAAAAAAAAAAAAAAA' };
  const key = await scryptKey(pw, new Uint8Array(16), FAST, 32);
  session.remember(kdf, pw, key);
  assert.deepEqual(session.recall(kdf, pw), key);
  assert.equal(session.recall({ ...kdf, salt: 'AAAAAAAAAAAAAAAAAAAAAQ' }, pw), undefined);
  assert.equal(session.recall({ ...kdf, N: 2 ** 11 }, pw), undefined);
  assert.equal(session.recall(kdf, new TextEncoder().encode('pass-phrase-2')), undefined);
  const copy = session.recall(kdf, pw)!;
  copy.fill(0);
  assert.deepEqual(session.recall(kdf, pw), key, 'recall hands out copies');
  session.forget();
  assert.equal(session.recall(kdf, pw), undefined);
});
