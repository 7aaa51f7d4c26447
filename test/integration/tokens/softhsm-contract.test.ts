// The token contract against the PKCS#11 adapter on a SoftHSM2 token, plus what only a
// PKCS#11 module has: selection by URI, PIN flags, attributes seen by pkcs11-tool.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSoftHsm, softHsmAvailable, pkcs11ToolAvailable, type SoftHsmHarness } from '../../helpers/softhsm.ts';
import { Pkcs11Module, pkcs11ModulePath } from '../../../core/node/pkcs11/index.ts';
import { CKA, CKF_RW_SESSION, CKF_SERIAL_SESSION, CKK, CKM, CKO, CKR, CKU_USER, EC_PARAMS } from '../../../core/node/pkcs11/constants.ts';
import { pkcs11ErrorCode } from '../../../core/node/pkcs11/errors.ts';
import { isKeyriteError } from '../../../core/errors.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import { tokenContract } from './contract.ts';

if (!softHsmAvailable() || !pkcs11ToolAvailable()) throw new Error('SoftHSM2 and OpenSC pkcs11-tool are required for the token integration tests');

// One harness per test file: SoftHSM reads SOFTHSM2_CONF at C_Initialize.
const harness: SoftHsmHarness = createSoftHsm(['contract', 'alpha', 'twin', 'twin']);
const tok = (label: string) => harness.tokens.find((t) => t.label === label)!;
let module: Pkcs11Module;

function countObjects(label: string, pin: string): number {
  const out = harness.pkcs11Tool(['--token-label', label, '--login', '--pin', pin, '--list-objects']);
  return out.split('\n').filter((l) => /^(Private Key|Public Key|Secret Key|Data|Certificate) Object/.test(l)).length;
}

let foreignId = 0x10;
function createForeign(label: string, pin: string, rawLabel: string): { idHex: string } {
  const idHex = (foreignId++).toString(16).padStart(4, '0');
  harness.pkcs11Tool(['--token-label', label, '--login', '--pin', pin, '--keypairgen', '--key-type', 'EC:prime256v1', '--label', rawLabel, '--id', idHex]);
  return { idHex };
}

before(async () => {
  module = await Pkcs11Module.open(harness.module);
});
after(async () => {
  await module?.close();
  harness.cleanup();
});

tokenContract('PKCS#11 adapter on SoftHSM2', async () => {
  const { label, pin, serial } = tok('contract');
  const token = await module.openToken(`pkcs11:token=${label};serial=${serial}`);
  return {
    token,
    pin,
    label,
    rehearsalOnly: false,
    unsupportedSealScheme: 'xchacha20poly1305',
    // SoftHSM sets CKF_USER_PIN_COUNT_LOW after a wrong PIN and never locks.
    wrongPinMessage: /^Wrong PIN for token "contract"\. The token reports few tries left/,
    countAllObjects: async () => countObjects(label, pin),
    createForeignObject: async (rawLabel) => createForeign(label, pin, rawLabel),
    async cleanup() {},
  };
});

describe('PKCS#11 token selection', () => {
  test('lists the harness tokens with URI, serial and capabilities', async () => {
    const tokens = await module.listTokens();
    for (const h of harness.tokens) {
      const t = tokens.find((x) => x.serial === h.serial);
      assert.ok(t, `token ${h.label} listed`);
      assert.equal(t.label, h.label);
      assert.equal(t.model, 'SoftHSM v2');
      assert.equal(t.source, 'pkcs11');
      assert.match(t.uri, new RegExp(`^pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=${h.serial};token=${h.label}$`));
      assert.deepEqual(
        { ed25519: t.capabilities.ed25519, p256: t.capabilities.p256, aesGcm: t.capabilities.aesGcm, ecdh: t.capabilities.ecdh },
        { ed25519: true, p256: true, aesGcm: true, ecdh: true },
      );
    }
  });

  test('a URI that matches nothing is TOKEN_NOT_FOUND and names what is there', async () => {
    await assert.rejects(module.openToken('pkcs11:token=nobody'), (e) => {
      assert.ok(isKeyriteError(e, 'TOKEN_NOT_FOUND'));
      assert.match(e.message, /No token matches pkcs11:token=nobody\. Tokens present: .*"alpha" \(serial [0-9a-f]+\)/);
      return true;
    });
    await assert.rejects(module.openToken({ token: 'alpha', serial: '0000000000000000' }), (e) => isKeyriteError(e, 'TOKEN_NOT_FOUND'));
  });

  test('an ambiguous URI names the candidates by label and serial; serial= picks one', async () => {
    const [a, b] = harness.tokens.filter((t) => t.label === 'twin');
    await assert.rejects(module.openToken('pkcs11:token=twin'), (e) => {
      assert.ok(isKeyriteError(e, 'TOKEN_ERROR'));
      assert.ok(e.message.includes(`"twin" (serial ${a!.serial})`) && e.message.includes(`"twin" (serial ${b!.serial})`), e.message);
      assert.match(e.message, /Add serial=/);
      return true;
    });
    const t = await module.openToken(`pkcs11:token=twin;serial=${b!.serial}`);
    assert.equal((await t.describe()).serial, b!.serial);
    await t.close();
  });

  test('selects by manufacturer and model as well; refuses slot ids', async () => {
    const t = await module.openToken('pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;token=alpha');
    assert.equal(t.label, 'alpha');
    await t.close();
    await assert.rejects(module.openToken('pkcs11:slot-id=0'), (e) => isKeyriteError(e, 'INVALID_INPUT') && /never selects by slot/.test(e.message));
  });

  test('a wrong PIN sets the count-low flag, which describe() reports', async () => {
    const { label, pin } = tok('alpha');
    const t = await module.openToken({ token: label });
    await assert.rejects(t.login('0000-wrong'), (e) => isKeyriteError(e, 'PIN_INCORRECT') && /few tries left/.test(e.message));
    const d = await t.describe();
    assert.equal(d.pin.countLow, true);
    assert.equal(d.pin.locked, false, 'SoftHSM never locks the user PIN');
    await t.login(pin);
    assert.equal((await t.describe()).pin.countLow, false, 'a good login clears the flag');
    await t.close();
  });

  test('sealing with ECDH (the fallback for tokens without AES) works on SoftHSM too', async () => {
    const { label, pin } = tok('alpha');
    const t = await module.openToken({ token: label });
    await t.login(pin);
    const ref = await t.createSealKey('ecdh-seal', 'ecdh-p256');
    assert.equal(ref.alg, 'ecdh-p256');
    const data = randomBytes(32);
    const box = await t.seal(ref, data, new Uint8Array([7]));
    assert.ok(box.epk);
    assert.deepEqual(await t.unseal(ref, box, new Uint8Array([7])), data);
    await assert.rejects(t.unseal(ref, box, new Uint8Array([8])), (e) => isKeyriteError(e, 'DECRYPTION_FAILED'));
    await t.close();
  });

  test('generated and imported private keys are sensitive and not extractable (seen by pkcs11-tool)', async () => {
    const { label, pin } = tok('alpha');
    const t = await module.openToken({ token: label });
    await t.login(pin);
    await t.generateSigningKey('attr-gen', 'Ed25519');
    await t.generateSigningKey('attr-gen-p256', 'ES256');
    await t.importEd25519PrivateKey('attr-imp', randomBytes(32));
    await t.createSealKey('attr-aes', 'aes-256-gcm');
    await t.close();
    const out = harness.pkcs11Tool(['--token-label', label, '--login', '--pin', pin, '--list-objects']);
    // pkcs11-tool prints one block per object: a header line, then indented attribute lines.
    const blocks = out.split(/\n(?=\S)/);
    for (const [objLabel, header] of [
      ['keyrite:attr-gen', 'Private Key Object; EC_EDWARDS'],
      ['keyrite:attr-gen-p256', 'Private Key Object; EC'],
      ['keyrite:attr-imp', 'Private Key Object; EC_EDWARDS'],
      ['keyrite:attr-aes', 'Secret Key Object; AES'],
    ] as const) {
      const block = blocks.find((b) => b.startsWith(header) && new RegExp(`label:\\s+${objLabel}\\n`).test(b + '\n'));
      assert.ok(block, `pkcs11-tool shows ${objLabel}`);
      const access = /Access:\s+(.*)/.exec(block)![1]!;
      assert.match(access, /\bsensitive\b/, `${objLabel} is CKA_SENSITIVE: ${access}`);
      assert.doesNotMatch(access, /(^|, )extractable/, `${objLabel} is not CKA_EXTRACTABLE: ${access}`);
      if (objLabel !== 'keyrite:attr-imp') assert.match(access, /never extractable/, `${objLabel} was generated on the token: ${access}`);
      if (!header.startsWith('Secret')) assert.doesNotMatch(/Usage:\s+(.*)/.exec(block)![1]!, /\b(decrypt|unwrap)\b/, `${objLabel} can only sign`);
    }
  });

  test('SoftHSM accepts both CKA_EC_PARAMS forms for Ed25519: the OID and the name "edwards25519"', async () => {
    const { pin } = tok('alpha');
    const slot = (await module.listSlotTokens()).find((s) => s.description.label === 'alpha')!.slot;
    const stored = await module.call((lib) => {
      const s = lib.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
      try {
        try {
          lib.C_Login(s, CKU_USER, pin);
        } catch (e) {
          if (pkcs11ErrorCode(e) !== CKR.USER_ALREADY_LOGGED_IN) throw e;
        }
        return [EC_PARAMS.ED25519_OID, EC_PARAMS.ED25519_NAME].map((params) => {
          // Session objects (CKA_TOKEN false): gone when the session closes.
          const pair = lib.C_GenerateKeyPair(
            s,
            { mechanism: CKM.EC_EDWARDS_KEY_PAIR_GEN },
            [
              { type: CKA.CLASS, value: CKO.PUBLIC_KEY },
              { type: CKA.KEY_TYPE, value: CKK.EC_EDWARDS },
              { type: CKA.TOKEN, value: false },
              { type: CKA.EC_PARAMS, value: Buffer.from(params) },
            ],
            [
              { type: CKA.CLASS, value: CKO.PRIVATE_KEY },
              { type: CKA.KEY_TYPE, value: CKK.EC_EDWARDS },
              { type: CKA.TOKEN, value: false },
              { type: CKA.SIGN, value: true },
            ],
          );
          return lib.C_GetAttributeValue(s, pair.publicKey, [{ type: CKA.EC_PARAMS }])[0]!.value.toString('hex');
        });
      } finally {
        lib.C_CloseSession(s);
      }
    });
    assert.deepEqual(stored, ['06032b6570', '130c656477617264733235353139']);
  });

  test('the module path comes from the option, then KEYRITE_PKCS11_MODULE; a bad path is an I/O error', async () => {
    assert.equal(pkcs11ModulePath('/opt/a.so', { KEYRITE_PKCS11_MODULE: '/opt/b.so' }), '/opt/a.so');
    assert.equal(pkcs11ModulePath(undefined, { KEYRITE_PKCS11_MODULE: '/opt/b.so' }), '/opt/b.so');
    assert.equal(pkcs11ModulePath(undefined, {}), undefined);
    await assert.rejects(Pkcs11Module.open('/nonexistent/libnothing.so'), (e) => isKeyriteError(e, 'IO_ERROR') && /No PKCS#11 module at/.test(e.message));
    await assert.rejects(Pkcs11Module.open('/etc/hostname'), (e) => isKeyriteError(e, 'IO_ERROR') && /Could not load/.test(e.message));
  });
});
