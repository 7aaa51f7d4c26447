// Regenerates test/fixtures/golden-bundle/, test/fixtures/golden-recovery-bundle/,
// test/fixtures/golden-signing-bundle/ and test/fixtures/golden-rotation-bundle/ (with the root
// bundle, the golden 2-link chain; and the root and recovery archives, *.keyrite.tar) from
// the deterministic ceremony, recovery, signing ceremony and rotation
// of test/helpers/golden.ts, the verifier's reports on the four
// (test/fixtures/golden-reports/), and test/fixtures/golden-outputs/ (trustee-1's paper
// backup and share card as read by pdftotext and zbarimg, `keyrite verify --json` on the root and
// recovery bundles and on the 2-link chain: test/helpers/golden-outputs.ts). Run it ONLY when a bundle format, a trustee output
// or a verifier report change is intended, review the diff of the fixtures, and describe the
// change in docs/FORMATS.md, docs/VERIFIER.md or docs/CLI.md:
//   node --import tsx build/regenerate-golden.ts
// Tests never run this; test/integration/ceremony/golden.test.ts compares against its output.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_ARCHIVE, GOLDEN_FIXTURE, GOLDEN_RECOVERY_ARCHIVE, GOLDEN_RECOVERY_FIXTURE, GOLDEN_ROTATION_FIXTURE, GOLDEN_SIGNING_BUNDLE_FIXTURE, installDeterministicRandom, runGoldenCeremony, runGoldenRecovery, runGoldenRotation, runGoldenSigning } from '../test/helpers/golden.ts';
import { GOLDEN_REPORTS, goldenReport } from '../test/helpers/golden-reports.ts';
import { GOLDEN_OUTPUTS, writeGoldenOutputs } from '../test/helpers/golden-outputs.ts';

installDeterministicRandom();
const dir = mkdtempSync(join(tmpdir(), 'keyrite-golden-'));
try {
  const run = await runGoldenCeremony(dir);
  const recovery = await runGoldenRecovery(run);
  const signing = await runGoldenSigning(run);
  // Last: it takes the random stream after the others, in golden.test.ts as here.
  const rotation = await runGoldenRotation(run);
  for (const [from, to] of [[run.bundleDir, GOLDEN_FIXTURE], [recovery.bundleDir, GOLDEN_RECOVERY_FIXTURE], [signing.bundleDir, GOLDEN_SIGNING_BUNDLE_FIXTURE], [rotation.bundleDir, GOLDEN_ROTATION_FIXTURE]] as const) {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
  }
  for (const [from, to] of [[run.bundleDir, GOLDEN_ARCHIVE], [recovery.bundleDir, GOLDEN_RECOVERY_ARCHIVE]] as const) copyFileSync(join(from, '..', 'bundle.keyrite.tar'), to);
  rmSync(GOLDEN_REPORTS, { recursive: true, force: true });
  mkdirSync(GOLDEN_REPORTS);
  for (const [name, report] of goldenReport.all()) writeFileSync(join(GOLDEN_REPORTS, name), `${JSON.stringify(report, null, 2)}\n`);
  // After the bundles: verify --json reads the fixtures just written.
  await writeGoldenOutputs(dir);
  console.log(`golden bundles written to ${GOLDEN_FIXTURE}, ${GOLDEN_RECOVERY_FIXTURE}, ${GOLDEN_SIGNING_BUNDLE_FIXTURE} and ${GOLDEN_ROTATION_FIXTURE} (master ${run.result.master.fingerprint}, rotated to ${rotation.outcome.master.fingerprint}), their outputs to ${GOLDEN_OUTPUTS}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
