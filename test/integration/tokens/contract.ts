// The one contract every KeyriteToken keeps, run against the PKCS#11 adapter on SoftHSM
// (softhsm-contract.test.ts) and the embedded software token (software-contract.test.ts).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isKeyriteError, type ErrorCode } from '../../../core/errors.ts';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../../../core/crypto/ed25519.ts';
import { p256Verify } from '../../../core/crypto/p256.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import { parseTokenUri, tokenMatches } from '../../../core/tokens/pkcs11-uri.ts';
import { newObjectId, objectIdHex } from '../../../core/tokens/labels.ts';
import type { KeyRef, KeyriteToken, SealScheme } from '../../../core/tokens/token.ts';

export interface ContractFixture {
  token: KeyriteToken;
  /** The right PIN / passphrase. */
  pin: string;
  /** Token label as the token reports it. */
  label: string;
  rehearsalOnly: boolean;
  /** A sealing scheme this token cannot do, for the unsupported-mechanism test. */
  unsupportedSealScheme: SealScheme;
  /** What the wrong-PIN message must say besides the label. */
  wrongPinMessage: RegExp;
  /** Every object on the token, Keyrite's or not (seen independently where possible). */
  countAllObjects(): Promise<number>;
  /** Creates a non-Keyrite key with this raw CKA_LABEL; absent when the token cannot hold foreign objects. */
  createForeignObject?: (rawLabel: string) => Promise<{ idHex: string }>;
  /** Every error message the suite saw is recorded here (for secret scans). */
  messages?: string[];
  cleanup(): Promise<void>;
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, pattern?: RegExp, messages?: string[]): Promise<Error> {
  try {
    await p;
  } catch (e) {
    assert.ok(isKeyriteError(e), `expected a KeyriteError ${code}, got ${String(e)}`);
    messages?.push(e.message);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (pattern) assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

const te = new TextEncoder();

export function tokenContract(name: string, make: () => Promise<ContractFixture>): void {
  describe(`token contract: ${name}`, () => {
    let f: ContractFixture;
    let t: KeyriteToken;
    const seen = (): string[] | undefined => f.messages;

    before(async () => {
      f = await make();
      t = f.token;
    });
    after(async () => {
      await f?.token.close();
      await f?.cleanup();
    });

    test('describes itself with a URI that selects it', async () => {
      const d = await t.describe();
      assert.equal(d.label, f.label);
      assert.equal(d.rehearsalOnly, f.rehearsalOnly);
      assert.ok(d.serial.length > 0);
      assert.equal(d.capabilities.ed25519, true);
      assert.equal(d.capabilities.p256, true);
      assert.ok(d.capabilities.seal !== null);
      assert.ok(tokenMatches(parseTokenUri(d.uri), d));
      assert.ok(d.pin.loginRequired);
      assert.equal(d.pin.locked, false);
      if (f.rehearsalOnly) assert.equal(d.model, 'Keyrite software token');
    });

    test('refuses key operations before login', async () => {
      assert.equal(t.isLoggedIn(), false);
      await rejectsWith(t.generateSigningKey('before-login', 'Ed25519'), 'TOKEN_ERROR', /Log in/, seen());
      await rejectsWith(t.listObjects(), 'TOKEN_ERROR', /Log in/, seen());
    });

    test('a wrong PIN is refused with a clear message, then the right one works', async () => {
      const wrong = `wrong-${f.pin}-x`;
      const e = await rejectsWith(t.login(wrong), 'PIN_INCORRECT', f.wrongPinMessage, seen());
      assert.ok(e.message.includes(`"${f.label}"`), e.message);
      assert.ok(!e.message.includes(wrong) && !e.message.includes(f.pin), 'the message must not contain a PIN');
      assert.equal(t.isLoggedIn(), false);
      await rejectsWith(t.login(''), 'INVALID_INPUT', undefined, seen());
      await t.login(f.pin);
      assert.equal(t.isLoggedIn(), true);
    });

    test('random bytes come from the token', async () => {
      const a = await t.randomBytes(32);
      const b = await t.randomBytes(32);
      assert.equal(a.length, 32);
      assert.notDeepEqual(a, b);
      await rejectsWith(t.randomBytes(0), 'INVALID_INPUT', undefined, seen());
    });

    test('Ed25519: generate on the token, sign, verify in software', async () => {
      const ref = await t.generateSigningKey('ed-gen', 'Ed25519');
      assert.deepEqual({ kind: ref.kind, label: ref.label, alg: ref.alg }, { kind: 'signing-key', label: 'ed-gen', alg: 'Ed25519' });
      const pub = await t.getPublicKey(ref);
      assert.equal(pub.length, 32);
      const msg = te.encode('keyrite contract message');
      const sig = await t.sign(ref, msg);
      assert.equal(sig.length, 64);
      assert.ok(ed25519Verify(pub, msg, sig));
      assert.ok(!ed25519Verify(pub, te.encode('other'), sig));
    });

    test('ES256: generate on the token, sign, verify in software', async () => {
      const ref = await t.generateSigningKey('es-gen', 'ES256');
      const pub = await t.getPublicKey(ref);
      assert.equal(pub.length, 65);
      assert.equal(pub[0], 4);
      const msg = te.encode('keyrite contract message');
      const sig = await t.sign(ref, msg);
      assert.equal(sig.length, 64);
      assert.ok(p256Verify(pub, msg, sig));
      assert.ok(!p256Verify(pub, te.encode('other'), sig));
    });

    test('Ed25519 import: the token key is exactly the imported seed', async () => {
      const seed = randomBytes(32);
      const ref = await t.importEd25519PrivateKey('ed-imp', seed);
      assert.deepEqual(await t.getPublicKey(ref), ed25519PublicKey(seed));
      const msg = te.encode('imported key message');
      // Ed25519 is deterministic: the token's signature equals a software one.
      assert.deepEqual(await t.sign(ref, msg), ed25519Sign(seed, msg));
      await rejectsWith(t.importEd25519PrivateKey('ed-imp-short', new Uint8Array(31)), 'INVALID_KEY', undefined, seen());
    });

    test('seal and unseal with a token-resident key; altered data or context is refused', async () => {
      const ref = await t.createSealKey('seal-default');
      assert.equal(ref.kind, 'seal-key');
      assert.equal(ref.alg, (await t.describe()).capabilities.seal);
      const secret = randomBytes(48);
      const aad = te.encode('trustee-3 keyring v1');
      const box = await t.seal(ref, secret, aad);
      assert.equal(box.keyId, ref.id);
      assert.deepEqual(await t.unseal(ref, box, aad), secret);
      // Two seals of the same data differ (fresh nonce).
      assert.notEqual((await t.seal(ref, secret, aad)).ct, box.ct);
      await rejectsWith(t.unseal(ref, box, te.encode('trustee-4 keyring v1')), 'DECRYPTION_FAILED', undefined, seen());
      const flipped = box.ct.startsWith('A') ? 'B' + box.ct.slice(1) : 'A' + box.ct.slice(1);
      await rejectsWith(t.unseal(ref, { ...box, ct: flipped }, aad), 'DECRYPTION_FAILED', undefined, seen());
      const other = await t.createSealKey('seal-other');
      await rejectsWith(t.unseal(other, box, aad), 'DECRYPTION_FAILED', /another key/, seen());
      assert.deepEqual(await t.unseal(ref, box, aad), secret);
    });

    test('an unsupported mechanism is refused by name', async () => {
      const e = await rejectsWith(t.createSealKey('seal-unsupported', f.unsupportedSealScheme), 'MECHANISM_UNSUPPORTED', undefined, seen());
      assert.ok(/XChaCha20|AES|ECDH|CKM_/.test(e.message), e.message);
      assert.equal(await t.findObject('seal-unsupported'), undefined);
    });

    test('a duplicate label is refused and nothing is overwritten', async () => {
      const ref = await t.generateSigningKey('dup', 'Ed25519');
      const pub = await t.getPublicKey(ref);
      const before = await f.countAllObjects();
      for (const attempt of [
        () => t.generateSigningKey('dup', 'Ed25519'),
        () => t.generateSigningKey('dup', 'ES256'),
        () => t.importEd25519PrivateKey('dup', randomBytes(32)),
        () => t.createSealKey('dup'),
      ]) {
        await rejectsWith(attempt(), 'OBJECT_EXISTS', /"keyrite:dup"/, seen());
      }
      assert.equal(await f.countAllObjects(), before);
      assert.deepEqual(await t.getPublicKey(ref), pub);
      assert.deepEqual(await t.findObject('dup'), ref);
    });

    test('a label held by a foreign object is refused too', async (ctx) => {
      if (!f.createForeignObject) {
        ctx.diagnostic('this token holds Keyrite objects only');
        return;
      }
      await f.createForeignObject('keyrite:foreign-dup');
      const before = await f.countAllObjects();
      await rejectsWith(t.generateSigningKey('foreign-dup', 'ES256'), 'OBJECT_EXISTS', undefined, seen());
      assert.equal(await f.countAllObjects(), before);
    });

    test('lists Keyrite objects only', async () => {
      if (f.createForeignObject) await f.createForeignObject('foreign-key');
      const refs = await t.listObjects();
      const labels = refs.map((r) => r.label);
      for (const l of ['ed-gen', 'es-gen', 'ed-imp', 'seal-default', 'seal-other', 'dup']) assert.ok(labels.includes(l), `missing ${l}`);
      assert.ok(!labels.some((l) => l.includes('foreign')), 'foreign objects must not be listed');
      assert.deepEqual([...labels].sort(), labels, 'sorted by label');
      for (const r of refs) assert.match(r.id, /^4b525401/);
    });

    test('destroys only Keyrite objects, and only what it is asked to', async () => {
      const victim = await t.generateSigningKey('to-destroy', 'ES256');
      const keep = await t.findObject('es-gen');
      assert.ok(keep);
      const before = await f.countAllObjects();
      await t.destroyObject(victim);
      assert.equal(await t.findObject('to-destroy'), undefined);
      assert.ok((await f.countAllObjects()) < before);
      assert.deepEqual(await t.findObject('es-gen'), keep);
      await rejectsWith(t.sign(victim, te.encode('x')), 'TOKEN_ERROR', undefined, seen());
      // A made-up reference in Keyrite's id format that matches nothing.
      const madeUp: KeyRef = { kind: 'signing-key', label: 'es-gen', id: objectIdHex(newObjectId('signing-key', randomBytes(15))), alg: 'ES256' };
      await rejectsWith(t.destroyObject(madeUp), 'TOKEN_ERROR', undefined, seen());
      // A reference with the right id but another label or kind.
      await rejectsWith(t.destroyObject({ ...keep, label: 'ed-gen' }), 'TOKEN_ERROR', undefined, seen());
      await rejectsWith(t.destroyObject({ ...keep, kind: 'seal-key' }), 'TOKEN_ERROR', undefined, seen());
      if (f.createForeignObject) {
        const foreign = await f.createForeignObject('keyrite:foreign-target');
        const count = await f.countAllObjects();
        await rejectsWith(t.destroyObject({ kind: 'signing-key', label: 'foreign-target', id: foreign.idHex, alg: 'ES256' }), 'TOKEN_ERROR', /not an object Keyrite created|holds no Keyrite key/, seen());
        assert.equal(await f.countAllObjects(), count);
      }
      assert.deepEqual(await t.findObject('es-gen'), keep);
    });

    test('refuses labels outside the label rules', async () => {
      for (const bad of ['', ' x', 'a/b', 'x'.repeat(65), 'ключ', 'a:b']) {
        await rejectsWith(t.generateSigningKey(bad, 'Ed25519'), 'INVALID_INPUT', undefined, seen());
      }
    });

    test('logout forgets the session; login brings the keys back', async () => {
      const ref = await t.findObject('ed-gen');
      assert.ok(ref);
      await t.logout();
      assert.equal(t.isLoggedIn(), false);
      await rejectsWith(t.sign(ref, te.encode('x')), 'TOKEN_ERROR', /Log in/, seen());
      await t.login(f.pin);
      const pub = await t.getPublicKey(ref);
      assert.ok(ed25519Verify(pub, te.encode('y'), await t.sign(ref, te.encode('y'))));
    });
  });
}
