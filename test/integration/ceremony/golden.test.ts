/**
 * The golden bundle: a deterministic root-keygen ceremony (test/helpers/golden.ts: fixed
 * ceremony id, clock and randomness, deterministic ML-DSA-65) must reproduce
 * test/fixtures/golden-bundle/ byte for byte, so any change to a bundle format fails here.
 * An intended change: regenerate with `node --import tsx build/regenerate-golden.ts`, review
 * the fixture diff and document it in docs/FORMATS.md. The same run also checks that none of
 * its secrets (known exactly here) is on disk in any form.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_FIXTURE, installDeterministicRandom, runGoldenCeremony, type GoldenRun } from '../../helpers/golden.ts';
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

test('a deterministic ceremony reproduces the golden bundle file by file, byte for byte', () => {
  const expected = listFiles(GOLDEN_FIXTURE);
  const actual = listFiles(run.bundleDir);
  assert.ok(expected.length >= 20, `the fixture has ${expected.length} files; regenerate it with build/regenerate-golden.ts`);
  assert.deepEqual(actual, expected, 'the bundle has other files than the golden fixture');
  for (const name of expected) {
    const a = readFileSync(join(run.bundleDir, name));
    const b = readFileSync(join(GOLDEN_FIXTURE, name));
    assert.ok(a.equals(b), `${name} differs from test/fixtures/golden-bundle/${name}: a bundle format changed (see docs/FORMATS.md, "Golden bundle")`);
  }
  assert.equal(run.result.checks.every((c) => c.ok), true);
});

test('no secret of the golden run (passphrases, dice, trustee seeds, shares, K, S, master keys) is on disk or in new temp files', async () => {
  const secrets = await knownSecrets(run, (id) => join(dir, 'tokens', `${id}.keyrite-token`), (id) => join(dir, 'trustees', id));
  const labels = secrets.map((s) => s.label);
  for (const l of ['escrow key K', 'master seed S', 'master Ed25519 seed', 'master ML-DSA secret key']) assert.ok(labels.includes(l), `the test could not reconstruct ${l}`);
  assert.equal(secrets.filter((s) => s.label.startsWith('share of')).length, TRUSTEES.length);
  const findings = scanForSecrets([dir, ...newTmpEntries(tmpBefore, [dir])], secrets, (p) => p.endsWith('answers.yaml'));
  assert.deepEqual(findings, [], 'secret material found on disk');
});
