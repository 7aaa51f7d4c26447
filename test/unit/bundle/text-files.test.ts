// The bundle's plain-text files read back (core/bundle/fingerprints-file.ts, readme.ts,
// text-template.ts): the golden files parse to their facts and encode back to the same bytes;
// a parse that succeeds is lossless (encoding what it read gives the input again, so no byte of
// the file escapes the comparison with the facts); garbage is refused with a KeyriteError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { fromUtf8, utf8 } from '../../../core/bytes.ts';
import { encodeFingerprintsFile, parseFingerprintsFile } from '../../../core/bundle/fingerprints-file.ts';
import { encodeReadme, parseReadme, readmeSlots, REHEARSAL_BANNER } from '../../../core/bundle/readme.ts';
import { fillTemplate, matchTemplate, oneLine } from '../../../core/bundle/text-template.ts';
import { GOLDEN_MASTER_FINGERPRINT, readBundleDir } from '../../helpers/bundle-files.ts';
import { GOLDEN_FIXTURE, GOLDEN_RECOVERY_FIXTURE, GOLDEN_SIGNING_BUNDLE_FIXTURE } from '../../helpers/golden.ts';
import { onlyKeyriteErrors, throwsKeyrite } from '../encoding/_helpers.ts';

const root = readBundleDir(GOLDEN_FIXTURE);
const recovery = readBundleDir(GOLDEN_RECOVERY_FIXTURE);
const FINGERPRINTS = root.get('keys/fingerprints.txt')!;
const README = root.get('README.txt')!;
const RECOVERY_README = recovery.get('README.txt')!;

test('fingerprints.txt of the golden bundle: master and five trustees, each fingerprint with its words', () => {
  const f = parseFingerprintsFile(FINGERPRINTS);
  assert.equal(f.kind, 'root-keygen');
  assert.equal(f.ceremonyId, '00112233445566778899aabbccddeeff');
  assert.deepEqual(f.master, { keyLabel: 'keyrite-root-rehearsal', fingerprint: GOLDEN_MASTER_FINGERPRINT });
  assert.deepEqual(f.trustees.map((t) => [t.id, t.name, t.alg]), [1, 2, 3, 4, 5].map((i) => [`trustee-${i}`, `Golden Trustee ${i}`, 'Ed25519']));
  assert.equal(f.trustees[0]!.fingerprint, '0de61ac7929772f8f696606dd2bc69c8251e578d63f61fc8ba975d9be8e69693');
  assert.deepEqual(encodeFingerprintsFile(f), FINGERPRINTS);
  const r = parseFingerprintsFile(recovery.get('keys/fingerprints.txt')!);
  assert.equal(r.kind, 'escrow-recovery');
  assert.deepEqual(r.trustees.map((t) => t.id), ['trustee-2', 'trustee-4', 'trustee-5']);
});

test('fingerprints.txt: a wrong word, an upper-case digit, a missing or extra line is refused', () => {
  const text = fromUtf8(FINGERPRINTS);
  const cases: [string, RegExp][] = [
    [text.replace('merit determine', 'merit detergent'), /words of the fingerprint/],
    [text.replace('8047 4608', '8047 460F'), /16 groups of 4 lowercase hex/],
    [text + '\n', /whole fingerprint blocks/],
    [text.replace('\n\ntrustee trustee-5', '\ntrustee trustee-5'), /./],
    [text.replace('Principal fingerprints:', 'Principal  fingerprints:'), /Line 2 of keys\/fingerprints.txt/],
    [text.replace('trustee trustee-2 (Golden Trustee 2) (Ed25519', 'trustee trustee-2 (Golden Trustee 2) (RSA'), /does not name a trustee/],
    [text.replace('master key "keyrite-root-rehearsal"', 'master "keyrite-root-rehearsal"'), /does not name the master key/],
    [text.replace('root key ceremony', 'rotation'), /does not name a Keyrite ceremony/],
  ];
  for (const [t, message] of cases) throwsKeyrite(() => parseFingerprintsFile(utf8(t)), 'INVALID_INPUT', message);
  throwsKeyrite(() => parseFingerprintsFile(Uint8Array.of(0xff, 0xfe)), 'INVALID_ENCODING');
});

test('README.txt of the golden bundles: each fact in its place, and the list of files', () => {
  const r = parseReadme(README, 'root-keygen');
  assert.equal(r.scriptName, 'Root key ceremony (3-of-5 escrow) - rehearsal');
  assert.equal(r.rehearsal, true);
  assert.deepEqual(Object.keys(r.facts).sort(), readmeSlots('root-keygen').sort());
  assert.equal(r.facts.fingerprintHex, '8047 4608 95e4 5caa f54a 2be0 33a6 aa94 7ac2 0e4f 4dc4 84f0 892b 5200 5038 a27a');
  assert.equal(r.facts.t, '3');
  assert.equal(r.facts.tokenLabel, 'Golden master');
  assert.deepEqual(r.files, [...root.keys()].sort());
  assert.deepEqual(encodeReadme(r), README);
  const rr = parseReadme(RECOVERY_README, 'escrow-recovery');
  assert.equal(rr.facts.sharesCombined, 'trustee-2, trustee-4, trustee-5');
  assert.equal(rr.facts.originalCeremonyId, '00112233445566778899aabbccddeeff');
  assert.deepEqual(encodeReadme(rr), RECOVERY_README);
  throwsKeyrite(() => parseReadme(README, 'escrow-recovery'), 'INVALID_INPUT', /Line 1 of README.txt/);
});

test('README.txt of the golden signing bundle: every slot filled, the request digest among them (a slot name with digits is a slot)', () => {
  const signing = readBundleDir(GOLDEN_SIGNING_BUNDLE_FIXTURE);
  const readme = signing.get('README.txt')!;
  assert.doesNotMatch(fromUtf8(readme), /\{[A-Za-z0-9]+\}/);
  const r = parseReadme(readme, 'signing');
  assert.deepEqual(Object.keys(r.facts).sort(), readmeSlots('signing').sort());
  assert.ok(readmeSlots('signing').includes('requestSha256'));
  assert.equal(r.facts.requestSha256, createHash('sha256').update(signing.get('request/signing-request.json')!).digest('hex'));
  assert.equal(r.facts.documents, 'endorsed-keys.jwks.json, artifacts.intoto.json');
  assert.deepEqual(encodeReadme(r), readme);
  assert.deepEqual(fillTemplate(['sha {requestSha256}'], { requestSha256: 'ab' }), ['sha ab']);
});

test('README.txt: an edited instruction, a dropped banner line or a file list without its last line break is refused', () => {
  const text = fromUtf8(README);
  const cases = [
    text.replace('keyrite verify <this folder>', 'keyrite verify  <this folder>'),
    text.replace(`\n${REHEARSAL_BANNER}`, ''),
    text.slice(0, -1),
    text.replace('  README.txt\n', 'README.txt\n'),
    text.replace('FILES\n', 'FILES:\n'),
  ];
  for (const t of cases) throwsKeyrite(() => parseReadme(utf8(t), 'root-keygen'), 'INVALID_INPUT');
});

/** Small edits of a text: a character changed, inserted or deleted, or a line duplicated. */
const editArb = fc.record({ at: fc.nat(), op: fc.constantFrom('set', 'insert', 'delete', 'dup-line'), ch: fc.constantFrom('a', ' ', '\n', '"', '(', ')', '-', '0', 'f', '\r', '\u2028', 'é') });

function edit(text: string, e: { at: number; op: string; ch: string }): string {
  const at = e.at % (text.length + 1);
  if (e.op === 'set') return text.slice(0, at) + e.ch + text.slice(at + 1);
  if (e.op === 'insert') return text.slice(0, at) + e.ch + text.slice(at);
  if (e.op === 'delete') return text.slice(0, at) + text.slice(at + 1);
  const lines = text.split('\n');
  const i = at % lines.length;
  return [...lines.slice(0, i + 1), ...lines.slice(i)].join('\n');
}

test('property: a README or fingerprints.txt that parses encodes back to exactly its bytes (nothing escapes the comparison)', () => {
  fc.assert(
    fc.property(fc.array(editArb, { minLength: 1, maxLength: 3 }), fc.constantFrom('root', 'recovery', 'fingerprints'), (edits, which) => {
      const original = which === 'root' ? README : which === 'recovery' ? RECOVERY_README : FINGERPRINTS;
      const bytes = utf8(edits.reduce(edit, fromUtf8(original)));
      onlyKeyriteErrors(() => {
        if (which === 'fingerprints') assert.deepEqual(encodeFingerprintsFile(parseFingerprintsFile(bytes)), bytes);
        else assert.deepEqual(encodeReadme(parseReadme(bytes, which === 'root' ? 'root-keygen' : 'escrow-recovery')), bytes);
      });
    }),
    { numRuns: 600 },
  );
});

test('property: arbitrary bytes are read or refused with a KeyriteError, never a crash', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      onlyKeyriteErrors(() => parseFingerprintsFile(bytes));
      onlyKeyriteErrors(() => parseReadme(bytes, 'root-keygen'));
    }),
    { numRuns: 300 },
  );
});

test('text templates: a value cannot add a line; a line that contradicts an earlier one is refused', () => {
  assert.equal(oneLine('a\nb\u2028c\u0007d'), 'a\uFFFDb\uFFFDc\uFFFDd');
  const lines = fillTemplate(['x {a} y', '{b}!'], { a: 'one\ntwo', b: 'B' });
  assert.deepEqual(lines, ['x one\uFFFDtwo y', 'B!']);
  assert.deepEqual(matchTemplate(lines, 0, ['x {a} y', '{b}!'], 'test'), { a: 'one\uFFFDtwo', b: 'B' });
  throwsKeyrite(() => fillTemplate(['{missing}'], {}), 'INVALID_INPUT', /needs a value/);
  throwsKeyrite(() => matchTemplate(['a 1', 'b 2'], 0, ['a {n}', 'b {n}'], 'test'), 'INVALID_INPUT', /contradicts/);
  throwsKeyrite(() => matchTemplate(['a 1'], 0, ['a {n}', 'b {n}'], 'test'), 'INVALID_INPUT', /Line 2 of test/);
});
