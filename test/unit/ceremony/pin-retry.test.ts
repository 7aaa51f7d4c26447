// The wrong-PIN retry policy of the app's ceremonies (core/ceremony/pin-retry.ts,
// docs/APP-SHELL.md "Ceremony screens"): PIN_TRIES (3) tries per token and run, fewer when the
// token's flags say final try (1) or locked (0); a wrong PIN asks its holder again with the
// tries left; the ceremony stops before a token could lock itself; no PIN in any message.
// The token is a scripted fake: login() checks the PIN and the flags describe() reports change
// as a real token's would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyriteError, isKeyriteError } from '../../../core/errors.ts';
import { PIN_TRIES, pinTriesLeft, withPinRetry, wrongPinSentence, type WrongPin } from '../../../core/ceremony/pin-retry.ts';
import type { KeyriteToken, PinStatus, TokenDescription } from '../../../core/tokens/token.ts';

const OK_PIN: PinStatus = {
  loginRequired: true,
  userPinInitialized: true,
  countLow: false,
  finalTry: false,
  locked: false,
  toBeChanged: false,
  protectedAuthPath: false,
  minLength: 4,
  maxLength: 64,
};

function description(source: 'pkcs11' | 'software', pin: Partial<PinStatus> = {}): TokenDescription {
  return {
    source,
    label: 'Trustee 2 token',
    manufacturer: 'Keyrite tests',
    model: 'fake',
    serial: '0002',
    uri: 'pkcs11:token=Trustee%202%20token;serial=0002',
    library: { manufacturer: 'Keyrite tests', description: 'fake', version: '1.0' },
    location: source === 'software' ? '/tmp/trustee-2.keyrite-token' : '/usr/lib/softhsm/libsofthsm2.so',
    initialized: true,
    pin: { ...OK_PIN, ...pin },
    capabilities: { ed25519: true, p256: true, aesGcm: true, ecdh: true, random: true, seal: 'aes-256-gcm' },
    rehearsalOnly: source === 'software',
  };
}

interface FakeToken {
  token: KeyriteToken;
  /** Every PIN login() was given. */
  tried: (string | undefined)[];
  wrong: number;
}

/**
 * A token whose PIN is `right`. `flagsAfter(wrong)` is the PIN status describe() reports after
 * `wrong` wrong PINs (default: count low from the first one, as PKCS#11 tokens say).
 */
function fakeToken(right: string, opts: { source?: 'pkcs11' | 'software'; flagsAfter?: (wrong: number) => Partial<PinStatus>; loginError?: () => unknown } = {}): FakeToken {
  const state: FakeToken = { token: undefined as unknown as KeyriteToken, tried: [], wrong: 0 };
  let loggedIn = false;
  const flagsAfter = opts.flagsAfter ?? ((w) => ({ countLow: w > 0 }));
  const token = {
    async describe() {
      return description(opts.source ?? 'pkcs11', flagsAfter(state.wrong));
    },
    async login(pin?: string) {
      state.tried.push(pin);
      if (opts.loginError) throw opts.loginError();
      if (pin !== right) {
        state.wrong++;
        throw new KeyriteError('PIN_INCORRECT', 'The token refused the PIN (CKR_PIN_INCORRECT).');
      }
      loggedIn = true;
    },
    isLoggedIn() {
      return loggedIn;
    },
    async randomBytes(n: number) {
      return new Uint8Array(n);
    },
  };
  state.token = token as unknown as KeyriteToken;
  return state;
}

/** askAgain answering from `answers` in turn, recording what it was told. */
function asker(answers: string[]) {
  const told: WrongPin[] = [];
  const ask = async (w: WrongPin): Promise<string> => {
    told.push(w);
    const next = answers.shift();
    if (next === undefined) throw new Error('askAgain called more often than the test expects');
    return next;
  };
  return { told, ask };
}

// ---------------------------------------------------------------------------------------------
// pinTriesLeft

test('pinTriesLeft: 3 per token and run, one fewer per wrong PIN, never below 0', () => {
  assert.equal(PIN_TRIES, 3);
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((used) => pinTriesLeft(OK_PIN, used)), [3, 2, 1, 0, 0, 0]);
  // "count low" alone says nothing about how many are left: Keyrite's own count stands.
  assert.deepEqual([0, 1, 2, 3].map((used) => pinTriesLeft({ ...OK_PIN, countLow: true }, used)), [3, 2, 1, 0]);
});

test('pinTriesLeft: final try is at most 1, locked is 0, whatever Keyrite counted', () => {
  assert.deepEqual([0, 1, 2, 3].map((used) => pinTriesLeft({ ...OK_PIN, finalTry: true }, used)), [1, 1, 1, 0]);
  assert.deepEqual([0, 1, 2, 3].map((used) => pinTriesLeft({ ...OK_PIN, locked: true }, used)), [0, 0, 0, 0]);
  assert.equal(pinTriesLeft({ ...OK_PIN, locked: true, finalTry: true }, 0), 0);
});

test('pinTriesLeft (property): within 0..3, never more than the flags allow, never rising with more wrong PINs', () => {
  const flags = fc.record({ countLow: fc.boolean(), finalTry: fc.boolean(), locked: fc.boolean(), toBeChanged: fc.boolean(), protectedAuthPath: fc.boolean() });
  fc.assert(
    fc.property(flags, fc.nat({ max: 1000 }), (f, used) => {
      const pin = { ...OK_PIN, ...f };
      const left = pinTriesLeft(pin, used);
      assert.ok(Number.isInteger(left) && left >= 0 && left <= PIN_TRIES);
      assert.ok(left <= PIN_TRIES - Math.min(used, PIN_TRIES));
      if (f.locked) assert.equal(left, 0);
      if (f.finalTry) assert.ok(left <= 1);
      assert.ok(pinTriesLeft(pin, used + 1) <= left);
    }),
    { numRuns: 500 },
  );
});

// ---------------------------------------------------------------------------------------------
// wrongPinSentence

test('wrongPinSentence: tries left in words, PIN or passphrase, and what the token reports', () => {
  assert.equal(
    wrongPinSentence(description('pkcs11', { countLow: true }), 2),
    'Wrong PIN — 2 tries left. Check the PIN with its holder and type it again; nothing was changed on the token. The token reports: token reports few PIN tries left.',
  );
  assert.match(wrongPinSentence(description('pkcs11', { finalTry: true }), 1), /^Wrong PIN — 1 try left\. .*The token reports: one PIN try left\.$/);
  assert.match(wrongPinSentence(description('pkcs11', { locked: true }), 0), /^Wrong PIN — 0 tries left\. .*The token reports: PIN locked\.$/);
  assert.match(wrongPinSentence(description('software', { wrongAttempts: 1 }), 2), /^Wrong passphrase — 2 tries left\. Check the passphrase .*1 wrong passphrase attempt recorded\.$/);
  assert.doesNotMatch(wrongPinSentence(description('software'), 2), /\bPIN\b(?! ok)/);
});

// ---------------------------------------------------------------------------------------------
// withPinRetry

test('the right PIN first: one login, nobody is asked again', async () => {
  const t = fakeToken('123456');
  const a = asker([]);
  await withPinRetry(t.token, a.ask).login('123456');
  assert.deepEqual(t.tried, ['123456']);
  assert.deepEqual(a.told, []);
  assert.equal(t.token.isLoggedIn(), true);
});

test('a wrong PIN asks again with 2 tries left, then the right one logs in', async () => {
  const t = fakeToken('123456');
  const a = asker(['123456']);
  await withPinRetry(t.token, a.ask).login('111111');
  assert.deepEqual(t.tried, ['111111', '123456']);
  assert.equal(a.told.length, 1);
  assert.equal(a.told[0]!.triesLeft, 2);
  assert.match(a.told[0]!.sentence, /^Wrong PIN — 2 tries left\./);
  assert.equal(a.told[0]!.token.label, 'Trustee 2 token');
});

test('three wrong PINs: asked twice (2, then 1 try left), then the ceremony stops with a sentence, no fourth login', async () => {
  const t = fakeToken('123456');
  const a = asker(['222222', '333333']);
  await assert.rejects(withPinRetry(t.token, a.ask).login('111111'), (e) => {
    assert.ok(isKeyriteError(e, 'PIN_INCORRECT'));
    assert.equal(e.message, '3 wrong PINs for token "Trustee 2 token": Keyrite stopped the ceremony so the token does not lock itself. Find the right PIN with its holder, then start the ceremony again.');
    return true;
  });
  assert.deepEqual(t.tried, ['111111', '222222', '333333']);
  assert.deepEqual(a.told.map((w) => w.triesLeft), [2, 1]);
  assert.match(a.told[1]!.sentence, /^Wrong PIN — 1 try left\./);
});

test('"final try": a token that says the next wrong PIN locks it gets exactly one more try', async () => {
  // A token with one try of its retry counter already spent elsewhere: final try after this
  // run's first wrong PIN, locked after the second.
  const t = fakeToken('123456', { flagsAfter: (w) => ({ countLow: w > 0, finalTry: w === 1, locked: w >= 2 }) });
  const a = asker(['222222']);
  await assert.rejects(withPinRetry(t.token, a.ask).login('111111'), (e) => isKeyriteError(e, 'PIN_INCORRECT') && /^The PIN of token "Trustee 2 token" is locked after 2 wrong PINs\. Unlock it with/.test(e.message));
  assert.deepEqual(a.told.map((w) => w.triesLeft), [1]);
  assert.equal(a.told[0]!.token.pin.finalTry, true);
  assert.match(a.told[0]!.sentence, /^Wrong PIN — 1 try left\. .*The token reports: one PIN try left\.$/);
  assert.deepEqual(t.tried, ['111111', '222222']);
});

test('"final try" reported again after a wrong PIN: still one try at a time, and Keyrite\'s own count of 3 ends the run', async () => {
  const t = fakeToken('123456', { flagsAfter: (w) => ({ finalTry: w > 0 }) });
  const a = asker(['222222', '333333']);
  await assert.rejects(withPinRetry(t.token, a.ask).login('111111'), (e) => isKeyriteError(e, 'PIN_INCORRECT') && /^3 wrong PINs/.test(e.message));
  assert.deepEqual(a.told.map((w) => w.triesLeft), [1, 1]);
  assert.equal(t.tried.length, PIN_TRIES);
});

test('"final try" and then the right PIN logs in', async () => {
  const t = fakeToken('123456', { flagsAfter: (w) => ({ finalTry: w > 0 }) });
  const a = asker(['123456']);
  await withPinRetry(t.token, a.ask).login('111111');
  assert.deepEqual(a.told.map((w) => w.triesLeft), [1]);
  assert.equal(t.token.isLoggedIn(), true);
});

test('"locked": a token that locks at a wrong PIN stops the ceremony at once, nobody is asked again', async () => {
  const t = fakeToken('123456', { flagsAfter: (w) => ({ locked: w > 0 }) });
  const a = asker([]);
  await assert.rejects(withPinRetry(t.token, a.ask).login('111111'), (e) => isKeyriteError(e, 'PIN_INCORRECT') && e.message.startsWith('The PIN of token "Trustee 2 token" is locked after 1 wrong PIN. '));
  assert.deepEqual(a.told, []);
  assert.deepEqual(t.tried, ['111111']);
});

test('the budget is per token and run: a second login on the same wrapper continues the count, a new wrapper starts again', async () => {
  const t = fakeToken('123456');
  const a = asker(['123456', '123456']);
  const wrapped = withPinRetry(t.token, a.ask);
  await wrapped.login('111111');
  await wrapped.login('222222');
  assert.deepEqual(a.told.map((w) => w.triesLeft), [2, 1]);
  const b = asker(['123456']);
  await withPinRetry(t.token, b.ask).login('333333');
  assert.deepEqual(b.told.map((w) => w.triesLeft), [2]);
});

test('errors other than a wrong PIN pass through unchanged, nobody is asked again', async () => {
  const locked = new KeyriteError('PIN_LOCKED', 'The token is locked (CKR_PIN_LOCKED).');
  const removed = new KeyriteError('TOKEN_ERROR', 'The token was removed.');
  const plain = new TypeError('not a Keyrite error');
  for (const error of [locked, removed, plain]) {
    const t = fakeToken('123456', { loginError: () => error });
    const a = asker([]);
    await assert.rejects(withPinRetry(t.token, a.ask).login('123456'), (e) => e === error);
    assert.deepEqual(a.told, []);
    assert.equal(t.tried.length, 1);
  }
});

test('askAgain failing (the holder cancels) ends the login with its error', async () => {
  const t = fakeToken('123456');
  const cancelled = new KeyriteError('USAGE', 'The ceremony was stopped.');
  await assert.rejects(
    withPinRetry(t.token, async () => {
      throw cancelled;
    }).login('111111'),
    (e) => e === cancelled,
  );
  assert.deepEqual(t.tried, ['111111']);
});

test('a protected authentication path (no PIN typed) is passed through as is', async () => {
  const t = fakeToken('123456');
  const a = asker(['123456']);
  await withPinRetry(t.token, a.ask).login();
  assert.deepEqual(t.tried, [undefined, '123456']);
});

test('every other method is the token\'s own, called on the token', async () => {
  const t = fakeToken('123456');
  const wrapped = withPinRetry(t.token, asker([]).ask);
  assert.equal(wrapped.isLoggedIn(), false);
  assert.deepEqual(await wrapped.randomBytes(4), new Uint8Array(4));
  assert.equal((await wrapped.describe()).label, 'Trustee 2 token');
  assert.notEqual(wrapped.login, t.token.login);
});

test('no PIN or passphrase ever appears in what the holder is told or in the error that stops the ceremony (property)', async () => {
  // PINs and passphrases of at least 6 characters (shorter ones can be words of the sentences).
  const secret = fc.oneof(fc.stringMatching(/^[0-9]{6,16}$/), fc.string({ minLength: 8, maxLength: 64 }).filter((s) => s.trim().length >= 8));
  await fc.assert(
    fc.asyncProperty(
      fc.array(secret, { minLength: 3, maxLength: 3 }),
      secret,
      fc.constantFrom('pkcs11' as const, 'software' as const),
      fc.constantFrom<(w: number) => Partial<PinStatus>>((w) => ({ countLow: w > 0 }), (w) => ({ finalTry: w > 0 }), (w) => ({ locked: w > 1 }), (w) => ({ wrongAttempts: w })),
      async (wrongs, right, source, flagsAfter) => {
        fc.pre(!wrongs.includes(right));
        const t = fakeToken(right, { source, flagsAfter });
        const a = asker(wrongs.slice(1));
        let error: unknown;
        await withPinRetry(t.token, a.ask)
          .login(wrongs[0])
          .catch((e: unknown) => (error = e));
        assert.ok(isKeyriteError(error, 'PIN_INCORRECT'), 'three wrong PINs always end the run');
        const said = [JSON.stringify(a.told), (error as Error).message, String(error), JSON.stringify(error)].join('\n');
        for (const pin of [...wrongs, right]) assert.ok(!said.includes(pin), `the PIN ${JSON.stringify(pin)} appears in: ${said}`);
      },
    ),
    { numRuns: 300 },
  );
});
