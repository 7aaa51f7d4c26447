/**
 * A rehearsal software token named in the answers that does not exist yet (docs/CEREMONY-SCRIPTS.md
 * "Rehearsal tokens created on first use"): created, exclusively and recorded, only in a
 * rehearsal script and only for a token the ceremony needs empty (a root-keygen's or rotation's
 * master and enrolling trustees, a recovery's new master); a token that must already hold something (the
 * signing master key, a trustee's identity) is refused by name with the reason. The rule is
 * exercised as a table and through the CLI (a live script, root-keygen and recovery rehearsals
 * run twice, signing refusals) on fixtures and copies of one demo.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseCeremonyScript } from '../../../core/script/script.ts';
import { rehearsalTokenCreation } from '../../../core/ceremony/rehearsal-token.ts';
import { openSoftwareTokenFile } from '../../../core/node/software-token-file.ts';
import { repoRoot, runInProcess } from '../../helpers/cli.ts';
import { announcedFingerprint, assertVerifiesAnchored, journalEntries, LIVE_SCRIPT, makeRehearsalFixture, REHEARSAL_SCRIPT, type RehearsalFixture } from './helpers.ts';
import { DemoCopies, pinOf, trustedFingerprint } from '../recovery/helpers.ts';
import { demoPins, sign } from '../signing/helpers.ts';

const script = (name: string) => parseCeremonyScript(readFileSync(join(repoRoot, 'ceremony-scripts', name))).script;

let copies: DemoCopies;
const fixtures: RehearsalFixture[] = [];
before(async () => {
  copies = await DemoCopies.make('keyrite-rehearsal-tokens-');
});
after(() => {
  copies?.remove();
  for (const f of fixtures) rmSync(f.dir, { recursive: true, force: true });
});

function tokenSelections(out: string): { who: string; created: boolean }[] {
  return journalEntries(out)
    .filter((e) => e.type === 'token.select')
    .map((e) => ({ who: (e.body.participantId as string | undefined) ?? (e.body.target as string), created: e.body.created === true }));
}

test('the rule: only rehearsal scripts, only tokens the ceremony needs empty; never a live script', () => {
  const table = [
    ['root-keygen-3of5-rehearsal.yaml', 'master', true],
    ['root-keygen-3of5-rehearsal.yaml', 'trustee', true],
    ['escrow-recovery-rehearsal.yaml', 'master', true],
    ['escrow-recovery-rehearsal.yaml', 'trustee', false],
    ['signing-rehearsal.yaml', 'master', false],
    ['signing-rehearsal.yaml', 'trustee', false],
    ['rotation-rehearsal.yaml', 'master', true],
    ['rotation-rehearsal.yaml', 'trustee', false],
    ['root-keygen-3of5.yaml', 'master', false],
    ['root-keygen-3of5.yaml', 'trustee', false],
    ['escrow-recovery.yaml', 'master', false],
    ['signing.yaml', 'master', false],
    ['rotation.yaml', 'master', false],
  ] as const;
  for (const [name, target, allowed] of table) {
    const rule = rehearsalTokenCreation(script(name), target, 'trustee-1');
    assert.equal(rule.allowed, allowed, `${name} ${target}`);
    if (!rule.allowed && name.endsWith('rehearsal.yaml') === false) assert.match(rule.why, /^a live ceremony never creates a token/);
  }
  const signingMaster = rehearsalTokenCreation(script('signing-rehearsal.yaml'), 'master');
  assert.ok(!signingMaster.allowed && /must already hold the master key/.test(signingMaster.why));
});

test('a live script never creates a token: answers naming token files that are not there are refused by name, and nothing is created (a missing PKCS#11 token: softhsm.test.ts)', async () => {
  const f = await makeRehearsalFixture('keyrite-live-no-create-');
  fixtures.push(f);
  rmSync(join(f.dir, 'tokens', 'master.keyrite-token'));
  const r = await runInProcess(['ceremony', 'run', LIVE_SCRIPT, '--answers', f.answersPath, '--out', f.outDir], undefined, f.env);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /participant "trustee-1": token: the script \(tokens\.trustee\.match\) uses PKCS#11 tokens; the embedded software token is for rehearsal scripts only/);
  assert.match(r.stderr, /line \d+, column \d+: master/, 'the master token named too');
  assert.equal(existsSync(join(f.dir, 'tokens', 'master.keyrite-token')), false, 'nothing created');
  assert.equal(existsSync(f.outDir), false, 'nothing written');
});

test('a root-keygen rehearsal whose answers name two token files that are not there creates them, records it, and the bundle verifies; the same answers run again once a person moved them aside', async () => {
  const f = await makeRehearsalFixture('keyrite-created-tokens-');
  fixtures.push(f);
  for (const id of ['master', 'trustee-5']) rmSync(join(f.dir, 'tokens', `${id}.keyrite-token`));
  const r = await runInProcess(['ceremony', 'run', REHEARSAL_SCRIPT, '--answers', f.answersPath, '--out', f.outDir], undefined, f.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /Created the rehearsal software token "Rehearsal master" for the master token at .*tokens\/master\.keyrite-token/);
  assert.match(r.stdout + r.stderr, /Created the rehearsal software token "trustee-5" for .*\(trustee-5\) at .*tokens\/trustee-5\.keyrite-token/);
  const created = tokenSelections(f.outDir).filter((s) => s.created).map((s) => s.who).sort();
  assert.deepEqual(created, ['master', 'trustee-5'], 'exactly the two created tokens are recorded as created');
  for (const id of ['master', 'trustee-5']) {
    const file = join(f.dir, 'tokens', `${id}.keyrite-token`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const token = await openSoftwareTokenFile(file);
    await token.login(f.passphrases.get(id)!); // the passphrase its PIN source gives
    await token.close();
  }
  await assertVerifiesAnchored(join(f.outDir, 'bundle'), announcedFingerprint(r.stdout));

  // Run again: the person moves this rehearsal's tokens and trustee folders aside; Keyrite never deletes or reuses them.
  renameSync(join(f.dir, 'tokens'), join(f.dir, 'tokens-run-1'));
  renameSync(join(f.dir, 'trustees'), join(f.dir, 'trustees-run-1'));
  const out2 = join(f.dir, 'out-2');
  const again = await runInProcess(['ceremony', 'run', REHEARSAL_SCRIPT, '--answers', f.answersPath, '--out', out2], undefined, f.env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(tokenSelections(out2).filter((s) => s.created).length, 6, 'all six tokens made anew');
  assert.notEqual(announcedFingerprint(again.stdout), announcedFingerprint(r.stdout));
  await assertVerifiesAnchored(join(out2, 'bundle'), announcedFingerprint(again.stdout));
});

test('a recovery rehearsal creates its missing new master token; the same answers run twice, the used token moved aside in between', async () => {
  const d = copies.copy();
  const newMaster = join(d, 'recovery', 'new-master.keyrite-token');
  rmSync(newMaster);
  const first = await copies.recover(d, 'rec-1');
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(tokenSelections(join(d, 'rec-1')).filter((s) => s.created).map((s) => s.who), ['master']);
  await assertVerifiesAnchored(join(d, 'rec-1', 'bundle'), trustedFingerprint(d));
  // The created token now holds the key: the same answers are refused (never overwritten) ...
  const refused = await copies.recover(d, 'rec-2');
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(JSON.parse(refused.stdout).message, /already holds a key labelled .*Keyrite never overwrites a key/);
  // ... until the person moves it aside: then the same command creates a fresh one and finishes.
  renameSync(newMaster, join(d, 'recovery', 'used-by-rec-1.keyrite-token'));
  const second = await copies.recover(d, 'rec-2');
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.ok(tokenSelections(join(d, 'rec-2')).some((s) => s.who === 'master' && s.created));
  await assertVerifiesAnchored(join(d, 'rec-2', 'bundle'), trustedFingerprint(d));
  const token = await openSoftwareTokenFile(newMaster);
  await token.login(pinOf(copies.pins, 'recovery'));
  await token.close();
});

test('a signing rehearsal refuses a missing master token or trustee token by name and reason, and creates nothing', async () => {
  const pins = demoPins(copies.demo);
  for (const [file, reason] of [
    ['master/master.keyrite-token', /the master token: the software token .*master\/master\.keyrite-token does not exist, and Keyrite does not create it: it must already hold the master key/],
    ['trustees/trustee-2/token.keyrite-token', /\(trustee-2\): the software token .*trustees\/trustee-2\/token\.keyrite-token does not exist, and Keyrite does not create it: it must already hold the trustee's identity/],
  ] as const) {
    const d = copies.copy();
    rmSync(join(d, file));
    const r = await sign(d, 'sign', pins);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.code, 'TOKEN_NOT_FOUND');
    assert.match(res.message, reason);
    assert.equal(existsSync(join(d, file)), false, 'nothing created');
    assert.equal(existsSync(join(d, 'sign', 'journal')), false, 'nothing recorded: refused before the journal');
  }
});
