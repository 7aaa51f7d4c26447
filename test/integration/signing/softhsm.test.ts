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
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyNetworkNamespace } from '../../helpers/netns.ts';
import { createSoftHsm, pkcs11ToolAvailable, softHsmAvailable, type SoftHsmHarness } from '../../helpers/softhsm.ts';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { randomBytes as osRandom } from '../../../core/crypto/random.ts';
import { exampleArtifactBytes, exampleSigningRequest, EXAMPLE_ARTIFACT_NAME } from '../../../core/signing/example-request.ts';
import { LIVE_SCRIPT, WITNESS_STEPS, answersYaml, assertVerifiesAnchored, rolls, spawnCli } from '../ceremony/helpers.ts';
import { signingEntries } from './helpers.ts';

function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}
if (!softHsmAvailable() || !pkcs11ToolAvailable() || !opensslAvailable()) {
  throw new Error('SoftHSM2 (softhsm2-util and its module), OpenSC pkcs11-tool and OpenSSL 3 (openssl) are required for the signing integration test on SoftHSM');
}

const SIGNING_SCRIPT = join(repoRoot, 'ceremony-scripts/signing.yaml');
const TRUSTEE_LABELS = ['Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5'];
const SIGNING_TRUSTEES = [1, 3, 4];
const NETNS = emptyNetworkNamespace();
let hsm: SoftHsmHarness;
let dir: string;

function uri(label: string, serial: string): string {
  return `pkcs11:token=${encodeURIComponent(label)};serial=${serial}`;
}

function cli(argv: string[], env: Record<string, string>) {
  return spawnCli([...argv, '--module', hsm.module], { SOFTHSM2_CONF: hsm.conf, ...env }, { wrap: NETNS }).done;
}

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
  hsm = createSoftHsm(['Keyrite Root', ...TRUSTEE_LABELS], { setProcessEnv: false });
  dir = mkdtempSync(join(tmpdir(), 'keyrite-hsm-signing-'));
});
after(() => {
  hsm?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a root ceremony on SoftHSM, then a live signing ceremony whose Ed25519 half signs on the SoftHSM master token: OpenSSL verifies every envelope over the PAE, and the token key stays sensitive and not extractable', async () => {
  const pins: Record<string, string> = { KR_HSM_PIN_MASTER: hsm.tokens[0]!.pin, ...Object.fromEntries(TRUSTEE_LABELS.map((_, i) => [`KR_HSM_PIN_${i + 1}`, hsm.tokens[i + 1]!.pin])) };
  const masterUri = uri('Keyrite Root', hsm.tokens[0]!.serial);
  const answers = join(dir, 'answers.yaml');
  writeFileSync(
    answers,
    answersYaml({
      trustees: TRUSTEE_LABELS.map((label, i) => ({ id: `trustee-${i + 1}`, name: `HSM Trustee ${i + 1}`, token: { uri: uri(label, hsm.tokens[i + 1]!.serial) }, pin: { env: `KR_HSM_PIN_${i + 1}` }, output: `trustees/trustee-${i + 1}`, dice: rolls() })),
      master: { token: { uri: masterUri }, pin: { env: 'KR_HSM_PIN_MASTER' } },
      confirm: WITNESS_STEPS,
    }),
  );
  const root = await cli(['ceremony', 'run', LIVE_SCRIPT, '--answers', answers, '--out', join(dir, 'root')], pins);
  assert.equal(root.code, 0, `stdout:\n${root.stdout}\nstderr:\n${root.stderr}`);
  const rootBundle = join(dir, 'root', 'bundle');
  const fingerprint = JSON.parse(readFileSync(join(rootBundle, 'bundle.json'), 'utf8')).masterFingerprint as string;

  // The request: the example's two keys (valid a year from now) and its artifact.
  const request = exampleSigningRequest(new Date(), osRandom);
  writeFileSync(join(dir, 'signing-request.json'), request);
  writeFileSync(join(dir, EXAMPLE_ARTIFACT_NAME), exampleArtifactBytes());
  const signingAnswers = join(dir, 'signing-answers.yaml');
  writeFileSync(
    signingAnswers,
    [
      'keyrite-answers: 1',
      'participants:',
      '  - id: admin',
      '    name: Alice Admin',
      '    role: administrator',
      ...SIGNING_TRUSTEES.flatMap((n) => [
        `  - id: trustee-${n}`,
        `    name: HSM Trustee ${n}`,
        '    role: trustee',
        `    token: { uri: "${uri(TRUSTEE_LABELS[n - 1]!, hsm.tokens[n]!.serial)}" }`,
        `    pin: { env: KR_HSM_PIN_${n} }`,
        `    keyring: trustees/trustee-${n}/keyring.json`,
        `    envelope: trustees/trustee-${n}/share-envelope.json`,
      ]),
      '  - id: witness',
      '    name: Grace Witness',
      '    role: witness',
      'master:',
      `  token: { uri: "${masterUri}" }`,
      '  pin: { env: KR_HSM_PIN_MASTER }',
      'bundle:',
      '  path: root/bundle',
      `  trust: "${fingerprint}"`,
      'request:',
      '  path: signing-request.json',
      `  sha256: ${createHash('sha256').update(request).digest('hex')}`,
      'confirm: [verify-bundle, check-in, quorum-present, check-request, collect-share, combine, sign, signed, co-sign]',
      '',
    ].join('\n'),
  );
  const signing = await cli(['ceremony', 'run', SIGNING_SCRIPT, '--answers', signingAnswers, '--out', join(dir, 'signing'), '--json'], pins);
  assert.equal(signing.code, 0, `stdout:\n${signing.stdout}\nstderr:\n${signing.stderr}`);
  const res = JSON.parse(signing.stdout);
  assert.equal(res.original.masterFingerprint, fingerprint);
  assert.equal(res.anchored, true);
  assert.deepEqual(res.used, SIGNING_TRUSTEES.map((n) => `trustee-${n}`));
  assert.doesNotMatch(signing.stdout + signing.stderr, new RegExp(Object.values(pins).join('|')), 'a PIN was printed');
  const check = signingEntries(join(dir, 'signing')).find((e) => e.type === 'token.label-check')!;
  assert.equal(check.body.outcome, 'holds-this-ceremony-key');
  assert.equal((check.body.token as { serial: string }).serial, hsm.tokens[0]!.serial);
  const bundle = join(dir, 'signing', 'bundle');
  await assertVerifiesAnchored(bundle, fingerprint);
  assert.equal(JSON.parse(readFileSync(join(bundle, 'policy.json'), 'utf8')).master.token.serial, hsm.tokens[0]!.serial);

  // OpenSSL, over the PAE built from the spec, with the bundle's own PEM of the master key's Ed25519 half.
  const pem = join(bundle, 'keys', 'master.ed25519.spki.pem');
  for (const name of ['endorsed-keys.jwks.json', 'artifacts.intoto.json']) {
    const document = readFileSync(join(dir, 'signing', 'signed', name));
    const envelope = JSON.parse(readFileSync(join(dir, 'signing', 'signed', `${name}.dsse.json`), 'utf8')) as { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] };
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
    const relying = await runInProcess(['check-signature', join(dir, 'signing', 'signed', name), '--signature', join(dir, 'signing', 'signed', `${name}.dsse.json`), '--trust', fingerprint]);
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
