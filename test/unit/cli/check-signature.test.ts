// `keyrite check-signature` (docs/CLI.md): exit 0 good / 1 bad / 2 usage or I/O, the key table
// with VALID NOW / NOT YET VALID / EXPIRED, the REHEARSAL line, the artifact path, --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readableFingerprint } from '../../../core/bundle/principals.ts';
import { exampleArtifactBytes, EXAMPLE_ARTIFACT_NAME } from '../../../core/signing/example-request.ts';
import { runInProcess } from '../../helpers/cli.ts';
import { masterKey, signedSet } from '../signing/fixtures.ts';

const DIR = mkdtempSync(join(tmpdir(), 'keyrite-check-signature-'));
process.on('exit', () => rmSync(DIR, { recursive: true, force: true }));

const SET = signedSet();
const REHEARSAL = signedSet(undefined, masterKey(), 'rehearsal');
const FP = SET.master.fingerprint;
const write = (name: string, bytes: Uint8Array): string => {
  const p = join(DIR, name);
  writeFileSync(p, bytes, { flag: 'wx' });
  return p;
};
const KEYS = write('endorsed-keys.jwks.json', SET.docs[0]!.bytes);
const KEYS_ENV = write('endorsed-keys.jwks.json.dsse.json', SET.envelopes[0]!);
const STMT = write('artifacts.intoto.json', SET.docs[1]!.bytes);
const STMT_ENV = write('artifacts.intoto.json.dsse.json', SET.envelopes[1]!);
const ARTIFACT = write(EXAMPLE_ARTIFACT_NAME, exampleArtifactBytes());
const REH = write('rehearsal.jwks.json', REHEARSAL.docs[0]!.bytes);
const REH_ENV = write('rehearsal.jwks.json.dsse.json', REHEARSAL.envelopes[0]!);

const run = (...args: string[]) => runInProcess(['check-signature', ...args]);

test('a good endorsement: exit 0, the fingerprint, every check, each key with purpose, label, validity and VALID NOW', async () => {
  const r = await run(KEYS, '--signature', KEYS_ENV, '--trust', FP, '--at', '2027-01-01T00:00:00Z');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(readableFingerprint(FP).hexGroups));
  for (const name of ['envelope', 'document', 'issuer', 'trust', 'signatures', 'validity']) assert.match(r.stdout, new RegExp(`^pass  ${name}`, 'm'));
  assert.match(r.stdout, /release-signing-2026 +Ed25519 +signing +release-signing +2026-12-07T15:00:00Z +2027-12-07T15:00:00Z +VALID NOW/);
  assert.match(r.stdout, /backup-encryption-2026 +X-Wing +encryption +backup-encryption .* VALID NOW/);
  assert.match(r.stdout, /^GOOD: the master key endorsed these keys/m);
  assert.doesNotMatch(r.stdout, /REHEARSAL/);
});

test('--at before nbf says NOT YET VALID, after exp EXPIRED; both exit 1 at the validity check', async () => {
  const early = await run(KEYS, '--signature', KEYS_ENV, '--trust', FP, '--at', '2026-01-01T00:00:00Z');
  assert.equal(early.code, 1);
  assert.match(early.stdout, /NOT YET VALID/);
  assert.match(early.stderr, /failed at "validity"/);
  const late = await run(KEYS, '--signature', KEYS_ENV, '--trust', FP, '--at', '2030-01-01T00:00:00Z');
  assert.equal(late.code, 1);
  assert.match(late.stdout, /EXPIRED/);
});

test('one changed byte of the document: exit 1 naming the document check', async () => {
  const bytes = Uint8Array.from(SET.docs[0]!.bytes);
  bytes[100] = bytes[100]! ^ 1;
  const r = await run(write('tampered.jwks.json', bytes), '--signature', KEYS_ENV, '--trust', FP);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^FAIL {2}document/m);
  assert.match(r.stdout, /^BAD: the document check failed/m);
  assert.match(r.stderr, /the signature check failed at "document"/);
  assert.doesNotMatch(r.stdout, /Endorsed keys/, 'nothing the document states is shown before its signatures verified');
});

test('another fingerprint: exit 1 at trust; the 16 words: exit 0', async () => {
  const r = await run(KEYS, '--signature', KEYS_ENV, '--trust', masterKey(40).fingerprint);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /failed at "trust"/);
  assert.match(r.stdout, /NOT verified/);
  const words = await run(KEYS, '--signature', KEYS_ENV, '--trust', readableFingerprint(FP).words.join(' '), '--at', '2027-01-01T00:00:00Z');
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stdout, /first 16 bytes/);
});

test('the statement and the artifact it lists: exit 0, the artifact named with size and SHA-256', async () => {
  assert.equal((await run(STMT, '--signature', STMT_ENV, '--trust', FP)).code, 0);
  const r = await run(ARTIFACT, '--signature', STMT_ENV, '--trust', FP);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Signed artifact: keyrite-demo-release\.txt, \d+ bytes, SHA-256 [0-9a-f]{64}/);
  assert.match(r.stdout, /GOOD: this file is an artifact the master key signed/);
  const renamed = await run(write('renamed.txt', exampleArtifactBytes()), '--signature', STMT_ENV, '--trust', FP);
  assert.equal(renamed.code, 1);
  assert.match(renamed.stdout, /named differently/);
});

test('a rehearsal document: exit 0 with a REHEARSAL line and note', async () => {
  const r = await run(REH, '--signature', REH_ENV, '--trust', FP, '--at', '2027-01-01T00:00:00Z');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}REHEARSAL: this document was signed in a rehearsal ceremony/m);
  assert.match(r.stdout, /^GOOD \(REHEARSAL\)/m);
  assert.match(r.stderr, /note: REHEARSAL/);
});

test('--json: the report as one JSON document, with the time judged', async () => {
  const r = await run(KEYS, '--signature', KEYS_ENV, '--trust', FP, '--at', '2027-01-01T00:00:00Z', '--json');
  assert.equal(r.code, 0);
  const j = JSON.parse(r.stdout);
  assert.equal(j.ok, true);
  assert.equal(j.at, '2027-01-01T00:00:00Z');
  assert.equal(j.issuerFingerprint, FP);
  assert.deepEqual(j.keys.map((k: { validNow: boolean }) => k.validNow), [true, true]);
  const bad = await run(KEYS, '--signature', STMT_ENV, '--trust', FP, '--json');
  assert.equal(bad.code, 1);
  assert.equal(JSON.parse(bad.stdout).ok, false);
});

test('usage errors exit 2: no --trust, a bad --trust, --mode or --at, no --signature', async () => {
  const cases: [string[], RegExp][] = [
    [[KEYS, '--signature', KEYS_ENV], /--trust is required/],
    [[KEYS, '--signature', KEYS_ENV, '--trust', 'abcd'], /--trust must be the master fingerprint/],
    [[KEYS, '--signature', KEYS_ENV, '--trust', FP, '--mode', 'both'], /--mode must be hybrid, classical-only or pq-only/],
    [[KEYS, '--signature', KEYS_ENV, '--trust', FP, '--at', 'tomorrow'], /--at must be a UTC time/],
    [[KEYS, '--trust', FP], /--signature is required/],
  ];
  for (const [args, message] of cases) {
    const r = await run(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test('files: missing, a folder, an envelope over 4 MiB all exit 2 with a sentence', async () => {
  const missing = await run(join(DIR, 'nope'), '--signature', KEYS_ENV, '--trust', FP);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Could not open the document .*nope/);
  const folder = await run(DIR, '--signature', KEYS_ENV, '--trust', FP);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /is not a file/);
  const big = write('big.dsse.json', new Uint8Array(0));
  truncateSync(big, 4 * 1024 * 1024 + 1);
  const r = await run(KEYS, '--signature', big, '--trust', FP);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /more than the 4194304 bytes check-signature reads/);
});

test('a hostile file name is shown escaped', async () => {
  const p = write('evil\u001b[2J\u202e.json', SET.docs[0]!.bytes);
  const r = await run(p, '--signature', KEYS_ENV, '--trust', FP, '--at', '2027-01-01T00:00:00Z');
  assert.equal(r.code, 0);
  assert.ok(!r.stdout.includes('\u001b') && !r.stdout.includes('\u202e'), 'no raw escape or bidi character');
});
