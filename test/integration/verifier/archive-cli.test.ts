/**
 * Bundle archives on the command line (docs/FORMATS.md "Bundle archive", docs/CLI.md):
 * `keyrite verify FILE.keyrite.tar` gives exactly the folder's report; every hostile archive of
 * issue 19 is refused with its sentence (exit 1), nothing written; `keyrite bundle pack` and
 * `unpack` round-trip byte for byte, refuse to overwrite (exit 2) and write nothing for a
 * hostile archive; the golden archive is the golden fixture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utf8 } from '../../../core/bytes.ts';
import { encodeBundleArchive } from '../../../core/bundle/archive.ts';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { readBundleDir } from '../../helpers/bundle-files.ts';
import { GOLDEN_ARCHIVE, GOLDEN_RECOVERY_ARCHIVE } from '../../helpers/golden.ts';
import { hostileArchives } from '../../helpers/hostile-archives.ts';

const GOLDEN = join(repoRoot, 'test/fixtures/golden-bundle');
const GOLDEN_RECOVERY = join(repoRoot, 'test/fixtures/golden-recovery-bundle');
const GOLDEN_FP = '8047460895e45caaf54a2be033a6aa947ac20e4f4dc484f0892b52005038a27a';

function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keyrite-archive-cli-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('the golden archives are the archives of the golden folders, and verify with the folders\' reports in every mode', async () => {
  assert.deepEqual(new Uint8Array(readFileSync(GOLDEN_ARCHIVE)), encodeBundleArchive(readBundleDir(GOLDEN)));
  assert.deepEqual(new Uint8Array(readFileSync(GOLDEN_RECOVERY_ARCHIVE)), encodeBundleArchive(readBundleDir(GOLDEN_RECOVERY)));
  for (const [folder, archive] of [[GOLDEN, GOLDEN_ARCHIVE], [GOLDEN_RECOVERY, GOLDEN_RECOVERY_ARCHIVE]] as const) {
    for (const mode of ['hybrid', 'classical-only', 'pq-only']) {
      for (const trust of [[], ['--trust', GOLDEN_FP], ['--trust', 'bb'.repeat(32)]]) {
        const a = await runInProcess(['verify', folder, '--mode', mode, '--json', ...trust]);
        const b = await runInProcess(['verify', archive, '--mode', mode, '--json', ...trust]);
        assert.equal(b.code, a.code, `${archive} ${mode} ${trust.join(' ')}`);
        const { archive: info, ...report } = JSON.parse(b.stdout);
        assert.deepEqual(report, JSON.parse(a.stdout));
        assert.equal(info.bytes, readFileSync(archive).length);
      }
    }
  }
});

test('keyrite verify FILE in text: says it read an archive, prints its SHA-256 as hex and words, then the folder\'s lines', async () => {
  const folder = await runInProcess(['verify', GOLDEN, '--trust', GOLDEN_FP]);
  const archive = await runInProcess(['verify', GOLDEN_ARCHIVE, '--trust', GOLDEN_FP]);
  assert.equal(archive.code, 0, archive.stderr);
  const lines = archive.stdout.split('\n');
  assert.match(lines[0]!, /^Verifying .*golden-bundle\.keyrite\.tar \(bundle archive, read in memory; hybrid signatures\)$/);
  assert.match(lines[1]!, /^ {2}archive SHA-256: ([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
  assert.match(lines[2]!, /^ {19}([A-Za-z]+ ){15}[A-Za-z]+$/);
  assert.deepEqual(lines.slice(3), folder.stdout.split('\n').slice(1));
  assert.equal(archive.stderr, folder.stderr);
});

test('every hostile archive is refused by keyrite verify with its reason (exit 1; --json: code and sentence)', async () => {
  await withTemp(async (dir) => {
    for (const h of hostileArchives(readBundleDir(GOLDEN))) {
      const file = join(dir, `${h.reason}-${h.name.replace(/\W+/g, '-')}.keyrite.tar`);
      writeFileSync(file, h.bytes);
      const r = await runInProcess(['verify', file, '--trust', GOLDEN_FP]);
      assert.equal(r.code, 1, `${h.name}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^keyrite: This bundle archive is refused: [^\n]+\n$/, h.name);
      assert.match(r.stderr, h.sentence, h.name);
      const j = await runInProcess(['verify', file, '--json']);
      assert.equal(j.code, 1);
      const doc = JSON.parse(j.stdout);
      assert.equal(doc.ok, false);
      assert.equal(doc.code, 'INVALID_INPUT');
      assert.match(doc.message, h.sentence);
    }
  });
});

test('an archive larger than any bundle\'s is refused from its size, before it is read', async () => {
  await withTemp(async (dir) => {
    const file = join(dir, 'huge.keyrite.tar');
    writeFileSync(file, '');
    // A sparse file: 2 GiB that take no disk space.
    const { truncateSync } = await import('node:fs');
    truncateSync(file, 2 * 1024 * 1024 * 1024);
    const r = await runInProcess(['verify', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /This bundle archive is refused: it is 2147483648 bytes, more than any bundle's archive/);
  });
});

test('keyrite bundle pack and unpack: byte-identical round trip, the SHA-256 printed, never overwriting (exit 2)', async () => {
  await withTemp(async (dir) => {
    const file = join(dir, 'out.keyrite.tar');
    const pack = await runInProcess(['bundle', 'pack', GOLDEN, '--out', file]);
    assert.equal(pack.code, 0, pack.stderr);
    assert.deepEqual(readFileSync(file), readFileSync(GOLDEN_ARCHIVE));
    assert.match(pack.stdout, /SHA-256 of the archive[^\n]*\n {2}552b 4f26 cd11 e880 d59d b3b2 3aef 95f6 28ed 12d0 31c0 2e55 d9c4 2503 e2c8 62a2\n {2}edict Cherokee /);
    const again = await runInProcess(['bundle', 'pack', GOLDEN, '--out', file]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists; Keyrite never overwrites a file/);

    const out = join(dir, 'unpacked');
    const unpack = await runInProcess(['bundle', 'unpack', file, '--out', out, '--json']);
    assert.equal(unpack.code, 0, unpack.stderr);
    assert.equal(JSON.parse(unpack.stdout).sha256, '552b4f26cd11e880d59db3b23aef95f628ed12d031c02e55d9c42503e2c862a2');
    assert.deepEqual(readBundleDir(out), readBundleDir(GOLDEN));
    const verify = await runInProcess(['verify', out, '--trust', GOLDEN_FP]);
    assert.equal(verify.code, 0, verify.stderr);
    const twice = await runInProcess(['bundle', 'unpack', file, '--out', out]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /already exists and is not an empty folder; Keyrite never overwrites files/);
    mkdirSync(join(dir, 'empty'));
    assert.equal((await runInProcess(['bundle', 'unpack', file, '--out', join(dir, 'empty')])).code, 0);
  });
});

test('keyrite bundle pack refuses a folder that does not verify; unpack of a hostile archive writes nothing', async () => {
  await withTemp(async (dir) => {
    const broken = readBundleDir(GOLDEN);
    broken.set('policy.json', utf8('{}\n'));
    const folder = join(dir, 'broken');
    for (const [path, bytes] of broken) {
      mkdirSync(join(folder, path, '..'), { recursive: true });
      writeFileSync(join(folder, path), bytes);
    }
    const pack = await runInProcess(['bundle', 'pack', folder, '--out', join(dir, 'x.keyrite.tar')]);
    assert.equal(pack.code, 1);
    assert.match(pack.stderr, /does not verify \(bundle-files.* failed; keyrite verify says why\), so it is not packed/);
    assert.equal(existsSync(join(dir, 'x.keyrite.tar')), false);

    for (const h of hostileArchives(readBundleDir(GOLDEN))) {
      const file = join(dir, 'hostile.keyrite.tar');
      writeFileSync(file, h.bytes);
      const target = join(dir, 'target');
      const r = await runInProcess(['bundle', 'unpack', file, '--out', target]);
      assert.equal(r.code, 1, `${h.name}: ${r.stderr}`);
      assert.match(r.stderr, h.sentence, h.name);
      assert.equal(existsSync(target), false, `${h.name}: nothing is written`);
      rmSync(file);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['broken']);
  });
});
