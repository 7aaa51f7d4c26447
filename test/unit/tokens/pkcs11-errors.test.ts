// PKCS#11 error mapping. SoftHSM never locks a PIN and never sets FINAL_TRY, so the locked and
// last-try cases are tested here, at the mapping level, with errors shaped like pkcs11js's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { KeyriteError } from '../../../core/errors.ts';
import { CKA, CKF_TOKEN, CKK, CKM, CKO, CKR, PKCS11JS_PARAMS, ckrName, mechanismName } from '../../../core/node/pkcs11/constants.ts';
import { mapPkcs11Error, pkcs11ErrorCode, triesLeftSentence } from '../../../core/node/pkcs11/errors.ts';
import { capabilitiesFrom, pinStatusFrom } from '../../../core/node/pkcs11/module.ts';
import { decodeEcPoint } from '../../../core/node/pkcs11/token.ts';

const pkcs11js = createRequire(import.meta.url)('pkcs11js') as Record<string, unknown> & { Pkcs11Error: new (message: string, code: number, method: string) => Error };

/** A pkcs11js-shaped error, as the native binding raises it. */
function ckr(code: number): Error {
  return new pkcs11js.Pkcs11Error(ckrName(code), code, 'C_Test');
}

test('constants agree with pkcs11js where it exports them', () => {
  for (const [group, table] of [
    ['CKR', CKR],
    ['CKA', CKA],
    ['CKO', CKO],
    ['CKK', CKK],
    ['CKM', CKM],
  ] as const) {
    for (const [name, value] of Object.entries(table)) {
      const theirs = pkcs11js[`${group}_${name}`];
      if (theirs !== undefined) assert.equal(value, theirs, `${group}_${name}`);
    }
  }
  for (const [name, value] of Object.entries(CKF_TOKEN)) {
    const theirs = pkcs11js[`CKF_${name}`];
    if (theirs !== undefined) assert.equal(value, theirs, `CKF_${name}`);
  }
  assert.equal(PKCS11JS_PARAMS.EC_DH, pkcs11js.CK_PARAMS_EC_DH);
  assert.equal(PKCS11JS_PARAMS.AES_GCM_v240, pkcs11js.CK_PARAMS_AES_GCM_v240);
  // The PKCS#11 3.0 Edwards values pkcs11js 2.1.7 lacks.
  assert.equal(CKK.EC_EDWARDS, 0x40);
  assert.equal(CKM.EC_EDWARDS_KEY_PAIR_GEN, 0x1055);
  assert.equal(CKM.EDDSA, 0x1057);
});

test('recognises pkcs11js errors and nothing else', () => {
  assert.equal(pkcs11ErrorCode(ckr(CKR.PIN_INCORRECT)), CKR.PIN_INCORRECT);
  assert.equal(pkcs11ErrorCode(new Error('CKR_PIN_LOCKED')), undefined, 'no numeric code');
  assert.equal(pkcs11ErrorCode('CKR_PIN_LOCKED'), undefined);
  assert.equal(pkcs11ErrorCode(Object.assign(new Error('EACCES'), { code: 13 })), undefined);
});

test('wrong PIN: the message says what the token flags say, no more', () => {
  const ctx = { token: 'Trustee 2', operation: 'logging in' };
  const plain = mapPkcs11Error(ckr(CKR.PIN_INCORRECT), { ...ctx, tokenFlags: CKF_TOKEN.LOGIN_REQUIRED });
  assert.equal(plain.code, 'PIN_INCORRECT');
  assert.equal(plain.message, 'Wrong PIN for token "Trustee 2". The token does not report how many tries are left.');
  const low = mapPkcs11Error(ckr(CKR.PIN_INCORRECT), { ...ctx, tokenFlags: CKF_TOKEN.USER_PIN_COUNT_LOW });
  assert.match(low.message, /^Wrong PIN for token "Trustee 2"\. The token reports few tries left \(it does not say how many\)/);
  const last = mapPkcs11Error(ckr(CKR.PIN_INCORRECT), { ...ctx, tokenFlags: CKF_TOKEN.USER_PIN_COUNT_LOW | CKF_TOKEN.USER_PIN_FINAL_TRY });
  assert.equal(last.message, 'Wrong PIN for token "Trustee 2". One try left: the next wrong PIN locks the token.');
  const unknown = mapPkcs11Error(ckr(CKR.PIN_INCORRECT), ctx);
  assert.match(unknown.message, /did not say how many tries are left/);
  // The wrong PIN that used the last try: the flags now say locked.
  const nowLocked = mapPkcs11Error(ckr(CKR.PIN_INCORRECT), { ...ctx, tokenFlags: CKF_TOKEN.USER_PIN_LOCKED });
  assert.equal(nowLocked.code, 'PIN_LOCKED');
  assert.equal(triesLeftSentence(0), 'The token does not report how many tries are left.');
});

test('locked PIN: says so and what to do', () => {
  const e = mapPkcs11Error(ckr(CKR.PIN_LOCKED), { token: 'Trustee 2', operation: 'logging in' });
  assert.equal(e.code, 'PIN_LOCKED');
  assert.match(e.message, /^The user PIN of token "Trustee 2" is locked after too many wrong PINs\./);
  assert.match(e.message, /security officer must reset the user PIN with the SO PIN/);
  assert.match(e.message, /re-initialised, which erases its keys/);
});

test('PIN length, expiry, removal, mechanisms and the rest map to clear errors', () => {
  const ctx = { token: 'T', operation: 'signing with key "k"' };
  const cases: Array<[number, string, RegExp]> = [
    [CKR.PIN_LEN_RANGE, 'PIN_INCORRECT', /length or characters the token does not accept \(it accepts 4 to 8 characters\)/],
    [CKR.PIN_INVALID, 'PIN_INCORRECT', /does not accept/],
    [CKR.PIN_EXPIRED, 'TOKEN_ERROR', /has expired/],
    [CKR.TOKEN_NOT_PRESENT, 'TOKEN_REMOVED', /^Token "T" was removed, or its session ended, while signing with key "k" \(CKR_TOKEN_NOT_PRESENT\)\. Plug it in again/],
    [CKR.DEVICE_REMOVED, 'TOKEN_REMOVED', /CKR_DEVICE_REMOVED/],
    [CKR.SESSION_HANDLE_INVALID, 'TOKEN_REMOVED', /CKR_SESSION_HANDLE_INVALID/],
    [CKR.SESSION_CLOSED, 'TOKEN_REMOVED', /session ended/],
    [CKR.MECHANISM_INVALID, 'MECHANISM_UNSUPPORTED', /^Token "T" does not support CKM_EDDSA \(Ed25519 signing\) \(CKR_MECHANISM_INVALID\)/],
    [CKR.CURVE_NOT_SUPPORTED, 'MECHANISM_UNSUPPORTED', /CKR_CURVE_NOT_SUPPORTED/],
    [CKR.USER_NOT_LOGGED_IN, 'TOKEN_ERROR', /Log in to token "T" first/],
    [CKR.DEVICE_MEMORY, 'TOKEN_ERROR', /is full/],
    [CKR.TOKEN_WRITE_PROTECTED, 'TOKEN_ERROR', /write-protected/],
    [CKR.TEMPLATE_INCONSISTENT, 'UNSUPPORTED', /refused the key template/],
    [CKR.KEY_HANDLE_INVALID, 'TOKEN_ERROR', /no longer on token/],
    [CKR.FUNCTION_CANCELED, 'TOKEN_ERROR', /^Signing with key "k" on token "T" was cancelled/],
    [CKR.DEVICE_ERROR, 'TOKEN_ERROR', /device failure \(CKR_DEVICE_ERROR\)/],
    [0x12345, 'TOKEN_ERROR', /reported CKR 0x12345/],
  ];
  for (const [code, want, pattern] of cases) {
    const e = mapPkcs11Error(ckr(code), { ...ctx, mechanism: mechanismName(CKM.EDDSA), pinLength: { min: 4, max: 8 } });
    assert.equal(e.code, want, ckrName(code));
    assert.match(e.message, pattern, ckrName(code));
    assert.ok(e.cause, 'the native error is kept as the cause');
  }
  const k = new KeyriteError('INVALID_INPUT', 'x');
  assert.equal(mapPkcs11Error(k, ctx), k, 'KeyriteErrors pass through');
  assert.match(mapPkcs11Error(new Error('dlopen failed\nstack'), ctx).message, /^Token "T" failed while signing with key "k": dlopen failed\.$/);
});

test('capabilities and PIN state come from the mechanism list and flags', () => {
  const all = [CKM.EC_KEY_PAIR_GEN, CKM.ECDSA, CKM.EC_EDWARDS_KEY_PAIR_GEN, CKM.EDDSA, CKM.AES_KEY_GEN, CKM.AES_GCM, CKM.ECDH1_DERIVE];
  assert.deepEqual(capabilitiesFrom(all, CKF_TOKEN.RNG), { ed25519: true, p256: true, aesGcm: true, ecdh: true, random: true, seal: 'aes-256-gcm' });
  assert.deepEqual(capabilitiesFrom([CKM.EC_KEY_PAIR_GEN, CKM.ECDSA_SHA256, CKM.ECDH1_DERIVE], 0), { ed25519: false, p256: true, aesGcm: false, ecdh: true, random: false, seal: 'ecdh-p256' });
  assert.equal(capabilitiesFrom([CKM.EDDSA], 0).ed25519, false, 'signing without key generation is not enough');
  assert.equal(capabilitiesFrom([], 0).seal, null);
  const pin = pinStatusFrom({ flags: CKF_TOKEN.LOGIN_REQUIRED | CKF_TOKEN.USER_PIN_INITIALIZED | CKF_TOKEN.USER_PIN_FINAL_TRY | CKF_TOKEN.PROTECTED_AUTHENTICATION_PATH, minPinLen: 6, maxPinLen: 8 });
  assert.deepEqual(pin, { loginRequired: true, userPinInitialized: true, countLow: false, finalTry: true, locked: false, toBeChanged: false, protectedAuthPath: true, minLength: 6, maxLength: 8 });
});

test('EC points: DER OCTET STRING or raw, anything else refused', () => {
  const ed = new Uint8Array(32).fill(7);
  assert.deepEqual(decodeEcPoint(Uint8Array.of(0x04, 0x20, ...ed), 'Ed25519'), ed);
  assert.deepEqual(decodeEcPoint(ed, 'Ed25519'), ed);
  const p = Uint8Array.of(0x04, ...new Uint8Array(64).fill(1));
  assert.deepEqual(decodeEcPoint(Uint8Array.of(0x04, 0x41, ...p), 'P-256'), p);
  assert.deepEqual(decodeEcPoint(p, 'P-256'), p);
  assert.throws(() => decodeEcPoint(new Uint8Array(33), 'P-256'), (e) => e instanceof KeyriteError && e.code === 'INVALID_KEY');
});
