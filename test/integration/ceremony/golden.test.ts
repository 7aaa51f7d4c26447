/**
 * The golden bundles: a deterministic root-keygen ceremony (test/helpers/golden.ts: fixed
 * ceremony id, clock and randomness, deterministic ML-DSA-65) must reproduce
 * test/fixtures/golden-bundle/ byte for byte, and the deterministic escrow recovery run after it
 * test/fixtures/golden-recovery-bundle/, and the deterministic signing ceremony run after that
 * test/fixtures/golden-signing-bundle/ (its documents and envelopes included), and the deterministic
 * rotation run last test/fixtures/golden-rotation-bundle/ (the golden 2-link chain with the root), so any change to
 * a bundle format fails here; the archive each export writes next to its folder must be
 * test/fixtures/golden-(recovery-)bundle.keyrite.tar.
 * An intended change: regenerate with `node --import tsx build/regenerate-golden.ts`, review
 * the fixture diff and document it in docs/FORMATS.md. The same run also pins what trustee-1
 * is handed (test/helpers/golden-outputs.ts: the paper backup, the share card and what a reader
 * sees on it), and checks that none of its secrets (known exactly here) is on disk in any form.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_ARCHIVE, GOLDEN_FIXTURE, GOLDEN_RECOVERY_ARCHIVE, GOLDEN_RECOVERY_FIXTURE, GOLDEN_ROTATION_FIXTURE, GOLDEN_SIGNING_BUNDLE_FIXTURE, installDeterministicRandom, runGoldenCeremony, runGoldenRecovery, runGoldenRotation, runGoldenSigning, type GoldenRun } from '../../helpers/golden.ts';
import { GOLDEN_TRUSTEE_OUTPUTS, goldenTrusteeOutputs } from '../../helpers/golden-outputs.ts';
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

function assertSameArchive(actual: string, fixture: string): void {
  assert.ok(readFileSync(actual).equals(readFileSync(fixture)), `${actual} differs from ${fixture}: the bundle archive format changed (see docs/FORMATS.md, "Bundle archive")`);
}

test('a deterministic ceremony reproduces the golden bundle file by file, byte for byte, and its archive', () => {
  assertSameTree(run.bundleDir, GOLDEN_FIXTURE, 'bundle');
  assert.equal(run.result.checks.every((c) => c.ok), true);
  assert.equal(run.result.archive.ref.path, 'bundle.keyrite.tar');
  assertSameArchive(join(run.bundleDir, '..', 'bundle.keyrite.tar'), GOLDEN_ARCHIVE);
});

test('a deterministic recovery of the golden ceremony reproduces the golden recovery bundle byte for byte', async () => {
  const recovery = await runGoldenRecovery(run);
  assertSameTree(recovery.bundleDir, GOLDEN_RECOVERY_FIXTURE, 'recovery bundle');
  assertSameArchive(join(recovery.bundleDir, '..', 'bundle.keyrite.tar'), GOLDEN_RECOVERY_ARCHIVE);
  assert.deepEqual(recovery.outcome.used, ['trustee-2', 'trustee-4', 'trustee-5']);
  assert.equal(recovery.outcome.exportChecks.every((c) => c.ok), true);
});

test('a deterministic signing ceremony after them reproduces the golden signing bundle byte for byte, its envelopes included, and writes the same documents and envelopes to signed/', async () => {
  const signing = await runGoldenSigning(run);
  assertSameTree(signing.bundleDir, GOLDEN_SIGNING_BUNDLE_FIXTURE, 'signing bundle');
  assert.deepEqual(signing.outcome.used, ['trustee-1', 'trustee-3', 'trustee-5']);
  assert.deepEqual(signing.outcome.documents.map((d) => d.name), ['endorsed-keys.jwks.json', 'artifacts.intoto.json']);
  assert.equal(signing.outcome.exportChecks.every((c) => c.ok), true);
  for (const name of readdirSync(signing.signedDir)) assert.ok(readFileSync(join(signing.signedDir, name)).equals(readFileSync(join(GOLDEN_SIGNING_BUNDLE_FIXTURE, 'signed', name))), name);
});

test('a deterministic rotation after them reproduces the golden rotation bundle byte for byte (with the golden bundle, the golden 2-link chain)', async () => {
  const rotation = await runGoldenRotation(run);
  assertSameTree(rotation.bundleDir, GOLDEN_ROTATION_FIXTURE, 'rotation bundle');
  assert.equal(rotation.outcome.previous.fingerprint, run.result.master.fingerprint);
  assert.equal(rotation.outcome.exportChecks.every((c) => c.ok), true);
});

// The pinned share words and envelope are a rehearsal's, from fixed test randomness: no real secret.
test("trustee-1's outputs of the golden run: the paper backup byte for byte, the share card's SHA-256, its text and its QR codes read off a 300 dpi render", () => {
  const outputs = goldenTrusteeOutputs(run.dir);
  assert.deepEqual(readdirSync(GOLDEN_TRUSTEE_OUTPUTS).sort(), [...outputs.keys()].sort(), 'regenerate test/fixtures/golden-outputs/ with build/regenerate-golden.ts');
  const changed = [...outputs].filter(([name, bytes]) => !readFileSync(join(GOLDEN_TRUSTEE_OUTPUTS, name)).equals(bytes)).map(([name]) => name);
  assert.deepEqual(changed, [], `these differ from ${GOLDEN_TRUSTEE_OUTPUTS}: what a trustee is handed changed (see docs/FORMATS.md, "Share card")`);
  assert.match(new TextDecoder().decode(outputs.get('share-card.qr.txt')), /^page 2: KRS1 1\/5 .*\npage 2: KRS1 2\/5 /, 'the scan found the QR codes');
});

test('no secret of the golden run (passphrases, dice, trustee seeds, shares, K, S, master keys) is on disk or in new temp files', async () => {
  const secrets = await knownSecrets(run, (id) => join(dir, 'tokens', `${id}.keyrite-token`), (id) => join(dir, 'trustees', id));
  const labels = secrets.map((s) => s.label);
  for (const l of ['escrow key K', 'master seed S', 'master Ed25519 seed', 'master ML-DSA secret key']) assert.ok(labels.includes(l), `the test could not reconstruct ${l}`);
  assert.equal(secrets.filter((s) => s.label.startsWith('share of')).length, TRUSTEES.length);
  const findings = scanForSecrets([dir, ...newTmpEntries(tmpBefore, [dir])], secrets, (p) => p.endsWith('answers.yaml'));
  assert.deepEqual(findings, [], 'secret material found on disk');
});
