/**
 * Crash and resume: `keyrite ceremony run` runs as a child process and is killed (SIGKILL) when
 * a given progress line appears on its stdout — no test hooks in the product. Then:
 *  - the journal on disk is a valid prefix (recoverTranscript), possibly with a torn tail;
 *  - the next run records the interruption (ceremony.resume, step.aborted with the reason
 *    "process ended before the step completed") and resumes, or restarts key generation
 *    (key.abandoned), or refuses with a message that says what to do — which the test then
 *    does, to a bundle that `keyrite verify --trust` accepts;
 *  - after everything, no secret the test can reconstruct (passphrases, dice, trustee seeds
 *    and derived keys, shares, salts, K, S, master private keys) is on disk in raw, hex or
 *    base64 form — in the run folder, the trustees' folders, or new temp entries.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess } from '../../helpers/cli.ts';
import { readTranscript, recoverTranscript } from '../../../core/transcript/transcript.ts';
import { ABORT_REASON } from '../../../core/ceremony/journal.ts';
import {
  REHEARSAL_SCRIPT,
  announcedFingerprint,
  answersYaml,
  assertVerifiesAnchored,
  journalEntries,
  knownSecrets,
  makeRehearsalFixture,
  newTmpEntries,
  scanForSecrets,
  spawnCli,
  tmpSnapshot,
  types,
  type RehearsalFixture,
} from './helpers.ts';

const fixtures: RehearsalFixture[] = [];
after(() => {
  for (const f of fixtures) rmSync(f.dir, { recursive: true, force: true });
});

function argv(f: RehearsalFixture): string[] {
  return ['ceremony', 'run', REHEARSAL_SCRIPT, '--answers', f.answersPath, '--out', f.outDir];
}

async function killAt(line: RegExp): Promise<{ f: RehearsalFixture; tmpBefore: Set<string>; stdout: string }> {
  const tmpBefore = tmpSnapshot();
  const f = await makeRehearsalFixture('keyrite-crash-');
  fixtures.push(f);
  const { done } = spawnCli(argv(f), f.env, { killOn: line });
  const r = await done;
  assert.equal(r.signal, 'SIGKILL', `the child was not killed (exit ${r.code}); stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return { f, tmpBefore, stdout: r.stdout };
}

async function assertNoSecretsOnDisk(f: RehearsalFixture, tmpBefore: Set<string>): Promise<void> {
  const secrets = await knownSecrets(f, (id) => join(f.dir, 'tokens', `${id}.keyrite-token`), (id) => join(f.dir, 'trustees', id));
  // The test's own answers files carry the dice (the product never writes them).
  const skip = (p: string) => /answers[^/]*\.yaml$/.test(p);
  const findings = scanForSecrets([f.dir, ...newTmpEntries(tmpBefore, [f.dir])], secrets, skip);
  assert.deepEqual(findings, [], 'secret material found on disk');
  // The scanner itself finds a planted secret (positive control).
  const canary = mkdtempSync(join(tmpdir(), 'keyrite-canary-'));
  try {
    const s = secrets.find((x) => x.bytes !== undefined)!;
    writeFileSync(join(canary, 'leak.txt'), `x${Buffer.from(s.bytes!).toString('hex')}x`);
    assert.equal(scanForSecrets([canary], secrets).length, 1);
  } finally {
    rmSync(canary, { recursive: true, force: true });
  }
}

function recoverTranscriptEntries(f: RehearsalFixture) {
  return recoverTranscript(readFileSync(join(f.outDir, 'journal', 'transcript.jsonl'))).entries;
}

function assertValidPrefix(f: RehearsalFixture): number {
  const bytes = readFileSync(join(f.outDir, 'journal', 'transcript.jsonl'));
  const rec = recoverTranscript(bytes);
  assert.ok(rec.entries.length > 0);
  assert.equal(rec.entries[0]!.type, 'ceremony.start');
  return rec.entries.length;
}

test('killed during trustee enrolment (plus a torn tail): another script or other participants are refused, changing nothing; the same ones recover the prefix, record the abort and resume to a bundle that verifies', async () => {
  const { f, tmpBefore } = await killAt(/Trustee Number 2 \(trustee-2\): creating their identity/);
  const before = assertValidPrefix(f);
  const transcript = join(f.outDir, 'journal', 'transcript.jsonl');
  appendFileSync(transcript, '{"actor":"admin","body":{"half-writ');
  const torn = readFileSync(transcript);
  // A comment changes the script's hash.
  const otherScript = join(f.dir, 'other-script.yaml');
  writeFileSync(otherScript, `${readFileSync(REHEARSAL_SCRIPT, 'utf8')}# another script\n`);
  const wrongScript = await runInProcess(['ceremony', 'run', otherScript, '--answers', f.answersPath, '--out', f.outDir], undefined, f.env);
  assert.equal(wrongScript.code, 1, wrongScript.stderr);
  assert.match(wrongScript.stderr, /holds a ceremony of another script .*Use the same script, or a new --out folder\./);
  const otherParticipants = f.writeAnswers(answersYaml({ ...f.spec, trustees: f.spec.trustees.map((t) => (t.id === 'trustee-5' ? { ...t, id: 'trustee-9' } : t)) }), 'answers-other-participants.yaml');
  const wrongPeople = await runInProcess(['ceremony', 'run', REHEARSAL_SCRIPT, '--answers', otherParticipants, '--out', f.outDir], undefined, f.env);
  assert.equal(wrongPeople.code, 1, wrongPeople.stderr);
  assert.match(wrongPeople.stderr, /other participants \(ids or roles\) than this answers file; resume it with the same participants, or use a new --out folder\./);
  assert.ok(readFileSync(transcript).equals(torn), 'a refused run changed the journal');
  const r = await runInProcess(argv(f), undefined, f.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /complete \(resumed: run 2\)/);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(r.stdout));
  const entries = journalEntries(f.outDir);
  const resume = entries.find((e) => e.type === 'ceremony.resume')!;
  assert.equal(resume.seq, before, 'the resume entry follows the recovered prefix');
  assert.equal(resume.body.dropped, 'no-final-newline');
  assert.ok((resume.body.droppedBytes as number) > 0);
  const aborted = entries.find((e) => e.type === 'step.aborted')!;
  assert.equal(aborted.body.step, 'check-in');
  assert.equal(aborted.body.reason, ABORT_REASON);
  // trustee-1 finished before the kill: reused, recorded as a deviation with a reason.
  const skipped = entries.filter((e) => e.type === 'step.deviation' && e.body.kind === 'skipped' && e.body.step === 'check-in');
  assert.ok(skipped.some((e) => e.body.participantId === 'trustee-1' && typeof e.body.reason === 'string' && e.body.witness === 'witness'));
  assert.equal(entries.filter((e) => e.type === 'participant.check-in').length, 5);
  assert.ok(entries.some((e) => e.type === 'step.deviation' && e.body.kind === 'repeated' && e.body.step === 'self-test'));
  readTranscript(readFileSync(join(f.outDir, 'bundle', 'transcript.jsonl')));
  await assertNoSecretsOnDisk(f, tmpBefore);
});

test('killed just after the master key was generated: the unescrowed key is abandoned and key generation restarts (or, if it reached the token, the run refuses and says what to do)', async () => {
  // Printed after key.generate is durable: the key exists, only in the killed process's memory.
  const { f, tmpBefore } = await killAt(/Master key fingerprint /);
  assertValidPrefix(f);
  const firstKey = recoverTranscriptEntries(f).find((e) => e.type === 'key.generate' && e.body.role === 'master');
  assert.ok(firstKey, 'the kill came after key.generate');
  const r = await runInProcess(argv(f), undefined, f.env);
  const entries = journalEntries(f.outDir);
  assert.ok(types(entries).includes('ceremony.resume'));
  const abandoned = entries.find((e) => e.type === 'key.abandoned');
  assert.ok(abandoned, 'the unescrowed key is recorded as abandoned');
  assert.equal(abandoned!.body.fingerprint, firstKey!.body.fingerprint);
  assert.ok(entries.some((e) => e.type === 'step.aborted' && e.body.reason === ABORT_REASON));
  if (r.code === 0) {
    // The key existed only in memory: generation restarted with fresh entropy and a new key.
    const keys = entries.filter((e) => e.type === 'key.generate' && e.body.role === 'master');
    assert.equal(keys.length, 2);
    assert.notEqual(keys[1]!.body.fingerprint, keys[0]!.body.fingerprint);
    assert.ok(entries.some((e) => e.type === 'step.deviation' && e.body.kind === 'repeated' && e.body.step === 'entropy'));
    assert.equal(announcedFingerprint(r.stdout), keys[1]!.body.fingerprint);
    await assertVerifiesAnchored(join(f.outDir, 'bundle'), keys[1]!.body.fingerprint as string);
  } else {
    // The interrupted run had already imported the key: it is never used, and Keyrite says so.
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /interrupted attempt of this ceremony that was never escrowed/);
    assert.ok(entries.some((e) => e.type === 'key.abandoned'));
  }
  await assertNoSecretsOnDisk(f, tmpBefore);
});

test('killed after the escrow was distributed: the next run restores the master key from the trustees\' envelopes; a file in the way is refused, and once moved away as said, the run finishes with a bundle that verifies', async () => {
  const { f, tmpBefore } = await killAt(/\] receipts \(verify-receipts\)/);
  assertValidPrefix(f);
  // A share card some other attempt left where this run writes trustee-2's.
  const card = join(f.dir, 'trustees', 'trustee-2', 'share-card.pdf');
  writeFileSync(card, '%PDF- not the card of this escrow');
  const blocked = await runInProcess(argv(f), undefined, f.env);
  assert.equal(blocked.code, 1, blocked.stderr);
  assert.ok(blocked.stderr.includes(`${card} already exists with other contents; Keyrite never overwrites a file. Move it away if it belongs to an abandoned attempt, then run again.`), blocked.stderr);
  renameSync(card, join(f.dir, 'moved-away-share-card.pdf'));
  const r = await runInProcess(argv(f), undefined, f.env);
  assert.equal(r.code, 0, r.stderr);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(r.stdout));
  const entries = journalEntries(f.outDir);
  const restore = entries.find((e) => e.type === 'key.restore');
  assert.ok(restore, 'the master key was restored from the escrow');
  assert.equal(restore!.body.method, 'escrow');
  assert.equal(entries.filter((e) => e.type === 'key.generate' && e.body.role === 'master').length, 1, 'the escrowed key is kept, not replaced');
  for (const step of ['entropy', 'generate', 'import', 'split', 'distribute']) {
    assert.ok(entries.some((e) => e.type === 'step.deviation' && e.body.kind === 'skipped' && e.body.step === step), `${step} is recorded as skipped`);
  }
  assert.equal(entries.filter((e) => e.type === 'share.receipt').length, 5);
  await assertNoSecretsOnDisk(f, tmpBefore);
});

test('killed while co-signing: the next run completes the same ceremony (the transcript is never extended past ceremony.end) with a bundle that verifies', async () => {
  const { f, tmpBefore } = await killAt(/\] co-sign \(co-sign\)/);
  assertValidPrefix(f);
  const r = await runInProcess(argv(f), undefined, f.env);
  assert.equal(r.code, 0, r.stderr);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(r.stdout));
  const entries = journalEntries(f.outDir);
  assert.equal(entries[entries.length - 1]!.type, 'ceremony.end');
  assert.equal(entries.filter((e) => e.type === 'ceremony.end').length, 1);
  const bundleTranscript = readFileSync(join(f.outDir, 'bundle', 'transcript.jsonl'));
  assert.ok(bundleTranscript.equals(readFileSync(join(f.outDir, 'journal', 'transcript.jsonl'))));
  await assertNoSecretsOnDisk(f, tmpBefore);
});

test('killed after the key reached the master token but before the escrow: the next run refuses and says what to do; once the key is removed, generation restarts', async () => {
  // Printed when the key-generation checkpoint starts: the key is imported, not yet escrowed.
  const { f, tmpBefore } = await killAt(/\] key-generated \(checkpoint\)/);
  assertValidPrefix(f);
  const first = await runInProcess(argv(f), undefined, f.env);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /holds "keyrite:keyrite-root-rehearsal", the key of an interrupted attempt of this ceremony that was never escrowed.*must never be used/s);
  assert.match(first.stderr, /start the rehearsal again in a new folder|Remove it with the token's own tools/);
  let entries = journalEntries(f.outDir);
  const abandoned = entries.filter((e) => e.type === 'key.abandoned');
  assert.equal(abandoned.length, 1);
  assert.equal(abandoned[0]!.body.importedLabel, 'keyrite-root-rehearsal');
  assert.equal(entries.filter((e) => e.type === 'token.label-check').pop()!.body.outcome, 'taken');
  // The custodian removes the abandoned key with the token's own tools (here: the token API).
  const { openSoftwareTokenFile } = await import('../../../core/node/software-token-file.ts');
  const master = await openSoftwareTokenFile(join(f.dir, 'tokens', 'master.keyrite-token'));
  await master.login(f.passphrases.get('master')!);
  await master.destroyObject((await master.findObject('keyrite-root-rehearsal'))!);
  await master.close();
  const second = await runInProcess(argv(f), undefined, f.env);
  assert.equal(second.code, 0, second.stderr);
  entries = journalEntries(f.outDir);
  const keys = entries.filter((e) => e.type === 'key.generate' && e.body.role === 'master');
  assert.equal(keys.length, 2);
  assert.equal(keys[0]!.body.fingerprint, abandoned[0]!.body.fingerprint);
  assert.equal(announcedFingerprint(second.stdout), keys[1]!.body.fingerprint);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), keys[1]!.body.fingerprint as string);
  assert.equal(entries.filter((e) => e.type === 'key.abandoned').length, 1, 'the abandonment is recorded once');
  await assertNoSecretsOnDisk(f, tmpBefore);
});

test('killed after the key-generation checkpoint was signed, the key removed as the message says: the next run makes a new key and exports a bundle that verifies (both key-generation checkpoints in it)', async () => {
  // Printed once the key-generation checkpoint is signed and recorded: the key is on the token, not yet escrowed.
  const { f, tmpBefore } = await killAt(/Checkpoint "key-generation" at \d+ entries signed/);
  const first = await runInProcess(argv(f), undefined, f.env);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /interrupted attempt of this ceremony that was never escrowed/);
  const { openSoftwareTokenFile } = await import('../../../core/node/software-token-file.ts');
  const master = await openSoftwareTokenFile(join(f.dir, 'tokens', 'master.keyrite-token'));
  await master.login(f.passphrases.get('master')!);
  await master.destroyObject((await master.findObject('keyrite-root-rehearsal'))!);
  await master.close();
  const second = await runInProcess(argv(f), undefined, f.env);
  assert.equal(second.code, 0, second.stderr);
  const signed = journalEntries(f.outDir).filter((e) => e.type === 'checkpoint.sign').map((e) => e.body.note);
  assert.deepEqual(signed, ['01-enrollment.note', '02-key-generation.note', '03-key-generation.note', '04-escrow.note']);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(second.stdout));
  await assertNoSecretsOnDisk(f, tmpBefore);
});

test('one process per run folder: a second run on a folder another process is running is refused, naming it, and changes nothing; the first then finishes with a bundle that verifies', async () => {
  const f = await makeRehearsalFixture('keyrite-lock-');
  fixtures.push(f);
  const first = spawnCli(argv(f), f.env, { stopOn: /Checkpoint "enrollment" at \d+ entries signed/ });
  await first.stopped;
  const before = readFileSync(join(f.outDir, 'journal', 'transcript.jsonl'));
  const second = await runInProcess(argv(f), undefined, f.env);
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, new RegExp(`in use by another Keyrite process \\(pid ${first.child.pid} on `));
  assert.ok(readFileSync(join(f.outDir, 'journal', 'transcript.jsonl')).equals(before), 'the refused run wrote to the journal');
  first.child.kill('SIGCONT');
  const r = await first.done;
  assert.equal(r.code, 0, r.stderr);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(r.stdout));
  assert.equal(existsSync(join(f.outDir, '.keyrite.lock')), false, 'the lock is released at the end');
});

test('what a killed run leaves besides its journal: its lock is stale and taken over, its temporary files are removed, both said and recorded; the run finishes with a bundle that verifies', async () => {
  const { f } = await killAt(/Checkpoint "enrollment" at \d+ entries signed/);
  const stale = JSON.parse(readFileSync(join(f.outDir, '.keyrite.lock'), 'utf8')) as { pid: number };
  // As a SIGKILL between a temporary file's creation and its link would leave them (the names Keyrite uses).
  const leftovers = ['trustees/trustee-2/.share-card.pdf.0123456789ab.tmp', 'tokens/.master.keyrite-token.0123456789ab.tmp', 'out/journal/checkpoints/.02-key-generation.note.0123456789ab.tmp'];
  for (const l of leftovers) writeFileSync(join(f.dir, l), 'secret-looking bytes');
  writeFileSync(join(f.dir, 'tokens', '.someone-elses.keyrite-token.0123456789ab.tmp'), 'not this run\'s');
  const r = await runInProcess(argv(f), undefined, f.env);
  assert.equal(r.code, 0, r.stderr);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(r.stdout));
  assert.match(r.stdout + r.stderr, new RegExp(`locked by a Keyrite process that no longer runs \\(pid ${stale.pid},`));
  assert.match(r.stdout + r.stderr, /Removed 3 temporary files an interrupted run left behind/);
  for (const l of leftovers) assert.equal(existsSync(join(f.dir, l)), false, l);
  assert.equal(existsSync(join(f.dir, 'tokens', '.someone-elses.keyrite-token.0123456789ab.tmp')), true, 'only the files of this run are swept');
  const resume = journalEntries(f.outDir).find((e) => e.type === 'ceremony.resume')!;
  assert.equal((resume.body.staleLock as { pid: number }).pid, stale.pid);
  assert.deepEqual(resume.body.temporaryFilesRemoved, ['out:journal/checkpoints/.02-key-generation.note.0123456789ab.tmp', 'answers:trustees/trustee-2/.share-card.pdf.0123456789ab.tmp', 'answers:tokens/.master.keyrite-token.0123456789ab.tmp']);
  assert.equal(existsSync(join(f.outDir, '.keyrite.lock')), false);
});

test('a lock no run takes over by itself (a takeover marker left behind, the lock of a run that crashed on another computer, a damaged lock file) is refused, naming what to remove; removed as said, the next run gets past the lock, and the last finishes with a bundle that verifies', async () => {
  const { f } = await killAt(/Checkpoint "enrollment" at \d+ entries signed/);
  const lock = join(f.outDir, '.keyrite.lock');
  const transcript = join(f.outDir, 'journal', 'transcript.jsonl');
  const refused = async (advice: RegExp) => {
    const before = readFileSync(transcript);
    const r = await runInProcess(argv(f), undefined, f.env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, advice);
    assert.ok(readFileSync(transcript).equals(before), 'a refused run changed the journal');
  };
  // The run resumes the journal (it is past the lock) and is killed there, leaving a lock of its own.
  const getsPastTheLock = async () => {
    const r = await spawnCli(argv(f), f.env, { killOn: /Resuming ceremony [0-9a-f]{32}/ }).done;
    assert.equal(r.signal, 'SIGKILL', `the run did not get past the lock (exit ${r.code}):\n${r.stderr}`);
  };
  const killedPid = (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid;
  mkdirSync(`${lock}.takeover`);
  await refused(/another process is taking it over right now \(\.keyrite\.lock\.takeover\)\. If none is, remove \.keyrite\.lock\.takeover and run again\./);
  rmSync(`${lock}.takeover`, { recursive: true });
  await getsPastTheLock();
  writeFileSync(lock, JSON.stringify({ ...JSON.parse(readFileSync(lock, 'utf8')), host: `elsewhere-${hostname()}` }));
  await refused(/on another computer: Keyrite cannot tell from here whether it still runs\..* once you are sure no Keyrite process on elsewhere-.* uses this folder, remove \.keyrite\.lock and run again here\./);
  rmSync(lock);
  await getsPastTheLock();
  writeFileSync(lock, 'not a lock\n');
  await refused(/holds a lock file \(\.keyrite\.lock\) that is not Keyrite's or is damaged\. If no Keyrite process is running a ceremony in this folder, remove that file and run again\./);
  rmSync(lock);
  const r = await runInProcess(argv(f), undefined, f.env);
  assert.equal(r.code, 0, r.stderr);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(r.stdout));
  const resumes = journalEntries(f.outDir).filter((e) => e.type === 'ceremony.resume');
  assert.deepEqual(resumes.map((e) => e.body.run), [2, 3, 4]);
  assert.deepEqual(resumes.map((e) => (e.body.staleLock as { pid: number } | undefined)?.pid), [killedPid, undefined, undefined], 'only the first lock was taken over; the others were removed by hand');
  assert.equal(existsSync(lock), false);
});

test('after ceremony.end: a missing statement is signed again over the same closed transcript; a missing bundle is exported again (an archive the interrupted export left is kept when it holds the same bytes, refused when it does not); a final checkpoint that does not match is refused, and once moved away as said, signed again; each bundle verifies', async () => {
  const tmpBefore = tmpSnapshot();
  const f = await makeRehearsalFixture('keyrite-tail-');
  fixtures.push(f);
  const first = await runInProcess(argv(f), undefined, f.env);
  assert.equal(first.code, 0, first.stderr);
  const fingerprint = announcedFingerprint(first.stdout);
  const bundle = join(f.outDir, 'bundle');
  const archive = join(f.outDir, 'bundle.keyrite.tar');
  const checkpoints = join(f.outDir, 'journal', 'checkpoints');
  const journal = readFileSync(join(f.outDir, 'journal', 'transcript.jsonl'));
  // As if the process died after ceremony.end, before the final note and the statement were written.
  const finalNote = readdirSync(join(f.outDir, 'journal', 'checkpoints')).find((n) => n.endsWith('-final.note'))!;
  rmSync(join(f.outDir, 'journal', 'checkpoints', finalNote));
  rmSync(join(f.outDir, 'journal', 'statement.dsse.json'));
  rmSync(join(f.outDir, 'bundle'), { recursive: true });
  rmSync(archive);
  const second = await runInProcess(argv(f), undefined, f.env);
  assert.equal(second.code, 0, second.stderr);
  assert.ok(readFileSync(join(f.outDir, 'journal', 'transcript.jsonl')).equals(journal), 'nothing is appended after ceremony.end');
  assert.ok(readFileSync(join(f.outDir, 'bundle', 'transcript.jsonl')).equals(journal));
  await assertVerifiesAnchored(bundle, fingerprint);
  // As if the process died during export, after the archive was written: only the bundle folder is missing.
  rmSync(join(f.outDir, 'bundle'), { recursive: true });
  const statement = readFileSync(join(f.outDir, 'journal', 'statement.dsse.json'));
  const archived = readFileSync(archive);
  const third = await runInProcess(argv(f), undefined, f.env);
  assert.equal(third.code, 0, third.stderr);
  assert.ok(readFileSync(join(f.outDir, 'bundle', 'statement.dsse.json')).equals(statement), 'the signed statement is exported as it was');
  assert.ok(readFileSync(archive).equals(archived), 'the archive of the same bundle is kept: the same bytes');
  await assertVerifiesAnchored(bundle, fingerprint);
  await assertVerifiesAnchored(archive, fingerprint);
  // Another file where the archive goes: refused, never overwritten; moved away as said, the export finishes.
  rmSync(join(f.outDir, 'bundle'), { recursive: true });
  rmSync(archive);
  writeFileSync(archive, 'not this bundle');
  const blocked = await runInProcess(argv(f), undefined, f.env);
  assert.equal(blocked.code, 1, blocked.stderr);
  assert.ok(blocked.stderr.includes(`${archive} already exists and is not this bundle's archive; Keyrite never overwrites a file. Move it out of the run folder and run again.`), blocked.stderr);
  assert.equal(readFileSync(archive, 'utf8'), 'not this bundle');
  assert.equal(existsSync(bundle), false, 'no bundle folder without its archive');
  renameSync(archive, join(f.dir, 'moved-away.keyrite.tar'));
  const unblocked = await runInProcess(argv(f), undefined, f.env);
  assert.equal(unblocked.code, 0, unblocked.stderr);
  assert.ok(readFileSync(archive).equals(archived));
  // The statement and bundle missing again, and under the final checkpoint's name a note of another size (the escrow checkpoint's).
  rmSync(bundle, { recursive: true });
  rmSync(archive);
  rmSync(join(f.outDir, 'journal', 'statement.dsse.json'));
  const escrowNote = readdirSync(checkpoints).find((n) => n.endsWith('-escrow.note'))!;
  copyFileSync(join(checkpoints, escrowNote), join(checkpoints, finalNote));
  const mismatched = await runInProcess(argv(f), undefined, f.env);
  assert.equal(mismatched.code, 1, mismatched.stderr);
  assert.ok(mismatched.stderr.includes(`The run folder holds a final checkpoint (${finalNote}) that does not match this transcript; move it away and run again.`), mismatched.stderr);
  renameSync(join(checkpoints, finalNote), join(f.dir, 'moved-away-final.note'));
  const fourth = await runInProcess(argv(f), undefined, f.env);
  assert.equal(fourth.code, 0, fourth.stderr);
  assert.ok(readFileSync(join(f.outDir, 'journal', 'transcript.jsonl')).equals(journal), 'nothing is appended after ceremony.end');
  await assertVerifiesAnchored(bundle, fingerprint);
  await assertNoSecretsOnDisk(f, tmpBefore);
});
