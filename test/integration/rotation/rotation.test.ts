/**
 * Key rotation end to end on rehearsal software tokens, from one `keyrite demo` output (cheapest
 * scrypt): the fixed contract (`keyrite ceremony run rotation-rehearsal.yaml --answers
 * DIR/rotation-answers.yaml --out OUT` writes OUT/bundle; `keyrite verify DIR/bundle OUT/bundle
 * --trust ROOT --json` names current.fingerprint; the wrong order and the rotation bundle alone
 * anchored on the root are refused), a second rotation of the rotated key (a valid 3-link chain),
 * a second rotation of the root key (a fork), and each chain refusal by name: not a successor,
 * fork, rollback, gap, a bundle that does not verify. The old master token is never opened; the
 * new one holds the new key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess, type CliRun } from '../../helpers/cli.ts';
import { readBundleDir } from '../../helpers/bundle-files.ts';
import { CHEAP_SCRYPT } from '../ceremony/helpers.ts';
import { DemoCopies, trustedFingerprint } from '../recovery/helpers.ts';
import { demoPins } from '../signing/helpers.ts';
import { createToken, newPassphrase, pinVariable } from '../../../cli/commands/demo.ts';
import { randomBytes } from '../../../core/crypto/random.ts';
import { openSoftwareTokenFile } from '../../../core/node/software-token-file.ts';
import { verifyChain, type ChainReport } from '../../../core/verifier/chain.ts';
import { parseKeyStates } from '../../../core/bundle/key-states.ts';

const SCRIPT = join(repoRoot, 'ceremony-scripts/rotation-rehearsal.yaml');
const NEW_LABEL = 'keyrite-root-next-rehearsal';
const HEX64 = /^[0-9a-f]{64}$/;

let copies: DemoCopies;
let demo: string;
let root: string;
let pins: Record<string, string>;
/** The first rotation (of the root key), the second (of the rotated key), and a fork (another rotation of the root key). */
let first: { run: CliRun; bundle: string; fingerprint: string };
let second: { run: CliRun; bundle: string; fingerprint: string };
let fork: { run: CliRun; bundle: string };
let masterTokenBefore: Buffer;

function rotate(d: string, answers: string, out: string, env: Record<string, string>): Promise<CliRun> {
  return runInProcess(['ceremony', 'run', SCRIPT, '--answers', join(d, answers), '--out', join(d, out), '--json'], undefined, env);
}

/** The PINs of a demo copy: every token's, the rotation token's included. */
function allPins(d: string): Record<string, string> {
  const out = demoPins(d);
  for (const line of readFileSync(join(d, 'rotation', 'REHEARSAL-ONLY-passphrase.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/**
 * Answers for rotating the key of the first rotation: the same trustees with their shares of the
 * rotated key (rotation/trustees/<id>), new output folders, a new empty token, the first
 * rotation's bundle anchored on its new fingerprint.
 */
async function secondRotationAnswers(d: string, bundle: string, fingerprint: string): Promise<Record<string, string>> {
  const pass = newPassphrase(randomBytes);
  await createToken(join(d, 'rotation2'), 'new-master.keyrite-token', 'Rehearsal second rotated master', pass, CHEAP_SCRYPT, pinVariable('rotation2'), 'the second rotation token');
  const text = readFileSync(join(d, 'rotation-answers.yaml'), 'utf8')
    .replace(/envelope: trustees\/(trustee-\d)\/share-envelope\.json/g, 'envelope: rotation/trustees/$1/share-envelope.json')
    .replace(/output: rotation\/trustees\//g, 'output: rotation2/trustees/')
    .replace('software: rotation/new-master.keyrite-token', 'software: rotation2/new-master.keyrite-token')
    .replace(pinVariable('rotation'), pinVariable('rotation2'))
    .replace(/^( {2}path: )bundle$/m, `$1${bundle}`)
    .replace(/^( {2}trust: )[0-9a-f]{64}$/m, `$1${fingerprint}`);
  writeFileSync(join(d, 'rotation2-answers.yaml'), text);
  return { [pinVariable('rotation2')]: pass };
}

before(async () => {
  copies = await DemoCopies.make('keyrite-rotation-');
  demo = copies.demo;
  root = trustedFingerprint(demo);
  const forkCopy = copies.copy();
  pins = allPins(demo);
  masterTokenBefore = readFileSync(join(demo, 'master', 'master.keyrite-token'));
  const r1 = await rotate(demo, 'rotation-answers.yaml', 'rot1', pins);
  assert.equal(r1.code, 0, r1.stdout + r1.stderr);
  first = { run: r1, bundle: join(demo, 'rot1', 'bundle'), fingerprint: JSON.parse(r1.stdout).master.fingerprint };
  const more = await secondRotationAnswers(demo, 'rot1/bundle', first.fingerprint);
  const r2 = await rotate(demo, 'rotation2-answers.yaml', 'rot2', { ...pins, ...more });
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  second = { run: r2, bundle: join(demo, 'rot2', 'bundle'), fingerprint: JSON.parse(r2.stdout).master.fingerprint };
  const rf = await rotate(forkCopy, 'rotation-answers.yaml', 'rot-fork', allPins(forkCopy));
  assert.equal(rf.code, 0, rf.stdout + rf.stderr);
  fork = { run: rf, bundle: join(forkCopy, 'rot-fork', 'bundle') };
});
after(() => copies?.remove());

function chain(...dirs: string[]): ChainReport {
  return verifyChain(dirs.map(readBundleDir), { trust: root });
}

function failed(r: ChainReport): { name: string; detail: string }[] {
  return r.checks.filter((c) => c.status === 'fail');
}

test('the rotation writes OUT/bundle: the old key unlocked by the shares, a new key on the new token, both fingerprints and the key states', async () => {
  const res = JSON.parse(first.run.stdout);
  assert.equal(res.kind, 'rotation');
  assert.equal(res.previous.fingerprint, root);
  assert.match(res.master.fingerprint, HEX64);
  assert.notEqual(res.master.fingerprint, root);
  assert.equal(res.original.masterFingerprint, root);
  assert.equal(res.anchored, true);
  assert.ok(res.exportChecks.every((c: { ok: boolean }) => c.ok));
  assert.ok(existsSync(join(demo, 'rot1', 'bundle', 'keys', 'key-states.json')));
  const states = parseKeyStates(new Uint8Array(readFileSync(join(demo, 'rot1', 'bundle', 'keys', 'key-states.json'))));
  assert.deepEqual(states.keys.map((k) => [k.fingerprint, k.state]), [[res.master.fingerprint, 'active'], [root, 'deprecated']]);
  assert.equal(Date.parse(states.keys[1]!.until!) - Date.parse(states.keys[1]!.since), 30 * 24 * 3600 * 1000);
  for (const t of res.trustees) for (const f of t.files) assert.ok(existsSync(f), f);
  // Every trustee's share unlocked the old key: past the threshold the count says how many were needed.
  const progress = readFileSync(join(demo, 'rot1', 'bundle', 'transcript.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"share.accepted"')).map((l) => JSON.parse(l).body.progress);
  assert.deepEqual(progress, ['1 of 3', '2 of 3', '3 of 3', '4, 3 needed', '5, 3 needed']);
  // The old master token was never opened (not even logged into: its file is byte for byte the same); the new token holds the new key.
  assert.deepEqual(readFileSync(join(demo, 'master', 'master.keyrite-token')), masterTokenBefore);
  const token = await openSoftwareTokenFile(join(demo, 'rotation', 'new-master.keyrite-token'));
  try {
    await token.login(pins[pinVariable('rotation')]!);
    const ref = await token.findObject(NEW_LABEL);
    assert.ok(ref, 'the new token holds the new key');
    assert.equal(Buffer.from(await token.getPublicKey(ref)).toString('hex').length, 64);
  } finally {
    await token.close();
  }
});

test('keyrite verify ROOT ROTATION --trust ROOT --json exits 0 and names the current key; wrong order and the rotation alone exit 1', async () => {
  const ok = await runInProcess(['verify', join(demo, 'bundle'), first.bundle, '--trust', root, '--json']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const report = JSON.parse(ok.stdout);
  assert.equal(report.ok, true);
  assert.match(report.current.fingerprint, HEX64);
  assert.equal(report.current.fingerprint, first.fingerprint);
  assert.deepEqual(report.path.map((p: { masterFingerprint: string }) => p.masterFingerprint), [root, first.fingerprint]);
  assert.deepEqual(report.keys.map((k: { state: string; stateNow: string }) => [k.state, k.stateNow]), [['active', 'active'], ['deprecated', 'deprecated']]);
  const wrongOrder = await runInProcess(['verify', first.bundle, join(demo, 'bundle'), '--trust', root, '--json']);
  assert.equal(wrongOrder.code, 1, wrongOrder.stdout);
  assert.equal(JSON.parse(wrongOrder.stdout).current, undefined);
  const alone = await runInProcess(['verify', first.bundle, '--trust', root, '--json']);
  assert.equal(alone.code, 1, alone.stdout);
  assert.equal(JSON.parse(alone.stdout).checks.find((c: { name: string }) => c.name === 'trust-anchor').status, 'fail');
  const noTrust = await runInProcess(['verify', join(demo, 'bundle'), first.bundle]);
  assert.equal(noTrust.code, 2);
  // Each rotation bundle alone, anchored on its own new key, verifies.
  assert.equal((await runInProcess(['verify', first.bundle, '--trust', first.fingerprint])).code, 0);
});

test('a valid 3-link chain: the rotated key rotated again; older keys carried forward', () => {
  const r = chain(join(demo, 'bundle'), first.bundle, second.bundle);
  assert.equal(r.verdict, 'valid', JSON.stringify(failed(r)));
  assert.equal(r.current!.fingerprint, second.fingerprint);
  assert.deepEqual(r.keys!.map((k) => [k.fingerprint, k.state]), [[second.fingerprint, 'active'], [first.fingerprint, 'deprecated'], [root, 'deprecated']]);
  assert.deepEqual(r.checks.map((c) => c.name), ['chain-root', 'chain-bundles', 'chain-link-1', 'chain-validity-1', 'chain-key-states-1', 'chain-link-2', 'chain-validity-2', 'chain-key-states-2']);
  // The key of the first rotation signed the second one while active; the root key signed nothing after its rotation.
  assert.ok(JSON.parse(second.run.stdout).previous.fingerprint === first.fingerprint);
});

test('chain refusals, each named: fork, rollback, gap, not a successor, the root not anchored, a bundle that does not verify', () => {
  const rootDir = join(demo, 'bundle');
  const forkReport = chain(rootDir, first.bundle, fork.bundle);
  assert.equal(forkReport.verdict, 'invalid');
  assert.ok(failed(forkReport).some((c) => /^Fork: bundles 1 and 2 both rotate the key of ceremony/.test(c.detail)), JSON.stringify(failed(forkReport)));
  assert.equal(forkReport.current, undefined);

  const rollback = chain(rootDir, second.bundle, first.bundle);
  assert.ok(failed(rollback).some((c) => c.name === 'chain-link-1' && /^Rollback: bundle 1 builds on bundle 2, which is given after it/.test(c.detail)), JSON.stringify(failed(rollback)));

  const gap = chain(rootDir, second.bundle);
  assert.ok(failed(gap).some((c) => c.name === 'chain-link-1' && /^Gap: bundle 1 builds on ceremony [0-9a-f]{32} .*not in the chain/.test(c.detail)), JSON.stringify(failed(gap)));

  // A bundle of another branch spliced in: the fork's rotation where the first rotation belongs.
  const spliced = chain(rootDir, fork.bundle, second.bundle);
  assert.ok(failed(spliced).some((c) => c.name === 'chain-link-2'), JSON.stringify(failed(spliced)));

  const recoveryLike = chain(rootDir, rootDir);
  assert.ok(failed(recoveryLike).some((c) => c.name === 'chain-link-1' && /^Not a successor: bundle 1 is a root-keygen bundle/.test(c.detail)), JSON.stringify(failed(recoveryLike)));

  const notAnchored = verifyChain([readBundleDir(rootDir), readBundleDir(first.bundle)], { trust: first.fingerprint });
  assert.ok(failed(notAnchored).some((c) => c.name === 'chain-root'));
  assert.equal(notAnchored.verdict, 'invalid');

  const changed = readBundleDir(first.bundle);
  const states = new Uint8Array(changed.get('keys/key-states.json')!);
  states[20] = states[20] === 0x30 ? 0x31 : 0x30;
  changed.set('keys/key-states.json', states);
  const tampered = verifyChain([readBundleDir(rootDir), changed], { trust: root });
  assert.ok(failed(tampered).some((c) => c.name === 'chain-bundles'));
  assert.equal(tampered.verdict, 'invalid');
});

test('an interrupted rotation is refused, never resumed', async () => {
  const d = copies.copy();
  const p = allPins(d);
  // A journal already in the run folder (here: of a finished rotation of this copy's twin) is refused before anything happens.
  cpSync(join(demo, 'rot1', 'journal'), join(d, 'again', 'journal'), { recursive: true });
  const again = await rotate(d, 'rotation-answers.yaml', 'again', p);
  assert.equal(again.code, 1, again.stdout + again.stderr);
  assert.match(JSON.parse(again.stdout).message, /a rotation is not resumed/);
});
