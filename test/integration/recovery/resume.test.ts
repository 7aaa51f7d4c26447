/**
 * Crash and resume of `keyrite recover`: the CLI runs as a child process and is killed
 * (SIGKILL) when a progress line appears on its stdout — no test hook in the product. The
 * next run on the same --out folder keeps the valid prefix, records ceremony.resume and the
 * interrupted step as aborted, and — shares never being stored — collects t shares again.
 * A key an interrupted run already restored onto the new token is checked and kept, never
 * imported twice. No secret the test can reconstruct is on disk afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/cli.ts';
import { recoverTranscript } from '../../../core/transcript/transcript.ts';
import { ABORT_REASON } from '../../../core/ceremony/journal.ts';
import { assertVerifiesAnchored, knownSecrets, isDemoPassphraseFile, newTmpEntries, scanForSecrets, spawnCli, tmpSnapshot } from '../ceremony/helpers.ts';
import { DemoCopies, REHEARSAL_RECOVERY, checkRecoveryCheckpoints, pinOf, recoveryEntries, trustedFingerprint } from './helpers.ts';

let copies: DemoCopies;

before(async () => {
  copies = await DemoCopies.make('keyrite-recover-resume-');
});
after(() => copies?.remove());

function argv(d: string): string[] {
  return ['recover', REHEARSAL_RECOVERY, '--bundle', join(d, 'bundle'), '--answers', join(d, 'recovery-answers.yaml'), '--out', join(d, 'rec')];
}

async function killAt(line: RegExp): Promise<{ d: string; tmpBefore: Set<string> }> {
  const tmpBefore = tmpSnapshot();
  const d = copies.copy();
  const r = await spawnCli(argv(d), copies.pins, { killOn: line }).done;
  assert.equal(r.signal, 'SIGKILL', `the child was not killed (exit ${r.code}); stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const prefix = recoverTranscript(readFileSync(join(d, 'rec', 'journal', 'transcript.jsonl'))).entries;
  assert.equal(prefix[0]!.type, 'ceremony.start');
  return { d, tmpBefore };
}

async function resume(d: string) {
  const r = await copies.recover(d, 'rec');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.resumed, true);
  assert.equal(res.run, 2);
  assert.equal(res.recoveredFingerprint, JSON.parse(readFileSync(join(d, 'bundle', 'bundle.json'), 'utf8')).masterFingerprint);
  assert.equal(await copies.newTokenHoldsKey(d), true);
  checkRecoveryCheckpoints(join(d, 'rec'), join(d, 'bundle'));
  await assertVerifiesAnchored(join(d, 'rec', 'bundle'), trustedFingerprint(d));
  return recoveryEntries(join(d, 'rec'));
}

async function assertNoSecretsOnDisk(d: string, tmpBefore: Set<string>): Promise<void> {
  const ids = ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-5'];
  const passphrases = new Map([...ids, 'recovery'].map((id) => [id, pinOf(copies.pins, id)]));
  const secrets = await knownSecrets({ dir: d, passphrases }, (id) => join(d, 'trustees', id, 'token.keyrite-token'), (id) => join(d, 'trustees', id), 3);
  assert.ok(secrets.some((s) => s.label === 'master seed S'));
  assert.deepEqual(scanForSecrets([join(d, 'rec'), ...newTmpEntries(tmpBefore, [copies.dir])], secrets, isDemoPassphraseFile), [], 'secret material found on disk');
}

test('killed during share collection: another bundle in the bundle\'s place is refused, changing nothing; with the same bundle the next run records the abort, collects t shares again and exports a recovery bundle that verifies', async () => {
  const { d, tmpBefore } = await killAt(/Share of .* \(trustee-1\) accepted: 1 of 3/);
  const journal = join(d, 'rec', 'journal', 'transcript.jsonl');
  const before = recoverTranscript(readFileSync(journal)).entries;
  assert.equal(before.filter((e) => e.type === 'share.accepted').length, 1);
  // Another ceremony's bundle (the golden one) where the answers file names the bundle.
  const journalBytes = readFileSync(journal);
  renameSync(join(d, 'bundle'), join(d, 'bundle-of-this-ceremony'));
  cpSync(join(repoRoot, 'test', 'fixtures', 'golden-bundle'), join(d, 'bundle'), { recursive: true });
  const other = await copies.recover(d, 'rec');
  assert.equal(other.code, 1, other.stdout + other.stderr);
  assert.match(JSON.parse(other.stdout).message, /holds the recovery of another bundle .*; use the same bundle, or a new --out folder\./);
  assert.ok(readFileSync(journal).equals(journalBytes), 'the refused run changed the journal');
  rmSync(join(d, 'bundle'), { recursive: true });
  renameSync(join(d, 'bundle-of-this-ceremony'), join(d, 'bundle'));
  const entries = await resume(d);
  const resumeAt = entries.findIndex((e) => e.type === 'ceremony.resume');
  assert.equal(resumeAt, before.length, 'the resume entry follows the recovered prefix');
  assert.deepEqual((entries[resumeAt]!.body.interrupted as { step: string }).step, 'collect-share');
  const aborted = entries.find((e) => e.type === 'step.aborted')!;
  assert.equal(aborted.body.step, 'collect-share');
  assert.equal(aborted.body.reason, ABORT_REASON);
  const later = entries.slice(resumeAt);
  assert.equal(later.filter((e) => e.type === 'share.accepted').length, 3, 'all three shares are collected again');
  assert.equal(later.find((e) => e.type === 'step.start' && e.body.step === 'collect-share')!.body.attempt, 2);
  assert.ok(later.some((e) => e.type === 'step.deviation' && e.body.step === 'verify-bundle' && e.body.kind === 'repeated'));
  assert.ok(later.some((e) => e.type === 'step.deviation' && e.body.step === 'quorum-present' && e.body.kind === 'skipped'), 'the checkpoint signed before the crash stands');
  assert.equal(entries.filter((e) => e.type === 'key.import').length, 1);
  await assertNoSecretsOnDisk(d, tmpBefore);
});

test('killed after the key reached the new token: the next run checks that key and keeps it, never importing twice, and exports a recovery bundle that verifies', async () => {
  const { d, tmpBefore } = await killAt(/Master key restored onto token/);
  const entries = await resume(d);
  const later = entries.slice(entries.findIndex((e) => e.type === 'ceremony.resume'));
  assert.equal(later.filter((e) => e.type === 'share.accepted').length, 3, 'the ML-DSA-65 half needs the shares again');
  const kept = later.find((e) => e.type === 'step.deviation' && e.body.step === 'restore')!;
  assert.equal(kept.body.kind, 'skipped');
  assert.match(kept.body.reason as string, /already holds the recovered key/);
  assert.equal(later.find((e) => e.type === 'token.label-check')!.body.outcome, 'holds-this-ceremony-key');
  await assertNoSecretsOnDisk(d, tmpBefore);
});

test('after ceremony.end: a missing final checkpoint and statement are signed again over the same closed transcript, then the bundle is exported and verifies', async () => {
  const d = copies.copy();
  assert.equal((await copies.recover(d, 'rec')).code, 0);
  const journal = readFileSync(join(d, 'rec', 'journal', 'transcript.jsonl'));
  const final = readdirSync(join(d, 'rec', 'journal', 'checkpoints')).find((n) => n.endsWith('-final.note'))!;
  // As if the process died right after ceremony.end: no final note, no statement, no bundle (nor its archive) yet.
  rmSync(join(d, 'rec', 'journal', 'checkpoints', final));
  rmSync(join(d, 'rec', 'journal', 'statement.dsse.json'));
  rmSync(join(d, 'rec', 'bundle'), { recursive: true });
  rmSync(join(d, 'rec', 'bundle.keyrite.tar'));
  await resume(d);
  assert.ok(readFileSync(join(d, 'rec', 'journal', 'transcript.jsonl')).equals(journal), 'nothing is appended after ceremony.end');
  assert.ok(readdirSync(join(d, 'rec', 'journal', 'checkpoints')).includes(final));
});
