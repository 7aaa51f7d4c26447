/**
 * The golden signing documents behind test/fixtures/golden-signing/: the example request (fixed
 * random stream, fixed time), its two documents made for a fixed software master key and signed
 * deterministically (Ed25519; ML-DSA-65's deterministic variant), their envelopes, the artifact
 * and the master fingerprint. A relying party's implementation can be tested against them.
 * Compared by test/unit/signing/golden.test.ts; rewritten only by build/regenerate-golden-signing.ts.
 */
import { utf8 } from '../../core/bytes.ts';
import { ENVELOPE_SUFFIX } from '../../core/signing/documents.ts';
import { exampleArtifactBytes, EXAMPLE_ARTIFACT_NAME } from '../../core/signing/example-request.ts';
import { exampleRequestBytes, signedSet } from '../unit/signing/fixtures.ts';

export const GOLDEN_SIGNING_FIXTURE = new URL('../fixtures/golden-signing/', import.meta.url).pathname;

export function goldenSigningFiles(): Map<string, Uint8Array> {
  const set = signedSet();
  const files = new Map<string, Uint8Array>([
    ['signing-request.json', exampleRequestBytes()],
    [EXAMPLE_ARTIFACT_NAME, exampleArtifactBytes()],
    ['master-fingerprint.txt', utf8(`${set.master.fingerprint}\n`)],
  ]);
  set.docs.forEach((d, i) => {
    files.set(d.name, d.bytes);
    files.set(`${d.name}${ENVELOPE_SUFFIX}`, set.envelopes[i]!);
  });
  return files;
}
