// test/fixtures/golden-signing/ byte for byte (a change of a signing format shows here first),
// and the fixture as a relying party sees it: every document and the artifact check out
// against the master fingerprint stored beside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFingerprint } from '../../../core/encoding/fingerprint.ts';
import { checkSignedDocument } from '../../../core/signing/check-signature.ts';
import { EXAMPLE_ARTIFACT_NAME } from '../../../core/signing/example-request.ts';
import { GOLDEN_SIGNING_FIXTURE, goldenSigningFiles } from '../../helpers/golden-signing.ts';
import { NOW } from './fixtures.ts';

const read = (name: string) => new Uint8Array(readFileSync(join(GOLDEN_SIGNING_FIXTURE, name)));

test('the golden signing files are made again byte for byte (regenerate only for an intended format change: build/regenerate-golden-signing.ts)', () => {
  const files = goldenSigningFiles();
  assert.deepEqual(readdirSync(GOLDEN_SIGNING_FIXTURE).sort(), [...files.keys()].sort());
  for (const [name, bytes] of files) assert.deepEqual(read(name), bytes, name);
});

test('the golden documents and the artifact pass checkSignedDocument against the stored master fingerprint', () => {
  const trust = parseFingerprint(new TextDecoder().decode(read('master-fingerprint.txt')).trim());
  for (const [document, envelope] of [
    ['endorsed-keys.jwks.json', 'endorsed-keys.jwks.json.dsse.json'],
    ['artifacts.intoto.json', 'artifacts.intoto.json.dsse.json'],
    [EXAMPLE_ARTIFACT_NAME, 'artifacts.intoto.json.dsse.json'],
  ] as const) {
    const r = checkSignedDocument({ document: read(document), documentName: document, envelope: read(envelope), trust, now: NOW });
    assert.ok(r.ok, `${document}: ${JSON.stringify(r.checks)}`);
  }
});
