// The engine's check of what it exported (core/ceremony/bundle-check.ts): the folder is verified
// from disk, and its archive must hold exactly the verified files, byte for byte.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBundleArchive } from '../../../core/bundle/archive.ts';
import { ARCHIVE_CHECK, checkArchiveHolds, checkBundleAndArchive, checkBundleFolder } from '../../../core/ceremony/bundle-check.ts';
import { nodeCeremonyFiles } from '../../../core/node/ceremony-environment.ts';
import { GOLDEN_MASTER_FINGERPRINT, readBundleDir } from '../../helpers/bundle-files.ts';
import { GOLDEN_FIXTURE } from '../../helpers/golden.ts';

const dir = mkdtempSync(join(tmpdir(), 'keyrite-bundle-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));
cpSync(GOLDEN_FIXTURE, join(dir, 'bundle'), { recursive: true });
const files = nodeCeremonyFiles({ out: dir, answers: dir });
const golden = readBundleDir(GOLDEN_FIXTURE);
const expect = { masterFingerprint: GOLDEN_MASTER_FINGERPRINT };

function archiveOf(name: string, contents: Map<string, Uint8Array>): { root: 'out'; path: string } {
  writeFileSync(join(dir, name), encodeBundleArchive(contents));
  return { root: 'out', path: name };
}

test('the golden folder and its own archive pass; the archive check says it holds every verified file', async () => {
  const checks = await checkBundleAndArchive(files, { root: 'out', path: 'bundle' }, archiveOf('same.keyrite.tar', golden), expect);
  assert.deepEqual(checks.filter((c) => !c.ok), []);
  const archive = checks.find((c) => c.name === ARCHIVE_CHECK)!;
  assert.equal(archive.detail, `the archive holds exactly the ${golden.size} files of the verified folder`);
});

test('an archive with one byte changed in one file, a file missing or a file more fails, naming the file', async () => {
  const { checks, contents } = await checkBundleFolder(files, { root: 'out', path: 'bundle' }, expect);
  assert.deepEqual(checks.filter((c) => !c.ok), []);
  const changed = new Map(golden);
  const policy = Uint8Array.from(changed.get('policy.json')!);
  policy[3] = policy[3]! ^ 1;
  changed.set('policy.json', policy);
  const missing = new Map(golden);
  missing.delete('keys/jwks.json');
  const extra = new Map(golden).set('extra.txt', Uint8Array.of(1));
  for (const [name, variant, file] of [['changed', changed, 'policy.json'], ['missing', missing, 'keys/jwks.json'], ['extra', extra, 'extra.txt']] as const) {
    const check = await checkArchiveHolds(files, archiveOf(`${name}.keyrite.tar`, variant), contents);
    assert.equal(check.ok, false, name);
    assert.equal(check.detail, `The archive does not hold the verified folder's ${JSON.stringify(file)} byte for byte.`, name);
  }
});

test('an archive that is not one (garbage, truncated) is a failed check with the reader\'s sentence, never an exception', async () => {
  const { contents } = await checkBundleFolder(files, { root: 'out', path: 'bundle' }, expect);
  const whole = encodeBundleArchive(golden);
  for (const [name, bytes] of [['garbage', new TextEncoder().encode('not a tar at all')], ['truncated', whole.subarray(0, whole.length - 700)]] as const) {
    writeFileSync(join(dir, `${name}.keyrite.tar`), bytes);
    const check = await checkArchiveHolds(files, { root: 'out', path: `${name}.keyrite.tar` }, contents);
    assert.equal(check.ok, false, name);
    assert.equal(check.name, ARCHIVE_CHECK);
    assert.ok(check.detail.length > 10, name);
  }
});
