/**
 * The golden bundles: a deterministic root-keygen ceremony (test/helpers/golden.ts: fixed
 * ceremony id, clock and randomness, deterministic ML-DSA-65) must reproduce
 * test/fixtures/golden-bundle/ byte for byte, and the deterministic escrow recovery run after it
 * test/fixtures/golden-recovery-bundle/, so any change to a bundle format fails here.
 * An intended change: regenerate with `node --import tsx build/regenerate-golden.ts`, review
 * the fixture diff and document it in docs/FORMATS.md. The same run also checks that none of
 * its secrets (known exactly here) is on disk in any form.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE, installDeterministicRandom, runGoldenCeremony, runGoldenRecovery, type GoldenRun } from '../../helpers/golden.ts';
import { knownSecrets, listFiles, newTmpEntries, scanForSecrets, tmpSnapshot, TRUSTEES } from './helpers.ts';

installDeterministicRandom();
let dir: string;
let run: GoldenRun;
let tmpBefore: Set<string>;

before(async () => {
  tmpBefore = tmpSnapshot();
  dir = mkdtempSync(join(tmpdir(), 'keyrite-golden-test-'));
  run = await runGoldenCeremony(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function assertSameTree(actualDir: string, fixture: string, what: string): void {
  const expected = listFiles(fixture);
  const actual = listFiles(actualDir);
  assert.ok(expected.length >= 20, `the fixture has ${expected.length} files; regenerate it with build/regenerate-golden.ts`);
  assert.deepEqual(actual, expected, `the ${what} has other files than its golden fixture`);
  for (const name of expected) {
    const a = readFileSync(join(actualDir, name));
    const b = readFileSync(join(fixture, name));
    assert.ok(a.equals(b), `${name} differs from ${fixture}${name}: a bundle format changed (see docs/FORMATS.md, "Golden bundle")`);
  }
}

test('a deterministic ceremony reproduces the golden bundle file by file, byte for byte', () => {
  assertSameTree(run.bundleDir, GOLDEN_FIXTURE, 'bundle');
  assert.equal(run.result.checks.every((c) => c.ok), true);
});

test('a deterministic recovery of the golden ceremony reproduces the golden recovery bundle byte for byte', async () => {
  const recovery = await runGoldenRecovery(run);
  assertSameTree(recovery.bundleDir, GOLDEN_RECOVERY_FIXTURE, 'recovery bundle');
  assert.deepEqual(recovery.outcome.used, ['trustee-2', 'trustee-4', 'trustee-5']);
  assert.equal(recovery.outcome.exportChecks.every((c) => c.ok), true);
});

test('no secret of the golden run (passphrases, dice, trustee seeds, shares, K, S, master keys) is on disk or in new temp files', async () => {
  const secrets = await knownSecrets(run, (id) => join(dir, 'tokens', `${id}.keyrite-token`), (id) => join(dir, 'trustees', id));
  const labels = secrets.map((s) => s.label);
  for (const l of ['escrow key K', 'master seed S', 'master Ed25519 seed', 'master ML-DSA secret key']) assert.ok(labels.includes(l), `the test could not reconstruct ${l}`);
  assert.equal(secrets.filter((s) => s.label.startsWith('share of')).length, TRUSTEES.length);
  const findings = scanForSecrets([dir, ...newTmpEntries(tmpBefore, [dir])], secrets, (p) => p.endsWith('answers.yaml'));
  assert.deepEqual(findings, [], 'secret material found on disk');
});
