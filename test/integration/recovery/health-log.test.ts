/**
 * The share health log end to end on a copy of the run's shared demo (software tokens, cheap
 * scrypt): `keyrite check-share --health-record`, `keyrite health-log append`, and
 * `keyrite verify BUNDLE --health-log LOG [--alive-within N]`, starting from README.md's commands run
 * as written (three trustees: "3 of 5 shares proven alive"): a record of a failed check is signed
 * and appended but not counted; too few alive warn (exit 4, the bundle valid); a replayed record is
 * refused by the appender; a log changed in place
 * fails (exit 1); usage errors exit 2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runInProcess, withBuiltCli, type CliRun } from '../../helpers/cli.ts';
import { DemoCopies, pinOf, trustedFingerprint } from './helpers.ts';

let copies: DemoCopies;
let d: string;
let fp: string;
before(async () => {
  copies = await DemoCopies.make('keyrite-health-log-');
  d = copies.copy();
  fp = trustedFingerprint(d);
});
after(() => copies?.remove());

function checkShare(id: string, out: string, envelopeOf = id): Promise<CliRun> {
  const t = join(d, 'trustees', id);
  return runInProcess(
    ['check-share', join(d, 'bundle'), '--trust', fp, '--keyring', join(t, 'keyring.json'), '--envelope', join(d, 'trustees', envelopeOf, 'share-envelope.json'), '--token', `software:${join(t, 'token.keyrite-token')}`, '--pin-env', 'PIN', '--health-record', out, '--json'],
    undefined,
    { PIN: pinOf(copies.pins, id) },
  );
}

const append = (log: string, record: string): Promise<CliRun> => runInProcess(['health-log', 'append', log, record, '--json']);
const verify = (...extra: string[]): Promise<CliRun> => runInProcess(['verify', join(d, 'bundle'), '--trust', fp, ...extra]);

/**
 * README.md's health-log commands, on this copy instead of /tmp/keyrite-demo, run in the clone
 * (bash, the built CLI: withBuiltCli).
 */
function runReadme(): ReturnType<typeof spawnSync> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const commands = /then verify with the log:\n\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(commands, 'the health-log commands are in README.md');
  return spawnSync('bash', ['-euc', withBuiltCli(commands.replaceAll('/tmp/keyrite-demo', d).replaceAll('<the master fingerprint>', fp))], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
}

test("README.md's commands record three checks and verify with the log; then failed checks, warnings, replays and a changed log", async () => {
  const r = runReadme();
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(String(r.stdout), /VALID/);
  assert.match(String(r.stdout), /HEALTH: 3 of 5 shares proven alive within 90 days/);
  const log = join(d, 'health-log');
  const file = join(log, 'health-log.jsonl');
  const recordOf3 = readdirSync(d).filter((n) => n.startsWith('health-trustee-3-')).map((n) => join(d, n))[0]!;

  // trustee-4 offers another trustee's envelope: the token signs a share-failed record (exit 1); appended, not counted.
  const failed = join(d, 'health-trustee-4-failed.json');
  const bad = await checkShare('trustee-4', failed, 'trustee-5');
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.deepEqual(JSON.parse(bad.stdout).healthRecord, { written: true, path: failed, result: 'share-failed', checkedAt: JSON.parse(readFileSync(failed, 'utf8')).body.checkedAt });
  const a = await append(log, failed);
  assert.equal(a.code, 0, a.stdout + a.stderr);
  assert.equal(JSON.parse(a.stdout).line, 5);
  const ok = await verify('--health-log', log, '--json');
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const health = JSON.parse(ok.stdout).health;
  assert.deepEqual([health.alive, health.t, health.n, health.records, health.refused, health.outcome], [3, 3, 5, 4, 0, 'ok']);
  assert.equal(health.trustees.find((t: { trusteeId: string }) => t.trusteeId === 'trustee-4').lastResult, 'share-failed');

  // A window of 0 days: no record is that fresh, so fewer than t are alive: a warning, exit 4; the bundle stays valid.
  const warn = await verify('--health-log', join(log, 'health-log.jsonl'), '--alive-within', '0');
  assert.equal(warn.code, 4, warn.stdout + warn.stderr);
  assert.match(warn.stdout, /VALID/);
  assert.match(warn.stdout, /HEALTH WARNING: 0 of 5 shares proven alive within 0 days/);
  assert.match(warn.stderr, /health warning \(the bundle itself is valid\)/);

  // A replayed record is refused by the appender (the verifier's refusal of one written in by hand: test/unit/escrow/health-log.test.ts).
  const replay = await append(log, recordOf3);
  assert.equal(replay.code, 1);
  assert.match(replay.stderr, /already on line 4/);

  // A line changed in place breaks the chain: the log is not read (exit 1).
  writeFileSync(file, readFileSync(file, 'utf8').replace('"result":"alive"', '"result":"alivE"'));
  const broken = await verify('--health-log', log);
  assert.equal(broken.code, 1, broken.stdout);
  assert.match(broken.stdout, /FAIL {2}health-log/);
});

test('usage: --alive-within without a log or not a number, a record file that exists, a missing log: exit 2', async () => {
  assert.equal((await verify('--alive-within', '5')).code, 2);
  assert.equal((await verify('--health-log', join(d, 'health-log'), '--alive-within', '-1')).code, 2);
  assert.equal((await verify('--health-log', join(d, 'no-such-log'))).code, 2);
  const r = await checkShare('trustee-1', join(d, 'bundle', 'bundle.json'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /that file exists/);
});
