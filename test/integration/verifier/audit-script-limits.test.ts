/**
 * Audit scripts within their resource limits (docs/AUDIT-SCRIPTS.md, "Limits"): a bundle
 * whose data is too large for audit scripts is refused before its view is built — by
 * `keyrite verify --script` (exit 3, one sentence) and by the app's audit screen — and
 * --script-memory MIB gives the scripts more memory, within 8–1024.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, cpSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKeyriteError } from '../../../core/errors.ts';
import { AuditSession } from '../../../electron/ipc/audit-session.ts';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';

const GOLDEN = join(repoRoot, 'test/fixtures/golden-bundle');
const MiB = 1024 * 1024;

function withTempDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-audit-limits-'));
  return work(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function script(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

const TOO_LARGE = /^The bundle data for audit scripts would be more than 256 MiB of JSON, more than audit scripts can be given at any memory limit; verify the bundle without audit scripts \(no --script\)\.$/;

// The bundle: the golden bundle and 100 sparse 1 MiB files of NULs (100 MiB, 600 MiB of escaped JSON).
let padded = '';
let once = '';
before(() => {
  padded = mkdtempSync(join(tmpdir(), 'keyrite-audit-padded-'));
  cpSync(GOLDEN, join(padded, 'bundle'), { recursive: true });
  for (let i = 0; i < 100; i++) {
    const fd = openSync(join(padded, 'bundle', `pad-${i}.bin`), 'w');
    ftruncateSync(fd, MiB);
    closeSync(fd);
  }
  once = script(padded, 'once.js', "check('ran', true);\n");
});
after(() => rmSync(padded, { recursive: true, force: true }));

test('keyrite verify --script refuses a bundle of 100 sparse 1 MiB NUL-filled files before its audit view is built (exit 3)', async () => {
  const r = await runInProcess(['verify', join(padded, 'bundle'), '--script', once]);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr.replace(/^keyrite: /, '').trimEnd(), TOO_LARGE);
});

test('the app\'s audit screen refuses the same bundle before it asks for a script', async () => {
  let asked = false;
  const session = new AuditSession({
    pickBundleFolder: async () => join(padded, 'bundle'),
    pickBundleArchive: async () => undefined,
    pickScriptFile: async () => {
      asked = true;
      return once;
    },
    pickReportFile: async () => undefined,
  });
  await session.open({ trust: '', mode: 'hybrid' });
  await assert.rejects(session.runScript({ pick: true }), (e: unknown) => isKeyriteError(e, 'AUDIT_SCRIPT_ERROR') && TOO_LARGE.test((e as Error).message));
  assert.equal(asked, false);
  assert.deepEqual(session.state().scripts, []);
});

test('--script-memory gives each audit script more memory', () =>
  withTempDir(async (dir) => {
    const allocate = script(dir, 'allocate.js', "const bytes = new Uint8Array(100 * 1024 * 1024);\ncheck('100 MiB allocated', bytes.length === 100 * 1024 * 1024);\n");
    const tight = await runInProcess(['verify', GOLDEN, '--script', allocate]);
    assert.equal(tight.code, 3);
    assert.match(tight.stderr, /allocate\.js: memory — The script used more than its memory limit of 64 MiB and was stopped \(keyrite verify --script-memory MIB raises the limit, up to 1024 MiB\)\./);
    const roomy = await runInProcess(['verify', GOLDEN, '--script', allocate, '--script-memory', '160']);
    assert.equal(roomy.code, 0, roomy.stderr);
  }));

test('--script-memory outside 8 to 1024 whole MiB is a usage error (exit 2)', async () => {
  for (const value of ['7', '1025', '0', '64.5', '1e3', '0x40', '-64', ' 64', 'lots']) {
    const r = await runInProcess(['verify', GOLDEN, '--script-memory', value]);
    assert.equal(r.code, 2, value);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `keyrite: --script-memory must be a whole number of MiB from 8 to 1024 (the default is 64), not "${value}".\n`);
  }
  const empty = await runInProcess(['verify', GOLDEN, '--script-memory=']);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /--script-memory needs a non-empty value/);
});
