/**
 * The recovery bundle (docs/FORMATS.md "Recovery bundle"): `keyrite verify` accepts the one a
 * recovery exports, anchored by the original master fingerprint, and refuses it when its link
 * to the original ceremony, its trustees or its signatures were tampered with.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from '../../helpers/cli.ts';
import { readBundleDir, rehash, statementEnvelope, setStatementEnvelope, text, setText } from '../../helpers/bundle-files.ts';
import { verifyBundle } from '../../../core/verifier/verify.ts';
import type { VerifyReport } from '../../../core/verifier/report.ts';
import { DemoCopies, loadPins, makeTestDemo } from './helpers.ts';

let dir: string;
let copies: DemoCopies;
let recoveryBundle: string;
let otherStatement: Uint8Array;
let fingerprint: string;

function failing(report: VerifyReport): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyrite-recovery-bundle-'));
  const demo = join(dir, 'demo');
  await makeTestDemo(demo);
  const other = join(dir, 'other');
  await makeTestDemo(other, 'another');
  otherStatement = new Uint8Array(readFileSync(join(other, 'bundle', 'statement.dsse.json')));
  copies = new DemoCopies(dir, demo, loadPins(demo));
  const d = copies.copy();
  const r = await copies.recover(d, 'rec');
  assert.equal(r.code, 0, r.stderr);
  recoveryBundle = join(d, 'rec', 'bundle');
  fingerprint = JSON.parse(readFileSync(join(demo, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint;
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('keyrite verify accepts the recovery bundle, anchored by the original master fingerprint', async () => {
  const r = await runInProcess(['verify', recoveryBundle, '--trust', fingerprint, '--json']);
  assert.equal(r.code, 0, r.stdout);
  const doc = JSON.parse(r.stdout) as VerifyReport;
  assert.equal(doc.kind, 'escrow-recovery');
  assert.equal(doc.masterFingerprint, fingerprint);
  assert.ok(doc.checks.some((c) => c.name === 'original-link' && c.status === 'pass'));
  assert.deepEqual(failing(doc), []);
});

test('another ceremony\'s statement in place of the original one breaks the link', () => {
  const files = readBundleDir(recoveryBundle);
  files.set('original/statement.dsse.json', otherStatement);
  assert.deepEqual(failing(verifyBundle(rehash(files), { trust: fingerprint })).filter((n) => n === 'original-link' || n === 'statement'), ['original-link', 'statement']);
});

test('a statement without one trustee\'s signatures, or with the master\'s moved, is refused', () => {
  const files = readBundleDir(recoveryBundle);
  const env = statementEnvelope(files);
  setStatementEnvelope(files, { ...env, signatures: env.signatures.slice(0, -2) });
  const dropped = verifyBundle(rehash(files));
  assert.equal(dropped.verdict, 'invalid');
  assert.ok(failing(dropped).includes('hybrid-rule'));
  const moved = readBundleDir(recoveryBundle);
  const env2 = statementEnvelope(moved);
  setStatementEnvelope(moved, { ...env2, signatures: [...env2.signatures.slice(2), ...env2.signatures.slice(0, 2)] });
  assert.ok(failing(verifyBundle(rehash(moved))).includes('statement-signatures'));
});

test('a changed README fingerprint and an extra file are refused', () => {
  const files = readBundleDir(recoveryBundle);
  setText(files, 'README.txt', text(files, 'README.txt').replace(fingerprint.slice(0, 4), 'ffff'));
  files.set('notes.txt', new TextEncoder().encode('hello'));
  const report = verifyBundle(rehash(files), { trust: fingerprint });
  assert.ok(failing(report).includes('readme'));
  assert.ok(failing(report).includes('bundle-layout'));
});
