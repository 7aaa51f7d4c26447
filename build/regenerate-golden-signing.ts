// Regenerates test/fixtures/golden-signing/ (test/helpers/golden-signing.ts): the example
// signing request, its signed documents and envelopes for a fixed software master key. Run it
// ONLY when a signing format change is intended, review the diff, and describe the change in
// docs/FORMATS.md "Signing":
//   node --import tsx build/regenerate-golden-signing.ts
// Tests never run this; test/unit/signing/golden.test.ts compares against its output.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_SIGNING_FIXTURE, goldenSigningFiles } from '../test/helpers/golden-signing.ts';

rmSync(GOLDEN_SIGNING_FIXTURE, { recursive: true, force: true });
mkdirSync(GOLDEN_SIGNING_FIXTURE);
const files = goldenSigningFiles();
for (const [name, bytes] of files) writeFileSync(join(GOLDEN_SIGNING_FIXTURE, name), bytes, { flag: 'wx' });
console.log(`${files.size} golden signing files written to ${GOLDEN_SIGNING_FIXTURE}`);
