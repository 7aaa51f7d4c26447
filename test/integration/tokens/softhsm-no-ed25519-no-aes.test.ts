// A SoftHSM whose mechanisms are cut down (slots.mechanisms whitelist) to what a token
// without Ed25519 and without AES offers: EC key generation, ECDSA and ECDH. Keyrite must
// say which mechanism is missing, fall back to ES256 for signing and to ECDH for sealing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSoftHsm, softHsmAvailable, type SoftHsmHarness } from '../../helpers/softhsm.ts';
import { Pkcs11Module, type Pkcs11Token } from '../../../core/node/pkcs11/index.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { p256Verify } from '../../../core/crypto/p256.ts';
import { randomBytes } from '../../../core/crypto/random.ts';

if (!softHsmAvailable()) throw new Error('SoftHSM2 is required for the token integration tests');

const harness: SoftHsmHarness = createSoftHsm(['plain-ec'], { mechanisms: 'CKM_EC_KEY_PAIR_GEN,CKM_ECDSA,CKM_ECDH1_DERIVE' });
let module: Pkcs11Module;
let token: Pkcs11Token;

before(async () => {
  module = await Pkcs11Module.open(harness.module);
  token = await module.openToken('pkcs11:token=plain-ec');
  await token.login(harness.tokens[0]!.pin);
});
after(async () => {
  await module?.close();
  harness.cleanup();
});

test('capabilities show no Ed25519 and no AES; sealing defaults to ECDH', async () => {
  const d = await token.describe();
  assert.deepEqual(
    { ed25519: d.capabilities.ed25519, p256: d.capabilities.p256, aesGcm: d.capabilities.aesGcm, ecdh: d.capabilities.ecdh, seal: d.capabilities.seal },
    { ed25519: false, p256: true, aesGcm: false, ecdh: true, seal: 'ecdh-p256' },
  );
});

test('Ed25519 generation and import are refused naming the missing mechanism; nothing is created', async () => {
  for (const attempt of [() => token.generateSigningKey('ed', 'Ed25519'), () => token.importEd25519PrivateKey('ed-imp', randomBytes(32))]) {
    await assert.rejects(attempt(), (e) => {
      assert.ok(isKeyriteError(e, 'MECHANISM_UNSUPPORTED'), String(e));
      assert.match(e.message, /^Token "plain-ec" cannot make or use Ed25519 keys: it lacks CKM_EC_EDWARDS_KEY_PAIR_GEN \(Ed25519 key generation\) or CKM_EDDSA \(Ed25519 signing\)\. Use ES256/);
      return true;
    });
  }
  assert.deepEqual(await token.listObjects(), []);
});

test('ES256 is the fallback: generate, sign, verify in software', async () => {
  const ref = await token.generateSigningKey('trustee-sig', 'ES256');
  const msg = new TextEncoder().encode('check-in');
  assert.ok(p256Verify(await token.getPublicKey(ref), msg, await token.sign(ref, msg)));
});

test('AES-GCM sealing is refused by name; ECDH sealing works', async () => {
  await assert.rejects(token.createSealKey('aes', 'aes-256-gcm'), (e) => isKeyriteError(e, 'MECHANISM_UNSUPPORTED') && /CKM_AES_GCM/.test(e.message));
  const ref = await token.createSealKey('trustee-seal');
  assert.equal(ref.alg, 'ecdh-p256');
  const seed = randomBytes(32);
  const aad = new TextEncoder().encode('keyring');
  const box = await token.seal(ref, seed, aad);
  assert.equal(box.scheme, 'ecdh-p256');
  assert.deepEqual(await token.unseal(ref, box, aad), seed);
});
