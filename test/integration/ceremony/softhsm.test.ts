/**
 * The shipped live script (ceremony-scripts/root-keygen-3of5.yaml) on six SoftHSM2 tokens
 * (master + five trustees) through `keyrite ceremony run --module …`, PINs from environment
 * variables. The live script blocks on any network interface, so the CLI runs in an empty
 * network namespace (`unshare -rn`: only a loopback that is down) where the air-gap check
 * genuinely passes (without one the tests fail: test/helpers/netns.ts). Then pkcs11-tool must
 * show the master private key with the script's label, sensitive and not extractable; a second
 * ceremony must refuse to overwrite it and change nothing on any token; a wrong token label and
 * a wrong PIN give clear errors. A ceremony that meets the token troubles only a person can fix
 * outside Keyrite follows each message with the real tools (pkcs11-tool, rm) to a verified bundle.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyNetworkNamespace } from '../../helpers/netns.ts';
import { createSoftHsm, pkcs11ToolAvailable, softHsmAvailable, type SoftHsmHarness } from '../../helpers/softhsm.ts';
import { LIVE_SCRIPT, WITNESS_STEPS, announcedFingerprint, answersYaml, assertNoBundle, assertVerifiesAnchored, journalEntries, rolls, spawnCli, type AnswersSpec } from './helpers.ts';

if (!softHsmAvailable() || !pkcs11ToolAvailable()) throw new Error('SoftHSM2 and OpenSC pkcs11-tool are required for the ceremony integration tests');

const TRUSTEE_LABELS = ['Trustee 1', 'Trustee 2', 'Trustee 3', 'Trustee 4', 'Trustee 5'];
const NETNS = emptyNetworkNamespace();
let hsm: SoftHsmHarness;
let dir: string;
let env: Record<string, string>;
const masterPin = (): string => hsm.tokens[0]!.pin;

function spec(outputPrefix: string, overrides: Partial<Record<number, string>> = {}, tokens = hsm): AnswersSpec {
  return {
    trustees: TRUSTEE_LABELS.map((label, i) => ({
      id: `trustee-${i + 1}`,
      name: `HSM Trustee ${i + 1}`,
      token: { uri: overrides[i] ?? `pkcs11:token=${encodeURIComponent(label)};serial=${tokens.tokens[i + 1]!.serial}` },
      pin: { env: `KR_HSM_PIN_${i + 1}` },
      output: `${outputPrefix}/trustee-${i + 1}`,
      dice: rolls(),
    })),
    master: { pin: { env: 'KR_HSM_PIN_MASTER' } },
    confirm: WITNESS_STEPS,
  };
}

function writeAnswers(name: string, s: AnswersSpec): string {
  const p = join(dir, name);
  writeFileSync(p, answersYaml(s));
  return p;
}

async function ceremony(answers: string, out: string, extraEnv: Record<string, string> = {}) {
  const { done } = spawnCli(['ceremony', 'run', LIVE_SCRIPT, '--module', hsm.module, '--answers', answers, '--out', join(dir, out)], { ...env, ...extraEnv }, { wrap: NETNS });
  return done;
}

function objects(label: string, pin: string): string {
  return hsm.pkcs11Tool(['--token-label', label, '--login', '--pin', pin, '--list-objects']);
}

function allObjects(): string[] {
  return [objects('Keyrite Root', masterPin()), ...TRUSTEE_LABELS.map((l, i) => objects(l, hsm.tokens[i + 1]!.pin))];
}

before(() => {
  hsm = createSoftHsm(['Keyrite Root', ...TRUSTEE_LABELS], { setProcessEnv: false });
  dir = mkdtempSync(join(tmpdir(), 'keyrite-hsm-ceremony-'));
  env = { SOFTHSM2_CONF: hsm.conf, KR_HSM_PIN_MASTER: masterPin(), ...Object.fromEntries(TRUSTEE_LABELS.map((_, i) => [`KR_HSM_PIN_${i + 1}`, hsm.tokens[i + 1]!.pin])) };
});
after(() => {
  hsm?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a wrong token label stops before anything is written: TOKEN_NOT_FOUND lists the tokens present', async () => {
  const r = await ceremony(writeAnswers('wrong-label.yaml', spec('t0', { 2: 'pkcs11:token=Trustee%209' })), 'out-wrong-label');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /No token matches pkcs11:token=Trustee%209\. Tokens present: .*"Keyrite Root"/);
  assertNoBundle(join(dir, 'out-wrong-label'));
});

test('a wrong master PIN stops at the master pre-check, before any token is changed', async () => {
  const before = allObjects();
  const r = await ceremony(writeAnswers('wrong-pin.yaml', spec('t1')), 'out-wrong-pin', { KR_HSM_PIN_MASTER: 'not-the-pin-0000' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Wrong PIN for token "Keyrite Root"/);
  assert.doesNotMatch(r.stdout + r.stderr, /not-the-pin-0000/);
  assert.deepEqual(allObjects(), before);
  assertNoBundle(join(dir, 'out-wrong-pin'));
});

test('the shipped live script runs on six SoftHSM tokens; pkcs11-tool shows the master key sensitive and not extractable', async () => {
  const r = await ceremony(writeAnswers('answers.yaml', spec('trustees')), 'out');
  assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.match(r.stdout, /MASTER KEY "keyrite-root" on pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=[0-9a-f]+;token=Keyrite%20Root/);
  assert.match(r.stdout, /verified from disk: (\d+)\/\1 checks passed, the same as `keyrite verify --trust` \(bundle-manifest, bundle-files, transcript-syntax.*threshold, trust-anchor\); and it is the bundle of this ceremony/);
  const entries = journalEntries(join(dir, 'out'));
  const airgap = entries.filter((e) => e.type === 'airgap.check');
  assert.equal(airgap.length, 2);
  for (const a of airgap) assert.equal(a.body.outcome, 'pass');
  const gather = entries.find((e) => e.type === 'entropy.gather')!;
  assert.deepEqual((gather.body.sources as { name: string }[]).map((s) => s.name), ['master-token-rng', 'os-csprng', 'dice:trustee-1', 'dice:trustee-2', 'dice:trustee-3', 'dice:trustee-4', 'dice:trustee-5']);

  const master = objects('Keyrite Root', masterPin());
  const block = master.split(/\n(?=\S)/).find((b) => /^Private Key Object/.test(b) && /label:\s+keyrite:keyrite-root\s*$/m.test(b));
  assert.ok(block, `no private key labelled keyrite:keyrite-root:\n${master}`);
  const access = /Access:\s*(.*)/.exec(block!)?.[1] ?? '';
  assert.match(access, /\bsensitive\b/, access);
  assert.doesNotMatch(access, /(^|, )extractable/, access);
  assert.match(block!, /Usage:\s*sign\s*$/m);
  for (const [i, label] of TRUSTEE_LABELS.entries()) {
    const listing = objects(label, hsm.tokens[i + 1]!.pin);
    const priv = listing.split(/\n(?=\S)/).find((b) => /^Private Key Object/.test(b) && /keyrite:kr-[0-9a-f]{16}-trustee-\d-sign-r1/.test(b));
    assert.ok(priv, `no trustee signing key on ${label}:\n${listing}`);
    assert.match(priv!, /never extractable/);
    assert.ok(listing.split(/\n(?=\S)/).some((b) => /^Secret Key Object; AES/.test(b) && /-seal-r1/.test(b)), `no AES seal key on ${label}`);
  }
});

test('a second ceremony refuses to overwrite the master key: clear message, exit 1, nothing changed on any token', async () => {
  const before = allObjects();
  const r = await ceremony(writeAnswers('again.yaml', spec('trustees-again')), 'out-again');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /The master token "Keyrite Root" \(serial [0-9a-f]+\) already holds a key labelled "keyrite:keyrite-root"\. Keyrite never overwrites or reuses a key/);
  assert.match(r.stderr, /Nothing was created or changed on any token/);
  assert.deepEqual(allObjects(), before, 'a token was changed');
  assertNoBundle(join(dir, 'out-again'));
});

test('token troubles fixed as the messages say, with pkcs11-tool and rm: a trustee token without a user PIN, an escrow half distributed, the abandoned master key on the token; the ceremony then finishes with a bundle that verifies', async () => {
  // Tokens of their own: this ceremony's master key must not meet the one the tests above leave.
  const own = createSoftHsm(['Keyrite Root', ...TRUSTEE_LABELS], { setProcessEnv: false });
  try {
    const master = own.tokens[0]!;
    const fifth = own.tokens[5]!;
    // Trustee 5's token is handed over initialised, but without a user PIN.
    own.pkcs11Tool(['--init-token', '--token-label', 'Trustee 5', '--label', 'Trustee 5', '--so-pin', fifth.soPin]);
    const ownEnv = { SOFTHSM2_CONF: own.conf, KR_HSM_PIN_MASTER: master.pin, ...Object.fromEntries(TRUSTEE_LABELS.map((_, i) => [`KR_HSM_PIN_${i + 1}`, own.tokens[i + 1]!.pin])) };
    const out = join(dir, 'out-troubles');
    const argv = ['ceremony', 'run', LIVE_SCRIPT, '--module', own.module, '--answers', writeAnswers('troubles.yaml', spec('trustees-troubles', {}, own)), '--out', out];
    const run = (stopOn?: RegExp) => spawnCli(argv, ownEnv, { wrap: NETNS, ...(stopOn ? { stopOn } : {}) });

    const noPin = await run().done;
    assert.equal(noPin.code, 1, noPin.stderr);
    assert.match(noPin.stderr, /"Trustee 5" has no user PIN yet\. Set one with the token vendor's tool first\./);
    own.pkcs11Tool(['--token-label', 'Trustee 5', '--init-pin', '--login', '--login-type', 'so', '--so-pin', fifth.soPin, '--new-pin', fifth.pin]);

    // The next run gets through enrolment, then distributing the escrow fails at trustee-3's folder (something is in the way of their envelope).
    const halfway = run(/\] split \(split\)/);
    await halfway.stopped;
    const obstacle = join(dir, 'trustees-troubles', 'trustee-3', 'share-envelope.json');
    mkdirSync(obstacle);
    halfway.child.kill('SIGCONT');
    const failed = await halfway.done;
    assert.equal(failed.code, 2, failed.stderr);
    assert.ok(failed.stderr.includes(obstacle), failed.stderr);
    rmSync(obstacle, { recursive: true });
    let entries = journalEntries(out);
    assert.equal(entries.filter((e) => e.type === 'participant.check-in' && e.body.role === 'trustee').length, 5, 'trustee-5 enrolled once the PIN was set');
    assert.deepEqual(entries.filter((e) => e.type === 'escrow.distribute').map((e) => e.body.trusteeId), ['trustee-1', 'trustee-2']);
    const abandoned = entries.find((e) => e.type === 'key.abandoned');
    assert.ok(abandoned, 'the key whose escrow was not completed is abandoned');

    const shares = await run().done;
    assert.equal(shares.code, 1, shares.stderr);
    const listed = /Share files of an abandoned attempt of this ceremony are still in the trustees' folders: (.*)\. They belong to a master key that was never completed and must not be kept: destroy them, then run again\./.exec(shares.stderr);
    assert.ok(listed, shares.stderr);
    const leftovers = listed[1]!.split(', ');
    assert.deepEqual(leftovers, ['trustee-1', 'trustee-2'].map((id) => join(dir, 'trustees-troubles', id, 'share-envelope.json')));
    for (const f of leftovers) rmSync(f);

    const key = await run().done;
    assert.equal(key.code, 1, key.stderr);
    assert.match(key.stderr, /holds "keyrite:keyrite-root", the key of an interrupted attempt of this ceremony that was never escrowed/);
    const advice = /Remove it with the token's own tools \(for example (pkcs11-tool [^,]+), and the same with --type pubkey\), then run this command again\./.exec(key.stderr);
    assert.ok(advice, key.stderr);
    const deletePrivate = advice[1]!.split(' ').slice(1);
    const onMaster = ['--token-label', 'Keyrite Root', '--pin', master.pin];
    const masterObjects = () => own.pkcs11Tool(['--token-label', 'Keyrite Root', '--login', '--pin', master.pin, '--list-objects']);
    assert.match(masterObjects(), /label:\s+keyrite:keyrite-root\s*$/m);
    own.pkcs11Tool([...deletePrivate, ...onMaster]);
    own.pkcs11Tool([...deletePrivate.map((a) => (a === 'privkey' ? 'pubkey' : a)), ...onMaster]);
    assert.doesNotMatch(masterObjects(), /keyrite:keyrite-root/);

    const done = await run().done;
    assert.equal(done.code, 0, `stdout:\n${done.stdout}\nstderr:\n${done.stderr}`);
    entries = journalEntries(out);
    const keys = entries.filter((e) => e.type === 'key.generate' && e.body.role === 'master').map((e) => e.body.fingerprint);
    assert.equal(keys.length, 2);
    assert.equal(abandoned.body.fingerprint, keys[0]);
    assert.equal(announcedFingerprint(done.stdout), keys[1]);
    await assertVerifiesAnchored(join(out, 'bundle'), keys[1] as string);
  } finally {
    own.cleanup();
  }
});
