// Start-up (issue 18): `keyrite --help` loads no library at all, and `keyrite verify` none of
// the heavy ones it does not use (PDF, QR, QuickJS, PKCS#11, USB; QuickJS runs only in the
// audit-script worker). Checked on a real process that records every package it resolves, so a
// static import added anywhere on these paths fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GOLDEN_FIXTURE } from '../../helpers/golden.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;
const HEAVY = ['pdf-lib', 'qrcode', 'quickjs-emscripten', 'pkcs11js', 'usb'];

/** The packages (by name) that `keyrite ...args` resolved, run from the sources. */
async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-startup-'));
  const record = join(dir, 'packages.txt');
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test/helpers/record-packages.mjs'), join(ROOT, 'cli/bin.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, KEYRITE_RECORD_PACKAGES: record },
    }).catch((e: { code?: number }) => {
      if (e.code !== 0 && e.code !== 1) throw e;
    });
    const urls = existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean) : [];
    return new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)![1]!).filter((p) => p !== 'tsx' && p !== 'get-tsconfig' && p !== 'esbuild'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('keyrite --help loads no library', async () => {
  assert.deepEqual([...(await packagesLoaded(['--help']))], []);
});

test('keyrite verify loads none of the heavy libraries', async () => {
  const plain = await packagesLoaded(['verify', GOLDEN_FIXTURE, '--json']);
  assert.ok(plain.has('@noble/post-quantum'), 'the recorder sees the verifier\'s own libraries');
  for (const p of HEAVY) assert.ok(!plain.has(p), `keyrite verify loaded ${p}`);
});
