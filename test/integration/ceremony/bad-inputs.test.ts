/**
 * `keyrite ceremony run` given bad scripts, bad answers and bad surroundings: each gets a
 * clear error and the documented exit code, and no run leaves a bundle that looks complete.
 * Where the error says how to go on in the same run folder, the test does so, to a bundle that
 * `keyrite verify --trust` accepts. (The script and answers parsers have their own unit tests;
 * this is the CLI/engine path.)
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess } from '../../helpers/cli.ts';
import { utf8 } from '../../../core/bytes.ts';
import { KeyriteError } from '../../../core/errors.ts';
import { parseCeremonyScript } from '../../../core/script/script.ts';
import { parseAnswers } from '../../../core/ceremony/answers.ts';
import { createNodeCeremonyEnvironment } from '../../../core/node/ceremony-environment.ts';
import { fileTokenStore, openSoftwareTokenFile } from '../../../core/node/software-token-file.ts';
import { SoftwareToken } from '../../../core/tokens/software-token.ts';
import { announcedFingerprint, answersYaml, assertNoBundle, assertVerifiesAnchored, CHEAP_SCRYPT, journalEntries, makeRehearsalFixture, pinVar, REHEARSAL_SCRIPT, LIVE_SCRIPT, TRUSTEES, types, type RehearsalFixture } from './helpers.ts';
import { runCeremony } from '../../../core/ceremony/kinds/root-keygen.ts';
import type { ConfirmAnswer, ConfirmRequest } from '../../../core/ceremony/types.ts';

const fixtures: RehearsalFixture[] = [];
after(() => {
  for (const f of fixtures) rmSync(f.dir, { recursive: true, force: true });
});

async function fixture(): Promise<RehearsalFixture> {
  const f = await makeRehearsalFixture('keyrite-bad-');
  fixtures.push(f);
  return f;
}

const rehearsal = readFileSync(REHEARSAL_SCRIPT, 'utf8');

function editScript(f: RehearsalFixture, from: string | RegExp, to: string): string {
  const text = rehearsal.replace(from, to);
  assert.notEqual(text, rehearsal, `the edit ${String(from)} changed nothing`);
  const p = join(f.dir, 'script.yaml');
  writeFileSync(p, text);
  return p;
}

async function run(f: RehearsalFixture, opts: { script?: string; answers?: string; env?: Record<string, string>; extra?: string[] } = {}) {
  return runInProcess(['ceremony', 'run', opts.script ?? REHEARSAL_SCRIPT, '--answers', opts.answers ?? f.answersPath, '--out', f.outDir, ...(opts.extra ?? [])], undefined, opts.env ?? f.env);
}

async function expectFailure(f: RehearsalFixture, exit: number, message: RegExp, opts: Parameters<typeof run>[1] = {}) {
  const r = await run(f, opts);
  assert.equal(r.code, exit, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.match(r.stderr, message);
  assertNoBundle(f.outDir);
  return r;
}

test('1. a threshold above n is refused with the line (script)', async () => {
  const f = await fixture();
  await expectFailure(f, 1, /line \d+, column \d+: quorum\.t \(6\) is larger than quorum\.n \(5\)/, { script: editScript(f, 'quorum: { n: 5, t: 3 }', 'quorum: { n: 5, t: 6 }') });
  assert.equal(existsSync(f.outDir), false, 'nothing may be written for an invalid script');
});

test('2. a witness step in a script that declares no witness role is refused (script)', async () => {
  const f = await fixture();
  await expectFailure(f, 1, /declares no witness role/, { script: editScript(f, '  witness: 1\n', '') });
});

test('3. an unknown action is refused (script)', async () => {
  const f = await fixture();
  await expectFailure(f, 1, /line \d+, column \d+: step "distribute" has the unknown action \("shred-everything"\)/, { script: editScript(f, 'action: distribute', 'action: shred-everything') });
});

test('4. a master key in ES256 is refused: the master key is Ed25519 + ML-DSA-65', async () => {
  const f = await fixture();
  await expectFailure(f, 1, /master key of a root-keygen ceremony is Ed25519/, { script: editScript(f, 'classical: Ed25519', 'classical: ES256') });
  assert.equal(existsSync(f.outDir), false);
});

test('5. co-sign by witnesses is refused: only trustees hold keys', async () => {
  const f = await fixture();
  await expectFailure(f, 1, /co-sign params\.roles must be \[trustee\]/, { script: editScript(f, 'roles: [trustee] }', 'roles: [trustee, witness] }') });
});

test('6. a PIN value in the answers file is refused and never repeated', async () => {
  const f = await fixture();
  const text = answersYaml(f.spec).replace(`pin: { env: ${pinVar('trustee-2')} }`, 'pin: "Pin-Value-7731"');
  const r = await expectFailure(f, 1, /PINs never go in an answers file/, { answers: f.writeAnswers(text, 'pin.yaml') });
  assert.doesNotMatch(r.stdout + r.stderr, /Pin-Value-7731/);
});

test('7. a duplicate trustee is refused (answers)', async () => {
  const f = await fixture();
  const text = answersYaml(f.spec).replace('id: trustee-2', 'id: trustee-1');
  await expectFailure(f, 1, /participant id "trustee-1" is used twice/, { answers: f.writeAnswers(text, 'dup.yaml') });
});

test('8. a missing witness is refused (answers must match the role counts)', async () => {
  const f = await fixture();
  await expectFailure(f, 1, /needs 1 witness; the answers file lists 0/, { answers: f.writeAnswers(answersYaml({ ...f.spec, witness: false }), 'nowitness.yaml') });
});

test('9. answers written for another script are refused (script-sha256)', async () => {
  const f = await fixture();
  const text = answersYaml({ ...f.spec, top: { scriptSha256: 'ab'.repeat(32) } });
  await expectFailure(f, 1, /script-sha256 does not match the script being run/, { answers: f.writeAnswers(text, 'sha.yaml') });
});

test('10. a fixed ceremony id or clock is refused for a live script', async () => {
  const f = await fixture();
  const text = answersYaml({
    ...f.spec,
    top: { ceremonyId: '00112233445566778899aabbccddeeff' },
    trustees: f.spec.trustees.map((t, i) => ({ ...t, token: { uri: `pkcs11:token=Trustee%20${i + 1}` } })),
    master: { pin: f.spec.master.pin },
  });
  await expectFailure(f, 1, /ceremony-id is allowed only when the script is a rehearsal/, { script: LIVE_SCRIPT, answers: f.writeAnswers(text, 'live.yaml') });
});

test('11. an unset PIN environment variable is a usage error (exit 2), before anything is written', async () => {
  const f = await fixture();
  const env = { ...f.env };
  delete env[pinVar('trustee-4')];
  await expectFailure(f, 2, new RegExp(`environment variable ${pinVar('trustee-4')}, which is not set`), { env });
  assert.equal(existsSync(f.outDir), false);
});

test('11b. a PIN to be typed at a prompt is refused when standard input is not a terminal (exit 2)', async () => {
  const f = await fixture();
  const text = answersYaml({ ...f.spec, master: { ...f.spec.master, pin: { prompt: true } } });
  await expectFailure(f, 2, /The PIN for the master token is to be typed at a prompt, but standard input is not a terminal/, { answers: f.writeAnswers(text, 'prompt.yaml') });
  assert.equal(existsSync(f.outDir), false);
});

test('12. a wrong PIN stops the ceremony at check-in (exit 1), recorded as step.failed, no bundle; with the right PIN the same command resumes it to a bundle that verifies', async () => {
  const f = await fixture();
  const r = await expectFailure(f, 1, /Wrong passphrase for software token "Test trustee-3"/, { env: { ...f.env, [pinVar('trustee-3')]: 'not-the-passphrase' } });
  assert.doesNotMatch(r.stdout + r.stderr, /not-the-passphrase/);
  const entries = journalEntries(f.outDir);
  const failed = entries.find((e) => e.type === 'step.failed');
  assert.equal(failed?.body.step, 'check-in');
  assert.equal(failed?.body.code, 'PIN_INCORRECT');
  assert.equal(types(entries).includes('key.generate') && entries.some((e) => e.type === 'key.generate' && e.body.role === 'master'), false);
  // The operator fixes the PIN and runs again: the ceremony resumes, the trustees already enrolled are reused.
  const again = await run(f);
  assert.equal(again.code, 0, again.stderr);
  const after = journalEntries(f.outDir);
  assert.equal(after.filter((e) => e.type === 'ceremony.resume').length, 1);
  const skipped = after.filter((e) => e.type === 'step.deviation' && e.body.kind === 'skipped' && e.body.step === 'check-in').map((e) => e.body.participantId);
  assert.deepEqual(skipped, ['trustee-1', 'trustee-2']);
  assert.equal(after.filter((e) => e.type === 'participant.check-in').length, 5);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(again.stdout));
});

test('14. a run folder that already holds a bundle is refused (never overwritten)', async () => {
  const f = await fixture();
  mkdirSync(join(f.outDir, 'bundle'), { recursive: true });
  writeFileSync(join(f.outDir, 'bundle', 'bundle.json'), '{}');
  const r = await run(f);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /already exists: this folder holds a finished ceremony.*never overwrites a bundle/);
  assert.equal(readFileSync(join(f.outDir, 'bundle', 'bundle.json'), 'utf8'), '{}');
});

test('15. a headless run without every witness confirmation is a usage error (exit 2)', async () => {
  const f = await fixture();
  const text = answersYaml({ ...f.spec, confirm: f.spec.confirm.filter((s) => s !== 'generate' && s !== 'receipts') });
  await expectFailure(f, 2, /"confirm" lacks: generate, receipts/, { answers: f.writeAnswers(text, 'noconfirm.yaml') });
});

test('16. two trustees bringing the same token (a copied token file) are refused', async () => {
  const f = await fixture();
  copyFileSync(join(f.dir, 'tokens', 'trustee-1.keyrite-token'), join(f.dir, 'tokens', 'copy.keyrite-token'));
  const text = answersYaml({ ...f.spec, trustees: f.spec.trustees.map((t) => (t.id === 'trustee-2' ? { ...t, token: { software: 'tokens/copy.keyrite-token' } } : t)) });
  await expectFailure(f, 1, /selected the same token "Test trustee-1"/, { answers: f.writeAnswers(text, 'same.yaml') });
  assert.equal(existsSync(f.outDir), false);
});

test('17. a trustee folder holding another ceremony\'s keyring is refused (never overwritten)', async () => {
  const f = await fixture();
  mkdirSync(join(f.dir, 'trustees', 'trustee-2'), { recursive: true });
  writeFileSync(join(f.dir, 'trustees', 'trustee-2', 'keyring.json'), '{"format":"something else"}');
  await expectFailure(f, 1, /trustee "trustee-2".*already holds a keyring of another ceremony/);
});

test('18. no trustee dice although the script mixes them in is refused before anything happens', async () => {
  const f = await fixture();
  const text = answersYaml({ ...f.spec, trustees: f.spec.trustees.map((t) => ({ ...t, dice: undefined })) });
  await expectFailure(f, 1, /no trustee gives "entropy: \{ dice: … \}"/, { answers: f.writeAnswers(text, 'nodice.yaml') });
  assert.equal(existsSync(f.outDir), false);
});

test('19. identical dice from two trustees are refused', async () => {
  const f = await fixture();
  const same = f.spec.trustees[0]!.dice!;
  const text = answersYaml({ ...f.spec, trustees: f.spec.trustees.map((t) => (t.id === 'trustee-4' ? { ...t, dice: same } : t)) });
  await expectFailure(f, 1, /dice of trustees "trustee-1" and "trustee-4" are identical/, { answers: f.writeAnswers(text, 'samedice.yaml') });
});

test('20. a master token that already holds the key label is refused before any token is changed; with a fresh token, as the message says, the same run folder finishes with a bundle that verifies', async () => {
  const f = await fixture();
  const master = await openSoftwareTokenFile(join(f.dir, 'tokens', 'master.keyrite-token'));
  await master.login(f.passphrases.get('master')!);
  await master.generateSigningKey('keyrite-root-rehearsal', 'Ed25519');
  await master.close();
  const r = await expectFailure(f, 1, /already holds a key labelled "keyrite:keyrite-root-rehearsal".*never overwrites/s);
  assert.doesNotMatch(r.stderr, new RegExp(f.passphrases.get('master')!));
  for (const id of TRUSTEES) {
    const t = await openSoftwareTokenFile(join(f.dir, 'tokens', `${id}.keyrite-token`));
    await t.login(f.passphrases.get(id)!);
    assert.deepEqual(await t.listObjects(), [], `token of ${id} was changed`);
    await t.close();
  }
  const check = journalEntries(f.outDir).find((e) => e.type === 'token.label-check');
  assert.equal(check?.body.outcome, 'taken');
  assert.match(r.stderr, /use a fresh token, or a script with another key-label/);
  const fresh = await SoftwareToken.create(fileTokenStore(join(f.dir, 'tokens', 'fresh-master.keyrite-token')), { label: 'Test fresh master', passphrase: f.passphrases.get('master')!, scrypt: CHEAP_SCRYPT });
  await fresh.close();
  const answers = f.writeAnswers(answersYaml({ ...f.spec, master: { ...f.spec.master, token: { software: 'tokens/fresh-master.keyrite-token' } } }), 'fresh-master.yaml');
  const again = await run(f, { answers });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /complete \(resumed: run 2\)/);
  assert.deepEqual(journalEntries(f.outDir).filter((e) => e.type === 'token.label-check').map((e) => e.body.outcome), ['taken', 'free']);
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(again.stdout));
});

test('21. usage errors: missing --answers, a script that does not exist, an unknown option (exit 2)', async () => {
  const f = await fixture();
  let r = await runInProcess(['ceremony', 'run', REHEARSAL_SCRIPT, '--out', f.outDir], undefined, f.env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--answers is required/);
  r = await runInProcess(['ceremony', 'run', join(f.dir, 'nope.yaml'), '--answers', f.answersPath, '--out', f.outDir], undefined, f.env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Could not read the ceremony script .*nope\.yaml: it does not exist/);
  r = await runInProcess(['ceremony', 'run', REHEARSAL_SCRIPT, '--answers', f.answersPath, '--out', f.outDir, '--force'], undefined, f.env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown option --force/);
  r = await runInProcess(['ceremony', 'run', REHEARSAL_SCRIPT, '--answers', f.answersPath, '--out', f.outDir, '--json'], undefined, {});
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.stdout).code, 'USAGE');
  assertNoBundle(f.outDir);
});

test('21d. a folder given as the answers file, and the script and answers file swapped, are named as such (one sentence each)', async () => {
  const f = await fixture();
  let r = await runInProcess(['ceremony', 'run', REHEARSAL_SCRIPT, '--answers', f.dir, '--out', f.outDir], undefined, f.env);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `keyrite: Could not read the answers file ${f.dir}: it is a folder, not a file.\n`);
  r = await runInProcess(['ceremony', 'run', f.answersPath, '--answers', REHEARSAL_SCRIPT, '--out', f.outDir], undefined, f.env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^keyrite: The ceremony script is not valid: line \d+, column 1: this is an answers file \(it has keyrite-answers\), not a ceremony script: give the script first and the answers file with --answers\n$/);
  r = await runInProcess(['ceremony', 'run', REHEARSAL_SCRIPT, '--answers', REHEARSAL_SCRIPT, '--out', f.outDir], undefined, f.env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^keyrite: The answers file is not valid: line \d+, column 1: this is a ceremony script \(it has keyrite-script\), not an answers file/);
  assertNoBundle(f.outDir);
});

/** `refuseWitness`: the witness does not confirm that step (as at the terminal, answering anything but "yes"). */
async function engineRun(f: RehearsalFixture, opts: { script?: string; interfaces?: boolean; selfTests?: { name: string; run(): void }[]; answers?: string; refuseWitness?: string }) {
  const parsed = parseCeremonyScript(readFileSync(opts.script ?? REHEARSAL_SCRIPT));
  const answers = parseAnswers(utf8(opts.answers ?? answersYaml(f.spec)), parsed);
  const nodeEnv = createNodeCeremonyEnvironment({
    outDir: f.outDir,
    answersDir: f.dir,
    env: f.env,
    interactive: false,
    confirmations: answers.confirm,
    progress: () => undefined,
    networkInterfaces: () => [
      { name: 'lo', addresses: [{ family: 'IPv4', address: '127.0.0.1', internal: true }] },
      ...(opts.interfaces ? [{ name: 'wlan0', addresses: [{ family: 'IPv4' as const, address: '10.1.2.3', internal: false }] }] : []),
    ],
  });
  const env = opts.refuseWitness === undefined ? nodeEnv : { ...nodeEnv, confirm: async (req: ConfirmRequest): Promise<ConfirmAnswer> => (req.stepId === opts.refuseWitness ? { confirmed: false, reason: 'the witness did not type "yes".' } : nodeEnv.confirm(req)) };
  try {
    return await runCeremony({ parsed, answers, env, ...(opts.selfTests ? { options: { selfTests: opts.selfTests } } : {}) });
  } finally {
    await env.close();
  }
}

test('21b. a trustee output folder inside the run folder\'s bundle or journal is refused (exit 2)', async () => {
  const f = await fixture();
  const text = answersYaml({ ...f.spec, trustees: f.spec.trustees.map((t) => (t.id === 'trustee-5' ? { ...t, output: 'out/bundle/trustee-5' } : t)) });
  await expectFailure(f, 2, /output folder of trustee "trustee-5" is inside the run folder's bundle/, { answers: f.writeAnswers(text, 'inbundle.yaml') });
  assert.equal(existsSync(f.outDir), false);
});

test('21c. the engine itself (as the app runs it) refuses a trustee output folder in the journal, a staging folder or the run folder itself', async () => {
  const f = await fixture();
  for (const [output, where] of [['out/journal/t5', 'journal'], ['out/.bundle-staging-00aa/t5', '.bundle-staging-00aa'], ['out', 'top level']] as const) {
    const answers = answersYaml({ ...f.spec, trustees: f.spec.trustees.map((t) => (t.id === 'trustee-5' ? { ...t, output } : t)) });
    await assert.rejects(engineRun(f, { answers }), (e: unknown) => e instanceof KeyriteError && e.code === 'USAGE' && e.message.includes(`is inside the run folder's ${where}`));
    assert.equal(existsSync(f.outDir), false, `${output}: something was written`);
  }
  // A folder of its own inside the run folder is fine: the ceremony gets past the pre-flight.
  const answers = answersYaml({ ...f.spec, trustees: f.spec.trustees.map((t) => (t.id === 'trustee-5' ? { ...t, output: 'out/trustees/trustee-5' } : t)) });
  await assert.rejects(engineRun(f, { answers, interfaces: true, script: editScript(f, 'air-gap: warn', 'air-gap: block') }), /Air-gap check failed/);
});

test('22. air-gap: block with a network interface up stops the ceremony first, recorded, no bundle', async () => {
  const f = await fixture();
  const script = editScript(f, 'air-gap: warn', 'air-gap: block');
  await assert.rejects(engineRun(f, { script, interfaces: true }), (e: unknown) => e instanceof KeyriteError && e.code === 'CEREMONY_ERROR' && /Air-gap check failed: 1 network interface is up: wlan0/.test(e.message));
  const entries = journalEntries(f.outDir);
  assert.deepEqual(types(entries), ['ceremony.start', 'step.start', 'airgap.check', 'step.failed']);
  assert.equal(entries[2]!.body.outcome, 'block');
  assertNoBundle(f.outDir);
});

test('23. a failed known-answer test stops the ceremony before anything else happens', async () => {
  const f = await fixture();
  const broken = [{ name: 'SHA-256 (corrupted on purpose)', run: () => { throw new KeyriteError('SELFTEST_FAILED', 'SHA-256 differs from the known answer.'); } }];
  await assert.rejects(engineRun(f, { selfTests: broken }), (e: unknown) => e instanceof KeyriteError && e.code === 'SELFTEST_FAILED' && /self-tests failed \(SHA-256 \(corrupted on purpose\)\)/.test(e.message));
  const entries = journalEntries(f.outDir);
  assert.deepEqual(types(entries), ['ceremony.start', 'step.start', 'airgap.check', 'step.end', 'step.start', 'selftest.report', 'step.failed']);
  assert.equal(entries[5]!.body.ok, false);
  assertNoBundle(f.outDir);
});

test('24. a witness who does not confirm a step stops the ceremony there; run again as the message says, it resumes and finishes with a bundle that verifies', async () => {
  const f = await fixture();
  await assert.rejects(engineRun(f, { refuseWitness: 'enrolled' }), (e: unknown) => e instanceof KeyriteError && e.code === 'CEREMONY_ERROR' && /^The witness Grace Witness \(witness\) did not confirm step "enrolled": .* The ceremony stopped here; run it again to resume\.$/.test(e.message));
  assert.equal(journalEntries(f.outDir).find((e) => e.type === 'step.failed')?.body.step, 'enrolled');
  assertNoBundle(f.outDir);
  const again = await run(f);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /complete \(resumed: run 2\)/);
  const entries = journalEntries(f.outDir);
  assert.equal(entries.filter((e) => e.type === 'checkpoint.sign' && e.body.note === '01-enrollment.note').length, 1, 'the checkpoint signed before the refusal stands');
  assert.equal(entries.filter((e) => e.type === 'witness.confirm' && e.body.step === 'enrolled').length, 1, 'the witness confirms it in the resumed run');
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(again.stdout));
});
