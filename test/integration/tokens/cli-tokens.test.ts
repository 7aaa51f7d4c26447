// `keyrite tokens` end to end: the CLI process (node --import tsx cli/bin.ts) against a SoftHSM
// harness and a software-token folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSoftHsm, softHsmAvailable, type SoftHsmHarness } from '../../helpers/softhsm.ts';
import { createSoftwareTokenFile } from '../../../core/node/software-token-file.ts';

if (!softHsmAvailable()) throw new Error('SoftHSM2 is required for the token integration tests');

const root = new URL('../../..', import.meta.url).pathname;
let harness: SoftHsmHarness;
let swDir: string;

function cli(args: string[], env: NodeJS.ProcessEnv): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/bin.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.KEYRITE_PKCS11_MODULE;
  delete env.KEYRITE_SOFTWARE_TOKENS;
  return { ...env, ...extra };
}

before(async () => {
  harness = createSoftHsm(['cli-one', 'cli-two'], { setProcessEnv: false });
  swDir = mkdtempSync(join(tmpdir(), 'keyrite-cli-sw-'));
  for (const label of ['Rehearsal 1', 'Rehearsal 2']) {
    const t = await createSoftwareTokenFile(swDir, { label, passphrase: `pass ${label}`, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
    await t.close();
  }
});
after(() => {
  harness?.cleanup();
  if (swDir) rmSync(swDir, { recursive: true, force: true });
});

test('--json lists the SoftHSM tokens by label and serial, the software tokens as rehearsal only, and USB status; exit 0', () => {
  const r = cli(['tokens', '--module', harness.module, '--software-dir', swDir, '--json'], cleanEnv({ SOFTHSM2_CONF: harness.conf }));
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.equal(doc.pkcs11.configured, true);
  assert.equal(doc.pkcs11.module, harness.module);
  for (const h of harness.tokens) {
    const t = doc.pkcs11.tokens.find((x: { serial: string }) => x.serial === h.serial);
    assert.ok(t, `${h.label} listed`);
    assert.equal(t.label, h.label);
    assert.equal(t.uri, `pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=${h.serial};token=${h.label}`);
    assert.equal(t.rehearsalOnly, false);
    assert.equal(t.capabilities.ed25519, true);
  }
  assert.equal(doc.pkcs11.tokens.length, harness.tokens.length);
  assert.equal(doc.pkcs11.uninitialized, 1, 'SoftHSM keeps one free slot');
  assert.deepEqual(doc.software.tokens.map((t: { label: string; rehearsalOnly: boolean }) => [t.label, t.rehearsalOnly]), [
    ['Rehearsal 1', true],
    ['Rehearsal 2', true],
  ]);
  assert.equal(typeof doc.usb.status.available, 'boolean');
});

test('human output is readable and marks software tokens "rehearsal only"', () => {
  const r = cli(['tokens', '--module', harness.module], cleanEnv({ SOFTHSM2_CONF: harness.conf, KEYRITE_SOFTWARE_TOKENS: swDir }));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^PKCS#11 module ${harness.module.replace(/[.]/g, '\\.')} \\(`));
  assert.match(r.stdout, /\n {2}cli-one\n {4}URI: {10}pkcs11:model=SoftHSM%20v2;/);
  assert.match(r.stdout, /capabilities: Ed25519, P-256, AES-GCM, ECDH/);
  assert.match(r.stdout, /Software tokens in .* \(rehearsal only\):\n {2}Rehearsal 1 {2}\[rehearsal only\]/);
  assert.match(r.stdout, /\nUSB: /);
});

test('without a module: says none is configured and exits 0; the environment variable is honoured', () => {
  const none = cli(['tokens'], cleanEnv());
  assert.equal(none.code, 0);
  assert.match(none.stdout, /^No PKCS#11 module is configured \(use --module PATH or set KEYRITE_PKCS11_MODULE\)\./);
  assert.match(none.stdout, /No software-token folder is configured/);
  const json = JSON.parse(cli(['tokens', '--json'], cleanEnv()).stdout);
  assert.equal(json.pkcs11.configured, false);
  assert.deepEqual(json.pkcs11.tokens, []);
  const viaEnv = JSON.parse(cli(['tokens', '--json'], cleanEnv({ SOFTHSM2_CONF: harness.conf, KEYRITE_PKCS11_MODULE: harness.module })).stdout);
  assert.equal(viaEnv.pkcs11.tokens.length, 2);
});

test('an empty token folder and an empty module are normal (exit 0); a bad module path is an I/O error (exit 2)', () => {
  const empty = mkdtempSync(join(tmpdir(), 'keyrite-cli-empty-'));
  try {
    const r = cli(['tokens', '--software-dir', empty, '--json'], cleanEnv());
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout).software.tokens, []);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const bad = cli(['tokens', '--module', '/nonexistent/lib.so', '--json'], cleanEnv());
  assert.equal(bad.code, 2);
  const doc = JSON.parse(bad.stdout);
  assert.equal(doc.ok, false);
  assert.equal(doc.pkcs11.error.code, 'IO_ERROR');
  assert.match(bad.stderr, /No PKCS#11 module at \/nonexistent\/lib\.so/);
});

test('tokens --help and unknown options', () => {
  const help = cli(['tokens', '--help'], cleanEnv());
  assert.equal(help.code, 0);
  assert.match(help.stdout, /keyrite tokens \[--module PATH\] \[--software-dir DIR\] \[--json\]/);
  assert.equal(cli(['tokens', '--slot', '1'], cleanEnv()).code, 2);
});
