// PINs and passphrases never appear in anything Keyrite writes: software token files, CLI
// output, error messages (wrong PINs included), descriptions, or anything printed while
// tokens are used. Runs a full round of operations on SoftHSM and software tokens, keeps
// every string that came out, and searches it for every PIN and passphrase used.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSoftHsm, softHsmAvailable } from '../../helpers/softhsm.ts';
import { Pkcs11Module } from '../../../core/node/pkcs11/index.ts';
import { createSoftwareTokenFile, openSoftwareTokenFile, softwareTokenFileName } from '../../../core/node/software-token-file.ts';
import { parseTokenUri } from '../../../core/tokens/pkcs11-uri.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import type { KeyriteToken } from '../../../core/tokens/token.ts';

if (!softHsmAvailable()) throw new Error('SoftHSM2 is required for the token integration tests');

const root = new URL('../../..', import.meta.url).pathname;
const harness = createSoftHsm(['scan-a', 'scan-b']);
const swDir = mkdtempSync(join(tmpdir(), 'keyrite-scan-sw-'));
after(() => {
  harness.cleanup();
  rmSync(swDir, { recursive: true, force: true });
});

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

test('no PIN or passphrase appears in files, output or errors', async () => {
  const secrets: string[] = [];
  const written: string[] = [];
  // Capture anything printed by the code under test.
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const collect = async (p: Promise<unknown>) => {
    try {
      const v = await p;
      written.push(JSON.stringify(v) ?? '');
    } catch (e) {
      written.push(String((e as Error).message), String((e as Error).stack), JSON.stringify(e));
    }
  };
  const use = async (t: KeyriteToken, pin: string, wrong: string) => {
    secrets.push(pin, wrong);
    await collect(t.login(wrong));
    await collect(t.login(wrong + '-again'));
    secrets.push(wrong + '-again');
    await collect(t.describe());
    await collect(t.login(pin));
    const k = await t.generateSigningKey('scan-ed', 'Ed25519');
    await collect(t.sign(k, new TextEncoder().encode('m')));
    await collect(t.importEd25519PrivateKey('scan-imp', randomBytes(32)));
    await collect(t.generateSigningKey('scan-ed', 'ES256'));
    const s = await t.createSealKey('scan-seal');
    const box = await t.seal(s, randomBytes(32), new Uint8Array());
    written.push(JSON.stringify(box));
    await collect(t.unseal(s, box, Uint8Array.of(1)));
    await collect(t.listObjects());
    await collect(t.describe());
    await t.close();
  };

  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    const module = await Pkcs11Module.open(harness.module);
    for (const h of harness.tokens) {
      await use(await module.openToken({ token: h.label }), h.pin, `${h.pin}x`);
    }
    await collect(module.openToken('pkcs11:token=scan-a?pin-value=' + harness.tokens[0]!.pin));
    await module.close();
    for (const label of ['Scan 1', 'Scan 2']) {
      const pass = `passphrase ${label} ${randomBytes(6).join('')}`;
      const created = await createSoftwareTokenFile(swDir, { label, passphrase: pass, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
      await created.close();
      await use(await openSoftwareTokenFile(join(swDir, softwareTokenFileName(label))), pass, `${pass} wrong`);
      secrets.push(pass);
    }
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  assert.throws(() => parseTokenUri('pkcs11:token=a?pin-value=' + secrets[0]), (e) => {
    written.push((e as Error).message);
    return true;
  });

  // The CLI, human and JSON.
  for (const json of [false, true]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/bin.ts', 'tokens', '--module', harness.module, '--software-dir', swDir, ...(json ? ['--json'] : [])], {
      cwd: root,
      env: { ...process.env, SOFTHSM2_CONF: harness.conf },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    written.push(r.stdout, r.stderr);
  }
  // Everything in the software token folder (token files, and any temp file left behind).
  const files = allFiles(swDir);
  assert.ok(files.length >= 2);
  for (const f of files) written.push(readFileSync(f, 'latin1'), readFileSync(f, 'utf8'));

  assert.ok(secrets.length >= 12);
  const haystack = written.join('\n');
  assert.ok(haystack.includes('Wrong PIN for token "scan-a"'), 'the scan did see the wrong-PIN errors');
  assert.ok(haystack.includes('Wrong passphrase for software token "Scan 1"'));
  for (const secret of secrets) {
    assert.ok(!haystack.includes(secret), `a PIN/passphrase (${secret.length} characters) leaked into output`);
  }
  // No temporary files left behind by atomic writes.
  assert.deepEqual(
    files.filter((f) => f.endsWith('.tmp')),
    [],
  );
});
