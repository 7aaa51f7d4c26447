/**
 * Escrow reshare end to end on rehearsal software tokens, from one copy of the run's shared demo
 * (cheapest scrypt), one reshare shared by every assertion: the fixed contract (`keyrite ceremony
 * run reshare-rehearsal.yaml --answers DIR/reshare-answers.yaml --out OUT` writes OUT/bundle, the
 * new holders' folders OUT/trustees/<id> and OUT/recovery-answers.yaml; `keyrite verify DIR/bundle
 * OUT/bundle --trust ROOT` exits 0 with the same current key), the old epoch named superseded and
 * trustee-5 named as not attesting destruction, the old identities gone from the continuing
 * trustees' tokens, a recovery with the new epoch's answers restoring the same key, an old
 * envelope refused by name with its epoch, and chain refusals: two reshares of one epoch (fork,
 * from a copy made before the first, whose reshare is README.md's commands run as written in bash),
 * the same reshare twice, the reshare without the root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { repoRoot, runInProcess, withBuiltCli, type CliRun } from '../../helpers/cli.ts';
import { DemoCopies, trustedFingerprint } from '../recovery/helpers.ts';
import { reshare, resharePins } from './helpers.ts';
import { RESHARE_RECOVERY_PIN } from '../../../cli/commands/reshare-recovery-answers.ts';
import { openSoftwareTokenFile } from '../../../core/node/software-token-file.ts';
import { parseKeyring } from '../../../core/ceremony/keyring.ts';
import { readBundleDir } from '../../helpers/bundle-files.ts';
import { verifyChain } from '../../../core/verifier/chain.ts';

const RECOVERY = join(repoRoot, 'ceremony-scripts/escrow-recovery-rehearsal.yaml');

let copies: DemoCopies;
let demo: string;
let root: string;
let pins: Record<string, string>;
let run: CliRun;
let out: string;
let forkCopy: string;
let readmeRun: SpawnSyncReturns<string>;
let oldKeyrings: Record<string, ReturnType<typeof parseKeyring>>;

function recover(answers: string, to: string): Promise<CliRun> {
  return runInProcess(['recover', RECOVERY, '--bundle', join(out, 'bundle'), '--answers', answers, '--out', join(demo, to), '--json'], undefined, { ...pins, [RESHARE_RECOVERY_PIN]: 'reshare-test-passphrase' });
}

before(async () => {
  copies = await DemoCopies.make('keyrite-reshare-');
  demo = copies.demo;
  root = trustedFingerprint(demo);
  pins = resharePins(demo);
  oldKeyrings = Object.fromEntries([1, 2, 3, 4].map((i) => [`trustee-${i}`, parseKeyring(readFileSync(join(demo, 'trustees', `trustee-${i}`, 'keyring.json')))]));
  out = join(demo, 'reshare-1');
  // Another reshare of the same epoch, from a copy made before the first one destroys the old keys: a fork.
  forkCopy = copies.copy();
  run = await reshare(demo, 'reshare-answers.yaml', 'reshare-1', pins);
  // README.md's commands run as written on the fork copy (its reshare-1 is the fork's second reshare).
  const commands = /verify the chain, recover with the new epoch, then try an old envelope \(refused, named\):\n\n```sh\n([\s\S]*?)\n```/.exec(readFileSync(join(repoRoot, 'README.md'), 'utf8'))?.[1];
  assert.ok(commands, 'the reshare commands are in README.md');
  readmeRun = spawnSync('bash', ['-euc', withBuiltCli(commands.replaceAll('/tmp/keyrite-demo', forkCopy).replaceAll('<the ROOT master fingerprint>', root))], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
});

after(() => copies.remove());

test('the fixed contract: OUT/bundle, the new holders\' folders in OUT/trustees, OUT/recovery-answers.yaml; the chain verifies to the same key', async () => {
  const r = JSON.parse(run.stdout);
  assert.equal(r.kind, 'reshare');
  assert.equal(r.master.fingerprint, root);
  assert.equal(r.epoch, 1);
  assert.equal(r.previousEpoch, 0);
  assert.deepEqual(r.quorum, { n: 5, t: 3 });
  assert.deepEqual(r.trustees.map((t: { id: string }) => t.id), ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-6']);
  for (const id of ['trustee-1', 'trustee-2', 'trustee-3', 'trustee-4', 'trustee-6']) {
    for (const f of ['keyring.json', 'share-envelope.json', 'share-paper-backup.txt', 'share-card.pdf']) assert.ok(existsSync(join(out, 'trustees', id, f)), `${id}/${f}`);
  }
  assert.ok(existsSync(join(out, 'recovery-answers.yaml')));
  const verify = await runInProcess(['verify', join(demo, 'bundle'), join(out, 'bundle'), '--trust', root, '--json']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const report = JSON.parse(verify.stdout);
  assert.equal(report.verdict, 'valid');
  assert.equal(report.current.fingerprint, root);
  assert.match(report.checks.find((c: { name: string }) => c.name === 'chain-link-1').detail, /reshare .* escrow epoch 0 → 1/);
});

test('the bundle names the superseded epoch and, plainly, the old holder who could not attest destruction', () => {
  const r = JSON.parse(run.stdout);
  const five = r.oldHolders.find((h: { trusteeId: string }) => h.trusteeId === 'trustee-5');
  assert.deepEqual([five.token, five.paper], ['not-attested', 'not-attested']);
  assert.ok(r.oldHolders.filter((h: { token: string }) => h.token === 'destroyed').length === 4);
  const readme = readFileSync(join(out, 'bundle', 'README.txt'), 'utf8');
  assert.match(readme, /COULD NOT ATTEST the destruction of their old share: trustee-5/);
  assert.match(readme, /Escrow epoch: +1 \(supersedes epoch 0\)/);
  const policy = JSON.parse(readFileSync(join(out, 'bundle', 'policy.json'), 'utf8'));
  assert.deepEqual(policy.reshare.notAttested, ['trustee-5']);
  const entries = readFileSync(join(out, 'bundle', 'transcript.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const sup = entries.find((e) => e.type === 'escrow.superseded');
  assert.equal(sup.body.epoch, 0);
  assert.deepEqual(sup.body.by.epoch, 1);
  assert.equal(entries.filter((e) => e.type === 'key.destroy').length, 8);
});

test('the continuing trustees\' old sealing and signing keys are gone from their tokens; their new identity is there', async () => {
  for (const [id, old] of Object.entries(oldKeyrings)) {
    const token = await openSoftwareTokenFile(join(demo, 'trustees', id, 'token.keyrite-token'));
    try {
      await token.login(pins[`KEYRITE_REHEARSAL_PIN_${id.toUpperCase().replace('-', '_')}`]);
      const labels = (await token.listObjects()).map((o) => o.label);
      assert.ok(!labels.includes(old.sealKey.label), `${id}: old seal key still there`);
      assert.ok(!labels.includes(old.signingKey.ref.label), `${id}: old signing key still there`);
      const fresh = parseKeyring(readFileSync(join(out, 'trustees', id, 'keyring.json')));
      assert.ok(labels.includes(fresh.sealKey.label) && labels.includes(fresh.signingKey.ref.label));
      assert.notEqual(fresh.fingerprint, old.fingerprint);
    } finally {
      await token.close();
    }
  }
});

test('OUT/recovery-answers.yaml recovers the same master key from the new epoch', async () => {
  const r = await recover(join(out, 'recovery-answers.yaml'), 'rec-new');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).recoveredFingerprint, root);
});

test('an envelope of the superseded epoch is refused by name with its epoch, before it is opened', async () => {
  const answers = join(out, 'old-envelope-answers.yaml');
  writeFileSync(answers, readFileSync(join(out, 'recovery-answers.yaml'), 'utf8').replace('envelope: reshare-1/trustees/trustee-2/share-envelope.json', 'envelope: trustees/trustee-2/share-envelope.json').replace('reshare-1/recovery/new-master', 'reshare-1/recovery-old/new-master'));
  const r = await recover(answers, 'rec-old');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /Carol Trustee \(trustee-2\) was refused: this envelope is from epoch 0, superseded by the reshare of \d{4}-\d{2}-\d{2} \(ceremony [0-9a-f]{8}…\); the current epoch is 1/);
  assert.ok(!existsSync(join(demo, 'rec-old', 'bundle')));
});

test('chain refusals: two reshares of one epoch (fork), the same reshare twice, the reshare without the root', async () => {
  const b = (p: string) => readBundleDir(p);
  const fork = verifyChain([b(join(demo, 'bundle')), b(join(out, 'bundle')), b(join(forkCopy, 'reshare-1', 'bundle'))], { trust: root });
  assert.equal(fork.verdict, 'invalid');
  assert.match(fork.checks.find((c) => c.name === 'chain-link-1')!.detail, /^Fork: bundles 1 and 2 both build on ceremony [0-9a-f]{32} \(reshare and reshare\)/);
  const twice = verifyChain([b(join(demo, 'bundle')), b(join(out, 'bundle')), b(join(out, 'bundle'))], { trust: root });
  assert.match(twice.checks.find((c) => c.name === 'chain-link-1')!.detail, /^Fork/);
  const alone = await runInProcess(['verify', join(out, 'bundle'), join(forkCopy, 'reshare-1', 'bundle'), '--trust', root, '--json']);
  assert.equal(alone.code, 1);
  assert.match(JSON.parse(alone.stdout).checks.find((c: { name: string }) => c.name === 'chain-root').detail, /a chain begins with the root bundle/);
});

test("README.md's reshare commands run as written (bash): the reshare, the chain, a recovery of the new epoch, an old envelope refused by name", () => {
  assert.equal(readmeRun.status, 0, readmeRun.stdout + readmeRun.stderr);
  assert.match(readmeRun.stdout, /Reshare [0-9a-f]{32} complete: .* now epoch 1 \(3-of-5\); epoch 0 is superseded/);
  assert.match(readmeRun.stdout, /VALID CHAIN/);
  assert.match(readmeRun.stdout, /Recovered master fingerprint \(equals the published one\)/);
  assert.match(readmeRun.stderr, /this envelope is from epoch 0, superseded by the reshare of/);
  assert.match(readmeRun.stdout, /The old envelope was refused, as it must be\./);
  assert.ok(existsSync(join(forkCopy, 'reshare-recovery', 'bundle')) && !existsSync(join(forkCopy, 'old-envelope-recovery', 'bundle')));
});

test('the same run folder is refused: a reshare is never resumed, nothing is overwritten', async () => {
  const again = await reshare(demo, 'reshare-answers.yaml', 'reshare-1', pins);
  assert.notEqual(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stderr, /already exists: this folder holds a finished ceremony/);
});
