// Regenerates test/fixtures/golden-bundle/ from the deterministic ceremony of
// test/helpers/golden.ts. Run it ONLY when a bundle format change is intended, review the
// diff of the fixture, and describe the change in docs/FORMATS.md:
//   node --import tsx build/regenerate-golden.ts
// Tests never run this; test/integration/ceremony/golden.test.ts compares against its output.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_FIXTURE, installDeterministicRandom, runGoldenCeremony } from '../test/helpers/golden.ts';

installDeterministicRandom();
const dir = mkdtempSync(join(tmpdir(), 'keyrite-golden-'));
try {
  const run = await runGoldenCeremony(dir);
  rmSync(GOLDEN_FIXTURE, { recursive: true, force: true });
  cpSync(run.bundleDir, GOLDEN_FIXTURE, { recursive: true });
  console.log(`golden bundle written to ${GOLDEN_FIXTURE} (master ${run.result.master.fingerprint})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
