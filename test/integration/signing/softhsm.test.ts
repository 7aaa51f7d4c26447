/**
 * A signing ceremony on SoftHSM2: the shipped live root script on six SoftHSM tokens (master +
 * five trustees), then the shipped live signing script (ceremony-scripts/signing.yaml) with the
 * master key's classical half signing on the master token (PKCS#11 CKM_EDDSA) and three trustees
 * unlocking the ML-DSA-65 half — all through the CLI with `--module`, tokens chosen by label and
 * serial, PINs from environment variables, in an empty network namespace where the live air-gap
 * check passes (test/helpers/netns.ts). Then, with tools that share no code with Keyrite:
 *  - OpenSSL verifies each envelope's Ed25519 signature over the DSSE PAE (built here from the
 *    DSSE v1 spec) with the bundle's keys/master.ed25519.spki.pem (`openssl pkeyutl -verify
 *    -rawin`), and refuses it over a PAE with one byte changed;
 *  - pkcs11-tool shows the master key on its token still sensitive and not extractable.
 * A missing SoftHSM2, pkcs11-tool or openssl fails the file, never skips it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyNetworkNamespace } from '../../helpers/netns.ts';
import { createSoftHsm, pkcs11ToolAvailable, softHsmAvailable, type SoftHsmHarness } from '../../helpers/softhsm.ts';
import { HSM_SIGNING_TRUSTEES, rootThenSigningOnSoftHsm } from '../../helpers/softhsm-signing.ts';
import { runInProcess } from '../../helpers/cli.ts';
import { assertVerifiesAnchored, spawnCli } from '../ceremony/helpers.ts';
import { signingEntries } from './helpers.ts';

function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}
if (!softHsmAvailable() || !pkcs11ToolAvailable() || !opensslAvailable()) {
  throw new Error('SoftHSM2 (softhsm2-util and its module), OpenSC pkcs11-tool and OpenSSL 3 (openssl) are required for the signing integration test on SoftHSM');
}

const NETNS = emptyNetworkNamespace();
let hsm: SoftHsmHarness;
let dir: string;

/** DSSE v1 pre-authentication encoding, written from the spec: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
function dssePae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

before(() => {
  hsm = createSoftHsm(['Keyrite Root', 'Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5'], { setProcessEnv: false });
  dir = mkdtempSync(join(tmpdir(), 'keyrite-hsm-signing-'));
});
after(() => {
  hsm?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a root ceremony on SoftHSM, then a live signing ceremony whose Ed25519 half signs on the SoftHSM master token: OpenSSL verifies every envelope over the PAE, and the token key stays sensitive and not extractable', async () => {
  const run = await rootThenSigningOnSoftHsm(dir, hsm, (argv, env) => spawnCli(argv, env, { wrap: NETNS }).done);
  const { fingerprint, pins, signing } = run;
  assert.equal(signing.code, 0, `stdout:\n${signing.stdout}\nstderr:\n${signing.stderr}`);
  const res = JSON.parse(signing.stdout);
  assert.equal(res.original.masterFingerprint, fingerprint);
  assert.equal(res.anchored, true);
  assert.deepEqual(res.used, HSM_SIGNING_TRUSTEES.map((n) => `trustee-${n}`));
  assert.doesNotMatch(signing.stdout + signing.stderr, new RegExp(Object.values(pins).join('|')), 'a PIN was printed');
  const check = signingEntries(run.out).find((e) => e.type === 'token.label-check')!;
  assert.equal(check.body.outcome, 'holds-this-ceremony-key');
  assert.equal((check.body.token as { serial: string }).serial, hsm.tokens[0]!.serial);
  const bundle = join(run.out, 'bundle');
  await assertVerifiesAnchored(bundle, fingerprint);
  assert.equal(JSON.parse(readFileSync(join(bundle, 'policy.json'), 'utf8')).master.token.serial, hsm.tokens[0]!.serial);

  // OpenSSL, over the PAE built from the spec, with the bundle's own PEM of the master key's Ed25519 half.
  const pem = join(bundle, 'keys', 'master.ed25519.spki.pem');
  for (const name of ['endorsed-keys.jwks.json', 'artifacts.intoto.json']) {
    const document = readFileSync(join(run.out, 'signed', name));
    const envelope = JSON.parse(readFileSync(join(run.out, 'signed', `${name}.dsse.json`), 'utf8')) as { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] };
    assert.ok(Buffer.from(envelope.payload, 'base64').equals(document), `${name}: the envelope's payload is not the document`);
    const message = join(dir, `${name}.pae`);
    const signature = join(dir, `${name}.ed25519.sig`);
    writeFileSync(message, dssePae(envelope.payloadType, document));
    const ed = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    assert.equal(ed.length, 64, `${name}: the first signature is not an Ed25519 signature`);
    writeFileSync(signature, ed);
    const ok = openssl(['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', pem, '-in', message, '-sigfile', signature]);
    assert.equal(ok.status, 0, `${name}: ${ok.out}`);
    assert.match(ok.out, /Signature Verified Successfully/);
    const tampered = readFileSync(message);
    tampered[tampered.length - 1]! ^= 1;
    writeFileSync(message, tampered);
    const bad = openssl(['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', pem, '-in', message, '-sigfile', signature]);
    assert.notEqual(bad.status, 0, `${name}: OpenSSL accepted the signature over a changed PAE`);
    // And the relying party's command on the document.
    const relying = await runInProcess(['check-signature', join(run.out, 'signed', name), '--signature', join(run.out, 'signed', `${name}.dsse.json`), '--trust', fingerprint]);
    assert.equal(relying.code, 0, relying.stdout + relying.stderr);
  }

  // The master key on its token: still there, sensitive, not extractable.
  const listing = hsm.pkcs11Tool(['--token-label', 'Keyrite Root', '--login', '--pin', hsm.tokens[0]!.pin, '--list-objects']);
  const priv = listing.split(/\n(?=\S)/).find((b) => /^Private Key Object/.test(b) && /label:\s+keyrite:keyrite-root\s*$/m.test(b));
  assert.ok(priv, `no private key labelled keyrite:keyrite-root on the master token:\n${listing}`);
  const access = /Access:\s*(.*)/.exec(priv!)?.[1] ?? '';
  assert.match(access, /\bsensitive\b/, access);
  assert.doesNotMatch(access, /(^|, )extractable/, access);
});
